"""The things a phone network keeps: calls, queues, conferences, endpoints, messages, recordings."""

from __future__ import annotations

import math
import re
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any

from emulator.caller import Caller
from emulator.exceptions import CallEnded, CallRedirected

ADDRESS_PATTERN = re.compile(r"^(client:[\w.@+-]+|\+?[0-9]{3,15})$")
FINAL_CALL_STATUSES = frozenset({"completed", "busy", "failed", "no-answer", "canceled"})
MAX_EVENTS_PER_CALL = 5000


def new_sid(prefix: str) -> str:
    """Return a Twilio-shaped sid: a two-letter prefix and 32 hex digits."""
    return prefix + uuid.uuid4().hex


def utcnow() -> datetime:
    """Return the current time in UTC."""
    return datetime.now(UTC)


def rfc2822(moment: datetime | None) -> str | None:
    """Format a time the way Twilio's REST API does ("Tue, 31 Aug 2010 20:36:28 +0000")."""
    return format_datetime(moment) if moment else None


@dataclass
class Event:
    """One line of what happened on a call, as the control API shows it."""

    seq: int
    t: float
    kind: str
    text: str
    fields: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """Return the event as flat JSON."""
        return {"seq": self.seq, "t": round(self.t, 3), "kind": self.kind, "text": self.text} | {
            key: value for key, value in self.fields.items() if value is not None
        }


@dataclass
class StatusCallback:
    """Where and when to report a call's progress."""

    url: str
    method: str = "POST"
    events: frozenset[str] = frozenset({"completed"})


@dataclass(eq=False)
class Call:
    """One call leg and everything the network knows about it."""

    sid: str
    account_sid: str
    from_: str
    to: str
    direction: str
    caller: Caller
    max_duration: float
    # A call held by a page: it hangs up if the page stops asking after it for this long.
    heartbeat: float | None = None
    last_heard_from: float = field(default_factory=time.monotonic)
    parent_call_sid: str | None = None
    status: str = "queued"
    created_at: datetime = field(default_factory=utcnow)
    updated_at: datetime = field(default_factory=utcnow)
    started: float = field(default_factory=time.monotonic)
    answered_at: datetime | None = None
    answered: float | None = None
    ended_at: datetime | None = None
    ended: float | None = None
    status_callback: StatusCallback | None = None
    url: str | None = None
    method: str = "POST"
    # The number's "primary handler fails" URL (inbound calls to the hotline number only).
    fallback_url: str | None = None
    twiml: str | None = None
    ring_timeout: float = 60.0
    ring_outcome: str | None = None
    endpoint_address: str | None = None
    # Who picked up: "person" (by hand), "auto" (an auto-answering endpoint) or "voicemail".
    answered_by: str | None = None
    # The TwiML a <Number url> or <Client url> runs on this dialled leg before it is bridged.
    screen_url: str | None = None
    screen_method: str = "POST"
    screening: bool = False
    screened: bool = False
    queue_sid: str | None = None
    queue_time: int = 0
    conference_sid: str | None = None
    # Set by the network when the call's conference changed in a way its thread must follow.
    conference_changed: bool = False
    listening: bool = False
    wrapped_up: bool = False
    pending_end: CallEnded | None = None
    pending_redirect: CallRedirected | None = None
    pending_bridge: Bridge | None = None
    thread: threading.Thread | None = None
    events: list[Event] = field(default_factory=list)
    _next_seq: int = 1
    _events_lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def is_final(self) -> bool:
        """Tell whether the call has ended."""
        return self.status in FINAL_CALL_STATUSES

    @property
    def duration(self) -> int:
        """Return the answered time in whole seconds, rounded up as billing does."""
        if self.answered is None:
            return 0
        end = self.ended if self.ended is not None else time.monotonic()
        return math.ceil(max(0.0, end - self.answered))

    def elapsed(self) -> float:
        """Return seconds since the call started."""
        return time.monotonic() - self.started

    def record(self, kind: str, text: str, **fields: Any) -> Event:
        """Append an event to the call's transcript."""
        with self._events_lock:
            event = Event(self._next_seq, self.elapsed(), kind, text, fields)
            self._next_seq += 1
            self.events.append(event)
            if len(self.events) > MAX_EVENTS_PER_CALL:
                del self.events[: len(self.events) - MAX_EVENTS_PER_CALL]
        return event

    def events_after(self, seq: int) -> list[Event]:
        """Return the events newer than seq."""
        with self._events_lock:
            return [event for event in self.events if event.seq > seq]

    def summary(self) -> dict[str, Any]:
        """Return the call as the control API lists it."""
        return {
            "sid": self.sid,
            "from": self.from_,
            "to": self.to,
            "status": self.status,
            "direction": self.direction,
            "parent_call_sid": self.parent_call_sid,
            "scripted": self.caller.scripted,
            "queue_sid": self.queue_sid,
            "started_at": self.created_at.isoformat(),
            "duration": self.duration,
        }


@dataclass(eq=False)
class Bridge:
    """A queued caller connected by somebody's <Dial><Queue>."""

    agent_call_sid: str
    caller_call_sid: str
    queue_sid: str
    queue_time: int
    url: str | None = None
    method: str = "POST"
    state: str = "pending"
    connected: float | None = None
    ended: float | None = None
    ended_by: str | None = None

    @property
    def duration(self) -> int:
        """Return how long the two parties talked, in whole seconds."""
        if self.connected is None:
            return 0
        end = self.ended if self.ended is not None else time.monotonic()
        return math.ceil(max(0.0, end - self.connected))


@dataclass
class QueueMember:
    """A call waiting in a queue."""

    call_sid: str
    enqueued_at: datetime = field(default_factory=utcnow)
    enqueued: float = field(default_factory=time.monotonic)

    def wait_time(self) -> int:
        """Return the seconds this caller has waited."""
        return int(time.monotonic() - self.enqueued)


@dataclass(eq=False)
class Queue:
    """A named call queue."""

    sid: str
    friendly_name: str
    max_size: int = 100
    created_at: datetime = field(default_factory=utcnow)
    updated_at: datetime = field(default_factory=utcnow)
    members: list[QueueMember] = field(default_factory=list)
    total_wait: float = 0.0
    served: int = 0

    @property
    def average_wait_time(self) -> int:
        """Return the mean wait of callers who have left the queue, in seconds."""
        return int(self.total_wait / self.served) if self.served else 0

    def position_of(self, call_sid: str) -> int | None:
        """Return the 1-based position of a call, or None when it is not waiting here."""
        for index, member in enumerate(self.members):
            if member.call_sid == call_sid:
                return index + 1
        return None

    def member(self, call_sid: str) -> QueueMember | None:
        """Return the member entry for a call."""
        position = self.position_of(call_sid)
        return self.members[position - 1] if position else None


@dataclass(eq=False)
class Endpoint:
    """A phone or a browser client that a Dial or an outbound call can ring."""

    address: str
    state: str = "idle"
    call_sid: str | None = None
    parent_call_sid: str | None = None
    caller_id: str | None = None
    since: datetime = field(default_factory=utcnow)
    auto_answer: bool = False
    hangup_after: float | None = None
    script: list[dict[str, Any]] | None = None
    screen_digits: str | None = None
    voicemail_after: float | None = None
    answered_by: str | None = None

    def to_json(self) -> dict[str, Any]:
        """Return the endpoint as the control API shows it."""
        return {
            "address": self.address,
            "state": self.state,
            "call_sid": self.call_sid,
            "parent_call_sid": self.parent_call_sid,
            "from": self.caller_id,
            "since": self.since.isoformat(),
            "auto_answer": self.auto_answer,
            "hangup_after": self.hangup_after,
            "script": self.script,
            "screen_digits": self.screen_digits,
            "voicemail_after": self.voicemail_after,
            "answered_by": self.answered_by,
        }


@dataclass(eq=False)
class Message:
    """An SMS sent through the REST API."""

    sid: str
    account_sid: str
    to: str
    from_: str | None
    body: str
    messaging_service_sid: str | None = None
    status: str = "queued"
    status_callback: str | None = None
    created_at: datetime = field(default_factory=utcnow)
    updated_at: datetime = field(default_factory=utcnow)
    sent_at: datetime | None = None

    @property
    def num_segments(self) -> int:
        """Return how many SMS segments the body needs."""
        single, multi = (160, 153) if self.body.isascii() else (70, 67)
        if len(self.body) <= single:
            return 1
        return math.ceil(len(self.body) / multi)

    def to_json(self) -> dict[str, Any]:
        """Return the message as the control API lists it."""
        return {
            "sid": self.sid,
            "to": self.to,
            "from": self.from_,
            "messaging_service_sid": self.messaging_service_sid,
            "body": self.body,
            "status": self.status,
            "date_created": self.created_at.isoformat(),
        }


@dataclass(frozen=True)
class RecordingCallback:
    """Where a recording's status callbacks go (recordingStatusCallback*), and for which events."""

    url: str
    method: str = "POST"
    events: frozenset[str] = frozenset({"completed"})


@dataclass(eq=False)
class Recording:
    """Audio a <Record> captured, or a conference's recording; the words spoken into a <Record>
    are kept so tests can check them."""

    sid: str
    account_sid: str
    call_sid: str
    duration: int
    transcript: str
    status: str = "processing"
    start_time: datetime = field(default_factory=utcnow)
    created_at: datetime = field(default_factory=utcnow)
    updated_at: datetime = field(default_factory=utcnow)
    # A conference's recording: its room, two channels (the first participant, then everyone
    # else), what made it, and how long it has been paused.
    conference_sid: str | None = None
    channels: int = 1
    source: str = "RecordVerb"
    callback: RecordingCallback | None = None
    started: float = field(default_factory=time.monotonic)
    paused_since: float | None = None
    paused_seconds: float = 0.0
    pause_behavior: str = "silence"
    pauses: int = 0


@dataclass(eq=False)
class Transcription:
    """The text Twilio made of a <Record>ed message (transcribe="true")."""

    sid: str
    account_sid: str
    recording_sid: str
    status: str  # "completed" or "failed"
    text: str
    duration: int
    created_at: datetime = field(default_factory=utcnow)


CONFERENCE_CALLBACK_EVENTS = frozenset(
    {"start", "end", "join", "leave", "mute", "hold", "modify", "speaker", "announcement"}
)


@dataclass(eq=False)
class Participant:
    """A call in a conference, with the flags Twilio keeps and what its phone does itself."""

    call_sid: str
    conference_sid: str
    label: str | None = None
    muted: bool = False
    hold: bool = False
    hold_url: str | None = None
    hold_method: str = "GET"
    coaching: bool = False
    call_sid_to_coach: str | None = None
    start_conference_on_enter: bool = True
    end_conference_on_exit: bool = False
    beep_on_enter: bool = True
    beep_on_exit: bool = True
    wait_url: str | None = None
    wait_method: str = "POST"
    early_media: bool = True
    # What the person does on their own phone; Twilio never learns of it.
    mic_muted: bool = False
    phone_hold: bool = False
    joined: float | None = None
    left: float | None = None
    held_since: float | None = None
    held_total: float = 0.0
    created_at: datetime = field(default_factory=utcnow)
    updated_at: datetime = field(default_factory=utcnow)

    @property
    def connected(self) -> bool:
        """Tell whether the participant's call is in the conference now."""
        return self.joined is not None and self.left is None

    @property
    def held_seconds(self) -> float:
        """Return how long the participant has been on hold in all, in seconds."""
        if self.held_since is None:
            return self.held_total
        return self.held_total + time.monotonic() - self.held_since

    def heard(self) -> bool:
        """Tell whether anything this participant says reaches the conference."""
        return self.connected and not (self.muted or self.mic_muted or self.hold or self.phone_hold)

    def hearing(self) -> bool:
        """Tell whether this participant hears the conference (not hold music or nothing)."""
        return self.connected and not (self.hold or self.phone_hold)


@dataclass(eq=False)
class Conference:
    """A named conference room, created by the first call or REST request to use its name."""

    sid: str
    account_sid: str
    friendly_name: str
    status: str = "init"
    created_at: datetime = field(default_factory=utcnow)
    updated_at: datetime = field(default_factory=utcnow)
    created: float = field(default_factory=time.monotonic)
    participants: dict[str, Participant] = field(default_factory=dict)
    departed: list[Participant] = field(default_factory=list)
    status_callback: StatusCallback | None = None
    callback_sequence: int = 0
    reason_ended: str | None = None
    call_sid_ending: str | None = None
    # <Conference record="record-from-start">: where its recording reports, and the recording
    # made while the room is in progress.
    recording_request: RecordingCallback | None = None
    recording_sid: str | None = None
    events: list[Event] = field(default_factory=list)
    _next_seq: int = 1

    @property
    def live(self) -> bool:
        """Tell whether the conference has not ended."""
        return self.status != "completed"

    def connected(self) -> list[Participant]:
        """Return the participants in the room now, in the order they joined."""
        return [p for p in self.participants.values() if p.connected]

    def can_hear(self, listener: Participant, speaker: Participant) -> bool:
        """Tell whether listener hears speaker: nobody on hold or muted; a coach only by one."""
        if self.status != "in-progress" or listener is speaker:
            return False
        if not (listener.hearing() and speaker.heard()):
            return False
        return not speaker.coaching or speaker.call_sid_to_coach == listener.call_sid

    def record(self, kind: str, text: str, **fields: Any) -> Event:
        """Append an event to the conference's history."""
        event = Event(self._next_seq, time.monotonic() - self.created, kind, text, fields)
        self._next_seq += 1
        self.events.append(event)
        del self.events[:-MAX_EVENTS_PER_CALL]
        return event
