"""Twilio's transcription of a voicemail reaches the inbox: through the emulator, signed; and
a repeated, early or failed report never loses or blanks what came."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select

from hotline.db import db
from hotline.settings import Settings
from recordings.models import Recording
from tests.agent_desk.test_desk import sign_in
from tests.conftest import TwilioSigner
from tests.ivr.conftest import Line, serve_line

JAN = "+48601000001"
SAID = "Dzień dobry, proszę o telefon w sprawie zasiłku, nie wiem jakie dokumenty przynieść"
PATIENCE_SECONDS = 60.0


@pytest.fixture
def closed_line(settings: Settings, app: Any, content: Any) -> Iterator[Line]:
    """Return the hotline at an hour when consultants are away, so callers leave messages."""
    yield from serve_line(settings, consultant_hours="mon 00:00-00:01")


def stored() -> Recording | None:
    db.session.expire_all()
    return db.session.scalars(select(Recording)).first()


def test_a_message_left_through_the_network_is_transcribed_and_shown_in_the_inbox(
    closed_line: Line, client: Any
) -> None:
    call = closed_line.call(JAN, [{"silence": True}, {"press": "0"}, {"press": "2"}, {"say": SAID}])

    assert "transcription" in call.kinds(), "the voicemail's TwiML asks for a transcription"
    deadline = time.monotonic() + PATIENCE_SECONDS
    while (found := stored()) is None or found.transcript_status is None:
        assert time.monotonic() < deadline, "the transcription never arrived"
        time.sleep(0.05)
    assert (found.status, found.transcript_status, found.transcript) == (
        "completed",
        "completed",
        SAID,
    )
    callbacks = [e for e in call.events if e["kind"] == "transcription-callback"]
    assert callbacks and callbacks[-1]["status"] == 200, "signed, and taken"

    sign_in(client)
    inbox = client.get("/desk/voicemail").get_data(as_text=True)
    assert "Transkrypcja" in inbox and SAID in inbox
    assert "Jan Wiśniewski" in inbox and "polski" in inbox, "the caller's language is shown"


REPORT = {
    "AccountSid": "AC" + "0" * 32,
    "CallSid": "CA" + "4" * 32,
    "RecordingSid": "RE" + "4" * 32,
    "RecordingUrl": "https://api.twilio.com/2010-04-01/Accounts/AC0/Recordings/RE4",
    "TranscriptionSid": "TR" + "4" * 32,
    "TranscriptionStatus": "completed",
    "TranscriptionText": "Proszę oddzwonić.",
}


def test_an_unsigned_transcription_is_refused_and_nothing_is_kept(
    twilio: TwilioSigner, app: Any
) -> None:
    assert twilio.post("/recordings/transcription", REPORT, signature=None).status_code == 403
    assert twilio.post("/recordings/transcription", REPORT, signature="forged").status_code == 403
    assert stored() is None


def test_a_transcription_before_the_recording_report_and_repeated_is_kept_once(
    twilio: TwilioSigner, app: Any
) -> None:
    path = "/recordings/transcription?language=pl"
    assert twilio.post(path, REPORT).status_code == 200
    assert twilio.post(path, REPORT).status_code == 200
    status = {
        "CallSid": REPORT["CallSid"], "RecordingSid": REPORT["RecordingSid"],
        "RecordingUrl": REPORT["RecordingUrl"], "RecordingStatus": "completed",
        "RecordingDuration": "9",
    }  # fmt: skip
    assert twilio.post("/recordings/status?language=pl", status).status_code == 200

    (recording,) = db.session.scalars(select(Recording)).all()
    assert (recording.status, recording.duration_seconds, recording.language) == (
        "completed", 9, "pl",
    )  # fmt: skip
    assert (recording.transcript_status, recording.transcript) == ("completed", "Proszę oddzwonić.")


def test_a_failure_reported_after_a_transcript_does_not_blank_it(
    twilio: TwilioSigner, app: Any
) -> None:
    twilio.post("/recordings/transcription", REPORT)
    failed = {**REPORT, "TranscriptionStatus": "failed", "TranscriptionText": ""}
    assert twilio.post("/recordings/transcription", failed).status_code == 200

    recording = stored()
    assert recording is not None
    assert (recording.transcript_status, recording.transcript) == ("completed", "Proszę oddzwonić.")


def test_a_failed_transcription_says_so_in_the_inbox(
    twilio: TwilioSigner, client: Any, demo: Any
) -> None:
    failed = {**REPORT, "TranscriptionStatus": "failed", "TranscriptionText": ""}
    twilio.post("/recordings/transcription", failed)
    status = {
        "CallSid": REPORT["CallSid"], "RecordingSid": REPORT["RecordingSid"],
        "RecordingUrl": REPORT["RecordingUrl"], "RecordingStatus": "completed",
        "RecordingDuration": "1",
    }  # fmt: skip
    twilio.post("/recordings/status", status)
    sign_in(client)

    inbox = client.get("/desk/voicemail").get_data(as_text=True)

    assert "Sieć telefoniczna nie mogła przepisać tej wiadomości" in inbox
