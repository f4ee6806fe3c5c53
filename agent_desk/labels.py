"""The words people read for the codes the centre stores: topics, languages, outcomes, states,
break and not-ready reasons, channels, roles, import statuses, registration and FAQ statuses
and audit entries.

Every page and report takes its labels from here, in the reader's language, so that no one
reads `benefit_documents`, `uk` or `desk:anna`. A code nobody has named yet is shown as words
("some_new_topic" as "Some new topic"), never as the bare code.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask_babel import LazyString, get_locale
from flask_babel import lazy_gettext as _l

from customers.service import SEARCH_MIN_LENGTH, SEARCH_TOO_LONG, SEARCH_TOO_SHORT
from hotline.access import Role
from knowledge.service import office_card

TOPICS: Mapping[str, LazyString] = {
    "general": _l("General question"),
    "benefit_documents": _l("Documents for unemployment benefit"),
    "benefit_claim": _l("Claiming unemployment benefit"),
    "where_to_register": _l("Where to register"),
    "eures": _l("Working abroad (EURES)"),
    "eures_benefit_abroad": _l("Benefit while looking for work abroad"),
    "training_info": _l("Training"),
    "training": _l("Training"),
    "returning_from_abroad": _l("Returning from abroad"),
    "trainings": _l("Training offers"),
    "vacancies": _l("Vacancies"),
    "eligibility": _l("Benefit pre-check"),
    "job_alerts": _l("Job alerts by text"),
    "alerts": _l("Job alerts by text"),
}

OUTCOMES: Mapping[str, LazyString] = {
    "resolved": _l("Resolved"),
    "follow-up": _l("Follow-up needed"),
    "referred": _l("Referred elsewhere"),
    "no-action": _l("No action needed"),
}

STATES: Mapping[str, LazyString] = {
    "offline": _l("Offline"),
    "available": _l("Available"),
    "ringing": _l("Ringing"),
    "on-call": _l("On a call"),
    "wrap-up": _l("Wrapping up"),
    "break": _l("On a break"),
    "not-ready": _l("Not ready"),
}

# Reasons for a break or for not being ready: the office picks its lists from these codes (or
# writes reasons of its own, shown as written); "missed call" is the router's own.
REASONS: Mapping[str, LazyString] = {
    "lunch": _l("Lunch"),
    "rest": _l("Short rest"),
    "training": _l("Training"),
    "back-office": _l("Back-office work"),
    "meeting": _l("Team meeting"),
    "coaching": _l("Coaching"),
    "paperwork": _l("Paperwork after a call"),
    "technical-problem": _l("Technical problem"),
    "missed call": _l("Missed a call"),
    "wrap-up ended": _l("Wrap-up time ran out"),
    "outbound-call": _l("Calling a customer"),
}

CHANNELS: Mapping[str, LazyString] = {
    "phone": _l("Phone call"),
    "callback": _l("Callback"),
    "voicemail": _l("Voicemail"),
    "sms": _l("Text message"),
    "outbound-call": _l("Call to the customer"),
}

ROLES: Mapping[str, LazyString] = {
    Role.CONSULTANT: _l("Consultant"),
    Role.SUPERVISOR: _l("Supervisor"),
    Role.CONTENT_EDITOR: _l("Content editor"),
    Role.ADMINISTRATOR: _l("Administrator"),
}

IMPORT_STATUSES: Mapping[str, LazyString] = {
    "queued": _l("Waiting to start"),
    "running": _l("Importing"),
    "done": _l("Finished"),
    "failed": _l("Failed"),
}

IMPORT_TARGETS: Mapping[str, LazyString] = {
    "vacancies": _l("Vacancies"),
    "trainings": _l("Training offers"),
    "consultants": _l("People"),
    "customers": _l("Customers"),
    "offices": _l("Offices"),
    "faq": _l("FAQ texts"),
}

# Where a customer stands in the office's register.
REGISTRATION: Mapping[str, LazyString] = {
    "registered": _l("Registered"),
    "deregistered": _l("Deregistered"),
    "applicant": _l("Applying to register"),
}

FAQ_STATUSES: Mapping[str, LazyString] = {
    "draft": _l("Draft"),
    "published": _l("Published"),
}

AUDIT_ACTIONS: Mapping[str, LazyString] = {
    "customer.update": _l("changed the record"),
    "contact.wrap-up": _l("wrapped up a call"),
    "voicemail.handled": _l("handled a voicemail"),
    "customer.exported": _l("exported the customer's data"),
    "customer.erased": _l("erased the customer's data"),
    "legal_hold.placed": _l("placed a legal hold"),
    "legal_hold.released": _l("released a legal hold"),
    "record.view": _l("opened the record"),
    "record.pop": _l("saw the record as the call rang"),
    "record.caseload": _l("listed their own customers"),
    "record.follow-ups": _l("listed the follow-ups they owe the customer"),
    "contact.link": _l("linked a call to the customer"),
    "follow-up.done": _l("marked a follow-up done"),
    "customer.create": _l("registered the customer"),
    "customer.view": _l("opened the record in the administration"),
    "customer.reassign_advisor": _l("reassigned the customer's advisor"),
    "consultant.create": _l("created an account"),
    "consultant.update": _l("changed an account"),
    "consultant.roles": _l("changed an account's roles"),
    "consultant.enable": _l("enabled an account"),
    "consultant.disable": _l("disabled an account"),
    "consultant.password_reset": _l("gave an account a one-time password"),
    "record.break_glass": _l("opened the record, giving a reason"),
    "pesel.reveal": _l("revealed the PESEL"),
    "customer.search": _l("searched the customers"),
    "voicemail.play": _l("played a voicemail"),
    "login": _l("signed in"),
    "login.refused": _l("was refused at sign-in"),
    "logout": _l("signed out"),
    "consultant.password": _l("changed their password"),
    "consultant.signed_out": _l("was signed out everywhere"),
    "audit.export": _l("exported the audit trail"),
    "audit.purged": _l("the purge removed old entries"),
    "call.hold": _l("put the caller on hold"),
    "call.resume": _l("took the caller off hold"),
    "call.transfer": _l("transferred the call"),
    "call.consult": _l("consulted a colleague or an outside party"),
    "call.consult-join": _l("brought everyone into the call"),
    "call.consult-end": _l("ended the consultation"),
    "call.three-way": _l("started a three-way call"),
    "supervision.monitor": _l("listened in on a call"),
    "supervision.coach": _l("coached a consultant on a call"),
    "supervision.barge": _l("barged into a call"),
    "supervision.leave": _l("left a call they supervised"),
    "supervision.hand-raised": _l("raised a hand for a supervisor's help"),
    "supervision.hand-lowered": _l("lowered their raised hand"),
    "supervision.hand-answered": _l("came to a consultant's raised hand"),
    "call.recording-pause": _l("paused the call's recording"),
    "call.recording-resume": _l("resumed the call's recording"),
    "recording.play": _l("played a call's recording"),
    "call.outbound": _l("called the customer"),
    "contact.sms": _l("texted the customer"),
}

# The kinds of entry the audit page filters by (a prefix: "record." finds every opening).
AUDIT_FILTERS: Mapping[str, LazyString] = {
    "record.view": _l("record opened"),
    "record.break_glass": _l("record opened with a reason"),
    "pesel.reveal": _l("PESEL revealed"),
    "customer.search": _l("search"),
    "customer.update": _l("record changed"),
    "contact.": _l("contact logged"),
    "voicemail.": _l("voicemail played or handled"),
    "recording.": _l("call recording played"),
    "call.": _l("call control (hold, transfer, consultation)"),
    "supervision.": _l("supervision (listening in, coaching, barging in, raised hands)"),
    "customer.erased": _l("erasure"),
    "customer.exported": _l("access export"),
    "legal_hold.": _l("legal hold"),
    "audit.": _l("audit trail exported or purged"),
    "consultant.": _l("people and roles"),
    "login": _l("sign-in (and refused sign-ins)"),
    "logout": _l("sign-out"),
}

# The fields an audit entry names, as people call them.
FIELDS: Mapping[str, LazyString] = {
    "address": _l("Address"),
    "phone": _l("Phone"),
    "action_plan_notes": _l("Individual action plan notes"),
    "outcome": _l("Outcome"),
    "notes": _l("Notes"),
    "notes_length": _l("Length of the notes"),
    "topic": _l("Topic"),
    "topics": _l("Topics"),
    "contacts": _l("Contacts"),
    "recordings": _l("Recordings"),
    "messages": _l("Text messages"),
    "job_alerts": _l("Job alerts"),
    "calls": _l("Calls"),
    "callbacks": _l("Callbacks"),
    "audit_entries": _l("Audit entries"),
    "fields": _l("Fields"),
    "grounds": _l("Grounds"),
    "known": _l("Known account"),
    "entries": _l("Entries"),
    "second_factor": _l("Second factor"),
    "consultant": _l("Consultant"),
    "mode": _l("How"),
    "why": _l("Why"),
    # Searches, record openings and the administration's acts.
    "by": _l("Searched by"),
    "found": _l("Found"),
    "customer_ids": _l("Customers (record numbers)"),
    "break_glass_id": _l("Opening with a reason (number)"),
    "waiting": _l("Still in the inbox"),
    "where": _l("Where"),
    "reason": _l("Reason"),
    "gaps": _l("Gaps in the chain"),
    "login": _l("Login"),
    "name": _l("Name"),
    "roles": _l("Roles"),
    "active": _l("Active"),
    "languages": _l("Languages"),
    "office_code": _l("Office"),
    "advisor_id": _l("Advisor (account number)"),
    "pesel": _l("PESEL"),
    "first_name": _l("First name"),
    "last_name": _l("Last name"),
    "preferred_language": _l("Language"),
    "registration_status": _l("Registration status"),
    "registered_on": _l("Registered on"),
    "deregistered_on": _l("Deregistered on"),
    "vulnerable": _l("Vulnerable"),
    "safeguarding": _l("Safeguarding concern"),
}

# How a search found its customers (customers.service.search_customers).
SEARCHED_BY: Mapping[str, LazyString] = {
    "name": _l("name"),
    "pesel": _l("PESEL"),
    "phone": _l("phone number"),
}

# Where in the administration a record was opened (administration.views).
OPENED_WHERE: Mapping[str, LazyString] = {
    "administration": _l("in the administration"),
    "advisor reassignment": _l("reassigning the advisor"),
}

# Why a record was opened (agent_desk.records), as people say it.
GROUNDS: Mapping[str, LazyString] = {
    "own": _l("their own customer"),
    "call": _l("a call with the customer"),
    "break_glass": _l("a stated reason"),
    "supervisor": _l("supervision"),
}

# How a supervisor was in a call, and why they left it (routing.supervision).
SUPERVISION_MODES: Mapping[str, LazyString] = {
    "monitor": _l("listening in"),
    "coach": _l("coaching"),
    "barge": _l("barging in"),
}
SUPERVISION_ENDS: Mapping[str, LazyString] = {
    "left": _l("left the call"),
    "phone hung up": _l("their phone hung up"),
    "the call ended": _l("the call ended"),
}

# Keys an audit entry keeps for the machine (record ids, Twilio sids), never shown.
HIDDEN_FIELDS = frozenset(
    {"contact_id", "hold_id", "recording", "call_sid", "recording_sid", "consultant_id", "leg"}
)

# The kinds of personal data the retention table names, and who started a purge.
DATA_KINDS: Mapping[str, LazyString] = {
    "call_recordings": _l("Call recordings"),
    "voicemail": _l("Voicemail"),
    "contacts": _l("Contacts"),
    "call_records": _l("Call records"),
    "sms": _l("Text messages"),
    "job_alerts": _l("Job alerts"),
    "import_files": _l("Imported files"),
    "audit_entries": _l("Audit entries"),
}

# Why a call was recorded or not (routing.consent's RecordingDecision).
RECORDING_REASONS: Mapping[str, LazyString] = {
    "notice_given": _l("recorded after the notice"),
    "declined": _l("not recorded: the caller declined"),
    "queue_not_recorded": _l("not recorded: the queue does not record calls"),
}

TRIGGERS: Mapping[str, LazyString] = {
    "schedule": _l("the nightly schedule"),
    "cli": _l("the hotline command"),
}

SEARCH_REFUSALS: Mapping[str, LazyString] = {
    SEARCH_TOO_LONG: _l("that is too long for a name, PESEL or phone number"),
    SEARCH_TOO_SHORT: _l(
        "type at least %(letters)s letters of the name", letters=SEARCH_MIN_LENGTH
    ),
}

FAMILIES: Mapping[str, Mapping[str, LazyString]] = {
    "topic": TOPICS,
    "outcome": OUTCOMES,
    "state": STATES,
    "reason": REASONS,
    "channel": CHANNELS,
    "role": ROLES,
    "import_status": IMPORT_STATUSES,
    "import_target": IMPORT_TARGETS,
    "registration": REGISTRATION,
    "faq_status": FAQ_STATUSES,
    "audit_action": AUDIT_ACTIONS,
    "field": FIELDS,
    "data_kind": DATA_KINDS,
    "trigger": TRIGGERS,
    "recording_reason": RECORDING_REASONS,
    "search_refusal": SEARCH_REFUSALS,
}


def as_words(code: str) -> str:
    """Return a code nobody has named as plain words: "some_new-topic" as "Some new topic"."""
    words = code.replace("_", " ").replace("-", " ").strip()
    return words[:1].upper() + words[1:]


def label(family: str, code: str | None) -> str:
    """Return the reader's words for a code of a family ("topic", "outcome", ...; "language"
    and "office" are named from the locale's data and the offices' list)."""
    if not code:
        return ""
    if family == "language":
        return language_label(code)
    if family == "office":
        office = office_card(code)
        return office.name if office is not None else code
    known = FAMILIES[family].get(code)
    return str(known) if known is not None else as_words(code)


def language_label(code: str) -> str:
    """Return a language's name in the reader's language ("uk": "ukraiński" in Polish)."""
    name = get_locale().languages.get(code.split("-")[0].lower()) if get_locale() else None
    return name or code.upper()


def started_by_label(started_by: str, names: Mapping[str, str]) -> str:
    """Return who started an import: "desk:anna" as Anna's name, "cli:root" as the command
    line; names maps logins to people's names."""
    kind, _, who = started_by.partition(":")
    if kind == "desk":
        return names.get(who, who)
    if kind == "cli":
        return str(_l("the hotline command (%(user)s)", user=who))
    return started_by


@dataclass(frozen=True)
class AuditLine:
    """One change an audit entry records, in words: what, and from and to where known."""

    what: str
    value: str
    before: str | None = None


def audit_value(field: str, value: object) -> str:
    """Return a value an audit entry holds as text a person reads (no JSON, no escapes)."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return str(_l("yes")) if value else str(_l("no"))
    if field == "outcome" and isinstance(value, str):
        return label("outcome", value)
    if field in ("topic", "topics"):
        items = value if isinstance(value, list) else [value]
        return ", ".join(label("topic", str(item)) for item in items)
    if field == "fields":
        items = value if isinstance(value, list) else [value]
        return ", ".join(label("field", str(item)) for item in items)
    if field == "grounds" and isinstance(value, str):
        return str(GROUNDS.get(value, value))
    if field == "mode" and isinstance(value, str):
        return str(SUPERVISION_MODES.get(value, as_words(value)))
    if field == "why" and isinstance(value, str):
        return str(SUPERVISION_ENDS.get(value, value))
    if field in ("pesel", "address", "phone") and value == "changed":
        return str(_l("changed"))
    if field == "by" and isinstance(value, str):
        return str(SEARCHED_BY.get(value, value))
    if field == "where" and isinstance(value, str):
        return str(OPENED_WHERE.get(value, value))
    if field == "roles":
        items = value if isinstance(value, list) else [value]
        return ", ".join(label("role", str(item)) for item in items)
    if field in ("registration_status", "preferred_language") and isinstance(value, str):
        return label("registration" if field == "registration_status" else "language", value)
    if isinstance(value, list):
        return ", ".join(audit_value(field, item) for item in value)
    if isinstance(value, dict):
        return "; ".join(
            f"{label('field', str(key))}: {audit_value(str(key), item)}"
            for key, item in value.items()
        )
    return str(value)


def audit_lines(changes: Mapping[str, object]) -> list[AuditLine]:
    """Return what an audit entry changed, line by line, leaving out the machine's keys."""
    lines = []
    for field, change in changes.items():
        if field in HIDDEN_FIELDS:
            continue
        what = label("field", field)
        if isinstance(change, dict) and set(change) == {"from", "to"}:
            lines.append(
                AuditLine(
                    what, audit_value(field, change["to"]), audit_value(field, change["from"])
                )
            )
        else:
            lines.append(AuditLine(what, audit_value(field, change)))
    return lines


def with_state_labels(figures: dict[str, Any]) -> dict[str, Any]:
    """Add the reader's words for each signed-in person's state to the board's figures."""
    live = figures.get("live")
    people = live.get("signed_in", []) if isinstance(live, dict) else []
    for person in people:
        person["state_label"] = label("state", person.get("state"))
    return figures
