"""When a consultant may open a customer's record, and the audited reads of it.

A consultant opens a record on one of three grounds: the customer is on their call now, or
was on it a short while ago (the call context); the customer is their own (they are the
advisor); or they state a reason ("break glass"), which supervisors see in a list. Every
opening, every reveal of a PESEL and every search is audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import func, or_, select

from consultants.models import Consultant
from customers.audit import audit
from customers.models import AuditEntry, BreakGlass, Contact, Customer
from customers.service import SearchResult, search_customers
from hotline.db import db, utcnow
from recordings.models import Recording
from recordings.voicemail import unhandled_voicemail
from routing.extension import services as routing_services
from routing.live import ConsultantState
from routing.models import CallLeg, CallRecord

# How long after a call its consultant may still open the caller's record (the wrap-up, a
# note to add); a contact not yet wrapped up keeps it open until it is.
AFTER_CALL = timedelta(minutes=15)
# How long a stated reason opens a record for (so that an edit needs no second reason).
BREAK_GLASS_FOR = timedelta(minutes=30)
# The shortest reason accepted: a word or two that says why.
REASON_MIN_LENGTH = 10
REASON_MAX_LENGTH = 500
ON_THE_LINE = (ConsultantState.RINGING, ConsultantState.ON_CALL, ConsultantState.WRAP_UP)


class Grounds(StrEnum):
    """Why a consultant may open a record."""

    CALL = "call"
    OWN = "own"
    BREAK_GLASS = "break_glass"


class RecordRefused(PermissionError):
    """A record the consultant may not open without stating a reason."""


class ReasonRefused(ValueError):
    """A break-glass reason too short or too long, with a message to show."""


def on_call_with(consultant: Consultant, customer_id: int) -> bool:
    """Tell whether the customer is on the consultant's call now (ringing to wrap-up)."""
    engine = routing_services().engine
    live = engine.consultant(consultant.id)
    if live.state not in ON_THE_LINE or not live.call_sid:
        return False
    entry = engine.entry(live.call_sid)
    return entry is not None and entry.customer_id == customer_id


def recently_spoke_with(consultant: Consultant, customer_id: int, now: datetime) -> bool:
    """Tell whether the consultant's contact with the customer has just ended or awaits
    its wrap-up."""
    ended = func.coalesce(Contact.ended_at, Contact.started_at)
    query = select(Contact.id).where(
        Contact.consultant_id == consultant.id,
        Contact.customer_id == customer_id,
        or_(Contact.wrapped_up_at.is_(None), ended >= now - AFTER_CALL),
        Contact.started_at >= now - timedelta(days=7),
    )
    return db.session.scalar(query.limit(1)) is not None


def broke_glass(consultant: Consultant, customer_id: int, now: datetime) -> bool:
    """Tell whether the consultant stated a reason to open this record a short while ago."""
    query = select(BreakGlass.id).where(
        BreakGlass.consultant_id == consultant.id,
        BreakGlass.customer_id == customer_id,
        BreakGlass.at >= now - BREAK_GLASS_FOR,
    )
    return db.session.scalar(query.limit(1)) is not None


def grounds_for(consultant: Consultant, customer: Customer) -> Grounds | None:
    """Return why the consultant may open this record, or None if only a reason would do."""
    now = utcnow()
    if customer.advisor_id == consultant.id:
        return Grounds.OWN
    if on_call_with(consultant, customer.id) or recently_spoke_with(consultant, customer.id, now):
        return Grounds.CALL
    if broke_glass(consultant, customer.id, now):
        return Grounds.BREAK_GLASS
    return None


def customer_or_none(customer_id: int) -> Customer | None:
    """Return a customer by id."""
    return db.session.get(Customer, customer_id)


def require_grounds(consultant: Consultant, customer: Customer) -> Grounds:
    """Return the consultant's grounds to open the record, or refuse them."""
    grounds = grounds_for(consultant, customer)
    if grounds is None:
        raise RecordRefused(
            "This customer is neither yours nor on your call: say why you need the record."
        )
    return grounds


def open_record(consultant: Consultant, customer: Customer) -> Grounds:
    """Let the consultant see the record if they have grounds; audit the view."""
    grounds = require_grounds(consultant, customer)
    audit(consultant.id, customer.id, "record.view", {"grounds": grounds.value})
    return grounds


def break_glass(consultant: Consultant, customer: Customer, reason: str) -> BreakGlass:
    """Open a record that is neither the consultant's own nor their call's, saying why."""
    reason = " ".join(reason.split())
    if len(reason) < REASON_MIN_LENGTH:
        raise ReasonRefused(f"say why in at least {REASON_MIN_LENGTH} characters")
    if len(reason) > REASON_MAX_LENGTH or "\x00" in reason:
        raise ReasonRefused(f"keep the reason under {REASON_MAX_LENGTH} characters")
    with db.transaction() as session:
        opening = BreakGlass(consultant_id=consultant.id, customer_id=customer.id, reason=reason)
        session.add(opening)
        session.flush()
        audit(
            consultant.id,
            customer.id,
            "record.break_glass",
            {"break_glass_id": opening.id},
            reason=reason,
        )
    return opening


def reveal_pesel(consultant: Consultant, customer: Customer) -> str:
    """Return a customer's PESEL in full, once, for a consultant with grounds; audited."""
    grounds = require_grounds(consultant, customer)
    audit(consultant.id, customer.id, "pesel.reveal", {"grounds": grounds.value})
    return customer.pesel or ""


def search(consultant: Consultant, text: str) -> SearchResult:
    """Search customers for a consultant; the search is audited by what it found, never by
    what was typed."""
    result = search_customers(text)
    if result.searched:
        audit(
            consultant.id,
            None,
            "customer.search",
            {
                "by": result.searched,
                "found": len(result.customers),
                "customer_ids": [customer.id for customer in result.customers],
            },
        )
    return result


def play_voicemail(consultant: Consultant, recording: Recording) -> None:
    """Let a consultant play a voicemail, audited: any message still waiting in the inbox
    (whoever handles it), a handled one only on the grounds that open its caller's record."""
    waiting = unhandled_voicemail(recording.id)
    customer_id = waiting.customer.id if waiting and waiting.customer else None
    if waiting is None:
        customer_id = db.session.scalar(
            select(CallRecord.customer_id).where(CallRecord.call_sid == recording.call_sid)
        )
        customer = customer_or_none(customer_id) if customer_id else None
        if customer is not None:
            require_grounds(consultant, customer)
    audit(
        consultant.id,
        customer_id,
        "voicemail.play",
        {"recording": recording.recording_sid, "waiting": waiting is not None},
    )


# A player asks for a recording in pieces (HTTP Range); one playback is audited once, and a
# further piece asked for within this time by the same person is the same playback.
PLAYBACK_SPAN = timedelta(minutes=30)


def took_part(consultant: Consultant, call_sid: str) -> bool:
    """Tell whether the consultant handled the call (its record, or one of its legs)."""
    record = db.session.scalar(
        select(CallRecord.id).where(
            CallRecord.call_sid == call_sid, CallRecord.consultant_id == consultant.id
        )
    )
    leg = db.session.scalar(
        select(CallLeg.id).where(
            CallLeg.call_sid == call_sid, CallLeg.consultant_id == consultant.id
        )
    )
    return record is not None or leg is not None


def playback_grounds(consultant: Consultant, recording: Recording) -> tuple[int | None, str]:
    """Return the caller (customer id) and the grounds on which the consultant may play a
    call's recording: they took part in the call, or they may open the caller's record (their
    own customer, a recent call, or a reason they stated to open it). Refuse otherwise."""
    customer_id = db.session.scalar(
        select(CallRecord.customer_id).where(CallRecord.call_sid == recording.call_sid)
    )
    if took_part(consultant, recording.call_sid):
        return customer_id, Grounds.CALL.value
    customer = customer_or_none(customer_id) if customer_id else None
    grounds = grounds_for(consultant, customer) if customer is not None else None
    if grounds is None:
        raise RecordRefused(
            "Only a consultant who took this call, or who has opened the caller's record "
            "(with a reason if it is not theirs), may play its recording."
        )
    return customer_id, grounds.value


def play_call_recording(consultant: Consultant, recording: Recording, first_piece: bool) -> None:
    """Let a consultant play a call's recording on their grounds, audited once per playback.

    A first piece (no Range, or from byte 0) always starts a new audited playback; a later
    piece is audited too unless the same person's playback of it was audited a moment ago.
    """
    customer_id, grounds = playback_grounds(consultant, recording)
    if not first_piece:
        recent = db.session.scalars(
            select(AuditEntry.changes).where(
                AuditEntry.consultant_id == consultant.id,
                AuditEntry.action == "recording.play",
                AuditEntry.at >= utcnow() - PLAYBACK_SPAN,
            )
        )
        if any((changes or {}).get("recording") == recording.recording_sid for changes in recent):
            return
    with db.transaction():
        audit(
            consultant.id,
            customer_id,
            "recording.play",
            {
                "recording": recording.recording_sid,
                "call_sid": recording.call_sid,
                "grounds": grounds,
            },
        )


@dataclass(frozen=True)
class Opening:
    """One break-glass opening, as supervisors see it."""

    opening: BreakGlass
    consultant_name: str
    customer_name: str


def break_glass_list(limit: int = 200) -> list[Opening]:
    """Return the latest break-glass openings, newest first, for supervisors."""
    query = (
        select(BreakGlass, Consultant.name, Customer.first_name, Customer.last_name)
        .join(Consultant, Consultant.id == BreakGlass.consultant_id)
        .join(Customer, Customer.id == BreakGlass.customer_id)
        .order_by(BreakGlass.at.desc())
        .limit(limit)
    )
    return [
        Opening(opening, name, f"{first} {last}".strip())
        for opening, name, first, last in db.session.execute(query)
    ]
