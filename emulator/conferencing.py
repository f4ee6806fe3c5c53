"""<Dial><Conference> from a participant's side: joining, waiting, hold music and leaving.

The room itself (who is in it, who hears whom, its callbacks) is network state; this module
is what one participant's call thread does while it is in the room.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from emulator.exceptions import (
    ApplicationError,
    CallEnded,
    CallRedirected,
    ConferenceChanged,
)
from emulator.models import (
    CONFERENCE_CALLBACK_EVENTS,
    Participant,
    RecordingCallback,
    StatusCallback,
)
from emulator.queueing import HOLD_MUSIC_SECONDS
from emulator.twiml import CONFERENCE_MEDIA_VERBS, Fetch, Verb

if TYPE_CHECKING:
    from emulator.engine import CallRunner

DEFAULT_CONFERENCE_EVENTS = frozenset({"start", "end"})
# recordingStatusCallbackEvent of <Conference>: in-progress, completed, absent (default completed).
RECORDING_EVENTS = frozenset({"in-progress", "completed", "absent"})


def conference(runner: CallRunner, noun: Verb, document_url: str, time_limit: float) -> None:
    """Stay in the named conference until the call leaves it or the room ends."""
    name = noun.text
    if not name:
        raise ApplicationError("<Conference> without a name", document_url)
    network = runner.network
    call = runner.call
    network.join_conference(
        name,
        call,
        participant_from_noun(runner, noun, document_url),
        _status_callback(runner, noun, document_url),
        _recording(runner, noun, document_url),
    )
    try:
        _stay(runner, time.monotonic() + time_limit)
    except CallEnded:
        runner.ending = True
        network.leave_conference(call, "hung up")
        raise
    except CallRedirected:
        network.leave_conference(call, "the call was updated with new TwiML")
        raise
    finally:
        with network.changed:
            call.conference_changed = False


def participant_from_noun(runner: CallRunner, noun: Verb, document_url: str) -> Participant:
    """Read a participant's settings from the <Conference> noun's attributes."""
    beep = (noun.attr("beep") or "true").strip()
    coach = noun.attr("coach") or None
    wait_url = noun.attr("waitUrl")
    return Participant(
        call_sid=runner.call.sid,
        conference_sid="",
        label=noun.attr("participantLabel") or None,
        muted=noun.flag("muted"),
        coaching=coach is not None,
        call_sid_to_coach=coach,
        start_conference_on_enter=noun.flag("startConferenceOnEnter", True),
        end_conference_on_exit=noun.flag("endConferenceOnExit"),
        beep_on_enter=beep in ("true", "onEnter"),
        beep_on_exit=beep in ("true", "onExit"),
        wait_url=None if wait_url is None else runner.resolve(wait_url, document_url) or "",
        wait_method=(noun.attr("waitMethod") or "POST").upper(),
    )


def _status_callback(runner: CallRunner, noun: Verb, document_url: str) -> StatusCallback | None:
    url = runner.resolve(noun.attr("statusCallback"), document_url)
    if url is None:
        return None
    words = (noun.attr("statusCallbackEvent") or "").replace(",", " ").split()
    events = frozenset(words) & CONFERENCE_CALLBACK_EVENTS or DEFAULT_CONFERENCE_EVENTS
    return StatusCallback(url, (noun.attr("statusCallbackMethod") or "POST").upper(), events)


def _recording(runner: CallRunner, noun: Verb, document_url: str) -> RecordingCallback | None:
    """Read record="record-from-start" and its recordingStatusCallback* attributes."""
    if (noun.attr("record") or "do-not-record") != "record-from-start":
        return None
    url = runner.resolve(noun.attr("recordingStatusCallback"), document_url) or ""
    words = (noun.attr("recordingStatusCallbackEvent") or "").replace(",", " ").split()
    events = frozenset(words) & RECORDING_EVENTS or frozenset({"completed"})
    method = (noun.attr("recordingStatusCallbackMethod") or "POST").upper()
    return RecordingCallback(url, method, events)


def _stay(runner: CallRunner, deadline: float) -> None:
    network = runner.network
    while True:
        try:
            mode, participant = network.conference_mode(runner.call)
            if participant is None:
                return
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                runner.call.record("hangup", "the dial reached its time limit")
                network.leave_conference(runner.call, "the dial reached its time limit")
                return
            if mode == "talk":
                runner.pause(remaining)
            elif mode == "wait":
                _play_media(runner, participant.wait_url, participant.wait_method, "wait music")
            else:
                _play_media(runner, participant.hold_url, participant.hold_method, "hold music")
        except ConferenceChanged:
            continue


def _play_media(runner: CallRunner, url: str | None, method: str, music: str) -> None:
    """Play wait or hold media over and over until the conference changes."""
    while True:
        if url is None:
            runner.call.record("play", f"♪ {music}", url=None)
            runner.pause(runner.config.scaled(HOLD_MUSIC_SECONDS))
            continue
        if url == "":
            runner.pause(runner.call.max_duration)
            continue
        step: Fetch | None = Fetch(url, method)
        try:
            while step is not None:
                verbs, document_url = runner.fetch_document(step.url, step.method, step.params)
                outcome = runner.run_verbs(verbs, document_url, CONFERENCE_MEDIA_VERBS)
                step = outcome if isinstance(outcome, Fetch) else None
        except ApplicationError as error:
            runner.call.record(
                "error", f"{music} failed: {error.reason}", url=error.url, status=error.status
            )
            runner.pause(runner.call.max_duration)
