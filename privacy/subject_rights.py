"""Data-subject rights: everything held about a customer handed over (GDPR Art. 15), or
erased where the law allows (Art. 17), the counts the board shows kept right."""

from __future__ import annotations

import base64
import hashlib
import logging
from datetime import date, datetime
from typing import Any

from flask import current_app
from flask_babel import LazyString, force_locale, format_datetime
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select, update

from agent_desk.i18n import DEFAULT_LANGUAGE, DESK_LANGUAGES
from consultants.models import Consultant
from customers.audit import audit, erase_values
from customers.models import AuditEntry, BreakGlass, Contact, Customer
from hotline.db import Base, db, utcnow
from hotline.telephony import Telephony, TelephonyError
from messaging.models import JobAlert, OutboundSms
from privacy.footprint import Footprint, footprint_of
from privacy.holds import is_held
from privacy.models import LegalHold
from recordings.models import Recording
from recordings.storage import AudioStore, StoreError
from routing.models import CallbackAttempt, CallbackRequest, CallRecord

log = logging.getLogger(__name__)

# Each section of an export: its title and the table it reads.
SECTIONS: dict[str, tuple[LazyString, type[Base]]] = {
    "contacts": (_l("Conversations with consultants"), Contact),
    "call_records": (_l("Calls to the hotline"), CallRecord),
    "callback_requests": (_l("Callbacks asked for"), CallbackRequest),
    "callback_attempts": (_l("Attempts to call back"), CallbackAttempt),
    "recordings": (_l("Recordings (voicemail and calls)"), Recording),
    "sms": (_l("Text messages sent"), OutboundSms),
    "job_alerts": (_l("Job alert subscriptions"), JobAlert),
    "audit_entries": (_l("Changes and reads of the record"), AuditEntry),
    "legal_holds": (_l("Legal holds"), LegalHold),
}
# The customer's record as the printed export names its fields.
RECORD_LABELS: dict[str, LazyString] = {
    "id": _l("Number in the register"),
    "pesel": _l("PESEL"),
    "first_name": _l("First name"),
    "last_name": _l("Last name"),
    "phone": _l("Phone"),
    "preferred_language": _l("Language"),
    "advisor_id": _l("Advisor (number)"),
    "office_code": _l("Office"),
    "address": _l("Address"),
    "vulnerable": _l("Vulnerable"),
    "safeguarding": _l("Safeguarding concern"),
    "registration_status": _l("Registration"),
    "registered_on": _l("Registered on"),
    "deregistered_on": _l("Deregistered on"),
    "action_plan_notes": _l("Individual action plan notes"),
    "search_name": _l("Name as searched"),
}
ERASED = "(erased)"
# The printable export's own style, inline so that the file stands alone (it is handed over,
# or written by the command line); the desk serves it under a CSP that allows this one style.
EXPORT_STYLE = """
body { font: 11pt/1.4 system-ui, sans-serif; margin: 2em; color: #111; }
h1 { font-size: 16pt; } h2 { font-size: 13pt; margin-top: 1.6em; border-bottom: 1px solid #999; }
table { border-collapse: collapse; width: 100%; font-size: 9pt; }
th, td { border: 1px solid #bbb; padding: 2px 4px; text-align: left; vertical-align: top;
         overflow-wrap: anywhere; }
dl { display: grid; grid-template-columns: max-content auto; gap: 2px 1em; }
dt { font-weight: 600; } .none { color: #555; font-style: italic; }
@media print { body { margin: 0; } h2 { break-after: avoid; } }
"""
EXPORT_POLICY = (
    "default-src 'none'; style-src "
    f"'sha256-{base64.b64encode(hashlib.sha256(EXPORT_STYLE.encode()).digest()).decode()}'; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)


class ErasureRefused(ValueError):
    """An erasure the law or a hold does not allow now, with the reason to show."""


def _plain(value: object) -> object:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def row_as_dict(row: Base) -> dict[str, Any]:
    """Return every column of a row as plain JSON values."""
    return {column.key: _plain(getattr(row, column.key)) for column in row.__table__.columns}


def _conditions(footprint: Footprint) -> dict[str, Any]:
    return {
        "contacts": footprint.contacts(),
        "call_records": footprint.call_records(),
        "callback_requests": footprint.callback_requests(),
        "callback_attempts": footprint.callback_attempts(),
        "recordings": footprint.recordings(),
        "sms": footprint.sms(),
        "job_alerts": footprint.job_alerts(),
        "audit_entries": footprint.audit_entries(),
        "legal_holds": footprint.legal_holds(),
    }


def export_customer(by: Consultant | None, customer_id: int) -> dict[str, Any]:
    """Gather everything held about a customer, section by section; the export is audited."""
    customer = db.session.get(Customer, customer_id)
    if customer is None:
        raise LookupError("there is no such customer")
    footprint = footprint_of([customer_id])
    conditions = _conditions(footprint)
    sections = {
        name: [
            row_as_dict(row)
            for row in db.session.scalars(select(model).where(conditions[name])).all()
        ]
        for name, (_title, model) in SECTIONS.items()
    }
    export = {
        "exported_at": utcnow().isoformat(),
        "customer": row_as_dict(customer),
        "sections": sections,
        "titles": {name: str(title) for name, (title, _model) in SECTIONS.items()},
    }
    with db.transaction():
        audit(
            by.id if by else None,
            customer_id,
            "customer.exported",
            {name: len(rows) for name, rows in sections.items()},
        )
    log.info("customer %s: data exported", customer_id)
    return export


def export_html(export: dict[str, Any], language: str = DEFAULT_LANGUAGE) -> str:
    """Render an export as a printable HTML summary: an official document of a Polish office,
    so in Polish unless another of the desk's languages is asked for, whoever prints it.
    Needs the app's context (a request, or the command line's app_context): without one,
    Flask-Babel could not switch the language and the page would come out in English."""
    locale = DESK_LANGUAGES.get(language, DESK_LANGUAGES[DEFAULT_LANGUAGE])
    customer = export["customer"]
    with force_locale(locale):
        # The app's templates and Flask-Babel's words, without the desk's page context (there
        # may be no request, nor anyone signed in).
        return current_app.jinja_env.get_template("privacy/export.html").render(
            export=export,
            style=EXPORT_STYLE,
            page_language=locale.replace("_", "-"),
            name=f"{customer.get('first_name') or ''} {customer.get('last_name') or ''}".strip(),
            made=format_datetime(datetime.fromisoformat(export["exported_at"]), "long"),
            titles={name: str(title) for name, (title, _model) in SECTIONS.items()},
            record_labels={key: str(label) for key, label in RECORD_LABELS.items()},
        )


def erase_customer(
    by: Consultant | None,
    customer_id: int,
    network: Telephony,
    store: AudioStore | None = None,
) -> dict[str, int]:
    """Erase a customer's personal data where the law allows it, keeping the board's counts.

    Recordings are deleted here (a call's stored copy in store too) and at the phone
    network, texts and job alerts deleted; the
    records of calls, contacts and callbacks stay for the office's figures but lose every
    name, number and note; audit entries keep what was done but not the values; the
    customer's record is left as a nameless tombstone so that what links to it stays whole.
    A customer on legal hold is refused. Run again, it finds nothing more to erase.
    """
    customer = db.session.get(Customer, customer_id)
    if customer is None:
        raise LookupError("there is no such customer")
    if is_held(customer_id):
        raise ErasureRefused("the customer's data is on legal hold; release the hold first")
    footprint = footprint_of([customer_id])
    conditions = _conditions(footprint)
    recordings = db.session.scalars(select(Recording).where(conditions["recordings"])).all()
    refused = 0
    for recording in recordings:
        try:
            if recording.network_deleted_at is None:
                network.delete_recording(recording.recording_sid)
            if recording.stored_key and store is not None:
                store.delete(recording.stored_key)
        except (TelephonyError, StoreError, OSError) as exc:
            refused += 1
            log.warning("call %s: recording not deleted: %s", recording.call_sid, exc)
    if refused:
        raise ErasureRefused(
            f"the phone network did not delete {refused} recording(s); nothing else was "
            "changed, try again"
        )
    counts: dict[str, int] = {}
    with db.transaction() as session:

        def change(name: str, statement: Any) -> None:
            counts[name] = int(session.execute(statement).rowcount or 0)  # type: ignore[attr-defined]

        change("recordings", delete(Recording).where(conditions["recordings"]))
        change("sms", delete(OutboundSms).where(conditions["sms"]))
        change("job_alerts", delete(JobAlert).where(conditions["job_alerts"]))
        change(
            "callback_attempts",
            update(CallbackAttempt).where(conditions["callback_attempts"]).values(leg_sid=None),
        )
        change(
            "callback_requests",
            update(CallbackRequest)
            .where(conditions["callback_requests"])
            .values(number="", customer_id=None),
        )
        change(
            "call_records",
            update(CallRecord)
            .where(conditions["call_records"])
            .values(caller_number=None, customer_id=None),
        )
        change(
            "contacts",
            update(Contact)
            .where(conditions["contacts"])
            .values(caller_number=None, notes="", follow_up=""),
        )
        entries = [
            entry
            for entry in session.scalars(select(AuditEntry).where(conditions["audit_entries"]))
            if entry.values_salt is not None
            or set(entry.changes.values()) - {ERASED}
            or entry.reason not in (None, ERASED)
        ]
        for entry in entries:
            erase_values(entry)
        counts["audit_entries"] = len(entries)
        change(
            "break_glass",
            update(BreakGlass).where(BreakGlass.customer_id == customer_id).values(reason=ERASED),
        )
        change(
            "legal_holds",
            update(LegalHold).where(conditions["legal_holds"]).values(reason=ERASED),
        )
        customer.pesel = None
        customer.first_name = ERASED
        customer.last_name = ""
        customer.phone = None
        customer.address = None
        customer.action_plan_notes = ""
        customer.vulnerable = False
        customer.advisor_id = None
        counts["customers"] = 1
        audit(by.id if by else None, customer_id, "customer.erased", dict(counts))
    log.info("customer %s: personal data erased", customer_id)
    return counts
