"""The caller at a glance: what the screen pop adds to who is calling.

As a call rings, the consultant reads the caller's path through the self-service menu (how
they were identified, what they heard, the texts they were sent), how long they waited and in
which routing tier, why the call came to them, the customer's flags, their last contacts with
notes, and the callbacks and voicemails still open for them. Everything is in the reader's
words: the codes stay on the server.

The pop is shown again with every change of the desk, but counted once: the first showing of a
customer's pop to a consultant is audited as a read of the record.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta

from flask_babel import LazyString, format_date, format_timedelta, gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, or_, select

from agent_desk.labels import as_words, label
from consultants.models import Consultant
from customers.audit import audit
from customers.models import Contact, Customer
from hotline.db import db
from hotline.speech import DEFAULT_LANGUAGE
from knowledge import service as knowledge
from recordings.models import Recording
from recordings.voicemail import UNHANDLED_VOICEMAIL
from routing.caller_path import PathStep, path_of
from routing.extension import services as routing_services
from routing.live import LiveEntry
from routing.models import CallbackRequest, CallbackStatus, CallRecord

# How many of the customer's last contacts the pop lists, and how much of each note.
LAST_CONTACTS = 3
NOTE_CHARACTERS = 280
# The pop is audited once per call and consultant; the mark outlives any call.
AUDITED_KEY = "desk:pop-audited:{}:{}"
AUDITED_SECONDS = 24 * 3600

# What the pre-check told the caller (knowledge/data/eligibility_rules.json's outcomes).
PRECHECK_OUTCOMES: Mapping[str, LazyString] = {
    "not_unemployed": _l("probably no unemployed status"),
    "unemployed_without_benefit": _l("unemployed status, probably without benefit"),
    "likely_benefit_180_days": _l("benefit likely, for 180 days"),
    "likely_benefit_365_days": _l("benefit likely, for 365 days"),
}

# The tier a call was offered in: whose turn it was when it reached the consultant.
TIERS: Mapping[int, LazyString] = {
    1: _l("waiting for their own advisor"),
    2: _l("waiting for their advisor's team"),
    3: _l("waiting for anyone who speaks their language"),
    4: _l("open to every consultant"),
}

# Why the call came to this consultant, strongest first.
WHY: Mapping[str, LazyString] = {
    "asked_for_you": _l("The customer asked for you to call back."),
    "transferred": _l("A colleague transferred the call to you."),
    "own_customer": _l("Your own customer: you are their advisor."),
    "team": _l("Your team's customer: their advisor works in your office."),
    "language": _l("You speak the caller's language."),
    "general": _l("You were the first free consultant."),
}

SMS_SENT: Mapping[str, LazyString] = {
    "answer": _l("Sent by text: %(topic)s."),
    "vacancies": _l("Sent by text: the vacancies read out (%(count)s)."),
    "trainings": _l("Sent by text: the training offers read out (%(count)s)."),
}


def _(text: str, **values: object) -> str:
    """Return a text in the reader's language (gettext, typed)."""
    return str(gettext(text, **values))


@dataclass(frozen=True)
class ContactLine:
    """One of the customer's last contacts, as the pop lists it."""

    when: str
    who: str
    channel: str
    topics: str
    outcome: str
    notes: str


@dataclass(frozen=True)
class Glance:
    """Everything the pop shows beyond the caller's name: all of it in the reader's words."""

    journey: list[str] = field(default_factory=list)
    waited: str = ""
    why: str = ""
    why_code: str = "general"
    flags: list[str] = field(default_factory=list)
    contacts: list[ContactLine] = field(default_factory=list)
    callbacks: list[str] = field(default_factory=list)
    voicemails: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        """Return the glance as the desk's scripts read it."""
        return {
            "journey": self.journey,
            "waited": self.waited,
            "why": self.why,
            "why_code": self.why_code,
            "flags": self.flags,
            "contacts": [line.__dict__ for line in self.contacts],
            "callbacks": self.callbacks,
            "voicemails": self.voicemails,
        }


def glance(entry: LiveEntry, consultant: Consultant, customer: Customer | None) -> Glance:
    """Return the caller at a glance for the consultant the call rings for (or is with)."""
    engine = routing_services().engine
    number = entry.caller_number or ""
    if customer is not None:
        note_pop_read(entry.call_sid, consultant, customer)
    return Glance(
        journey=journey_lines(path_of(engine.redis, entry.call_sid)),
        waited=waited_line(entry, engine.clock()),
        why_code=(why := why_routed(entry, consultant, customer)),
        why=str(WHY[why]),
        flags=flags_of(customer),
        contacts=last_contacts(customer.id) if customer is not None else [],
        callbacks=open_callbacks(customer, number, entry.call_sid),
        voicemails=waiting_voicemails(customer, number, entry.call_sid),
    )


def note_pop_read(call_sid: str, consultant: Consultant, customer: Customer) -> None:
    """Audit the pop's read of the customer's record once per call and consultant."""
    key = AUDITED_KEY.format(call_sid, consultant.id)
    if routing_services().engine.redis.set(key, customer.id, nx=True, ex=AUDITED_SECONDS):
        audit(consultant.id, customer.id, "record.pop", {"grounds": "call"})


def journey_lines(path: list[PathStep]) -> list[str]:
    """Return the caller's path through the menu as sentences, in order."""
    lines = [line for step in path if (line := journey_line(step))]
    return [line for index, line in enumerate(lines) if index == 0 or lines[index - 1] != line]


def journey_line(step: PathStep) -> str:
    """Return one step of the caller's path as a sentence ("" for a step not worth showing)."""
    details = step.details
    kind = step.kind
    if kind == "identified":
        if details.get("by") == "pesel":
            return _("Identified by the PESEL they keyed in.")
        return _("Identified by their phone number.")
    if kind == "pesel_unknown":
        return _("Keyed in a PESEL that is not on record.")
    if kind == "pesel_invalid":
        return _("Keyed in an invalid PESEL %(count)s times.", count=details.get("tries", 3))
    if kind == "answer":
        return _("Heard the answer: %(topic)s.", topic=label("topic", str(details.get("topic"))))
    if kind == "region":
        region = region_name(str(details.get("region", "")))
        place = str(details.get("place", ""))
        if place:
            return _("Asked about %(place)s (%(region)s).", place=place, region=region)
        return _("Asked about the region %(region)s.", region=region)
    if kind == "vacancies":
        occupation = str(details.get("occupation", ""))
        count = details.get("count", 0)
        if occupation:
            return _(
                "Heard vacancies for %(occupation)s in %(region)s (%(count)s found).",
                occupation=occupation,
                region=region_name(str(details.get("region", ""))),
                count=count,
            )
        return _(
            "Heard vacancies in %(region)s (%(count)s found).",
            region=region_name(str(details.get("region", ""))),
            count=count,
        )
    if kind == "trainings":
        return _(
            "Heard training offers in %(region)s (%(count)s found).",
            region=region_name(str(details.get("region", ""))),
            count=details.get("count", 0),
        )
    if kind == "precheck":
        outcome = str(details.get("outcome", ""))
        result = PRECHECK_OUTCOMES.get(outcome)
        return _(
            "Took the benefit pre-check: %(result)s.",
            result=str(result) if result is not None else as_words(outcome),
        )
    if kind == "sms":
        what = str(details.get("what", ""))
        text = SMS_SENT.get(what)
        if text is None:
            return _("Sent a text message.")
        return str(text) % {
            "topic": label("topic", str(details.get("topic", ""))),
            "count": details.get("count", 0),
        }
    if kind == "job_alert":
        return _(
            "Signed up for job alerts by text in %(region)s.",
            region=region_name(str(details.get("region", ""))),
        )
    if kind == "consultant":
        return _("Asked for a consultant.")
    return ""


def region_name(code: str) -> str:
    """Return a region's name (Polish names are the regions' own in both languages)."""
    region = knowledge.region(code) if code else None
    return region.name if region is not None else (code or _("their region"))


def waited_line(entry: LiveEntry, now: float) -> str:
    """Say how long the caller waited for a consultant, and in which tier it reached them."""
    if entry.queued_at is None:
        return ""
    until = entry.offered_at or entry.answered_at or now
    seconds = max(0.0, until - entry.queued_at)
    waited = format_timedelta(timedelta(seconds=round(seconds)), threshold=1.1)
    tier = TIERS.get(entry.offered_tier or entry.tier or 0)
    if seconds < 1:
        return _("No wait, %(tier)s.", tier=tier) if tier else _("No wait.")
    if tier is None:
        return _("Waited %(waited)s.", waited=waited)
    return _("Waited %(waited)s, %(tier)s.", waited=waited, tier=tier)


def why_routed(entry: LiveEntry, consultant: Consultant, customer: Customer | None) -> str:
    """Return why the call came to this consultant: the strongest reason that holds."""
    if entry.pinned and entry.advisor_id == consultant.id:
        return "asked_for_you"
    if entry.transfers and entry.transferred_by is not None:
        return "transferred"
    advisor_id = entry.customer_advisor_id or (customer.advisor_id if customer else None)
    advisor_id = advisor_id or entry.advisor_id
    if advisor_id == consultant.id:
        return "own_customer"
    office = entry.office or (customer.office_code if customer else None)
    if office and office == consultant.office_code:
        return "team"
    language = entry.language or ""
    if language and language != DEFAULT_LANGUAGE and language in (consultant.languages or []):
        return "language"
    return "general"


def flags_of(customer: Customer | None) -> list[str]:
    """Return the customer's flags the consultant must see before answering."""
    if customer is None:
        return []
    flags = []
    if customer.vulnerable:
        flags.append(_("Vulnerable: take time, offer help with next steps."))
    if customer.safeguarding:
        flags.append(_("Safeguarding concern: follow the safeguarding procedure."))
    return flags


def last_contacts(customer_id: int, limit: int = LAST_CONTACTS) -> list[ContactLine]:
    """Return the customer's last contacts that were wrapped up, newest first, with notes."""
    query = (
        select(Contact)
        .where(Contact.customer_id == customer_id, Contact.wrapped_up_at.is_not(None))
        .order_by(Contact.started_at.desc())
        .limit(limit)
    )
    lines = []
    for contact in db.session.scalars(query):
        topics = contact.topics or ([contact.topic] if contact.topic else [])
        notes = contact.notes or ""
        if len(notes) > NOTE_CHARACTERS:
            notes = notes[: NOTE_CHARACTERS - 1].rstrip() + "…"
        lines.append(
            ContactLine(
                when=format_date(contact.started_at, "medium"),
                who=contact.consultant.name if contact.consultant else "",
                channel=label("channel", contact.channel),
                topics=", ".join(label("topic", topic) for topic in topics),
                outcome=label("outcome", contact.outcome),
                notes=notes,
            )
        )
    return lines


def open_callbacks(customer: Customer | None, number: str, call_sid: str) -> list[str]:
    """Return the callbacks still pending for the customer (or, unknown, for their number)."""
    whose = (
        CallbackRequest.customer_id == customer.id
        if customer is not None
        else CallbackRequest.number == number
    )
    if customer is None and not number:
        return []
    query = (
        select(CallbackRequest)
        .where(
            whose,
            CallbackRequest.status == CallbackStatus.PENDING,
            CallbackRequest.call_sid != call_sid,
        )
        .order_by(CallbackRequest.requested_at)
    )
    return [
        _(
            "Callback asked for on %(when)s (%(topic)s).",
            when=format_date(request.requested_at, "medium"),
            topic=label("topic", request.topic or "general"),
        )
        for request in db.session.scalars(query)
    ]


def waiting_voicemails(customer: Customer | None, number: str, call_sid: str) -> list[str]:
    """Return the customer's voicemails nobody has handled yet (or, unknown, their number's)."""
    if customer is None and not number:
        return []
    numbers = {number} | ({customer.phone} if customer is not None and customer.phone else set())
    whose: ColumnElement[bool] = CallRecord.caller_number.in_(numbers - {""})
    if customer is not None:
        whose = or_(CallRecord.customer_id == customer.id, whose)
    query = (
        select(Recording)
        .join(CallRecord, CallRecord.call_sid == Recording.call_sid)
        .where(UNHANDLED_VOICEMAIL, whose, Recording.call_sid != call_sid)
        .order_by(Recording.created_at)
    )
    return [
        _(
            "Voicemail left on %(when)s, not yet handled.",
            when=format_date(recording.created_at, "medium"),
        )
        for recording in db.session.scalars(query)
    ]
