"""The office's register of jobseekers: creating and correcting customers (PESEL checked, phone
normalised), and a supervisor's reassignment of a customer's advisor, each audited."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import date
from typing import Any

from flask_babel import LazyString
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from stdnum.exceptions import (
    InvalidChecksum,
    InvalidComponent,
    InvalidFormat,
    InvalidLength,
    ValidationError,
)
from stdnum.pl import pesel as pesel_number

from administration.fields import FieldErrors, Fields
from consultants.models import Consultant
from customers.audit import audit
from customers.models import REGISTRATION_STATUSES, Customer
from customers.service import normalise_phone
from hotline.db import db
from hotline.speech import LANGUAGES
from knowledge.models import Office

log = logging.getLogger(__name__)

CUSTOMER_FIELDS = (
    "pesel", "first_name", "last_name", "phone", "language", "registration_status",
    "registered_on", "deregistered_on", "advisor", "office", "address", "vulnerable",
    "safeguarding",
)  # fmt: skip

# Why python-stdnum finds a PESEL wrong, in the reader's words.
PESEL_FAULTS: tuple[tuple[type[ValidationError], LazyString], ...] = (
    (InvalidLength, _l("the number has an invalid length")),
    (InvalidFormat, _l("the number has an invalid format")),
    (InvalidChecksum, _l("the check digit does not match")),
    (InvalidComponent, _l("the birth date in the number does not exist")),
)


def checked_pesel(fields: Fields) -> str | None:
    """Return the PESEL given, checked by its check digit and birth date, or None if empty."""
    raw = fields.text("pesel", 20).replace(" ", "")
    if not raw:
        return None
    try:
        return str(pesel_number.validate(raw))
    except ValidationError as exc:
        fault = next((str(text) for kind, text in PESEL_FAULTS if isinstance(exc, kind)), None)
        reason = fault or str(getattr(exc, "message", "") or exc).lower().rstrip(".")
        fields.reasons.append(_("the PESEL is not valid: %(reason)s", reason=reason))
        return None


def read_customer(given: Mapping[str, str], existing: Customer | None) -> dict[str, Any]:
    """Return the checked values of the fields given (the rest stay as they are); raise
    FieldErrors with every reason a value cannot be used."""
    fields = Fields(given)
    values: dict[str, Any] = {}
    if fields.has("pesel"):
        values["pesel"] = checked_pesel(fields)
    for name in ("first_name", "last_name"):
        if existing is None or fields.has(name):
            values[name] = fields.text(name, 80, required=True)
    if fields.has("phone"):
        raw = fields.text("phone", 40)
        phone = normalise_phone(raw) if raw else None
        if raw and phone is None:
            fields.reasons.append(_("'%(number)s' is not a valid phone number", number=raw))
        values["phone"] = phone
    if fields.has("language"):
        language = fields.text("language", 2).lower() or "pl"
        if language not in LANGUAGES:
            fields.reasons.append(
                _("the language must be one of %(languages)s", languages=", ".join(LANGUAGES))
            )
        values["preferred_language"] = language
    if fields.has("registration_status"):
        given_status = fields.text("registration_status", 16).lower() or "registered"
        if given_status not in REGISTRATION_STATUSES:
            fields.reasons.append(
                _(
                    "the registration status must be one of %(statuses)s",
                    statuses=", ".join(REGISTRATION_STATUSES),
                )
            )
        values["registration_status"] = given_status
    for name in ("registered_on", "deregistered_on"):
        if fields.has(name):
            values[name] = fields.day(name)
    if fields.has("advisor"):
        login = fields.key("advisor", 64).lower()
        advisor = None
        if login:
            query = select(Consultant).where(Consultant.login == login)
            advisor = db.session.scalars(query).first()
            if advisor is None or not advisor.active:
                fields.reasons.append(
                    _("no active consultant has the login '%(login)s'", login=login)
                )
        values["advisor_id"] = advisor.id if advisor else None
    if fields.has("office"):
        office = fields.key("office", 32).upper() or None
        if (
            office
            and db.session.scalars(select(Office).where(Office.code == office)).first() is None
        ):
            fields.reasons.append(_("no office has the code '%(code)s'", code=office))
        values["office_code"] = office
    if fields.has("address"):
        values["address"] = fields.text("address", 255) or None
    for name in ("vulnerable", "safeguarding"):
        if fields.has(name):
            values[name] = fields.flag(name)
    status: str | None = values.get(
        "registration_status", existing.registration_status if existing else None
    )
    registered = values.get("registered_on", existing.registered_on if existing else None)
    deregistered = values.get("deregistered_on", existing.deregistered_on if existing else None)
    if status == "deregistered" and deregistered is None:
        fields.reasons.append(_("a deregistered customer needs the date of deregistration"))
    if registered and deregistered and deregistered < registered:
        fields.reasons.append(_("deregistered on a day before registration"))
    if registered and registered > date.today():
        fields.reasons.append(_("registered on a day still to come"))
    fields.check()
    return values


def saved_values(customer: Customer, values: Mapping[str, Any]) -> dict[str, Any]:
    """Return what changes, field by field, as the audit trail records it (PESEL and
    address are named, not copied: the trail keeps no more personal data than it needs)."""
    changes: dict[str, Any] = {}
    for name, value in values.items():
        before = getattr(customer, name)
        if before == value:
            continue
        if name in ("pesel", "address", "phone"):
            changes[name] = "changed"
        else:
            changes[name] = {"from": jsonable(before), "to": jsonable(value)}
    return changes


def jsonable(value: Any) -> Any:
    """Return a value the audit trail can keep as JSON."""
    return value.isoformat() if isinstance(value, date) else value


def create_customer(values: Mapping[str, Any], actor_id: int | None) -> Customer:
    """Register a customer; refuse a PESEL or phone another customer has."""
    customer = Customer(
        first_name=values["first_name"], last_name=values["last_name"],
        registration_status=values.get("registration_status", "registered"),
    )  # fmt: skip
    for name, value in values.items():
        setattr(customer, name, value)
    try:
        with db.transaction() as session:
            session.add(customer)
            session.flush()
            audit(actor_id, customer.id, "customer.create", {"fields": sorted(values)})
    except IntegrityError as exc:
        db.session.rollback()
        raise FieldErrors([_("another customer already has that PESEL or phone number")]) from exc
    log.info("customer %s registered by %s", customer.id, actor_id)
    return customer


def update_customer(
    customer: Customer, values: Mapping[str, Any], actor_id: int | None
) -> list[str]:
    """Change the fields given, audited; return the names of those that changed."""
    changes = saved_values(customer, values)
    if not changes:
        return []
    try:
        with db.transaction():
            for name in changes:
                setattr(customer, name, values[name])
            audit(actor_id, customer.id, "customer.update", changes)
    except IntegrityError as exc:
        db.session.rollback()
        raise FieldErrors([_("another customer already has that PESEL or phone number")]) from exc
    return list(changes)


def reassign_advisor(
    customer: Customer, advisor_id: int | None, actor_id: int, reason: str
) -> None:
    """Make another consultant the customer's advisor (or none), audited with the reason."""
    reason = " ".join(reason.split())[:500]
    if not reason:
        raise FieldErrors([_("say why the advisor changes")])
    if advisor_id is not None:
        advisor = db.session.get(Consultant, advisor_id)
        if advisor is None or not advisor.active:
            raise FieldErrors([_("choose an active consultant")])
    if advisor_id == customer.advisor_id:
        return
    with db.transaction():
        before = customer.advisor_id
        customer.advisor_id = advisor_id
        audit(actor_id, customer.id, "customer.reassign_advisor",
              {"advisor_id": {"from": before, "to": advisor_id}, "reason": reason})  # fmt: skip
    log.info("customer %s: advisor reassigned by %s", customer.id, actor_id)


def by_pesel(pesel: str) -> Customer | None:
    """Return the customer with this PESEL."""
    return db.session.scalars(select(Customer).where(Customer.pesel == pesel)).first()


def advisors() -> list[Consultant]:
    """Return the active consultants who may be advisors, by name."""
    query = select(Consultant).where(Consultant.active.is_(True)).order_by(Consultant.name)
    return [person for person in db.session.scalars(query) if "consultant" in person.roles]
