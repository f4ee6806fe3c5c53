"""The phone network's state: every call, queue, endpoint, message and recording.

All of it lives in memory behind one lock, with one condition that is notified on every
change; each live call runs in its own thread and waits on that condition.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urljoin

from emulator.caller import Caller, CallerStep, parse_script, parse_step
from emulator.config import EmulatorConfig
from emulator.engine import CallRunner
from emulator.exceptions import (
    ApplicationError,
    CallEnded,
    CallRedirected,
    EndpointStateError,
)
from emulator.models import (
    Bridge,
    Call,
    Conference,
    Endpoint,
    Message,
    Participant,
    Queue,
    QueueMember,
    Recording,
    RecordingCallback,
    StatusCallback,
    Transcription,
    new_sid,
    utcnow,
)
from emulator.prompts import say_seconds
from emulator.twiml import CONFERENCE_MEDIA_VERBS, Fetch, parse_document
from emulator.webhooks import Webhooks

log = logging.getLogger(__name__)

DEFAULT_QUEUE_SIZE = 100
CALLBACK_EVENT_SUBSCRIPTIONS = {
    "conference-start": "start",
    "conference-end": "end",
    "participant-join": "join",
    "participant-leave": "leave",
    "participant-mute": "mute",
    "participant-unmute": "mute",
    "participant-hold": "hold",
    "participant-unhold": "hold",
    "participant-modify": "modify",
    "announcement-end": "announcement",
    "announcement-fail": "announcement",
}
RECENT_CALL_SECONDS = 30.0


# The answers after which Twilio sends a transcription callback again (error 17580).
TRANSCRIPTION_RETRY_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})


class ConferenceCallbacks:
    """Sends conference status callbacks in the order they happened, from one thread."""

    def __init__(self, config: EmulatorConfig) -> None:
        self.config = config
        self.pending: queue.SimpleQueue[tuple[str, StatusCallback, dict[str, str]] | None] = (
            queue.SimpleQueue()
        )
        self.thread: threading.Thread | None = None
        self.lock = threading.Lock()

    def send(self, conference_sid: str, callback: StatusCallback, params: dict[str, str]) -> None:
        """Queue a callback; the sender thread starts on first use."""
        with self.lock:
            if self.thread is None:
                self.thread = threading.Thread(
                    target=self._run, name="conference-callbacks", daemon=True
                )
                self.thread.start()
        self.pending.put((conference_sid, callback, params))

    def _run(self) -> None:
        sessions: dict[str, Webhooks] = {}
        while (item := self.pending.get()) is not None:
            conference_sid, callback, params = item
            if conference_sid not in sessions:
                sessions[conference_sid] = Webhooks(self.config.auth_token, conference_sid)
            sessions[conference_sid].notify(callback.url, callback.method, params)
        for webhooks in sessions.values():
            webhooks.close()

    def close(self) -> None:
        """Stop the sender once what is queued has gone."""
        self.pending.put(None)


class PhoneNetwork:
    """Everything the emulated network knows, and the operations that change it."""

    def __init__(self, config: EmulatorConfig) -> None:
        self.config = config
        self.lock = threading.RLock()
        self.changed = threading.Condition(self.lock)
        self.calls: dict[str, Call] = {}
        self.queues: dict[str, Queue] = {}
        self.endpoints: dict[str, Endpoint] = {}
        self.messages: dict[str, Message] = {}
        self.recordings: dict[str, Recording] = {}
        # Media downloads to refuse with 503 (the control API's outage), for retry tests.
        self.media_failures = 0
        self.transcriptions: dict[str, Transcription] = {}
        self.conferences: dict[str, Conference] = {}
        self.conference_callbacks = ConferenceCallbacks(config)
        self.closed = False

    # Calls -------------------------------------------------------------------------

    def _start(self, call: Call) -> None:
        runner = CallRunner(self, call)
        call.thread = threading.Thread(target=runner.run, name=f"call-{call.sid}", daemon=True)
        call.thread.start()

    def place_call(
        self,
        from_: str,
        to: str | None = None,
        script: list[CallerStep] | None = None,
        max_duration: float | None = None,
        heartbeat: float | None = None,
    ) -> Call:
        """Start a call from a person to the hotline number (or another number).

        With a heartbeat, the caller hangs up once nobody has asked after the call for that
        many seconds: a phone page that was closed does not leave its call holding.
        """
        call = Call(
            sid=new_sid("CA"),
            account_sid=self.config.account_sid,
            from_=from_,
            to=to or self.config.hotline_number,
            direction="inbound",
            caller=Caller(script),
            max_duration=max_duration or self.config.max_call_duration,
            heartbeat=heartbeat,
            status="ringing",
            url=self.config.voice_url,
            method=self.config.voice_method,
            fallback_url=self.config.voice_fallback_url or None,
        )
        if self.config.status_callback_url:
            call.status_callback = StatusCallback(self.config.status_callback_url)
        with self.lock:
            self.calls[call.sid] = call
        log.info("call %s: %s calls %s", call.sid, call.from_, call.to)
        self._start(call)
        return call

    def create_outbound_call(
        self,
        to: str,
        from_: str,
        url: str | None,
        method: str,
        twiml: str | None,
        status_callback: StatusCallback | None,
        ring_timeout: float,
        max_duration: float | None,
    ) -> Call:
        """Create a REST-API call that rings the endpoint `to` and runs TwiML once answered."""
        call = Call(
            sid=new_sid("CA"),
            account_sid=self.config.account_sid,
            from_=from_,
            to=to,
            direction="outbound-api",
            caller=Caller(),
            max_duration=max_duration or self.config.max_call_duration,
            status="queued",
            url=url,
            method=method,
            twiml=twiml,
            status_callback=status_callback,
            ring_timeout=ring_timeout,
        )
        with self.lock:
            self.calls[call.sid] = call
        log.info("call %s: outbound call from %s to %s", call.sid, from_, to)
        self._start(call)
        return call

    def create_dial_leg(self, parent: Call, to: str, caller_id: str) -> Call:
        """Create the child leg a <Dial> places; it runs no TwiML of its own."""
        leg = Call(
            sid=new_sid("CA"),
            account_sid=self.config.account_sid,
            from_=caller_id,
            to=to,
            direction="outbound-dial",
            caller=Caller(),
            max_duration=parent.max_duration,
            parent_call_sid=parent.sid,
            status="queued",
        )
        with self.lock:
            self.calls[leg.sid] = leg
        return leg

    def runner_for(self, leg: Call) -> CallRunner:
        """Return a runner for a dialled leg, to report its progress and run its screening."""
        return CallRunner(self, leg)

    def call(self, sid: str) -> Call | None:
        """Return a call by sid."""
        with self.lock:
            return self.calls.get(sid)

    def all_calls(self) -> list[Call]:
        """Return every call, newest first."""
        with self.lock:
            return sorted(self.calls.values(), key=lambda call: call.created_at, reverse=True)

    def set_status(self, call: Call, status: str) -> None:
        """Change a call's status and wake everyone waiting on the network."""
        with self.changed:
            call.status = status
            call.updated_at = utcnow()
            if status == "in-progress" and call.answered is None:
                call.answered = time.monotonic()
                call.answered_at = call.updated_at
            if call.is_final and call.ended is None:
                call.ended = time.monotonic()
                call.ended_at = call.updated_at
                self._release_endpoint(call)
                self._forget_unjoined_participant(call)
                if call.direction == "outbound-dial":
                    call.record(
                        "status",
                        f"call ended: {status} after {call.duration}s",
                        status=status,
                        duration=call.duration,
                    )
                    call.wrapped_up = True
            self.changed.notify_all()

    def end_call(self, call: Call, reason: str, by_caller: bool, status: str = "completed") -> bool:
        """Ask a live call to end; legs without TwiML of their own end at once."""
        with self.changed:
            if call.is_final:
                return False
            call.record("hangup", reason)
            not_yet_answered = call.status in ("queued", "ringing")
            runs_no_twiml = (call.direction == "outbound-dial" and not call.screening) or (
                call.direction == "outbound-api" and not_yet_answered
            )
            if runs_no_twiml:
                if not_yet_answered and status == "completed":
                    status = "canceled"
                self.set_status(call, status)
                return True
            if call.pending_end is None:
                call.pending_end = CallEnded(status, reason, by_caller)
            self.changed.notify_all()
            return True

    def redirect_call(self, call: Call, url: str | None, method: str, twiml: str | None) -> None:
        """Send a live call to new TwiML, as a REST call update does."""
        with self.changed:
            if call.direction == "outbound-api" and call.status in ("queued", "ringing"):
                call.url, call.method, call.twiml = url, method, twiml
            else:
                call.pending_redirect = CallRedirected(url, method, twiml)
            self.changed.notify_all()

    def push_input(self, call: Call, step: CallerStep) -> bool:
        """Give an interactive caller's keypresses or words to the call; False if unheard."""
        with self.changed:
            if call.is_final or not call.listening or call.caller.scripted:
                return False
            call.caller.push(step)
            self.changed.notify_all()
            return True

    # Queues ------------------------------------------------------------------------

    def create_queue(self, friendly_name: str, max_size: int | None = None) -> Queue:
        """Create a queue, as the REST API or the first <Enqueue> to name it does."""
        with self.lock:
            queue = Queue(
                sid=new_sid("QU"),
                friendly_name=friendly_name,
                max_size=max_size or DEFAULT_QUEUE_SIZE,
            )
            self.queues[queue.sid] = queue
            return queue

    def queue_named(self, friendly_name: str) -> Queue | None:
        """Return the queue with this friendly name."""
        with self.lock:
            for queue in self.queues.values():
                if queue.friendly_name == friendly_name:
                    return queue
            return None

    def queue_for_enqueue(self, friendly_name: str) -> Queue:
        """Return the named queue, creating it as <Enqueue> does when it is new."""
        with self.lock:
            return self.queue_named(friendly_name) or self.create_queue(friendly_name)

    def queue(self, sid: str) -> Queue | None:
        """Return a queue by sid."""
        with self.lock:
            return self.queues.get(sid)

    def join_queue(self, queue: Queue, call: Call) -> int | None:
        """Put a call at the back of a queue; return its position, or None when full."""
        with self.changed:
            if len(queue.members) >= queue.max_size:
                return None
            queue.members.append(QueueMember(call.sid))
            queue.updated_at = utcnow()
            call.queue_sid = queue.sid
            call.queue_time = 0
            self.changed.notify_all()
            return len(queue.members)

    def _remove_member(self, queue: Queue, call: Call) -> int:
        member = queue.member(call.sid)
        waited = 0
        if member is not None:
            queue.members.remove(member)
            elapsed = time.monotonic() - member.enqueued
            queue.total_wait += elapsed
            queue.served += 1
            waited = int(elapsed)
            queue.updated_at = utcnow()
        call.queue_sid = None
        call.queue_time = waited
        self.changed.notify_all()
        return waited

    def leave_queue(self, call: Call) -> int:
        """Take a call out of whatever queue it waits in; return the seconds it waited."""
        with self.changed:
            queue = self.queues.get(call.queue_sid or "")
            if queue is None:
                call.queue_sid = None
                return call.queue_time
            return self._remove_member(queue, call)

    def dequeue_member(
        self, queue: Queue, call_sid: str, url: str, method: str
    ) -> tuple[QueueMember, int] | None:
        """Take one caller (or the front one) out of a queue and send them to url."""
        with self.changed:
            if call_sid == "Front":
                member = queue.members[0] if queue.members else None
            else:
                member = queue.member(call_sid)
            call = self.calls.get(member.call_sid) if member else None
            if member is None or call is None:
                return None
            position = queue.members.index(member) + 1
            self._remove_member(queue, call)
            call.pending_redirect = CallRedirected(url, method)
            self.changed.notify_all()
            return member, position

    def take_front_for_bridge(
        self, queue: Queue, agent: Call, url: str | None, method: str
    ) -> Bridge | None:
        """Take the front caller for a <Dial><Queue>; the caller's thread joins the bridge."""
        with self.changed:
            while queue.members:
                member = queue.members[0]
                caller_call = self.calls.get(member.call_sid)
                if caller_call is None or caller_call.is_final:
                    queue.members.pop(0)
                    continue
                if caller_call.pending_end is not None or caller_call.pending_redirect is not None:
                    return None
                waited = self._remove_member(queue, caller_call)
                bridge = Bridge(
                    agent_call_sid=agent.sid,
                    caller_call_sid=caller_call.sid,
                    queue_sid=queue.sid,
                    queue_time=waited,
                    url=url,
                    method=method,
                )
                caller_call.pending_bridge = bridge
                self.changed.notify_all()
                return bridge
            return None

    def connect_bridge(self, bridge: Bridge) -> None:
        """Connect a queued caller to the agent who dialled the queue."""
        with self.changed:
            if bridge.state == "pending":
                bridge.state = "connected"
                bridge.connected = time.monotonic()
            self.changed.notify_all()

    def end_bridge(self, bridge: Bridge, by_call_sid: str) -> None:
        """Disconnect a queued caller and an agent; the side that stays goes on."""
        with self.changed:
            if bridge.state != "ended":
                bridge.state = "ended"
                bridge.ended = time.monotonic()
                bridge.ended_by = by_call_sid
            self.changed.notify_all()

    # Endpoints ---------------------------------------------------------------------

    def endpoint(self, address: str) -> Endpoint:
        """Return the endpoint at an address, creating an idle one on first use."""
        with self.lock:
            endpoint = self.endpoints.get(address)
            if endpoint is None:
                endpoint = Endpoint(address)
                self.endpoints[address] = endpoint
            return endpoint

    def known_endpoint(self, address: str) -> Endpoint | None:
        """Return the endpoint at an address if the network has seen it."""
        with self.lock:
            return self.endpoints.get(address)

    def configure_endpoint(self, address: str, settings: dict[str, Any]) -> Endpoint:
        """Set auto-answer, hang-up delay or the script an endpoint follows when called."""
        with self.changed:
            endpoint = self.endpoint(address)
            if "auto_answer" in settings:
                endpoint.auto_answer = bool(settings["auto_answer"])
            if "hangup_after" in settings:
                value = settings["hangup_after"]
                endpoint.hangup_after = None if value is None else float(value)
            if "script" in settings:
                value = settings["script"]
                if value is not None:
                    parse_script(value)
                endpoint.script = value
            if "screen_digits" in settings:
                value = settings["screen_digits"]
                if value is not None:
                    parse_step({"press": value})
                endpoint.screen_digits = None if value is None else str(value)
            if "voicemail_after" in settings:
                value = settings["voicemail_after"]
                endpoint.voicemail_after = None if value is None else float(value)
            if endpoint.auto_answer and endpoint.state == "ringing" and endpoint.call_sid:
                self._connect(self.calls[endpoint.call_sid], "auto")
            self.changed.notify_all()
            return endpoint

    def ring(self, call: Call, address: str) -> bool:
        """Ring an endpoint for a call leg; False when the endpoint is already busy."""
        with self.changed:
            endpoint = self.endpoint(address)
            if endpoint.state != "idle":
                return False
            endpoint.state = "ringing"
            endpoint.call_sid = call.sid
            endpoint.parent_call_sid = call.parent_call_sid
            endpoint.caller_id = call.from_
            endpoint.since = utcnow()
            call.endpoint_address = address
            self.set_status(call, "ringing")
            if endpoint.auto_answer:
                self._connect(call, "auto")
            elif endpoint.voicemail_after is not None:
                self.later(endpoint.voicemail_after, lambda: self._voicemail_picks_up(call))
            return True

    def _voicemail_picks_up(self, call: Call) -> None:
        with self.changed:
            endpoint = self.endpoints.get(call.endpoint_address or "")
            if endpoint is None or call.status != "ringing":
                return
            if endpoint.call_sid == call.sid and endpoint.state == "ringing":
                call.record("answer", f"the voicemail box at {endpoint.address} answers")
                self._connect(call, "voicemail")

    def _connect(self, call: Call, by: str) -> None:
        endpoint = self.endpoints.get(call.endpoint_address or "")
        if endpoint is not None and endpoint.call_sid == call.sid:
            endpoint.state = "connected"
            endpoint.since = utcnow()
            endpoint.answered_by = by
        call.answered_by = by
        if call.direction == "outbound-dial":
            call.caller = self._person_on_leg(endpoint, by)
        self.set_status(call, "in-progress")

    def _person_on_leg(self, endpoint: Endpoint | None, by: str) -> Caller:
        """Return who answers a dialled leg, as a screening document will hear them.

        A person who picked up by hand presses keys live (POST .../press); an auto-answering
        endpoint presses its screen_digits after the prompt, or nothing; a voicemail box
        never presses anything.
        """
        if endpoint is not None and by == "auto" and endpoint.screen_digits:
            person = Caller([CallerStep("press", endpoint.screen_digits)])
        else:
            person = Caller()
        if endpoint is not None and endpoint.hangup_after is not None:
            person.hangup_at = time.monotonic() + endpoint.hangup_after
        return person

    def _release_endpoint(self, call: Call) -> None:
        endpoint = self.endpoints.get(call.endpoint_address or "")
        if endpoint is not None and endpoint.call_sid == call.sid:
            endpoint.state = "idle"
            endpoint.answered_by = None
            endpoint.call_sid = None
            endpoint.parent_call_sid = None
            endpoint.caller_id = None
            endpoint.since = utcnow()

    def _ringing_call(self, address: str, action: str) -> tuple[Endpoint, Call]:
        endpoint = self.endpoints.get(address)
        if endpoint is None:
            raise LookupError(f"no call has reached {address}")
        call = self.calls.get(endpoint.call_sid or "")
        if call is None or endpoint.state == "idle":
            raise EndpointStateError(f"{address} is idle: nothing to {action}")
        return endpoint, call

    def answer(self, address: str) -> Endpoint:
        """Pick up a ringing endpoint."""
        with self.changed:
            endpoint, call = self._ringing_call(address, "answer")
            if endpoint.state != "ringing":
                raise EndpointStateError(f"{address} is {endpoint.state}, not ringing")
            self._connect(call, "person")
            return endpoint

    def press_at_endpoint(self, address: str, digits: str) -> bool:
        """Press keys on the phone at an endpoint; False when nothing on its leg listens."""
        with self.changed:
            endpoint, call = self._ringing_call(address, "press keys on")
            if endpoint.state != "connected":
                raise EndpointStateError(f"{address} is {endpoint.state}: answer it first")
            if call.answered_by == "voicemail":
                raise EndpointStateError(f"a voicemail box answered {address}: it presses no keys")
            if call.caller.scripted:
                raise EndpointStateError(f"{address} follows its script and takes no live keys")
            heard = self.push_input(call, CallerStep("press", digits))
            if not heard:
                call.record("input", f"pressed {digits} (nobody was listening)", digits=digits)
            return heard

    def reject(self, address: str) -> Endpoint:
        """Decline a ringing endpoint; the caller's Dial sees busy."""
        with self.changed:
            endpoint, call = self._ringing_call(address, "reject")
            if endpoint.state != "ringing":
                raise EndpointStateError(f"{address} is {endpoint.state}, not ringing")
            call.record("hangup", f"{address} rejected the call")
            self.set_status(call, "busy")
            return endpoint

    def hang_up_endpoint(self, address: str) -> Endpoint:
        """Put down the phone at an endpoint, ringing or connected."""
        with self.changed:
            endpoint, call = self._ringing_call(address, "hang up")
            if endpoint.state == "ringing":
                call.record("hangup", f"{address} declined the call")
                self.set_status(call, "busy")
            else:
                self.end_call(call, f"{address} hung up", by_caller=True)
            return endpoint

    # Conferences -------------------------------------------------------------------

    def conference(self, sid: str) -> Conference | None:
        """Return a conference by sid."""
        with self.lock:
            return self.conferences.get(sid)

    def all_conferences(self) -> list[Conference]:
        """Return every conference, newest first."""
        with self.lock:
            return sorted(self.conferences.values(), key=lambda c: c.created, reverse=True)

    def live_conference_named(self, friendly_name: str) -> Conference | None:
        """Return the conference of this name that has not ended."""
        with self.lock:
            for conference in self.conferences.values():
                if conference.friendly_name == friendly_name and conference.live:
                    return conference
            return None

    def conference_for_participant(self, reference: str) -> Conference | None:
        """Find the conference a Participants request names: a sid, or a friendly name (new)."""
        with self.lock:
            found = self.conferences.get(reference)
            if found is not None or reference.startswith("CF"):
                return found
            return self.live_conference_named(reference) or self._create_conference(reference)

    def _create_conference(self, friendly_name: str) -> Conference:
        conference = Conference(new_sid("CF"), self.config.account_sid, friendly_name)
        self.conferences[conference.sid] = conference
        conference.record("created", f"conference {friendly_name} created")
        log.info("conference %s: %s created", conference.sid, friendly_name)
        return conference

    def join_conference(
        self,
        name: str,
        call: Call,
        participant: Participant,
        callback: StatusCallback | None,
        record: RecordingCallback | None = None,
    ) -> Conference:
        """Put a call into the named conference, creating the room on first use.

        A participant whose <Conference> says record="record-from-start" makes the room record
        from its start (or from now, if it is in progress already).
        """
        with self.changed:
            conference = self.live_conference_named(name) or self._create_conference(name)
            if conference.status_callback is None and callback is not None:
                conference.status_callback = callback
            if conference.recording_request is None and record is not None:
                conference.recording_request = record
            participant = conference.participants.get(call.sid) or participant
            participant.conference_sid = conference.sid
            participant.joined = time.monotonic()
            conference.participants[call.sid] = participant
            call.conference_sid = conference.sid
            call.record(
                "join",
                f"joined conference {name}",
                conference_sid=conference.sid,
                label=participant.label,
            )
            self._conference_event(
                conference, "join", f"{call.from_} joined", "participant-join", participant
            )
            if participant.coaching:
                call.record(
                    "coach",
                    f"coaching {participant.call_sid_to_coach}",
                    call_sid_to_coach=participant.call_sid_to_coach,
                )
            if participant.beep_on_enter:
                self._beep(conference, participant, "joined")
            if conference.status == "init" and self._may_start(conference):
                conference.status = "in-progress"
                conference.updated_at = utcnow()
                self._conference_event(
                    conference, "start", "the conference started", "conference-start"
                )
                talking = [self.calls.get(p.call_sid) for p in conference.connected()]
                self._start_conference_recording(conference)
            elif conference.status == "in-progress":
                talking = [call]
                self._start_conference_recording(conference)
            else:
                talking = []
            for someone in talking:
                if someone is not None:
                    someone.record(
                        "talk",
                        f"talking in conference {name}",
                        conference_sid=conference.sid,
                    )
            self._conference_changed(conference)
            return conference

    def _may_start(self, conference: Conference) -> bool:
        present = conference.connected()
        return len(present) >= 2 and any(p.start_conference_on_enter for p in present)

    def expect_participant(
        self, conference: Conference, call: Call, participant: Participant
    ) -> Participant:
        """List a call dialled into a conference as a participant while it rings.

        It joins with these settings, including changes made through REST while it rang.
        """
        with self.changed:
            participant = conference.participants.setdefault(call.sid, participant)
            conference.record(
                "participant-added",
                f"calling {call.to} into the conference",
                call_sid=call.sid,
                label=participant.label,
            )
            call.record(
                "participant-added",
                f"called into conference {conference.friendly_name}",
                conference_sid=conference.sid,
            )
            return participant

    def conference_mode(self, call: Call) -> tuple[str, Participant | None]:
        """Return what a participant hears now: "wait", "hold", "talk", or "gone" (left)."""
        with self.lock:
            conference = self.conferences.get(call.conference_sid or "")
            participant = conference.participants.get(call.sid) if conference else None
            if conference is None or participant is None or not participant.connected:
                return "gone", None
            if conference.status == "init":
                return "wait", participant
            if participant.hold:
                return "hold", participant
            return "talk", participant

    def leave_conference(self, call: Call, why: str) -> None:
        """Take a call out of its conference (hung up, redirected, time limit); no-op if out."""
        with self.changed:
            conference = self.conferences.get(call.conference_sid or "")
            participant = conference.participants.get(call.sid) if conference else None
            if conference is None or participant is None:
                call.conference_sid = None
                return
            self._remove_participant(conference, participant, call, why)
            self._after_leaving(conference, participant, kicked=False)

    def kick_participant(self, conference: Conference, participant: Participant) -> None:
        """Remove a participant, as a REST DELETE does; a call still ringing is ended."""
        with self.changed:
            call = self.calls.get(participant.call_sid)
            if not participant.connected:
                conference.participants.pop(participant.call_sid, None)
                if call is not None:
                    self.end_call(call, "removed from the conference before answering", False)
                return
            self._remove_participant(conference, participant, call, "removed through the REST API")
            self._after_leaving(conference, participant, kicked=True)

    def _remove_participant(
        self, conference: Conference, participant: Participant, call: Call | None, why: str
    ) -> None:
        conference.participants.pop(participant.call_sid, None)
        participant.left = time.monotonic()
        participant.updated_at = utcnow()
        if participant.held_since is not None:
            participant.held_total += participant.left - participant.held_since
            participant.held_since = None
        conference.departed.append(participant)
        who = call.from_ if call else participant.call_sid
        if call is not None:
            call.conference_sid = None
            call.conference_changed = call.thread is not threading.current_thread()
            call.record("leave", f"left conference {conference.friendly_name}: {why}", reason=why)
        self._conference_event(
            conference, "leave", f"{who} left: {why}", "participant-leave", participant
        )
        if participant.beep_on_exit:
            self._beep(conference, participant, "left")
        self.changed.notify_all()

    def _after_leaving(
        self, conference: Conference, participant: Participant, kicked: bool
    ) -> None:
        if not conference.live:
            return
        how = "kicked" if kicked else "left"
        if participant.end_conference_on_exit:
            reason = f"participant-with-end-conference-on-exit-{how}"
            self.end_conference(conference, reason, participant.call_sid)
        elif not conference.connected():
            self.end_conference(conference, f"last-participant-{how}", participant.call_sid)

    def end_conference(self, conference: Conference, reason: str, by_call_sid: str | None) -> None:
        """End a conference: everyone in it leaves, and calls still ringing into it end."""
        with self.changed:
            if not conference.live:
                return
            conference.status = "completed"
            conference.updated_at = utcnow()
            self._finish_conference_recording(conference)
            conference.reason_ended = reason
            conference.call_sid_ending = by_call_sid
            for participant in list(conference.participants.values()):
                call = self.calls.get(participant.call_sid)
                if participant.connected:
                    self._remove_participant(conference, participant, call, "the conference ended")
                else:
                    conference.participants.pop(participant.call_sid, None)
                    if call is not None:
                        self.end_call(call, "the conference it was joining ended", False)
            self._conference_event(
                conference,
                "end",
                f"the conference ended: {reason}",
                "conference-end",
                reason=reason,
            )
            self.changed.notify_all()

    def _forget_unjoined_participant(self, call: Call) -> None:
        for conference in self.conferences.values():
            participant = conference.participants.get(call.sid)
            if participant is not None and participant.joined is None:
                del conference.participants[call.sid]
                conference.record(
                    "participant-failed",
                    f"{call.to} did not join: {call.status}",
                    call_sid=call.sid,
                    status=call.status,
                )

    def update_participant(
        self, conference: Conference, participant: Participant, changes: dict[str, Any]
    ) -> None:
        """Change a live participant as a REST update does, reporting each change."""
        with self.changed:
            call = self.calls.get(participant.call_sid)
            who = call.from_ if call else participant.call_sid
            participant.updated_at = utcnow()
            if "HoldUrl" in changes:
                participant.hold_url = changes["HoldUrl"]
            if "HoldMethod" in changes:
                participant.hold_method = changes["HoldMethod"]
            if "WaitUrl" in changes:
                participant.wait_url = changes["WaitUrl"]
            if "WaitMethod" in changes:
                participant.wait_method = changes["WaitMethod"]
            if "Muted" in changes and changes["Muted"] != participant.muted:
                participant.muted = changes["Muted"]
                kind = "mute" if participant.muted else "unmute"
                self._participant_event(conference, participant, call, kind, f"{who} {kind}d")
            if "Hold" in changes and changes["Hold"] != participant.hold:
                participant.hold = changes["Hold"]
                now = time.monotonic()
                if participant.hold:
                    participant.held_since = now
                elif participant.held_since is not None:
                    participant.held_total += now - participant.held_since
                    participant.held_since = None
                kind = "hold" if participant.hold else "unhold"
                text = f"{who} {'put on hold' if participant.hold else 'taken off hold'}"
                self._participant_event(conference, participant, call, kind, text)
                if call is not None:
                    call.conference_changed = True
            modified = []
            if "Coaching" in changes or "CallSidToCoach" in changes:
                coached = changes.get("CallSidToCoach", participant.call_sid_to_coach)
                participant.coaching = changes.get("Coaching", coached is not None)
                participant.call_sid_to_coach = coached if participant.coaching else None
                modified.append("coaching" if participant.coaching else "not coaching")
            for name, attribute in (
                ("EndConferenceOnExit", "end_conference_on_exit"),
                ("BeepOnExit", "beep_on_exit"),
            ):
                if name in changes:
                    setattr(participant, attribute, changes[name])
                    modified.append(f"{name}={str(changes[name]).lower()}")
            if modified:
                text = f"{who} modified: {', '.join(modified)}"
                kind = "coach" if participant.coaching and "coaching" in modified else "modify"
                self._participant_event(conference, participant, call, kind, text, "modify")
            self.changed.notify_all()

    def _participant_event(
        self,
        conference: Conference,
        participant: Participant,
        call: Call | None,
        kind: str,
        text: str,
        callback_event: str | None = None,
    ) -> None:
        if call is not None:
            call.record(kind, text, conference_sid=conference.sid)
        self._conference_event(
            conference, kind, text, f"participant-{callback_event or kind}", participant
        )

    def phone_action(self, address: str, action: str, on: bool | None) -> Participant:
        """Mute the mic or press hold on the phone at an endpoint in a conference (local only)."""
        with self.changed:
            endpoint, call = self._ringing_call(address, action)
            conference = self.conferences.get(call.conference_sid or "")
            participant = conference.participants.get(call.sid) if conference else None
            if conference is None or participant is None or not participant.connected:
                raise EndpointStateError(f"{address} is not in a conference")
            attribute = "mic_muted" if action == "mute" else "phone_hold"
            value = not getattr(participant, attribute) if on is None else on
            setattr(participant, attribute, value)
            done = {
                ("mute", True): "muted the phone's microphone",
                ("mute", False): "unmuted the phone's microphone",
                ("hold", True): "pressed hold on the phone",
                ("hold", False): "took the phone off hold",
            }[(action, value)]
            call.record(f"phone-{action}", f"{address} {done}", on=value)
            conference.record(f"phone-{action}", f"{address} {done}", call_sid=call.sid, on=value)
            self.changed.notify_all()
            return participant

    def _beep(self, conference: Conference, mover: Participant, what: str) -> None:
        for other in conference.connected():
            if other is not mover and other.hearing():
                other_call = self.calls.get(other.call_sid)
                if other_call is not None:
                    other_call.record("play", f"beep (someone {what} the conference)", url=None)

    def _conference_changed(self, conference: Conference) -> None:
        for participant in conference.connected():
            call = self.calls.get(participant.call_sid)
            if call is not None:
                call.conference_changed = call.thread is not threading.current_thread()
        self.changed.notify_all()

    def _conference_event(
        self,
        conference: Conference,
        kind: str,
        text: str,
        callback_event: str,
        participant: Participant | None = None,
        reason: str | None = None,
    ) -> None:
        conference.record(
            kind, text, call_sid=participant.call_sid if participant else None, event=callback_event
        )
        callback = conference.status_callback
        short = CALLBACK_EVENT_SUBSCRIPTIONS.get(callback_event, callback_event)
        if callback is None or short not in callback.events:
            return
        params = {
            "AccountSid": conference.account_sid,
            "ConferenceSid": conference.sid,
            "FriendlyName": conference.friendly_name,
            "StatusCallbackEvent": callback_event,
            "SequenceNumber": str(conference.callback_sequence),
            "Timestamp": utcnow().strftime("%a, %d %b %Y %H:%M:%S +0000"),
        }
        conference.callback_sequence += 1
        if participant is not None:
            params |= {
                "CallSid": participant.call_sid,
                "Muted": str(participant.muted).lower(),
                "Hold": str(participant.hold).lower(),
                "Coaching": str(participant.coaching).lower(),
                "EndConferenceOnExit": str(participant.end_conference_on_exit).lower(),
                "StartConferenceOnEnter": str(participant.start_conference_on_enter).lower(),
            }
            if participant.label:
                params["ParticipantLabel"] = participant.label
            if participant.call_sid_to_coach:
                params["CallSidToCoach"] = participant.call_sid_to_coach
        if reason is not None:
            params["ReasonConferenceEnded"] = reason
            if conference.call_sid_ending:
                params["CallSidEndingConference"] = conference.call_sid_ending
        self.conference_callbacks.send(conference.sid, callback, params)

    def announce(
        self, conference: Conference, participant: Participant | None, url: str, method: str
    ) -> None:
        """Play the TwiML at url to the whole conference or one participant, in the background."""
        threading.Thread(
            target=self._announce,
            args=(conference, participant, url, method),
            name=f"announce-{conference.sid}",
            daemon=True,
        ).start()

    def _announce(
        self, conference: Conference, participant: Participant | None, url: str, method: str
    ) -> None:
        webhooks = Webhooks(self.config.auth_token, conference.sid)
        with self.lock:
            listeners = [participant] if participant else conference.connected()
            calls = [self.calls[p.call_sid] for p in listeners if p.call_sid in self.calls]
        params = {
            "AccountSid": conference.account_sid,
            "ApiVersion": "2010-04-01",
            "ConferenceSid": conference.sid,
            "FriendlyName": conference.friendly_name,
        }
        if participant is not None:
            params["CallSid"] = participant.call_sid
        outcome = "announcement-end"
        try:
            step: Fetch | None = Fetch(url, method)
            while step is not None and not self.closed:
                answer = webhooks.fetch(step.url, step.method, params)
                verbs = parse_document(answer.body, answer.url)
                step = None
                for verb in verbs:
                    if verb.name not in CONFERENCE_MEDIA_VERBS:
                        raise ApplicationError(f"<{verb.name}> is not allowed in an announcement")
                    if verb.name == "Redirect":
                        step = Fetch(urljoin(answer.url, verb.text), verb.attr("method") or "POST")
                        break
                    self._announce_verb(calls, verb.name, verb.text, verb.number("length", 1))
        except ApplicationError as error:
            outcome = "announcement-fail"
            conference.record("error", f"announcement failed: {error.reason}", url=error.url)
        finally:
            webhooks.close()
        with self.changed:
            self._conference_event(conference, "announcement", f"{outcome} ({url})", outcome)

    def _announce_verb(self, calls: list[Call], name: str, text: str, length: float) -> None:
        if name == "Say":
            for call in calls:
                call.record("say", text, announcement=True)
            time.sleep(self.config.scaled(say_seconds(text)))
        elif name == "Play":
            for call in calls:
                call.record("play", f"♪ {text}", url=text, announcement=True)
            time.sleep(self.config.scaled(10.0))
        else:
            time.sleep(self.config.scaled(length))

    # Messages and recordings -------------------------------------------------------

    def send_message(
        self,
        to: str,
        from_: str | None,
        body: str,
        messaging_service_sid: str | None,
        status_callback: str | None,
    ) -> Message:
        """Accept an SMS for delivery and tell the recipient's live call about it."""
        message = Message(
            sid=new_sid("SM"),
            account_sid=self.config.account_sid,
            to=to,
            from_=from_,
            body=body,
            messaging_service_sid=messaging_service_sid,
            status_callback=status_callback,
        )
        with self.lock:
            self.messages[message.sid] = message
            now = time.monotonic()
            for call in self.calls.values():
                recent = call.ended is None or now - call.ended < RECENT_CALL_SECONDS
                if call.from_ == to and recent:
                    sender = from_ or messaging_service_sid
                    call.record("sms", f"SMS from {sender}: {body}", body=body)
        log.info("message %s: SMS to %s", message.sid, to)
        self.later(0.05, lambda: self._deliver(message))
        return message

    def _deliver(self, message: Message) -> None:
        webhooks = Webhooks(self.config.auth_token, message.sid)
        try:
            for status in ("sent", "delivered"):
                with self.lock:
                    message.status = status
                    message.updated_at = utcnow()
                    if status == "sent":
                        message.sent_at = message.updated_at
                if message.status_callback:
                    webhooks.notify(
                        message.status_callback,
                        "POST",
                        {
                            "AccountSid": message.account_sid,
                            "ApiVersion": "2010-04-01",
                            "From": message.from_ or "",
                            "To": message.to,
                            "MessageSid": message.sid,
                            "SmsSid": message.sid,
                            "MessageStatus": status,
                            "SmsStatus": status,
                        },
                    )
                time.sleep(0.05)
        finally:
            webhooks.close()

    def add_recording(self, call: Call, duration: int, transcript: str) -> Recording:
        """Keep what a <Record> captured."""
        recording = Recording(
            sid=new_sid("RE"),
            account_sid=self.config.account_sid,
            call_sid=call.sid,
            duration=duration,
            transcript=transcript,
        )
        with self.lock:
            self.recordings[recording.sid] = recording
        return recording

    def finish_recording(self, recording: Recording, callback: str | None, method: str) -> None:
        """Mark a recording's file ready and tell the centre, as Twilio does in the background."""
        with self.lock:
            recording.status = "completed"
            recording.updated_at = utcnow()
        if not callback:
            return
        with self.lock:
            call = self.calls.get(recording.call_sid)

        def observe(method: str, url: str, status: int | None) -> None:
            if call is not None:
                answer = "no answer" if status is None else f"HTTP {status}"
                call.record(
                    "recording-callback",
                    f"recording {recording.sid} reported to {url}: {answer}",
                    recording_sid=recording.sid,
                    status=status,
                )

        webhooks = Webhooks(self.config.auth_token, recording.call_sid, observer=observe)
        try:
            status = webhooks.deliver(
                callback,
                method,
                {
                    "AccountSid": recording.account_sid,
                    "CallSid": recording.call_sid,
                    "RecordingSid": recording.sid,
                    "RecordingUrl": self.recording_url(recording),
                    "RecordingStatus": "completed",
                    "RecordingDuration": str(recording.duration),
                    "RecordingChannels": "1",
                    "RecordingSource": "RecordVerb",
                    "RecordingStartTime": recording.start_time.strftime(
                        "%a, %d %b %Y %H:%M:%S +0000"
                    ),
                },
            )
        finally:
            webhooks.close()
        delivered = status is not None and 200 <= status < 400
        if call is not None:
            call.record(
                "recording-callback-done",
                f"recording {recording.sid}: " + ("reported" if delivered else "report given up"),
                recording_sid=recording.sid,
                delivered=delivered,
            )

    # Conference recordings -----------------------------------------------------------

    def _start_conference_recording(self, conference: Conference) -> None:
        """Start recording a room that asked for it, once (callers hold the lock)."""
        if conference.recording_request is None or conference.recording_sid is not None:
            return
        # The first channel is the first participant to join (Twilio's changelog, 2025-09-15).
        present = [p for p in conference.participants.values() if p.joined is not None]
        first = min(present, key=lambda p: p.joined or 0.0, default=None)
        recording = Recording(
            sid=new_sid("RE"),
            account_sid=self.config.account_sid,
            call_sid=first.call_sid if first else "",
            duration=0,
            transcript="",
            status="in-progress",
            conference_sid=conference.sid,
            channels=2,
            source="Conference",
            callback=conference.recording_request,
        )
        self.recordings[recording.sid] = recording
        conference.recording_sid = recording.sid
        conference.record("recording", f"recording {recording.sid} started", sid=recording.sid)
        self._report_recording(recording, "in-progress")

    def _finish_conference_recording(self, conference: Conference) -> None:
        """Close a room's recording when the room ends; its file is ready a moment later."""
        recording = self.recordings.get(conference.recording_sid or "")
        if recording is None or recording.status not in ("in-progress", "paused"):
            return
        now = time.monotonic()
        if recording.paused_since is not None:
            recording.paused_seconds += now - recording.paused_since
            recording.paused_since = None
        length = now - recording.started
        if recording.pause_behavior == "skip":
            length -= recording.paused_seconds
        recording.duration = max(0, round(length / self.config.time_scale))
        recording.status = "processing"
        recording.updated_at = utcnow()
        conference.record("recording", f"recording {recording.sid} stopped", sid=recording.sid)

        def ready() -> None:
            with self.lock:
                recording.status = "completed" if recording.duration > 0 else "absent"
                recording.updated_at = utcnow()
                status = recording.status
            self._report_recording(recording, status)

        self.later(0.05, ready)

    def update_conference_recording(
        self, conference: Conference, sid: str, status: str, pause_behavior: str | None
    ) -> Recording | None:
        """Pause, resume or stop a room's recording (Twilio.CURRENT names the live one)."""
        with self.changed:
            if sid == "Twilio.CURRENT":
                sid = conference.recording_sid or ""
            recording = self.recordings.get(sid)
            if recording is None or recording.conference_sid != conference.sid:
                return None
            now = time.monotonic()
            if status == "paused" and recording.status == "in-progress":
                recording.status = "paused"
                recording.paused_since = now
                recording.pauses += 1
                recording.pause_behavior = pause_behavior or "silence"
            elif status == "in-progress" and recording.status == "paused":
                recording.status = "in-progress"
                if recording.paused_since is not None:
                    recording.paused_seconds += now - recording.paused_since
                    recording.paused_since = None
            elif status == "stopped" and recording.status in ("in-progress", "paused"):
                self._finish_conference_recording(conference)
            recording.updated_at = utcnow()
            conference.record(
                "recording", f"recording {recording.sid} {recording.status}", sid=recording.sid
            )
            return recording

    def _report_recording(self, recording: Recording, status: str) -> None:
        """Send a conference recording's status callback in the background, if asked for."""
        callback = recording.callback
        if callback is None or not callback.url or status not in callback.events:
            return
        params = {
            "AccountSid": recording.account_sid,
            "ConferenceSid": recording.conference_sid or "",
            "RecordingSid": recording.sid,
            "RecordingUrl": self.recording_url(recording),
            "RecordingStatus": status,
            "RecordingDuration": str(recording.duration),
            "RecordingChannels": str(recording.channels),
            "RecordingSource": recording.source,
            "RecordingStartTime": recording.start_time.strftime("%a, %d %b %Y %H:%M:%S +0000"),
        }
        if status == "in-progress":
            params.pop("RecordingDuration")

        def send() -> None:
            conference = self.conferences.get(recording.conference_sid or "")

            def observe(method: str, url: str, answer: int | None) -> None:
                if conference is not None:
                    conference.record(
                        "recording-callback",
                        f"recording {recording.sid} ({status}) reported to {url}: "
                        + ("no answer" if answer is None else f"HTTP {answer}"),
                        recording_sid=recording.sid,
                        status=answer,
                    )

            webhooks = Webhooks(self.config.auth_token, recording.sid, observer=observe)
            try:
                webhooks.deliver(callback.url, callback.method, params)
            finally:
                webhooks.close()

        self.later(0.0, send)

    def take_media_failure(self) -> bool:
        """Tell whether this media download should fail (an outage the control API set)."""
        with self.lock:
            if self.media_failures <= 0:
                return False
            self.media_failures -= 1
            return True

    def transcribe(self, recording: Recording, callback: str | None) -> None:
        """Transcribe a <Record>ed message and post the text to its transcribeCallback.

        Twilio transcribes recordings longer than 2 and shorter than 120 seconds (error 13617)
        and reports any other as failed; the emulator's transcript is the words the caller's
        script said. The callback is a POST, sent again up to three times after a 5xx, 408,
        425 or 429 answer (error 17580), signed like every webhook.
        """
        completed = 2 <= recording.duration < 120 and bool(recording.transcript.strip())
        transcription = Transcription(
            sid=new_sid("TR"),
            account_sid=recording.account_sid,
            recording_sid=recording.sid,
            status="completed" if completed else "failed",
            text=recording.transcript if completed else "",
            duration=recording.duration,
        )
        with self.lock:
            self.transcriptions[transcription.sid] = transcription
            call = self.calls.get(recording.call_sid)
        if call is not None:
            call.record(
                "transcription",
                f"transcription of {recording.sid}: {transcription.status}",
                recording_sid=recording.sid,
                transcription_sid=transcription.sid,
                status=transcription.status,
            )
        if not callback:
            return
        params = {
            "AccountSid": recording.account_sid,
            "CallSid": recording.call_sid,
            "ApiVersion": "2010-04-01",
            "RecordingSid": recording.sid,
            "RecordingUrl": self.recording_url(recording),
            "TranscriptionSid": transcription.sid,
            "TranscriptionStatus": transcription.status,
            "TranscriptionText": transcription.text,
            "TranscriptionType": "fast",
            "TranscriptionUrl": (
                f"{self.config.public_url}/2010-04-01/Accounts/{recording.account_sid}"
                f"/Recordings/{recording.sid}/Transcriptions/{transcription.sid}"
            ),
        }
        if call is not None:
            params |= {"From": call.from_ or "", "To": call.to or ""}
        webhooks = Webhooks(self.config.auth_token, recording.call_sid)
        try:
            for _attempt in range(4):
                status = webhooks.notify(callback, "POST", params)
                if status not in TRANSCRIPTION_RETRY_STATUSES:
                    break
        finally:
            webhooks.close()
        if call is not None:
            call.record(
                "transcription-callback",
                f"transcription of {recording.sid} reported: "
                + ("no answer" if status is None else f"HTTP {status}"),
                recording_sid=recording.sid,
                status=status,
            )

    def recording(self, sid: str) -> Recording | None:
        """Return a recording by sid."""
        with self.lock:
            return self.recordings.get(sid)

    def recording_url(self, recording: Recording) -> str:
        """Return the media URL Twilio reports for a recording (without an extension)."""
        return (
            f"{self.config.public_url}/2010-04-01/Accounts/{recording.account_sid}"
            f"/Recordings/{recording.sid}"
        )

    # Lifetime ----------------------------------------------------------------------

    def later(self, delay: float, action: Callable[[], None]) -> None:
        """Run an action in the background after a delay."""

        def run() -> None:
            time.sleep(delay)
            if not self.closed:
                action()

        threading.Thread(target=run, daemon=True).start()

    def _end_everything(self, reason: str) -> list[threading.Thread]:
        threads = []
        with self.changed:
            for call in list(self.calls.values()):
                if not call.is_final:
                    self.end_call(call, reason, by_caller=False)
                if call.thread is not None and call.thread.is_alive():
                    threads.append(call.thread)
            self.changed.notify_all()
        return threads

    def _join(self, threads: list[threading.Thread], timeout: float) -> None:
        deadline = time.monotonic() + timeout
        for thread in threads:
            if thread is not threading.current_thread():
                thread.join(max(0.0, deadline - time.monotonic()))

    def reset(self) -> None:
        """End every call and forget all state, for a fresh start between tests."""
        self._join(self._end_everything("the network was reset"), timeout=3.0)
        with self.changed:
            self.calls.clear()
            self.queues.clear()
            self.endpoints.clear()
            self.messages.clear()
            self.recordings.clear()
            self.media_failures = 0
            self.conferences.clear()
            self.changed.notify_all()

    def shutdown(self, timeout: float = 3.0) -> None:
        """End every live call and stop background work."""
        threads = self._end_everything("the network shut down")
        self.closed = True
        self._join(threads, timeout)
        self.conference_callbacks.close()
