"""Finding jobseekers and recording what happens to their records."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Any

import phonenumbers
from sqlalchemy import Select, and_, bindparam, select
from sqlalchemy.exc import IntegrityError

from customers.audit import audit
from customers.models import Customer
from customers.names import fold
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


class CustomerError(ValueError):
    """A change to a customer's record that cannot be made, with a message to show."""


def mask_pesel(pesel: str | None) -> str:
    """Show only the birth-date part of a PESEL."""
    return f"{pesel[:6]}*****" if pesel else ""


# A name search needs this many letters, so that one letter cannot list a whole office.
SEARCH_MIN_LENGTH = 3
# The most customers one search shows; more means the search should be narrower.
SEARCH_LIMIT = 20
# Longer than any name, PESEL or number: anything longer is not a search for a customer.
SEARCH_MAX_LENGTH = 100
# Why a search was refused, as codes the desk puts in the reader's words.
SEARCH_TOO_LONG = "too_long"
SEARCH_TOO_SHORT = "too_short"


@dataclass(frozen=True)
class SearchResult:
    """What a search found, how it searched (name, PESEL, phone; "" when it did not), and
    whether it had more matches than it shows, or was refused, with why (SEARCH_TOO_...)."""

    customers: list[Customer]
    searched: str = ""
    more: bool = False
    refused: str = ""


def _contains(term: str) -> str:
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def search_customers(text: str, limit: int = SEARCH_LIMIT) -> SearchResult:
    """Find customers by PESEL or phone (exactly) or by name (every word, in any order,
    without regard to case or diacritics, wildcards taken literally)."""
    text = " ".join(text.split())
    if not text:
        return SearchResult([])
    if len(text) > SEARCH_MAX_LENGTH or "\x00" in text:
        return SearchResult([], refused=SEARCH_TOO_LONG)
    digits = text.replace(" ", "")
    if digits.isdigit() and len(digits) == 11:
        by, condition = "pesel", Customer.pesel == digits
    elif (phone := normalise_phone(text)) is not None and not any(c.isalpha() for c in text):
        by, condition = "phone", Customer.phone == phone
    else:
        words = fold(text).split()
        if len("".join(words)) < SEARCH_MIN_LENGTH:
            return SearchResult([], refused=SEARCH_TOO_SHORT)
        by = "name"
        condition = and_(
            *(Customer.search_name.like(_contains(word), escape="\\") for word in words)
        )
    query = (
        select(Customer)
        .where(condition)
        .order_by(Customer.last_name, Customer.first_name, Customer.id)
        .limit(limit + 1)
    )
    found = list(db.session.scalars(query))
    return SearchResult(found[:limit], searched=by, more=len(found) > limit)


# The longest value each field a consultant edits may hold, the same on every database.
FIELD_LIMITS = {"address": 255, "phone": 40, "action_plan_notes": 20_000, "notes": 20_000}
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def checked_text(field: str, value: str) -> str:
    """Return a stripped field value, or refuse one too long or holding control characters
    (PostgreSQL refuses NUL and over-long values; SQLite would keep them)."""
    value = value.strip()
    if len(value) > FIELD_LIMITS[field]:
        raise CustomerError(
            f"{field.replace('_', ' ')} may be at most {FIELD_LIMITS[field]} characters"
        )
    if CONTROL_CHARACTERS.search(value.replace("\r\n", "\n").replace("\t", " ")):
        raise CustomerError(f"{field.replace('_', ' ')} holds control characters")
    return value


def update_customer(
    consultant_id: int,
    customer_id: int,
    *,
    address: str | None = None,
    phone: str | None = None,
    action_plan_notes: str | None = None,
) -> Customer:
    """Change a customer's address, phone or action-plan notes, auditing each change.

    A field that is None was not sent and stays as it is: missing is not empty.
    """
    customer = db.session.get(Customer, customer_id)
    if customer is None:
        raise CustomerError("no such customer")
    wanted: dict[str, str | None] = {}
    if address is not None:
        wanted["address"] = checked_text("address", address) or None
    if phone is not None:
        given = checked_text("phone", phone)
        new_phone = normalise_phone(given) if given else None
        if given and new_phone is None:
            raise CustomerError(f"{given!r} is not a valid phone number")
        wanted["phone"] = new_phone
    if action_plan_notes is not None:
        wanted["action_plan_notes"] = checked_text("action_plan_notes", action_plan_notes)
    changes = {
        field: {"from": getattr(customer, field), "to": value}
        for field, value in wanted.items()
        if getattr(customer, field) != value
    }
    if not changes:
        return customer
    try:
        with db.transaction():
            for field, change in changes.items():
                setattr(customer, field, change["to"])
            # Which fields changed, not what they hold: the record itself holds that.
            audit(consultant_id, customer.id, "customer.update", {"fields": sorted(changes)})
    except IntegrityError as exc:
        raise CustomerError("another customer already has that phone number") from exc
    return customer
