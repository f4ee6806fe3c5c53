"""Finding jobseekers and recording what happens to their records."""

from __future__ import annotations

import logging
from collections.abc import Mapping

import phonenumbers
from sqlalchemy import select

from customers.models import AuditEntry, Contact, Customer
from hotline.db import db

log = logging.getLogger(__name__)


def normalise_phone(raw: str | None, region: str = "PL") -> str | None:
    """Return a number in E.164 form, or None when it is not a valid phone number."""
    if not raw:
        return None
    try:
        parsed = phonenumbers.parse(raw.strip(), region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(parsed):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def find_by_phone(raw: str | None, region: str = "PL") -> Customer | None:
    """Find the customer whose phone is this number, whatever way it was written."""
    number = normalise_phone(raw, region)
    if number is None:
        return None
    return db.session.scalars(select(Customer).where(Customer.phone == number)).first()


def audit(
    consultant_id: int | None, customer_id: int | None, action: str, changes: Mapping[str, object]
) -> AuditEntry:
    """Add an audit entry to the current session."""
    entry = AuditEntry(
        consultant_id=consultant_id, customer_id=customer_id, action=action, changes=dict(changes)
    )
    db.session.add(entry)
    return entry


def contacts_of(customer_id: int) -> list[Contact]:
    """Return a customer's contacts, newest first."""
    query = (
        select(Contact)
        .where(Contact.customer_id == customer_id)
        .order_by(Contact.started_at.desc())
    )
    return list(db.session.scalars(query))


def find_by_pesel(pesel: str) -> Customer | None:
    """Find the customer with this PESEL."""
    return db.session.scalars(select(Customer).where(Customer.pesel == pesel)).first()
