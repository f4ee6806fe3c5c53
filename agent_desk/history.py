"""A customer's whole story with the centre, newest first, in one list.

Consultants' contacts sit beside what the centre did on its own: calls the IVR answered alone,
callers who hung up in the queue, texts sent (by the IVR, the job alerts or a consultant),
job-alert subscriptions, callback requests and voicemails. Each source keeps its own table;
this module reads them for one customer and says of each entry what it is, in the reader's
words (agent_desk.labels), never as a code.

A customer's unidentified calls are found by their phone number as well as their id, since
a call the IVR served alone, or a text, knows only the number.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import InstrumentedAttribute

from agent_desk.labels import label
from customers.contacts import contacts_of
from customers.models import Contact, Customer
from hotline.db import db
from knowledge import service as knowledge
from messaging.models import JobAlert, OutboundSms, SmsStatus
from recordings.models import Recording
from routing.models import CallbackRequest, CallbackStatus, CallOutcome, CallRecord

# The dedupe key of a text a consultant sent from the desk: its contact's id follows.
DESK_TEXT = "desk:"
# The most entries of each source one history shows.
LIMIT = 200


@dataclass(frozen=True)
class HistoryEntry:
    """One thing that happened between the customer and the centre, as the desk shows it."""

    at: datetime
    kind: str  # "contact", "self-service", "abandoned", "sms", "alert", "callback", "voicemail"
    what: str  # what it is, in words: "Text message: documents for benefit"
    details: tuple[str, ...] = ()
    who: str = ""
    contact: Contact | None = None
    status: str = ""  # a short word on how it went ("sent", "not answered"), in words
    problem: bool = False  # the status is a failure the consultant should see
    text: str = ""  # what was said or sent (a text's body, a voicemail's transcript)


def desk_text_key(contact_id: int) -> str:
    """Return the dedupe key of the text a consultant sent as contact contact_id."""
    return f"{DESK_TEXT}{contact_id}"


def _aware(moment: datetime | None) -> datetime:
    if moment is None:
        return datetime.min.replace(tzinfo=UTC)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def history_of(customer: Customer) -> list[HistoryEntry]:
    """Return everything the centre knows happened with a customer, newest first."""
    texts = _texts_of(customer)
    entries = [_contact_entry(contact, texts) for contact in contacts_of(customer.id)]
    entries += _calls_of(customer)
    entries += [_sms_entry(message) for message in texts.values() if not _from_desk(message)]
    entries += _alerts_of(customer)
    entries += _callbacks_of(customer)
    entries += _voicemails_of(customer)
    return sorted(entries, key=lambda entry: _aware(entry.at), reverse=True)


def _by_customer(
    column_id: InstrumentedAttribute[int | None],
    column_number: InstrumentedAttribute[str | None] | InstrumentedAttribute[str],
    customer: Customer,
) -> ColumnElement[bool]:
    """Match rows that name the customer, or (knowing only a number) their phone."""
    if customer.phone:
        return or_(column_id == customer.id, column_number == customer.phone)
    return column_id == customer.id


def _from_desk(message: OutboundSms) -> bool:
    return message.dedupe_key.startswith(DESK_TEXT)


def _texts_of(customer: Customer) -> dict[str, OutboundSms]:
    """Return the texts sent to the customer's phone, by dedupe key."""
    if not customer.phone:
        return {}
    query = (
        select(OutboundSms)
        .where(OutboundSms.to_number == customer.phone)
        .order_by(OutboundSms.created_at.desc())
        .limit(LIMIT)
    )
    return {message.dedupe_key: message for message in db.session.scalars(query)}


def sms_status(message: OutboundSms | None) -> tuple[str, bool]:
    """Return how a text went, in words, and whether it failed."""
    if message is None:
        return _("not sent"), True
    if message.status == SmsStatus.SENT:
        return _("sent"), False
    if message.status == SmsStatus.FAILED:
        return _("could not be sent"), True
    if message.attempts and message.error:
        return _("not sent yet: the phone network refused it; trying again"), True
    return _("waiting to be sent"), False


# What a consultant's own call came to on the network.
CALL_RESULTS = {
    "dialling": lambda: _("ringing the customer"),
    "answered": lambda: _("answered"),
    "no-answer": lambda: _("not answered"),
    "busy": lambda: _("the line was busy"),
    "failed": lambda: _("the call could not be made"),
    "canceled": lambda: _("cancelled"),
    "missed": lambda: _("your phone was not answered"),
    "calling-you": lambda: _("ringing your phone"),
}
FAILED_RESULTS = frozenset({"no-answer", "busy", "failed", "canceled", "missed"})


def _contact_entry(contact: Contact, texts: dict[str, OutboundSms]) -> HistoryEntry:
    """Describe a consultant's contact: a call, a callback, a voicemail handled, a text sent."""
    channel = label("channel", contact.channel)
    # Every topic the wrap-up gave (the first is the contact's own topic), else the IVR's.
    topics = list(
        dict.fromkeys([*(contact.topics or []), *([contact.topic] if contact.topic else [])])
    )
    named = ", ".join(label("topic", topic) for topic in topics)
    what = f"{channel}: {named}" if named else channel
    status, problem, text = "", False, ""
    if contact.channel == "sms":
        message = texts.get(desk_text_key(contact.id))
        status, problem = sms_status(message)
        text = message.body if message else ""
    elif contact.result:
        status = CALL_RESULTS.get(contact.result, lambda: label("outcome", contact.result))()
        problem = contact.result in FAILED_RESULTS
    details = []
    if contact.outcome:
        details.append(label("outcome", contact.outcome))
    elif contact.wrapped_up_at is None:
        details.append(_("awaiting wrap-up"))
    if contact.transferred_by:
        details.append(_("transferred by %(name)s", name=contact.transferred_by.name))
    return HistoryEntry(
        at=contact.started_at,
        kind="contact",
        what=what,
        details=tuple(details),
        who=contact.consultant.name if contact.consultant else "",
        contact=contact,
        status=status,
        problem=problem,
        text=text,
    )


def _calls_of(customer: Customer) -> list[HistoryEntry]:
    """Describe the customer's calls nobody answered: served by the IVR alone, or given up."""
    query = (
        select(CallRecord)
        .where(
            _by_customer(CallRecord.customer_id, CallRecord.caller_number, customer),
            CallRecord.outcome.in_([CallOutcome.SELF_SERVICE, CallOutcome.ABANDONED]),
        )
        .order_by(CallRecord.id.desc())
        .limit(LIMIT)
    )
    entries = []
    for record in db.session.scalars(query):
        at = record.queued_at or record.ended_at
        if record.outcome == CallOutcome.SELF_SERVICE:
            what, kind = _("Self-service call (the automated line alone)"), "self-service"
        else:
            what, kind = _("Call: hung up while waiting for a consultant"), "abandoned"
        details = []
        if record.topic:
            details.append(label("topic", record.topic))
        if record.language:
            details.append(label("language", record.language))
        if record.wait_seconds:
            details.append(_("waited %(seconds)d s", seconds=round(record.wait_seconds)))
        entries.append(HistoryEntry(at=_aware(at), kind=kind, what=what, details=tuple(details)))
    return entries


# What the centre's texts are, by the kind messaging stores.
SMS_KINDS = {
    "faq": lambda: _("Text message: the answer the caller heard"),
    "vacancies": lambda: _("Text message: the vacancies read out"),
    "trainings": lambda: _("Text message: the training offers read out"),
    "job-alert": lambda: _("Job alert by text"),
    "alert-welcome": lambda: _("Text message: job alerts switched on"),
}


def _sms_entry(message: OutboundSms) -> HistoryEntry:
    """Describe a text the centre sent on its own (the IVR or the job alerts)."""
    status, problem = sms_status(message)
    what = SMS_KINDS.get(message.kind, lambda: _("Text message"))()
    details: tuple[str, ...] = ()
    if message.kind == "faq" and message.dedupe_key.count(":") == 2:
        # An answer's text is kept under "faq:<call>:<topic>": name the answer.
        topic = message.dedupe_key.rsplit(":", 1)[1]
        what = f"{label('channel', 'sms')}: {label('topic', topic)}"
        details = (_("sent by the automated line, at the caller's request"),)
    return HistoryEntry(
        at=message.created_at,
        kind="sms",
        what=what,
        details=details,
        status=status,
        problem=problem,
        text=message.body,
    )


# Who stopped a job-alert subscription.
STOPPED_BY = {
    "sms": lambda: _("by replying STOP"),
    "keypad": lambda: _("on the phone line's keypad"),
    "replaced": lambda: _("replaced by a new subscription"),
}


def _alerts_of(customer: Customer) -> list[HistoryEntry]:
    """Describe the customer's job-alert subscriptions: when each began and ended."""
    query = (
        select(JobAlert)
        .where(_by_customer(JobAlert.customer_id, JobAlert.phone, customer))
        .order_by(JobAlert.id.desc())
        .limit(LIMIT)
    )
    entries = []
    for alert in db.session.scalars(query):
        region = knowledge.region(alert.region_code)
        locale = get_locale()
        where = region.name_in(locale.language if locale else "pl") if region else alert.region_code
        details = [_("region: %(region)s", region=where)]
        if alert.occupation:
            details.append(_("occupation: %(occupation)s", occupation=alert.occupation))
        entries.append(
            HistoryEntry(
                at=alert.created_at,
                kind="alert",
                what=_("Job alerts by text switched on"),
                details=tuple(details),
                status=_("active") if alert.active else "",
            )
        )
        if alert.stopped_at is not None:
            how = STOPPED_BY.get(alert.stopped_by or "", lambda: "")()
            entries.append(
                HistoryEntry(
                    at=alert.stopped_at,
                    kind="alert",
                    what=_("Job alerts by text switched off"),
                    details=(how,) if how else (),
                )
            )
    return entries


def _callbacks_of(customer: Customer) -> list[HistoryEntry]:
    """Describe the customer's callback requests and how far each got."""
    query = (
        select(CallbackRequest)
        .where(_by_customer(CallbackRequest.customer_id, CallbackRequest.number, customer))
        .order_by(CallbackRequest.id.desc())
        .limit(LIMIT)
    )
    entries = []
    for request in db.session.scalars(query):
        if request.status == CallbackStatus.COMPLETED:
            status, problem = _("called back"), False
        elif request.status == CallbackStatus.FAILED:
            status, problem = _("not reached"), True
        else:
            status, problem = _("waiting for a consultant"), False
        details = []
        if request.topic:
            details.append(label("topic", request.topic))
        if request.for_advisor:
            details.append(_("asked for their own advisor"))
        if request.attempts:
            details.append(ngettext("%(num)d attempt", "%(num)d attempts", request.attempts))
        entries.append(
            HistoryEntry(
                at=request.requested_at,
                kind="callback",
                what=_("Asked to be called back"),
                details=tuple(details),
                status=status,
                problem=problem,
            )
        )
    return entries


def _voicemails_of(customer: Customer) -> list[HistoryEntry]:
    """Describe the messages the customer left, with Twilio's transcript where there is one."""
    query = (
        select(Recording, CallRecord)
        .join(CallRecord, CallRecord.call_sid == Recording.call_sid)
        .where(
            Recording.kind == "voicemail",
            _by_customer(CallRecord.customer_id, CallRecord.caller_number, customer),
        )
        .order_by(Recording.id.desc())
        .limit(LIMIT)
    )
    entries = []
    for recording, record in db.session.execute(query):
        details = []
        if recording.duration_seconds:
            details.append(_("%(seconds)s s", seconds=recording.duration_seconds))
        language = recording.language or record.language
        if language:
            details.append(label("language", language))
        if recording.handled_at is not None:
            status = _("handled")
        elif recording.status == "completed":
            status = _("waiting in the voicemail inbox")
        else:
            status = voicemail_audio_state(recording) or ""
        entries.append(
            HistoryEntry(
                at=recording.created_at,
                kind="voicemail",
                what=_("Left a voicemail"),
                details=tuple(details),
                status=status,
                text=recording.transcript or "",
            )
        )
    return entries


def voicemail_audio_state(recording: Recording) -> str | None:
    """Say why a voicemail's audio cannot be played, or None when it can be."""
    if recording.status == "deleted":
        return str(_("the phone network no longer holds the recording"))
    if recording.status == "absent":
        return str(_("nothing was recorded"))
    if recording.status == "failed":
        return str(_("the recording failed"))
    if recording.status != "completed":
        return str(_("the recording is not ready yet"))
    return None
