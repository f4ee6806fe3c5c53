"""Voicemail: the messages callers leave, waiting until a consultant acts on them."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import and_, func, or_, select, update

from consultants.models import Consultant
from customers.audit import audit
from customers.models import CONTACT_OUTCOMES, Contact, Customer
from customers.service import checked_text, normalise_phone
from hotline.db import db, utcnow
from recordings.models import Recording
from routing.models import CallRecord

log = logging.getLogger(__name__)


class VoicemailError(ValueError):
    """A voicemail action that cannot be carried out, with a message to show."""


class Desk(StrEnum):
    """Whose desk a voicemail goes to, as seen by one consultant."""

    YOURS = "yours"  # the caller's own advisor
    TEAM = "team"  # no advisor: the office's team (or everyone) who speaks the caller's language
    OTHER = "other"  # another advisor's customer, or a team or language not the consultant's


@dataclass(frozen=True)
class Voicemail:
    """A message a caller left, with who they are when the centre knows."""

    recording: Recording
    caller_number: str
    customer: Customer | None
    topic: str | None
    # The language the caller used: the call's own, else the customer's preferred one.
    language: str | None = None

    @property
    def advisor_id(self) -> int | None:
        """Return the caller's own advisor, who takes the message when there is one."""
        return self.customer.advisor_id if self.customer else None

    @property
    def office_code(self) -> str | None:
        """Return the office whose team takes a message from a customer without an advisor."""
        return self.customer.office_code if self.customer else None

    def desk_for(self, consultant: Consultant) -> Desk:
        """Tell whether the message is for this consultant, their team, or someone else."""
        if self.advisor_id is not None:
            return Desk.YOURS if self.advisor_id == consultant.id else Desk.OTHER
        same_office = self.office_code is None or self.office_code == consultant.office_code
        speaks = self.language is None or self.language in (consultant.languages or [])
        return Desk.TEAM if same_office and speaks else Desk.OTHER


# A voicemail a caller finished leaving that no consultant has handled yet; one whose audio
# the phone network has since lost stays too (its caller still waits), saying so.
UNHANDLED_VOICEMAIL = and_(
    Recording.kind == "voicemail",
    Recording.status.in_(("completed", "deleted")),
    Recording.handled_at.is_(None),
)


def voicemail_waiting() -> int:
    """Count the voicemails nobody has handled yet."""
    return int(db.session.scalar(select(func.count(Recording.id)).where(UNHANDLED_VOICEMAIL)) or 0)


def voicemail_inbox(
    limit: int = 50, recording_id: int | None = None, for_consultant: Consultant | None = None
) -> list[Voicemail]:
    """Return the voicemails nobody has handled yet, oldest first (or just the one asked).

    For a consultant, their own customers' messages come first, then their team's (callers
    without an advisor who speak a language they speak), then the rest, each oldest first.
    """
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
    inbox = []
    for recording, record in rows:
        customer = (
            by_id.get(record.customer_id)
            if record and record.customer_id
            else by_phone.get(phones.get(recording.id) or "")
        )
        language = (
            recording.language
            or (record.language if record else None)
            or (customer.preferred_language if customer else None)
        )
        inbox.append(
            Voicemail(
                recording=recording,
                caller_number=(record.caller_number or "") if record else "",
                customer=customer,
                topic=record.topic if record else None,
                language=language,
            )
        )
    if for_consultant is not None:
        order = list(Desk)
        inbox.sort(key=lambda item: order.index(item.desk_for(for_consultant)))
    return inbox


def voicemail_recording(recording_id: int) -> Recording | None:
    """Return a voicemail's recording, handled or not."""
    recording = db.session.get(Recording, recording_id)
    return recording if recording is not None and recording.kind == "voicemail" else None


def audio_gone(recording_id: int) -> None:
    """Note that the phone network no longer holds a voicemail's audio (deleted there), so the
    inbox says so instead of offering a player; the message itself stays to be handled."""
    with db.transaction():
        db.session.execute(
            update(Recording)
            .where(Recording.id == recording_id, Recording.status == "completed")
            .values(status="deleted")
        )


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
    if outcome not in CONTACT_OUTCOMES:
        raise VoicemailError("choose an outcome")
    notes = checked_text("notes", notes)
    item = unhandled_voicemail(recording_id)
    if item is None:
        raise VoicemailError("that voicemail has already been handled")
    now = utcnow()
    with db.transaction() as session:
        claimed = session.execute(
            update(Recording)
            .where(Recording.id == recording_id, Recording.handled_at.is_(None))
            .values(handled_at=now, handled_by=consultant.id)
        )
        if claimed.rowcount != 1:  # type: ignore[attr-defined]
            raise VoicemailError("that voicemail has already been handled")
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
        session.add(contact)
        session.flush()
        audit(
            consultant.id,
            customer_id,
            "voicemail.handled",
            {
                "contact_id": contact.id,
                "recording": item.recording.recording_sid,
                "outcome": outcome,
            },
        )
    log.info(
        "call %s: voicemail %s handled by consultant %s",
        item.recording.call_sid,
        item.recording.recording_sid,
        consultant.id,
    )
    return contact
