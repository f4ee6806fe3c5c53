"""Wrap-up: what the consultant records about a call once it ends."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from stdnum.exceptions import ValidationError
from stdnum.pl import pesel as pesel_number

from agent_desk.errors import DeskError
from consultants.models import Consultant
from customers.audit import audit
from customers.contacts import ensure_contact
from customers.models import CONTACT_OUTCOMES, AuditEntry, Contact, Customer
from customers.service import checked_text, normalise_phone
from hotline.db import db, utcnow
from routing import callbacks, legs
from routing import service as routing
from routing.extension import services as routing_services
from routing.live import ConsultantState, LiveEntry
from routing.models import CallLeg, CallOutcome, CallRecord

log = logging.getLogger(__name__)

WRAP_UP_OUTCOMES = CONTACT_OUTCOMES
# The topics a consultant files a call under: the IVR's, and what callers ask consultants.
WRAP_UP_TOPICS = (
    "general",
    "benefit_documents",
    "benefit_claim",
    "where_to_register",
    "vacancies",
    "trainings",
    "training_info",
    "eures",
    "eures_benefit_abroad",
    "eligibility",
    "job_alerts",
)
# The most topics one call is filed under, and how far ahead a follow-up may be due.
MOST_TOPICS = 5
FOLLOW_UP_WITHIN = timedelta(days=366)
FOLLOW_UP_LENGTH = 255
# A consultant links a caller to a customer their own search found this recently.
LINK_AFTER_SEARCH = timedelta(minutes=30)

# What the wrap-up may refuse, in English as raised; i18n.refusal_text finds the reader's words.
REFUSALS = (
    _l("choose at least one topic"),
    _l("choose topics from the list"),
    _l("a follow-up needs the day it is due"),
    _l("the follow-up's day must be a date such as 2026-12-07"),
    _l("the follow-up's day has passed"),
    _l("the follow-up's day is more than a year ahead"),
    _l("say what the follow-up is in at most 255 characters"),
    _l("this call is already on a customer's record"),
    _l("search for the customer first: only a customer your search found can be linked"),
    _l("give the caller's first and last name"),
    _l("a name may be at most 80 characters"),
    _l("the PESEL is not valid: check its digits"),
    _l("another customer already has that PESEL or phone number: search for them instead"),
    _l("no such follow-up of yours"),
)


@dataclass(frozen=True)
class WrapUpForm:
    """What the wrap-up form gives, checked: outcome, topics, follow-up, notes."""

    outcome: str
    notes: str
    topics: tuple[str, ...]
    follow_up: str = ""
    follow_up_on: date | None = None


def read_form(
    outcome: str,
    notes: str,
    topics: Iterable[str],
    follow_up: str = "",
    follow_up_on: str = "",
    today: date | None = None,
    current: Iterable[str] = (),
) -> WrapUpForm:
    """Check the wrap-up form's fields; raise DeskError with the first thing wrong.

    A form that names no topic keeps the contact's current ones (the menu's, or those saved
    before): only a contact with none at all must be given one.
    """
    if outcome not in WRAP_UP_OUTCOMES:
        raise DeskError("choose an outcome")
    chosen = tuple(dict.fromkeys(topic for topic in topics if topic))
    if not chosen:
        chosen = tuple(dict.fromkeys(topic for topic in current if topic in WRAP_UP_TOPICS))
    if not chosen:
        raise DeskError("choose at least one topic")
    if len(chosen) > MOST_TOPICS or any(topic not in WRAP_UP_TOPICS for topic in chosen):
        raise DeskError("choose topics from the list")
    follow_up = " ".join(follow_up.split())
    if len(follow_up) > FOLLOW_UP_LENGTH:
        raise DeskError("say what the follow-up is in at most 255 characters")
    due = None
    if follow_up_on.strip():
        try:
            due = date.fromisoformat(follow_up_on.strip())
        except ValueError as exc:
            raise DeskError("the follow-up's day must be a date such as 2026-12-07") from exc
        today = today or date.today()
        if due < today:
            raise DeskError("the follow-up's day has passed")
        if due > today + FOLLOW_UP_WITHIN:
            raise DeskError("the follow-up's day is more than a year ahead")
    if (outcome == "follow-up" or follow_up) and due is None:
        raise DeskError("a follow-up needs the day it is due")
    return WrapUpForm(outcome, checked_text("notes", notes), chosen, follow_up, due)


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


def wrap_up(consultant: Consultant, contact_id: int, form: WrapUpForm) -> Contact:
    """Save the wrap-up of a contact (its outcome, topics, follow-up and notes) and make the
    consultant available again."""
    contact = own_contact(consultant, contact_id)
    if contact is None:
        raise DeskError("that contact is not yours to wrap up")
    with db.transaction():
        contact.outcome = form.outcome
        contact.notes = form.notes.strip()
        contact.topic = form.topics[0]
        contact.topics = list(form.topics)
        contact.follow_up = form.follow_up
        contact.follow_up_on = form.follow_up_on
        contact.follow_up_done_at = None
        contact.wrapped_up_at = utcnow()
        changes: dict[str, object] = {
            "contact_id": contact.id,
            "outcome": form.outcome,
            "topics": list(form.topics),
            "notes_length": len(contact.notes),
        }
        if form.follow_up_on is not None:
            changes["follow_up_on"] = form.follow_up_on.isoformat()
        audit(consultant.id, contact.customer_id, "contact.wrap-up", changes)
    engine = routing_services().engine
    live = engine.consultant(consultant.id)
    if live.state == ConsultantState.WRAP_UP and live.call_sid == contact.call_sid:
        routing.set_consultant_state(engine, consultant, ConsultantState.AVAILABLE)
    log.info("call %s wrapped up by consultant %s", contact.call_sid, consultant.id)
    return contact


def topics_of(contact: Contact) -> list[str]:
    """Return the topics a contact is filed under (the IVR's one until it is wrapped up)."""
    return list(contact.topics or ([contact.topic] if contact.topic else []))


def found_by_search(consultant: Consultant, customer_id: int, now: datetime) -> bool:
    """Tell whether the consultant's own audited search found the customer a short while ago."""
    query = select(AuditEntry.changes).where(
        AuditEntry.consultant_id == consultant.id,
        AuditEntry.action == "customer.search",
        AuditEntry.at >= now - LINK_AFTER_SEARCH,
    )
    for changes in db.session.scalars(query):
        found = changes.get("customer_ids") if isinstance(changes, dict) else None
        if isinstance(found, list) and customer_id in found:
            return True
    return False


def link_caller(consultant: Consultant, contact_id: int, customer_id: int) -> Contact:
    """Put an unidentified caller's contact (and call) on a customer's record.

    Only a customer the consultant's own search found may be linked: linking gives the
    consultant the call's grounds to open the record, which must not be had for the asking.
    """
    contact = own_contact(consultant, contact_id)
    if contact is None:
        raise DeskError("that contact is not yours to wrap up")
    if contact.customer_id is not None:
        raise DeskError("this call is already on a customer's record")
    customer = db.session.get(Customer, customer_id)
    if customer is None or not found_by_search(consultant, customer_id, utcnow()):
        raise DeskError(
            "search for the customer first: only a customer your search found can be linked"
        )
    with db.transaction():
        _put_on_record(contact, customer.id)
        audit(consultant.id, customer.id, "contact.link", {"contact_id": contact.id})
    log.info("call %s linked to customer %s", contact.call_sid, customer.id)
    return contact


def _put_on_record(contact: Contact, customer_id: int) -> None:
    """Put a contact, and the call's other records without a customer, on a customer's record."""
    contact.customer_id = customer_id
    if not contact.call_sid:
        return
    for record in db.session.scalars(
        select(CallRecord).where(
            CallRecord.call_sid == contact.call_sid, CallRecord.customer_id.is_(None)
        )
    ):
        record.customer_id = customer_id
    for other in db.session.scalars(
        select(Contact).where(Contact.call_sid == contact.call_sid, Contact.customer_id.is_(None))
    ):
        other.customer_id = customer_id


@dataclass(frozen=True)
class NewCaller:
    """A customer started from the wrap-up: names, PESEL if the caller gave it, their number."""

    first_name: str
    last_name: str
    pesel: str = ""
    keep_number: bool = True


def checked_pesel(raw: str) -> str | None:
    """Return a PESEL checked by its check digit and birth date, or None if none was given."""
    raw = raw.replace(" ", "").strip()
    if not raw:
        return None
    try:
        return str(pesel_number.validate(raw))
    except ValidationError as exc:
        raise DeskError("the PESEL is not valid: check its digits") from exc


def start_customer(consultant: Consultant, contact_id: int, caller: NewCaller) -> Customer:
    """Register an unidentified caller as a new customer (not yet registered at an office)
    and put the call on their record; the caller's number is kept if they wish."""
    contact = own_contact(consultant, contact_id)
    if contact is None:
        raise DeskError("that contact is not yours to wrap up")
    if contact.customer_id is not None:
        raise DeskError("this call is already on a customer's record")
    first, last = " ".join(caller.first_name.split()), " ".join(caller.last_name.split())
    if not first or not last:
        raise DeskError("give the caller's first and last name")
    if len(first) > 80 or len(last) > 80:
        raise DeskError("a name may be at most 80 characters")
    pesel = checked_pesel(caller.pesel)
    phone = normalise_phone(contact.caller_number) if caller.keep_number else None
    entry = routing_services().engine.entry(contact.call_sid or "")
    customer = Customer(
        first_name=first,
        last_name=last,
        pesel=pesel,
        phone=phone,
        preferred_language=(entry.language if entry and entry.language else None) or "pl",
        registration_status="applicant",
        office_code=consultant.office_code,
    )
    try:
        with db.transaction() as session:
            session.add(customer)
            session.flush()
            fields = sorted(name for name, value in (("pesel", pesel), ("phone", phone)) if value)
            audit(
                consultant.id,
                customer.id,
                "customer.create",
                {"fields": ["first_name", "last_name", *fields], "contact_id": contact.id},
            )
            _put_on_record(contact, customer.id)
            audit(consultant.id, customer.id, "contact.link", {"contact_id": contact.id})
    except IntegrityError as exc:
        db.session.rollback()
        raise DeskError(
            "another customer already has that PESEL or phone number: search for them instead"
        ) from exc
    log.info("call %s: customer %s started from the wrap-up", contact.call_sid, customer.id)
    return customer


def finish_follow_up(consultant: Consultant, contact_id: int) -> Contact:
    """Mark a follow-up done: the consultant's own, or one owed to their own customer."""
    contact = db.session.get(Contact, contact_id)
    mine = contact is not None and (
        contact.consultant_id == consultant.id
        or (contact.customer is not None and contact.customer.advisor_id == consultant.id)
    )
    if contact is None or not mine or contact.follow_up_on is None:
        raise DeskError("no such follow-up of yours")
    if contact.follow_up_done_at is None:
        with db.transaction():
            contact.follow_up_done_at = utcnow()
            audit(consultant.id, contact.customer_id, "follow-up.done", {"contact_id": contact.id})
    return contact
