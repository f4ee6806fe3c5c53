"""Wrap-up: what the consultant records about a call once it ends."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from sqlalchemy import or_, select

from agent_desk.errors import DeskError
from consultants.models import Consultant
from customers.audit import audit
from customers.contacts import ensure_contact
from customers.models import CONTACT_OUTCOMES, Contact
from customers.service import checked_text
from hotline.db import db, utcnow
from routing import callbacks, legs
from routing import service as routing
from routing.extension import services as routing_services
from routing.live import ConsultantState, LiveEntry
from routing.models import CallLeg, CallOutcome, CallRecord

log = logging.getLogger(__name__)

WRAP_UP_OUTCOMES = CONTACT_OUTCOMES
# Less talk than this on a consultation leg: the colleague spoke only with the consultant.
SPOKE_SECONDS = 0.5


def legs_of_call(call_sid: str) -> list[CallLeg]:
    """Return a call's recorded legs, in turn."""
    query = select(CallLeg).where(CallLeg.call_sid == call_sid).order_by(CallLeg.position)
    return list(db.session.scalars(query))


def on_consultant_picked_up(entry: LiveEntry, consultant_id: int) -> None:
    """Open the contact on the customer's record as soon as the network says the consultant
    picked up, so that the wrap-up form finds it.

    A callback's desk leg is no contact yet: it opens once the customer answers, and an
    attempt that misses them is kept only in the callback's own history of attempts.
    """
    if entry.callback:
        return
    ensure_contact(
        entry.call_sid,
        consultant_id=consultant_id,
        customer_id=entry.customer_id,
        caller_number=entry.caller_number or "",
        topic=entry.topic,
        channel="callback" if entry.callback else "phone",
        transferred_by_id=entry.transferred_by if entry.transfers else None,
    )


def on_call_recorded(record: CallRecord) -> None:
    """Log an answered call, or a callback that reached the customer, on the customer's record,
    even if no desk saw it connect."""
    called_back = record.outcome == CallOutcome.CALLBACK and record.consultant_id is not None
    if record.outcome != CallOutcome.ANSWERED and not called_back:
        return
    if called_back and not callbacks.reached_customer(record.call_sid):
        return
    spoke = [leg for leg in legs_of_call(record.call_sid) if leg.consultant_id is not None]
    for leg in spoke:
        # A colleague consulted while the caller was held never spoke with them.
        if (leg.talk_seconds or 0.0) < SPOKE_SECONDS and leg.kind == "consult":
            continue
        ensure_contact(
            record.call_sid,
            consultant_id=leg.consultant_id,
            customer_id=record.customer_id,
            caller_number=record.caller_number or "",
            topic=record.topic,
            started_at=leg.started_at,
            ended_at=leg.ended_at,
            transferred_by_id=leg.transferred_by,
        )
    if spoke:
        return
    ensure_contact(
        record.call_sid,
        consultant_id=record.consultant_id,
        customer_id=record.customer_id,
        caller_number=record.caller_number or "",
        topic=record.topic,
        started_at=record.answered_at,
        ended_at=record.ended_at,
        channel="callback" if called_back else "phone",
    )


def pending_wrap_up(consultant: Consultant) -> Contact | None:
    """Return the contact the consultant still has to wrap up."""
    engine = routing_services().engine
    live = engine.consultant(consultant.id)
    if live.state != ConsultantState.WRAP_UP or not live.call_sid:
        return None
    entry = engine.entry(live.call_sid) or LiveEntry(live.call_sid)
    mine = [
        leg
        for leg in legs.legs_of(engine.redis, live.call_sid)
        if leg.consultant_id == consultant.id
    ]
    return ensure_contact(
        live.call_sid,
        consultant_id=consultant.id,
        customer_id=entry.customer_id,
        caller_number=entry.caller_number or "",
        topic=entry.topic,
        started_at=_moment(mine[-1].started_at if mine else entry.answered_at),
        ended_at=_moment(mine[-1].ended_at if mine else None) or _moment(entry.ended_at),
        channel="callback" if entry.callback else "phone",
        transferred_by_id=mine[-1].transferred_by if mine else None,
    )


def _moment(seconds: float | None) -> datetime | None:
    return datetime.fromtimestamp(seconds, UTC) if seconds else None


def unfinished_wrap_ups(
    consultant: Consultant, but: Contact | None = None, limit: int = 20
) -> list[Contact]:
    """Return the consultant's contacts whose wrap-up was never saved, newest first."""
    query = (
        select(Contact)
        .where(
            Contact.consultant_id == consultant.id,
            Contact.wrapped_up_at.is_(None),
            # A call the consultant is still making is not one to wrap up yet.
            or_(Contact.channel != "outbound-call", Contact.ended_at.is_not(None)),
        )
        .order_by(Contact.started_at.desc())
        .limit(limit)
    )
    if but is not None:
        query = query.where(Contact.id != but.id)
    return list(db.session.scalars(query))


def own_contact(consultant: Consultant, contact_id: int) -> Contact | None:
    """Return one of the consultant's contacts (None for anyone else's)."""
    contact = db.session.get(Contact, contact_id)
    return contact if contact is not None and contact.consultant_id == consultant.id else None


def wrap_up(consultant: Consultant, contact_id: int, outcome: str, notes: str) -> Contact:
    """Save the wrap-up of a contact and make the consultant available again."""
    if outcome not in WRAP_UP_OUTCOMES:
        raise DeskError("choose an outcome")
    notes = checked_text("notes", notes)
    contact = own_contact(consultant, contact_id)
    if contact is None:
        raise DeskError("that contact is not yours to wrap up")
    with db.transaction():
        contact.outcome = outcome
        contact.notes = notes.strip()
        contact.wrapped_up_at = utcnow()
        audit(
            consultant.id,
            contact.customer_id,
            "contact.wrap-up",
            {"contact_id": contact.id, "outcome": outcome, "notes_length": len(contact.notes)},
        )
    engine = routing_services().engine
    live = engine.consultant(consultant.id)
    if live.state == ConsultantState.WRAP_UP and live.call_sid == contact.call_sid:
        routing.set_consultant_state(engine, consultant, ConsultantState.AVAILABLE)
    log.info("call %s wrapped up by consultant %s", contact.call_sid, consultant.id)
    return contact
