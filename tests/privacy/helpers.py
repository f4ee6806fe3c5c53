"""A customer with one row of every kind of personal data, dated by a controlled clock."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from customers.audit import audit
from customers.models import Contact, Customer
from emulator.app import EmulatorServer
from emulator.models import Recording as HeldRecording
from hotline.db import db
from knowledge.models import ImportRowError, ImportRun
from messaging.models import JobAlert, OutboundSms
from recordings.models import Recording
from routing.models import CallbackAttempt, CallbackRequest, CallOutcome, CallRecord

NOW = datetime(2027, 3, 1, 3, 0, tzinfo=UTC)
LONG_AGO = NOW - timedelta(days=11 * 365)


def customer(phone: str) -> Customer:
    return db.session.scalars(select(Customer).where(Customer.phone == phone)).one()


@dataclass
class Traces:
    """The sids of what was made, to look for afterwards."""

    voicemail_sid: str
    call_sid: str


def leave_traces(
    network: EmulatorServer, person: Customer, tag: str, when: datetime, tmp_path=None
) -> Traces:
    """Give a customer one row of every kind, all dated when; the recording held at Twilio."""
    call_sid = "CA" + ("ab" + tag).rjust(32, "0")
    recording_sid = "RE" + ("ab" + tag).rjust(32, "0")
    db.session.add_all(
        [
            CallRecord(
                call_sid=call_sid, caller_number=person.phone, customer_id=person.id,
                advisor_id=person.advisor_id, queued_at=when, ended_at=when,
                outcome=CallOutcome.VOICEMAIL, language=person.preferred_language,
            ),
            Contact(
                call_sid=call_sid, customer_id=person.id, caller_number=person.phone,
                channel="voicemail", started_at=when, notes=f"{person.first_name} asked about benefit",
                follow_up=f"Ring {person.last_name} about the benefit",
            ),
            Recording(
                recording_sid=recording_sid, call_sid=call_sid, kind="voicemail",
                url="https://api.twilio.com/x", status="completed", created_at=when,
                handled_at=when,
            ),
            OutboundSms(
                dedupe_key=f"sms-{tag}", to_number=person.phone, kind="documents",
                body="Dokumenty: dowód osobisty", created_at=when, call_sid=call_sid,
            ),
            JobAlert(
                phone=person.phone, customer_id=person.id, region_code="14", active=False,
                created_at=when, stopped_at=when, stopped_by="sms",
            ),
        ]
    )  # fmt: skip
    audit(None, person.id, "customer.updated", {"address": [person.address, "ul. Nowa 1"]}, at=when)
    request = CallbackRequest(
        call_sid="CB" + ("ab" + tag).rjust(32, "0"), number=person.phone, customer_id=person.id,
        queued_at=when, requested_at=when, status="completed",
    )  # fmt: skip
    db.session.add(request)
    db.session.flush()
    db.session.add(CallbackAttempt(request_id=request.id, attempt=1, started_at=when))
    db.session.commit()
    held = HeldRecording(
        sid=recording_sid, account_sid=network.config.account_sid, call_sid=call_sid,
        duration=4, transcript="proszę o telefon",
    )  # fmt: skip
    with network.network.lock:
        network.network.recordings[held.sid] = held
    return Traces(recording_sid, call_sid)


def old_import(tmp_path, finished: datetime) -> ImportRun:
    """An uploaded feed whose import finished at a given time, with a skipped row quoted."""
    feed = tmp_path / "feed.csv"
    feed.write_text("title,employer\nSpawacz,Jan Kowalski tel. 601000001\n", encoding="utf-8")
    run = ImportRun(
        kind="csv", source="upload", path=str(feed), status="done",
        created_at=finished, finished_at=finished,
    )  # fmt: skip
    db.session.add(run)
    db.session.flush()
    db.session.add(ImportRowError(import_run_id=run.id, row_number=2, reason="no region",
                                  raw_excerpt="Spawacz,Jan Kowalski tel. 601000001"))  # fmt: skip
    db.session.commit()
    return run


def today() -> date:
    return NOW.date()
