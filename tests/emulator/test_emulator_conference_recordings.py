"""<Conference record="record-from-start">, its recording status callbacks, pausing and
resuming through the Conference Recording resource, and downloading the two channels."""

from __future__ import annotations

import io
import time
import wave

import requests
from twilio.base.exceptions import TwilioRestException

from tests.emulator.conftest import ACCOUNT_SID, AUTH_TOKEN, TIME_SCALE
from tests.emulator.test_emulator_conferences import (
    PATIENCE,
    conference_state,
    join_caller_and_consultant,
    wait_for,
)

RECORDED = {
    "record": "record-from-start",
    "recording_status_callback": "/recording-status",
    "recording_status_callback_event": "in-progress completed absent",
    "end_conference_on_exit": True,
}


def media(phone, recording_sid: str, **params: str) -> requests.Response:
    url = f"{phone.base}/2010-04-01/Accounts/{ACCOUNT_SID}/Recordings/{recording_sid}.wav"
    return requests.get(url, params=params, auth=(ACCOUNT_SID, AUTH_TOKEN), timeout=10)


def channels_of(audio: bytes) -> int:
    with wave.open(io.BytesIO(audio)) as sound:
        return sound.getnchannels()


def talk_recorded(centre, phone, twilio_client):
    """Put a caller and a consultant in a recorded room and let them talk for two seconds of
    the caller's time (a room hung up within a rounded-down second of its start has no audio,
    and Twilio reports such a recording absent); return the caller, consultant and room."""
    joined = join_caller_and_consultant(centre, phone, twilio_client, **RECORDED)
    centre.wait_for("/recording-status", timeout=PATIENCE)
    time.sleep(2 * TIME_SCALE)
    return joined


def test_a_recorded_room_reports_its_recording_from_start_to_file(centre, phone, twilio_client):
    caller, _consultant, conference_sid = talk_recorded(centre, phone, twilio_client)
    started = centre.requests_to("/recording-status")[0].form

    phone.post(f"/emulator/calls/{caller}/hangup")
    forms = [seen.form for seen in centre.wait_for("/recording-status", count=2, timeout=PATIENCE)]

    assert started["RecordingStatus"] == "in-progress"
    assert started["ConferenceSid"] == conference_sid
    done = forms[1]
    assert done["RecordingStatus"] == "completed"
    assert done["RecordingSid"] == started["RecordingSid"]
    assert done["RecordingChannels"] == "2" and done["RecordingSource"] == "Conference"
    assert int(done["RecordingDuration"]) >= 0
    assert all(seen.signed for seen in centre.requests_to("/recording-status"))
    listed = twilio_client.conferences(conference_sid).recordings.list()
    assert [r.sid for r in listed] == [done["RecordingSid"]]
    assert listed[0].status == "completed" and listed[0].channels == 2


def test_the_file_downloads_in_one_channel_unless_both_are_asked_for(centre, phone, twilio_client):
    caller, _consultant, _room = talk_recorded(centre, phone, twilio_client)
    phone.post(f"/emulator/calls/{caller}/hangup")
    done = centre.wait_for("/recording-status", count=2, timeout=PATIENCE)[1].form

    mono = media(phone, done["RecordingSid"])
    both = media(phone, done["RecordingSid"], RequestedChannels="2")

    assert mono.status_code == both.status_code == 200
    assert channels_of(mono.content) == 1 and channels_of(both.content) == 2


def test_a_paused_recording_skips_what_is_said_until_it_is_resumed(centre, phone, twilio_client):
    caller, _consultant, conference_sid = join_caller_and_consultant(
        centre, phone, twilio_client, **RECORDED
    )
    room = twilio_client.conferences(conference_sid)
    centre.wait_for("/recording-status", timeout=PATIENCE)

    paused = room.recordings("Twilio.CURRENT").update(status="paused", pause_behavior="skip")
    resumed = room.recordings("Twilio.CURRENT").update(status="in-progress")
    phone.post(f"/emulator/calls/{caller}/hangup")
    centre.wait_for("/recording-status", count=2, timeout=PATIENCE)
    held = phone.get("/emulator/recordings").json()

    assert paused.status == "paused" and resumed.status == "in-progress"
    (recording,) = [r for r in held if r["conference_sid"] == conference_sid]
    assert recording["pauses"] == 1 and recording["paused_seconds"] > 0
    assert "recording" in [e["kind"] for e in conference_state(phone, conference_sid)["events"]]


def test_a_finished_recording_cannot_be_paused(centre, phone, twilio_client):
    caller, _consultant, conference_sid = join_caller_and_consultant(
        centre, phone, twilio_client, **RECORDED
    )
    phone.post(f"/emulator/calls/{caller}/hangup")
    done = centre.wait_for("/recording-status", count=2, timeout=PATIENCE)[1].form

    try:
        twilio_client.conferences(conference_sid).recordings(done["RecordingSid"]).update(
            status="paused"
        )
    except TwilioRestException as error:
        assert error.status == 400
    else:
        raise AssertionError("a finished recording was paused")


def test_an_outage_fails_media_downloads_until_it_is_over(centre, phone, twilio_client):
    caller, _consultant, _room = talk_recorded(centre, phone, twilio_client)
    phone.post(f"/emulator/calls/{caller}/hangup")
    done = centre.wait_for("/recording-status", count=2, timeout=PATIENCE)[1].form
    assert phone.post("/emulator/recordings/outage", {"failures": 2}).ok

    answers = [media(phone, done["RecordingSid"]).status_code for _ in range(3)]

    assert answers == [503, 503, 200]


def test_a_room_without_record_makes_no_recording(centre, phone, twilio_client):
    caller, _consultant, conference_sid = join_caller_and_consultant(
        centre, phone, twilio_client, end_conference_on_exit=True
    )
    phone.post(f"/emulator/calls/{caller}/hangup")
    wait_for(
        lambda: conference_state(phone, conference_sid)["status"] == "completed",
        what="the room to end",
    )

    assert twilio_client.conferences(conference_sid).recordings.list() == []
    assert centre.requests_to("/recording-status") == []
