"""Finding jobseekers and recording what happens to their records."""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import phonenumbers
from sqlalchemy import Select, bindparam, select

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


# Twilio gives the caller's number in E.164 already; such a number needs no parsing.
E164 = re.compile(r"\+[1-9][0-9]{6,14}")


@dataclass(frozen=True)
class CallerCard:
    """What the phone line needs to know about a jobseeker it recognises."""

    id: int
    first_name: str
    preferred_language: str
    advisor_id: int | None
    office_code: str | None
    vulnerable: bool


# Every call starts with this lookup, so it is a plain query on the table's own columns,
# built once: loading a whole Customer object through the ORM costs several times as much.
CUSTOMERS = Customer.__table__.c
CARD_QUERY = select(
    CUSTOMERS.id,
    CUSTOMERS.first_name,
    CUSTOMERS.preferred_language,
    CUSTOMERS.advisor_id,
    CUSTOMERS.office_code,
    CUSTOMERS.vulnerable,
)
CARD_BY_PHONE = CARD_QUERY.where(CUSTOMERS.phone == bindparam("value"))
CARD_BY_PESEL = CARD_QUERY.where(CUSTOMERS.pesel == bindparam("value"))


def _card(query: Select[Any], value: str) -> CallerCard | None:
    if db.engine is None:
        raise RuntimeError("the database is not configured")
    with db.engine.connect() as connection:
        row = connection.execute(query, {"value": value}).first()
    return CallerCard(*row) if row is not None else None


def caller_by_phone(raw: str | None, region: str = "PL") -> CallerCard | None:
    """Find the customer whose phone is this number, whatever way it was written."""
    number = raw.strip() if raw else None
    if number is None or not E164.fullmatch(number):
        number = normalise_phone(raw, region)
    if number is None:
        return None
    return _card(CARD_BY_PHONE, number)


def caller_by_pesel(pesel: str) -> CallerCard | None:
    """Find the customer with this PESEL."""
    return _card(CARD_BY_PESEL, pesel)


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
