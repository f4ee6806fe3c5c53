"""The consultant's desk: signing in, taking calls, wrapping up and updating records."""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from werkzeug.utils import secure_filename

from consultants.models import Consultant
from customers.models import AuditEntry, Contact, Customer
from customers.service import audit, normalise_phone
from hotline.db import db, utcnow
from hotline.settings import instance_dir
from recordings.models import Recording
from routing import service as routing
from routing.engine import ConsultantState
from routing.models import CallOutcome, CallRecord

log = logging.getLogger(__name__)

DESK_STATES = {
    "available": ConsultantState.AVAILABLE,
    "break": ConsultantState.BREAK,
    "offline": ConsultantState.OFFLINE,
}
WRAP_UP_OUTCOMES = ("resolved", "follow-up", "referred", "no-action")


class DeskError(ValueError):
    """A consultant's request that cannot be carried out, with a message to show them."""


def change_state(consultant: Consultant, state_name: str, reason: str = "") -> None:
    """Set the consultant available, on a break or offline."""
    state = DESK_STATES.get(state_name)
    if state is None:
        raise DeskError(f"unknown state {state_name!r}")
    current = routing.engine().consultant(consultant.id).get("state")
    if current in (ConsultantState.RINGING, ConsultantState.ON_CALL):
        raise DeskError("finish the current call first")
    if current == ConsultantState.WRAP_UP and state == ConsultantState.AVAILABLE:
        raise DeskError("fill in the wrap-up form first")
    routing.set_consultant_state(consultant, state, reason=reason)


@dataclass(frozen=True)
class CallerCard:
    """What the screen pop shows about the caller."""

    call_sid: str
    caller_number: str
    topic: str
    language: str
    customer: Customer | None
    own_customer: bool
    callback: bool = False
    # A callback the customer asked of this consultant, their own advisor (key 3).
    asked_for_you: bool = False


def desk_state(consultant: Consultant) -> dict[str, object]:
    """Return the consultant's live state and, during a call, who is calling."""
    live = routing.engine().consultant(consultant.id)
    state: dict[str, object] = {
        "state": live.get("state", "offline"),
        "reason": live.get("reason", ""),
        "since": float(live.get("since") or 0),
        "call": None,
    }
    card = caller_card(live.get("call_sid") or "", consultant)
    if card is not None:
        customer = card.customer
        state["call"] = {
            "call_sid": card.call_sid,
            "caller_number": card.caller_number,
            "topic": card.topic,
            "language": card.language,
            "own_customer": card.own_customer,
            "callback": card.callback,
            "asked_for_you": card.asked_for_you,
            "customer": None
            if customer is None
            else {
                "id": customer.id,
                "name": customer.full_name,
                "pesel": mask_pesel(customer.pesel),
                "address": customer.address or "",
                "office": customer.office_code or "",
                "vulnerable": customer.vulnerable,
                "url": f"/desk/customers/{customer.id}",
            },
        }
    return state


def caller_card(call_sid: str, consultant: Consultant) -> CallerCard | None:
    """Build the screen pop for a call from its queue entry."""
    if not call_sid:
        return None
    entry = routing.engine().entry(call_sid)
    if not entry:
        return None
    customer_id = entry.get("customer_id")
    customer = db.session.get(Customer, int(customer_id)) if customer_id else None
    return CallerCard(
        call_sid=call_sid,
        caller_number=entry.get("caller_number", ""),
        topic=entry.get("topic", ""),
        language=entry.get("language", "pl"),
        customer=customer,
        own_customer=customer is not None and customer.advisor_id == consultant.id,
        callback=entry.get("callback") == "1",
        asked_for_you=entry.get("pinned") == "1" and entry.get("advisor_id") == str(consultant.id),
    )


def mask_pesel(pesel: str | None) -> str:
    """Show only the birth-date part of a PESEL."""
    return f"{pesel[:6]}*****" if pesel else ""


def call_answered(consultant: Consultant, call_sid: str) -> None:
    """Note that the consultant picked up, and open the contact on the customer's record."""
    engine = routing.engine()
    if engine.consultant(consultant.id).get("call_sid") != call_sid:
        raise DeskError("that call is not offered to you")
    engine.connected(call_sid, consultant.id)
    entry = engine.entry(call_sid)
    ensure_contact(
        call_sid,
        consultant_id=consultant.id,
        customer_id=int(entry["customer_id"]) if entry.get("customer_id") else None,
        caller_number=entry.get("caller_number", ""),
        topic=entry.get("topic") or None,
        channel="callback" if entry.get("callback") == "1" else "phone",
    )


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
) -> Contact:
    """Return the contact for a call, creating it once however often this runs."""
    session = db.session
    contact = session.scalars(select(Contact).where(Contact.call_sid == call_sid)).first()
    if contact is None:
        contact = Contact(
            call_sid=call_sid,
            consultant_id=consultant_id,
            customer_id=customer_id,
            caller_number=caller_number,
            topic=topic,
            channel=channel,
            started_at=started_at or utcnow(),
        )
        session.add(contact)
        try:
            session.commit()
        except IntegrityError:
            session.rollback()
            contact = session.scalars(select(Contact).where(Contact.call_sid == call_sid)).one()
    if ended_at and contact.ended_at is None:
        contact.ended_at = ended_at
        session.commit()
    return contact


def on_call_recorded(record: CallRecord) -> None:
    """Log an answered call, or a callback made, on the customer's record, even if no desk saw
    it connect."""
    called_back = record.outcome == CallOutcome.CALLBACK and record.consultant_id is not None
    if record.outcome != CallOutcome.ANSWERED and not called_back:
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
    live = routing.engine().consultant(consultant.id)
    if live.get("state") != ConsultantState.WRAP_UP or not live.get("call_sid"):
        return None
    call_sid = live["call_sid"]
    entry = routing.engine().entry(call_sid)
    return ensure_contact(
        call_sid,
        consultant_id=consultant.id,
        customer_id=int(entry["customer_id"]) if entry.get("customer_id") else None,
        caller_number=entry.get("caller_number", ""),
        topic=entry.get("topic") or None,
        ended_at=datetime.fromtimestamp(float(entry["ended_at"]), UTC)
        if entry.get("ended_at")
        else None,
    )


def unfinished_wrap_ups(
    consultant: Consultant, but: Contact | None = None, limit: int = 20
) -> list[Contact]:
    """Return the consultant's contacts whose wrap-up was never saved, newest first."""
    query = (
        select(Contact)
        .where(Contact.consultant_id == consultant.id, Contact.wrapped_up_at.is_(None))
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
    contact = own_contact(consultant, contact_id)
    if contact is None:
        raise DeskError("that contact is not yours to wrap up")
    contact.outcome = outcome
    contact.notes = notes.strip()
    contact.wrapped_up_at = utcnow()
    audit(
        consultant.id,
        contact.customer_id,
        "contact.wrap-up",
        {"contact_id": contact.id, "outcome": outcome, "notes": contact.notes},
    )
    db.session.commit()
    live = routing.engine().consultant(consultant.id)
    if live.get("state") == ConsultantState.WRAP_UP and live.get("call_sid") == contact.call_sid:
        routing.set_consultant_state(consultant, ConsultantState.AVAILABLE)
    log.info("call %s wrapped up by consultant %s", contact.call_sid, consultant.id)
    return contact


def update_customer(
    consultant: Consultant, customer_id: int, *, address: str, phone: str, action_plan_notes: str
) -> Customer:
    """Change a customer's address, phone or action-plan notes, auditing each change."""
    customer = db.session.get(Customer, customer_id)
    if customer is None:
        raise DeskError("no such customer")
    new_phone = normalise_phone(phone) if phone.strip() else None
    if phone.strip() and new_phone is None:
        raise DeskError(f"{phone!r} is not a valid phone number")
    wanted = {
        "address": address.strip() or None,
        "phone": new_phone,
        "action_plan_notes": action_plan_notes.strip(),
    }
    changes = {
        field: {"from": getattr(customer, field), "to": value}
        for field, value in wanted.items()
        if getattr(customer, field) != value
    }
    if not changes:
        return customer
    for field, change in changes.items():
        setattr(customer, field, change["to"])
    audit(consultant.id, customer.id, "customer.update", changes)
    try:
        db.session.commit()
    except IntegrityError as exc:
        db.session.rollback()
        raise DeskError("another customer already has that phone number") from exc
    return customer


def search_customers(text: str, limit: int = 20) -> list[Customer]:
    """Find customers by name, PESEL or phone."""
    text = text.strip()
    if not text:
        return []
    like = f"%{text}%"
    phone = normalise_phone(text)
    conditions = [
        Customer.last_name.ilike(like),
        Customer.first_name.ilike(like),
        Customer.pesel == text,
    ]
    if phone:
        conditions.append(Customer.phone == phone)
    query = select(Customer).where(or_(*conditions)).order_by(Customer.last_name).limit(limit)
    return list(db.session.scalars(query))


def audit_trail(customer_id: int, limit: int = 50) -> list[tuple[AuditEntry, str]]:
    """Return a customer's audit entries, newest first, with who made each one."""
    query = (
        select(AuditEntry, Consultant.name)
        .outerjoin(Consultant, Consultant.id == AuditEntry.consultant_id)
        .where(AuditEntry.customer_id == customer_id)
        .order_by(AuditEntry.at.desc())
        .limit(limit)
    )
    return [(entry, name or "system") for entry, name in db.session.execute(query)]


UPLOAD_SUFFIXES = {".csv", ".json", ".xml"}
MAX_UPLOAD_BYTES = 20 * 1024 * 1024


def save_upload(filename: str, stream: IO[bytes]) -> Path:
    """Keep an uploaded feed in the instance folder, where the worker can read it."""
    name = secure_filename(filename)
    suffix = Path(name).suffix.lower()
    if suffix not in UPLOAD_SUFFIXES:
        raise DeskError("upload a .csv, .json or .xml file")
    folder = instance_dir() / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{uuid.uuid4().hex[:12]}-{name}"
    data = stream.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        raise DeskError("the file is larger than 20 MB")
    target.write_bytes(data)
    return target


@dataclass(frozen=True)
class Voicemail:
    """A message a caller left, with who they are when the centre knows."""

    recording: Recording
    caller_number: str
    customer: Customer | None
    topic: str | None


# A voicemail a caller finished leaving that no consultant has handled yet.
UNHANDLED_VOICEMAIL = and_(
    Recording.kind == "voicemail",
    Recording.status == "completed",
    Recording.handled_at.is_(None),
)


def voicemail_waiting() -> int:
    """Count the voicemails nobody has handled yet."""
    return int(db.session.scalar(select(func.count(Recording.id)).where(UNHANDLED_VOICEMAIL)) or 0)


def voicemail_inbox(limit: int = 50, recording_id: int | None = None) -> list[Voicemail]:
    """Return the voicemails nobody has handled yet, oldest first (or just the one asked)."""
    query = (
        select(Recording, CallRecord)
        .outerjoin(CallRecord, CallRecord.call_sid == Recording.call_sid)
        .where(UNHANDLED_VOICEMAIL)
    )
    if recording_id is not None:
        query = query.where(Recording.id == recording_id)
    rows = db.session.execute(query.order_by(Recording.created_at, Recording.id).limit(limit)).all()
    # A message left out of hours never queued, so its record knows only the number: such
    # callers are found by it. Every caller is read in one query.
    ids = {record.customer_id for _recording, record in rows if record and record.customer_id}
    phones = {
        recording.id: normalise_phone(record.caller_number)
        for recording, record in rows
        if record and not record.customer_id
    }
    found = db.session.scalars(
        select(Customer).where(
            or_(Customer.id.in_(ids), Customer.phone.in_({p for p in phones.values() if p}))
        )
    ).all()
    by_id = {customer.id: customer for customer in found}
    by_phone = {customer.phone: customer for customer in found if customer.phone}
    return [
        Voicemail(
            recording=recording,
            caller_number=(record.caller_number or "") if record else "",
            customer=(
                by_id.get(record.customer_id)
                if record and record.customer_id
                else by_phone.get(phones.get(recording.id) or "")
            ),
            topic=record.topic if record else None,
        )
        for recording, record in rows
    ]


def voicemail_recording(recording_id: int) -> Recording | None:
    """Return a voicemail's recording, handled or not."""
    recording = db.session.get(Recording, recording_id)
    return recording if recording is not None and recording.kind == "voicemail" else None


def unhandled_voicemail(recording_id: int) -> Voicemail | None:
    """Return one voicemail from the inbox, or None if it is not there (or handled)."""
    found = voicemail_inbox(limit=1, recording_id=recording_id)
    return found[0] if found else None


def handle_voicemail(
    consultant: Consultant, recording_id: int, outcome: str, notes: str
) -> Contact:
    """Mark a voicemail handled and log it as a contact on the caller's record, once.

    Two consultants acting on the same message at once cannot both handle it: the first
    to save wins and the other is told.
    """
    if outcome not in WRAP_UP_OUTCOMES:
        raise DeskError("choose an outcome")
    item = unhandled_voicemail(recording_id)
    if item is None:
        raise DeskError("that voicemail has already been handled")
    now = utcnow()
    claimed = db.session.execute(
        update(Recording)
        .where(Recording.id == recording_id, Recording.handled_at.is_(None))
        .values(handled_at=now, handled_by=consultant.id)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        db.session.rollback()
        raise DeskError("that voicemail has already been handled")
    customer_id = item.customer.id if item.customer else None
    contact = Contact(
        consultant_id=consultant.id,
        customer_id=customer_id,
        caller_number=item.caller_number,
        channel="voicemail",
        topic=item.topic,
        started_at=item.recording.created_at,
        ended_at=now,
        outcome=outcome,
        notes=notes.strip(),
        wrapped_up_at=now,
    )
    db.session.add(contact)
    db.session.flush()
    audit(
        consultant.id,
        customer_id,
        "voicemail.handled",
        {"contact_id": contact.id, "recording": item.recording.recording_sid, "outcome": outcome},
    )
    db.session.commit()
    log.info(
        "call %s: voicemail %s handled by consultant %s",
        item.recording.call_sid,
        item.recording.recording_sid,
        consultant.id,
    )
    return contact
