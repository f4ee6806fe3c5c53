"""A recorded consultant call after it ends: downloaded from the phone network by an RQ job,
stored and checked, linked to its call, deleted at Twilio if the office wants; a repeated or
late report stores nothing twice; a failed download is retried; playback on grounds, audited,
by Range, and plain words when the audio is gone."""

from __future__ import annotations

import hashlib
import io
import wave
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import requests
from rq.registry import ScheduledJobRegistry
from rq.scheduler import RQScheduler
from sqlalchemy import func, select

from consultants.models import Consultant
from customers.models import AuditEntry, Contact, Customer
from emulator.models import Recording as HeldRecording
from emulator.models import RecordingCallback
from hotline.db import db
from hotline.jobs import jobs
from hotline.redis_client import redis_conn
from hotline.settings import RETENTION_DEFAULTS, Settings
from hotline.telephony import telephony
from privacy.retention import purge
from recordings.models import Recording
from recordings.storage import make_store
from routing.models import CallLeg, CallOutcome, CallRecord
from tests.agent_desk.test_desk import sign_in
from tests.conftest import control_headers

CALL = "CA" + "8" * 32
ROOM = "CF" + "8" * 32
STARTED = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)


@pytest.fixture
def settings(settings: Settings, tmp_path: Path) -> Settings:
    """A centre that keeps recordings in a folder of the test's and deletes them at Twilio."""
    return settings.with_overrides(
        recording_folder=str(tmp_path / "recordings"), recording_delete_at_network=True
    )


def person(login: str) -> Consultant:
    return db.session.scalars(select(Consultant).where(Consultant.login == login)).one()


@pytest.fixture
def maria_called(app, demo) -> Customer:
    """Maria (Piotr's customer) called; Olena took the call."""
    maria = db.session.scalars(select(Customer).where(Customer.phone == "+48601000002")).one()
    olena = person("olena")
    db.session.add_all(
        [
            CallRecord(
                call_sid=CALL, caller_number=maria.phone, customer_id=maria.id,
                advisor_id=maria.advisor_id, consultant_id=olena.id, queued_at=STARTED,
                answered_at=STARTED, ended_at=STARTED + timedelta(minutes=4),
                outcome=CallOutcome.ANSWERED, recorded=True, recording_reason="notice_given",
            ),
            CallLeg(call_sid=CALL, position=0, kind="queue", consultant_id=olena.id,
                    started_at=STARTED),
            Contact(call_sid=CALL, customer_id=maria.id, consultant_id=olena.id,
                    channel="phone", started_at=STARTED, outcome="resolved",
                    wrapped_up_at=STARTED, ended_at=STARTED),
        ]
    )  # fmt: skip
    db.session.commit()
    return maria


def held_at_twilio(phone_network, seconds: int = 7) -> HeldRecording:
    """A finished two-channel recording of the call's room, as the network holds it."""
    network = phone_network.network
    recording = HeldRecording(
        sid="RE" + "8" * 32, account_sid=network.config.account_sid, call_sid=CALL,
        duration=seconds, transcript="", status="completed", conference_sid=ROOM, channels=2,
        source="Conference", callback=RecordingCallback("/recordings/status"),
    )  # fmt: skip
    with network.lock:
        network.recordings[recording.sid] = recording
    return recording


def report(twilio, held: HeldRecording, status: str = "completed"):  # type: ignore[no-untyped-def]
    """Send the room's recording status callback, as Twilio does."""
    form = {
        "AccountSid": held.account_sid,
        "ConferenceSid": ROOM,
        "RecordingSid": held.sid,
        "RecordingUrl": f"https://api.twilio.com/2010-04-01/Accounts/{held.account_sid}"
        f"/Recordings/{held.sid}",
        "RecordingStatus": status,
        "RecordingChannels": "2",
        "RecordingSource": "Conference",
    }
    if status != "in-progress":
        form["RecordingDuration"] = str(held.duration)
    return twilio.post(f"/recordings/status?kind=call&call={CALL}", form)


def stored() -> list[Recording]:
    db.session.expire_all()
    return list(db.session.scalars(select(Recording).where(Recording.call_sid == CALL)))


def file_of(settings: Settings, recording: Recording) -> Path:
    assert recording.stored_key
    return Path(settings.recording_folder) / recording.stored_key


def test_a_finished_recording_is_stored_checked_linked_and_deleted_at_twilio(
    app, settings, twilio, maria_called, phone_network
):
    held = held_at_twilio(phone_network)

    assert report(twilio, held).status_code == 200

    (recording,) = stored()
    audio = file_of(settings, recording).read_bytes()
    assert recording.kind == "call" and recording.conference_sid == ROOM
    assert recording.size_bytes == len(audio)
    assert recording.sha256 == hashlib.sha256(audio).hexdigest()
    with wave.open(io.BytesIO(audio)) as sound:
        assert sound.getnchannels() == 2, "both channels: the caller, and the consultants"
    assert recording.network_deleted_at is not None
    assert phone_network.network.recording(held.sid) is None, "deleted at Twilio once safe"
    legs = db.session.scalars(select(CallLeg).where(CallLeg.call_sid == recording.call_sid))
    assert [leg.consultant_id for leg in legs] == [person("olena").id]


def test_a_repeated_or_late_report_stores_nothing_twice(
    app, settings, twilio, maria_called, phone_network
):
    held = held_at_twilio(phone_network)
    report(twilio, held)
    (first,) = stored()
    kept_at, kept_file = first.stored_at, file_of(settings, first).stat().st_mtime_ns

    report(twilio, held)  # Twilio sends it again: gone at Twilio by now, and not needed
    report(twilio, held, status="in-progress")  # a late report of the start

    (again,) = stored()
    assert again.id == first.id and again.stored_at == kept_at
    assert again.status == "completed"
    assert file_of(settings, again).stat().st_mtime_ns == kept_file
    assert len(list(Path(settings.recording_folder).rglob("*.wav"))) == 1


def test_a_failed_download_is_retried_with_backoff_and_then_stored(
    app, settings, twilio, maria_called, phone_network, worker
):
    held = held_at_twilio(phone_network)
    outage = phone_network.url + "/emulator/recordings/outage"
    requests.post(outage, json={"failures": 1}, headers=control_headers(phone_network), timeout=5)

    report(twilio, held)
    worker()

    (waiting,) = stored()
    assert waiting.stored_at is None, "the outage kept the audio from us"
    queue = jobs.queue()
    scheduled = ScheduledJobRegistry(queue=queue)
    job_id = f"download-{held.sid}"
    assert job_id in scheduled.get_job_ids(), "the download waits for its retry"
    job = queue.fetch_job(job_id)
    assert job is not None and job.retries_left is not None and job.retries_left < 8

    # The retry's time comes: the scheduler moves the job back to its queue.
    scheduled.schedule(job, datetime.now(UTC))
    scheduler = RQScheduler([queue], connection=redis_conn.raw)
    scheduler.acquire_locks()
    scheduler.enqueue_scheduled_jobs()
    scheduler.release_locks()
    worker()

    (done,) = stored()
    assert done.stored_at is not None and done.size_bytes
    assert file_of(settings, done).is_file()


def played(client, recording: Recording, headers: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    return client.get(f"/desk/recordings/{recording.id}/audio", headers=headers or {})


def playbacks() -> int:
    db.session.expire_all()
    query = select(func.count()).where(AuditEntry.action == "recording.play")
    return int(db.session.scalar(query) or 0)


def test_the_consultant_who_took_the_call_plays_it_by_range_audited_once(
    app, client, twilio, maria_called, phone_network
):
    report(twilio, held_at_twilio(phone_network))
    (recording,) = stored()
    sign_in(client, "olena")

    start = played(client, recording, {"Range": "bytes=0-99"})
    later = played(client, recording, {"Range": "bytes=100-"})

    assert start.status_code == later.status_code == 206
    assert start.headers["Content-Range"] == f"bytes 0-99/{recording.size_bytes}"
    assert len(start.data) == 100 and len(later.data) == recording.size_bytes - 100
    assert "no-store" in start.headers["Cache-Control"]
    assert playbacks() == 1, "one playback, asked for in pieces"
    entry = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "recording.play")
    ).one()
    assert entry.customer_id == maria_called.id and entry.changes["grounds"] == "call"
    assert played(client, recording).status_code == 200
    assert playbacks() == 2, "playing it again from the start is a new playback"


def test_the_callers_advisor_plays_it_and_a_colleague_without_grounds_is_refused(
    app, client, twilio, maria_called, phone_network
):
    report(twilio, held_at_twilio(phone_network))
    (recording,) = stored()
    sign_in(client, "anna")

    refused = played(client, recording)

    assert refused.status_code == 403 and refused.mimetype == "text/plain"
    assert "powód" in refused.get_data(as_text=True), "the refusal says a reason would do"
    assert playbacks() == 0
    client.post("/desk/logout", data={})
    sign_in(client, "piotr")
    assert played(client, recording).status_code == 200
    entry = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "recording.play")
    ).one()
    assert entry.changes["grounds"] == "own"


def test_a_recording_whose_audio_is_gone_says_so(
    app, settings, client, twilio, maria_called, phone_network
):
    report(twilio, held_at_twilio(phone_network))
    (recording,) = stored()
    file_of(settings, recording).unlink()
    sign_in(client, "piotr")

    gone = played(client, recording)
    page = client.get(f"/desk/customers/{maria_called.id}").get_data(as_text=True)

    assert gone.status_code == 410
    assert gone.mimetype == "text/plain"
    assert "już nie istnieje" in gone.get_data(as_text=True), "in the desk's language, Polish"
    assert "już nie istnieje" in page


def test_the_callers_record_offers_the_recording_to_play(
    app, client, twilio, maria_called, phone_network
):
    report(twilio, held_at_twilio(phone_network))
    (recording,) = stored()
    sign_in(client, "piotr")

    page = client.get(f"/desk/customers/{maria_called.id}").get_data(as_text=True)

    assert f'src="/desk/recordings/{recording.id}/audio"' in page


def test_the_purge_deletes_an_expired_call_recording_here_and_at_twilio(
    app, settings, twilio, maria_called, phone_network
):
    unsaved = settings.with_overrides(recording_delete_at_network=False)
    app.extensions["hotline.routing"] = replace(app.extensions["hotline.routing"], settings=unsaved)
    held = held_at_twilio(phone_network)
    report(twilio, held)
    (recording,) = stored()
    audio = file_of(settings, recording)
    assert audio.is_file() and phone_network.network.recording(held.sid) is not None
    periods = dict(RETENTION_DEFAULTS)
    later = recording.created_at + timedelta(days=periods["call_recordings"] + 1)

    with app.app_context():
        store = make_store(settings.recording_folder)
        report_of = purge(periods, telephony.current(), now=later, store=store)

    assert report_of.counts["call_recordings"] == 1
    assert stored() == [] and not audio.exists()
    assert phone_network.network.recording(held.sid) is None
