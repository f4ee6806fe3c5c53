"""The nightly purge: what expired goes (at Twilio too), held customers stay, counts reported."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from customers.audit import verify_chain
from customers.models import AuditEntry, Contact
from hotline.db import Base, db
from hotline.settings import RETENTION_DEFAULTS
from hotline.telephony import telephony
from knowledge.models import ImportRowError, ImportRun
from messaging.models import JobAlert, OutboundSms
from privacy import holds, tasks
from privacy.models import RetentionReport
from privacy.retention import IMPERSONAL_TABLES, PERSONAL_TABLES, purge
from recordings.models import Recording
from routing.models import CallbackAttempt, CallbackRequest, CallRecord
from tests.privacy.helpers import LONG_AGO, NOW, customer, leave_traces, old_import

PERIODS = dict(RETENTION_DEFAULTS)
JAN, MARIA = "+48601000001", "+48601000002"
KINDS_PER_CUSTOMER = {
    "voicemail": 1,
    "contacts": 1,
    "call_records": 1,
    "callback_requests": 1,
    "sms": 1,
    "job_alerts": 1,
    "audit_entries": 1,
}


def count(model) -> int:
    return int(db.session.scalar(select(func.count()).select_from(model)) or 0)


def at_twilio(phone_network, sid: str) -> bool:
    return phone_network.network.recording(sid) is not None


def test_every_table_is_either_covered_by_retention_or_holds_no_personal_data():
    tables = set(Base.metadata.tables)
    assert tables - set(PERSONAL_TABLES) - IMPERSONAL_TABLES == set()
    assert set(PERSONAL_TABLES) & IMPERSONAL_TABLES == set()
    covered = {kind.strip() for cover in PERSONAL_TABLES.values() for kind in cover.split(",")}
    assert set(RETENTION_DEFAULTS) <= covered


def test_the_purge_deletes_what_expired_here_and_at_twilio_and_keeps_the_rest(
    app, demo, phone_network, tmp_path
):
    jan = customer(JAN)
    old = leave_traces(phone_network, jan, "1", LONG_AGO)
    fresh = leave_traces(phone_network, jan, "2", NOW - timedelta(days=1))
    run = old_import(tmp_path, LONG_AGO)
    before = {model: count(model) for model in (CallRecord, Contact, OutboundSms, AuditEntry)}

    report = purge(PERIODS, telephony.current(), now=NOW, triggered_by="test")

    assert report.counts == {
        **KINDS_PER_CUSTOMER,
        "call_recordings": 0,
        "unknown_recordings": 0,
        "import_files": 1,
    }
    assert report.held == {} and report.failures == 0 and not report.dry_run
    assert not at_twilio(phone_network, old.voicemail_sid)
    assert at_twilio(phone_network, fresh.voicemail_sid)
    assert db.session.scalars(select(Recording.recording_sid)).all() == [fresh.voicemail_sid]
    assert db.session.scalars(select(CallRecord.call_sid)).all() == [fresh.call_sid]
    for model in (CallRecord, Contact, OutboundSms):
        assert count(model) == before[model] - 1, model
    # The old entry went, and the purge noted the link it cut, so the chain still verifies.
    assert count(AuditEntry) == before[AuditEntry] - 1 + 1
    assert verify_chain().intact
    assert count(CallbackRequest) == 1 and count(CallbackAttempt) == 1
    assert count(JobAlert) == 1
    db.session.expire_all()
    assert not Path(tmp_path / "feed.csv").exists()
    assert db.session.get(ImportRun, run.id).path == ""
    assert db.session.scalars(select(ImportRowError.raw_excerpt)).all() == [""]


def test_a_second_run_deletes_nothing_more(app, demo, phone_network):
    leave_traces(phone_network, customer(JAN), "3", LONG_AGO)
    purge(PERIODS, telephony.current(), now=NOW)

    again = purge(PERIODS, telephony.current(), now=NOW)

    assert set(again.counts.values()) == {0}


def test_a_dry_run_counts_and_deletes_nothing(app, demo, phone_network):
    old = leave_traces(phone_network, customer(JAN), "4", LONG_AGO)

    report = purge(PERIODS, telephony.current(), now=NOW, dry_run=True)

    assert report.dry_run and report.counts["voicemail"] == 1 and report.counts["contacts"] == 1
    assert at_twilio(phone_network, old.voicemail_sid)
    assert count(Recording) == 1 and count(Contact) == 1


def test_periods_are_measured_by_the_given_clock(app, demo, phone_network):
    leave_traces(phone_network, customer(JAN), "5", NOW - timedelta(days=40))

    a_day_early = purge(PERIODS, telephony.current(), now=NOW - timedelta(days=11))
    assert a_day_early.counts["voicemail"] == 0
    on_time = purge(PERIODS, telephony.current(), now=NOW)
    assert on_time.counts["voicemail"] == 1 and on_time.counts["sms"] == 0


def test_a_held_customer_is_skipped_and_counted_as_held_until_the_hold_is_released(
    app, demo, phone_network
):
    jan, maria = customer(JAN), customer(MARIA)
    kept = leave_traces(phone_network, jan, "6", LONG_AGO)
    leave_traces(phone_network, maria, "7", LONG_AGO)
    hold = holds.place_hold(None, jan.id, "complaint 12/2027")
    placed_audit = count(AuditEntry)

    report = purge(PERIODS, telephony.current(), now=NOW)

    assert report.counts == {
        **KINDS_PER_CUSTOMER,
        "call_recordings": 0,
        "unknown_recordings": 0,
        "import_files": 0,
    }
    assert report.held == KINDS_PER_CUSTOMER
    assert at_twilio(phone_network, kept.voicemail_sid)
    assert db.session.scalars(select(CallRecord.call_sid)).all() == [kept.call_sid]
    # Maria's old entry went, Jan's all stay, and the purge noted the links it cut.
    assert count(AuditEntry) == placed_audit - 1 + 1
    assert verify_chain().intact

    holds.release_hold(None, hold.id)
    released = purge(PERIODS, telephony.current(), now=NOW)
    assert released.counts["voicemail"] == 1 and released.held == {}
    assert not at_twilio(phone_network, kept.voicemail_sid)
    actions = db.session.scalars(
        select(AuditEntry.action).where(AuditEntry.customer_id == jan.id)
    ).all()
    assert {"legal_hold.placed", "legal_hold.released"} <= set(actions)


def test_a_recording_twilio_will_not_delete_is_kept_for_the_next_night(
    app, demo, phone_network, settings
):
    from hotline.telephony import make_telephony

    leave_traces(phone_network, customer(JAN), "8", LONG_AGO)
    wrong_account = make_telephony(settings.with_overrides(twilio_auth_token="wrong"))

    report = purge(PERIODS, wrong_account, now=NOW)

    assert report.failures == 2  # the deletion, and the list of recordings the centre never stored
    assert report.counts["voicemail"] == 0
    assert count(Recording) == 1


def test_the_report_holds_counts_only(app, demo, phone_network):
    leave_traces(phone_network, customer(JAN), "9", LONG_AGO)
    purge(PERIODS, telephony.current(), now=NOW)

    (report,) = db.session.scalars(select(RetentionReport)).all()
    text = repr((report.counts, report.held, report.triggered_by))
    assert all(isinstance(value, int) for value in report.counts.values())
    assert "Jan" not in text and JAN not in text


def test_the_nightly_job_purges_then_schedules_the_next_night_once(app, demo, phone_network):
    from hotline.jobs import jobs

    leave_traces(phone_network, customer(JAN), "10", LONG_AGO)
    jobs.synchronous = False
    with app.app_context():
        first = tasks.schedule_next_purge(app.extensions["hotline.settings"], now=NOW)
        assert tasks.schedule_next_purge(app.extensions["hotline.settings"], now=NOW) == first
        assert first == "retention-purge-2027-03-02"
        scheduled = jobs.queue().scheduled_job_registry.get_job_ids()
        assert scheduled == [first]
        report_id = tasks.run_nightly_purge()
    assert db.session.get(RetentionReport, report_id).counts["voicemail"] == 1


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        ("2027-03-01T00:00:00+00:00", "2027-03-01T01:30:00+00:00"),  # 01:00 in Warsaw: tonight
        ("2027-03-01T02:00:00+00:00", "2027-03-02T01:30:00+00:00"),  # past 02:30: tomorrow
        ("2027-03-27T12:00:00+00:00", "2027-03-28T01:30:00+00:00"),  # no 02:30 that night: 03:30
    ],
)
def test_the_purge_runs_at_half_past_two_warsaw_time(now, expected):
    from datetime import datetime

    assert tasks.next_night(datetime.fromisoformat(now), "Europe/Warsaw").isoformat() == expected


def test_a_recording_twilio_holds_that_the_centre_never_stored_goes_after_the_period(
    app, demo, phone_network
):
    from emulator.models import Recording as HeldRecording

    jan = customer(JAN)
    kept = leave_traces(phone_network, jan, "11", NOW - timedelta(days=1))
    network = phone_network.network
    lost = HeldRecording(
        sid="RE" + "c1".rjust(32, "0"), account_sid=network.config.account_sid,
        call_sid="CA" + "c1".rjust(32, "0"), duration=3, transcript="halo",
        created_at=LONG_AGO,
    )  # fmt: skip
    recent = HeldRecording(
        sid="RE" + "c2".rjust(32, "0"), account_sid=network.config.account_sid,
        call_sid="CA" + "c2".rjust(32, "0"), duration=3, transcript="halo",
        created_at=NOW - timedelta(days=89),
    )  # fmt: skip
    held_call = HeldRecording(
        sid="RE" + "c3".rjust(32, "0"), account_sid=network.config.account_sid,
        call_sid=kept.call_sid, duration=3, transcript="halo", created_at=LONG_AGO,
    )  # fmt: skip
    with network.lock:
        for recording in (lost, recent, held_call):
            network.recordings[recording.sid] = recording
    holds.place_hold(None, jan.id, "complaint")

    dry = purge(PERIODS, telephony.current(), now=NOW, dry_run=True)
    assert dry.counts["unknown_recordings"] == 1 and at_twilio(phone_network, lost.sid)
    report = purge(PERIODS, telephony.current(), now=NOW)

    assert report.counts["unknown_recordings"] == 1
    assert report.held["unknown_recordings"] == 1
    assert not at_twilio(phone_network, lost.sid)
    assert at_twilio(phone_network, recent.sid) and at_twilio(phone_network, held_call.sid)
    assert at_twilio(phone_network, kept.voicemail_sid)
