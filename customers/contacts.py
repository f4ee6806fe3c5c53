"""Contacts: every time the centre spoke with, or acted for, a jobseeker."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from customers.models import Contact
from hotline.db import db, get_or_create, utcnow


def ensure_contact(
    call_sid: str,
    *,
    consultant_id: int | None,
    customer_id: int | None,
    caller_number: str,
    topic: str | None,
    started_at: datetime | None = None,
    ended_at: datetime | None = None,
    channel: str = "phone",
    transferred_by_id: int | None = None,
) -> Contact:
    """Return a consultant's contact for a call, creating it once however often this runs.

    A transferred call has one contact per consultant who spoke with the caller.
    """
    with db.transaction() as session:
        contact, _created = get_or_create(
            session,
            Contact,
            {
                "customer_id": customer_id,
                "caller_number": caller_number,
                "topic": topic,
                "channel": channel,
                "started_at": started_at or utcnow(),
                "transferred_by_id": transferred_by_id,
            },
            call_sid=call_sid,
            consultant_id=consultant_id,
        )
        if ended_at and contact.ended_at is None:
            contact.ended_at = ended_at
    return contact


def contacts_of(customer_id: int) -> list[Contact]:
    """Return a customer's contacts, newest first."""
    query = (
        select(Contact)
        .where(Contact.customer_id == customer_id)
        .order_by(Contact.started_at.desc())
    )
    return list(db.session.scalars(query))


def contacts_of_call(call_sid: str) -> list[Contact]:
    """Return every consultant's contact for one call, in the order they began."""
    query = select(Contact).where(Contact.call_sid == call_sid).order_by(Contact.started_at)
    return list(db.session.scalars(query))
