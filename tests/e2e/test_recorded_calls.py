"""Recorded consultant calls through the emulator, as Twilio would run them: the notice in the
caller's language, declining by key, a recorded room paused and resumed from the desk, and the
recording downloaded (through an outage, by the job's retry), stored, deleted at Twilio and
played back on the desk."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
import requests
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from customers.models import AuditEntry
from recordings.models import Recording
from routing.models import CallRecord
from tests.e2e.conftest import CONTROL, PATIENCE_SECONDS, Centre, running_centre, wait_for
from tests.e2e.test_call_control import Desk

pytestmark = [pytest.mark.slow, pytest.mark.e2e]

CALLERS = {
    "pl": ("+48601000001", "rozmowa z konsultantem jest nagrywana"),
    "en": ("+447400123456", "your call with a consultant is recorded"),
    "uk": ("+48601000003", "розмова з консультантом записується"),
    "ro": ("+48601000004", "apelul cu un consultant este înregistrat"),
}
JAN = CALLERS["pl"][0]
STRANGER = "+48601999002"


@pytest.fixture(scope="module")
def recording_centre(
    tmp_path_factory: pytest.TempPathFactory, redis_url: str, database_url: str
) -> Iterator[Centre]:
    """A centre whose queue records calls (callers may decline with 9) and which deletes each
    recording at Twilio once it is stored."""
    folder = tmp_path_factory.mktemp("recording-centre")
    redis = redis_url.rsplit("/", 1)[0] + "/12"
    # A database of its own, always (a SQLite file in its folder): on PostgreSQL the run's one
    # database is the shared centre's, whose router would close this centre's calls as unknown
    # to its own network, and whose demo data this centre's start would load again.
    with running_centre(
        folder,
        redis,
        "sqlite://",
        HOTLINE_RECORD_CALLS="1",
        HOTLINE_RECORDING_DELETE_AT_TWILIO="1",
    ) as centre:
        yield centre


def database(centre: Centre) -> Session:
    return Session(create_engine(centre.env["DATABASE_URL"]))


def heard(centre: Centre, sid: str) -> str:
    return " ".join(e.get("text", "") for e in centre.call(sid)["events"] if e["kind"] == "say")


def ended(centre: Centre, sid: str) -> dict:  # type: ignore[type-arg]
    return wait_for(
        lambda: (lambda call: call if call["status"] == "completed" else None)(centre.call(sid)),
        what=f"call {sid} to end",
    )


def record_of(centre: Centre, sid: str) -> CallRecord:
    with database(centre) as session:

        def kept() -> CallRecord | None:
            session.expire_all()
            record = session.scalars(select(CallRecord).where(CallRecord.call_sid == sid)).first()
            return record if record is not None and record.recording_reason else None

        return wait_for(kept, what=f"the record of {sid}")


def held_recordings(centre: Centre) -> list[dict]:  # type: ignore[type-arg]
    return requests.get(
        f"{centre.emulator}/emulator/recordings", headers=CONTROL, timeout=10
    ).json()


@pytest.mark.parametrize("language", list(CALLERS))
def test_the_caller_hears_the_recording_notice_in_their_language(recording_centre, language):
    centre = recording_centre
    number, notice = CALLERS[language]

    sid = centre.place_call(number, [{"press": "0"}, {"silence": True}, {"hangup": True}])
    ended(centre, sid)

    assert notice in heard(centre, sid)


def test_a_caller_who_presses_9_is_not_recorded_and_the_record_says_why(recording_centre):
    centre = recording_centre
    sid = centre.place_call(STRANGER, [{"press": "0"}, {"press": "9"}, {"hangup": True}])
    ended(centre, sid)

    assert "nie będzie nagrywana" in heard(centre, sid)
    record = record_of(centre, sid)
    assert (record.recorded, record.recording_reason) == (False, "declined")


@pytest.fixture
def anna(recording_centre: Centre) -> Iterator[Desk]:
    """Anna at the desk, her softphone on the network; afterwards she hangs up and goes."""
    centre = recording_centre
    session, token = centre.desk_session("anna")
    page = session.get(f"{centre.web}/desk/").text
    identity = re.search(r'data-identity="([^"]+)"', page)
    assert identity
    desk = Desk(centre, session, token, "client:" + identity.group(1))
    yield desk
    desk.hang_up()
    wait_for(lambda: desk.state()["state"] not in ("on-call", "ringing"), what="calm")
    desk.go("offline")


def the_recording(centre: Centre, sid: str, status: str) -> dict:  # type: ignore[type-arg]
    """Wait until the network's recording of the caller's room is in a status."""
    return wait_for(
        lambda: next(
            (r for r in held_recordings(centre) if r["call_sid"] == sid and r["status"] == status),
            None,
        ),
        what=f"the room's recording to be {status}",
    )


def test_a_recorded_call_paused_and_resumed_is_stored_deleted_at_twilio_and_played(
    recording_centre, anna
):
    centre = recording_centre
    anna.go("available")
    scale = float(centre.env["EMULATOR_TIME_SCALE"])
    sid = centre.place_call(
        JAN, [{"press": "0"}, {"silence": True}, {"wait": PATIENCE_SECONDS / scale}]
    )
    anna.answer()
    recording = the_recording(centre, sid, "in-progress")
    assert recording["channels"] == 2
    assert recording["call_sid"] == sid, "the caller joined the room first: the first channel"
    assert anna.room().get("recorded"), "the desk says the call is recorded"
    wait_for(lambda: anna.room().get("recording_live"), what="the desk to hear it has started")

    paused = anna.act("/desk/api/call/recording", {"paused": True})
    assert paused["recording_paused"] is True
    the_recording(centre, sid, "paused")
    resumed = anna.act("/desk/api/call/recording", {"paused": False})
    assert resumed["recording_paused"] is False
    the_recording(centre, sid, "in-progress")
    # Twilio cannot serve the file for a moment: the download job must retry.
    requests.post(
        f"{centre.emulator}/emulator/recordings/outage",
        json={"failures": 1},
        headers=CONTROL,
        timeout=10,
    ).raise_for_status()
    anna.hang_up()

    with database(centre) as session:

        def stored() -> Recording | None:
            session.expire_all()
            found = session.scalars(
                select(Recording).where(Recording.call_sid == sid, Recording.kind == "call")
            ).first()
            return found if found is not None and found.network_deleted_at is not None else None

        kept = wait_for(stored, what="the recording to be stored and deleted at Twilio")
        actions = [
            entry.action
            for entry in session.scalars(select(AuditEntry).order_by(AuditEntry.id))
            if (entry.changes or {}).get("call_sid") == sid
        ]
    assert kept.stored_at is not None and kept.size_bytes and kept.sha256
    assert kept.recording_sid == recording["sid"] and kept.channels == 2
    assert all(r["sid"] != kept.recording_sid for r in held_recordings(centre))
    assert "call.recording-pause" in actions and "call.recording-resume" in actions
    record = record_of(centre, sid)
    assert (record.recorded, record.recording_reason) == (True, "notice_given")

    played = anna.session.get(
        f"{centre.web}/desk/recordings/{kept.id}/audio", headers={"Range": "bytes=0-43"}
    )
    assert played.status_code == 206 and played.content[:4] == b"RIFF"
    with database(centre) as session:
        plays = [
            entry
            for entry in session.scalars(select(AuditEntry))
            if entry.action == "recording.play" and entry.changes.get("call_sid") == sid
        ]
    assert len(plays) == 1 and plays[0].changes["grounds"] == "call"
