"""The one boundary between the centre and the phone network (Twilio or the emulator)."""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any, Protocol
from urllib.parse import urlsplit, urlunsplit

import requests
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.http.response import Response
from twilio.request_validator import RequestValidator, compare
from twilio.rest import Client

from hotline.settings import Settings

log = logging.getLogger(__name__)

# The statuses a call ends with (the Call resource's call_enum_status); queued, ringing and
# in-progress are reports of a call that is still going.
FINAL_CALL_STATUSES = frozenset({"completed", "busy", "failed", "no-answer", "canceled"})


@dataclass(frozen=True)
class NetworkRecording:
    """A recording the phone network holds, as its list describes it."""

    sid: str
    call_sid: str
    created: datetime | None


class TelephonyError(RuntimeError):
    """The phone network refused a request, or could not be reached; the centre's own type, so
    that no twilio exception leaks past this boundary."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class NotOnTheNetwork(TelephonyError):
    """The call, queue member or recording asked for does not exist (any more)."""


@contextmanager
def network_errors(what: str) -> Iterator[None]:
    """Turn whatever the twilio library or the HTTP layer raises into a TelephonyError."""
    try:
        yield
    except TwilioRestException as exc:
        kind = NotOnTheNetwork if exc.status == 404 else TelephonyError
        raise kind(f"{what}: {exc.msg}", exc.status) from exc
    except (TwilioException, requests.RequestException) as exc:
        raise TelephonyError(f"{what}: {exc}") from exc


class Telephony(Protocol):
    """What the centre asks of the phone network outside a webhook."""

    def redirect_call(self, call_sid: str, url: str) -> None:
        """Make a live call continue with the TwiML at url."""

    def dequeue_caller(self, queue_sid: str, call_sid: str, url: str) -> None:
        """Take one given caller out of a queue; their call continues at url."""

    def send_sms(self, to: str, body: str, status_callback: str | None = None) -> str:
        """Send a text message and return its sid."""

    def place_call(
        self,
        to: str,
        url: str,
        status_callback: str | None = None,
        *,
        events: Sequence[str] = (),
        timeout: int | None = None,
    ) -> str:
        """Start an outbound call that runs the TwiML at url once answered."""

    def end_call(self, call_sid: str) -> None:
        """Hang up a call, or stop it ringing; a call already over is left alone."""

    def fetch_recording(self, recording_sid: str, channels: int = 1) -> bytes:
        """Return the audio of a recording as WAV bytes (both channels of a two-channel one
        with channels=2)."""

    def call_status(self, call_sid: str) -> str | None:
        """Return a call's status ("in-progress", "completed"...), or None if there is no such
        call."""

    def incoming_caller(self, call_sid: str) -> str | None:
        """Return the number of the caller who phoned in on call_sid (an inbound call), or None
        for a call the centre placed or no such call."""

    def dialled_from(self, call_sid: str) -> list[str]:
        """Return the statuses of the calls a <Dial> on call_sid placed (its child calls)."""

    def set_supervisor_mode(self, room: str, label: str, *, muted: bool, coach: str | None) -> None:
        """Mute or unmute a supervisor in a live room, and make them coach the call coach (heard
        by that participant alone) or nobody."""

    def delete_recording(self, recording_sid: str) -> bool:
        """Delete a recording and its audio; return False if it was gone already."""

    def recordings_created_before(self, day: date) -> list[NetworkRecording]:
        """Return the recordings the network holds that were created on or before a day."""

    def live_rooms(self) -> dict[str, list[str]]:
        """Return the conference rooms that are live (started or waiting), each name with the
        labels of the participants in it."""


# The twilio library ships no type information, so its classes are Any to mypy.
class EmulatorHttpClient(TwilioHttpClient):  # type: ignore[misc]
    """Sends the twilio library's requests to the emulator instead of api.twilio.com."""

    def __init__(self, api_url: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.api = urlsplit(api_url)

    def rewrite(self, url: str) -> str:
        """Return url with the emulator's scheme and host, keeping path and query."""
        parts = urlsplit(url)
        return urlunsplit(
            (self.api.scheme, self.api.netloc, parts.path, parts.query, parts.fragment)
        )

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> Response:
        """Send the request to the emulator."""
        return super().request(method, self.rewrite(url), *args, **kwargs)


class TwilioTelephony:
    """The boundary over twilio.rest.Client, whichever network it talks to."""

    def __init__(self, client: Client, from_number: str) -> None:
        self.client = client
        self.from_number = from_number

    def redirect_call(self, call_sid: str, url: str) -> None:
        """Make a live call continue with the TwiML at url."""
        log.info("redirecting call %s to %s", call_sid, url)
        with network_errors(f"redirecting call {call_sid}"):
            self.client.calls(call_sid).update(url=url, method="POST")

    def dequeue_caller(self, queue_sid: str, call_sid: str, url: str) -> None:
        """Take one given caller out of a queue; their call continues at url."""
        log.info("taking call %s out of queue %s to %s", call_sid, queue_sid, url)
        with network_errors(f"taking call {call_sid} out of its queue"):
            self.client.queues(queue_sid).members(call_sid).update(url=url, method="POST")

    def send_sms(self, to: str, body: str, status_callback: str | None = None) -> str:
        """Send a text message and return its sid."""
        kwargs: dict[str, Any] = {"to": to, "from_": self.from_number, "body": body}
        if status_callback:
            kwargs["status_callback"] = status_callback
        with network_errors("sending a text message"):
            message = self.client.messages.create(**kwargs)
        return str(message.sid)

    def place_call(
        self,
        to: str,
        url: str,
        status_callback: str | None = None,
        *,
        events: Sequence[str] = (),
        timeout: int | None = None,
    ) -> str:
        """Start an outbound call that runs the TwiML at url once answered.

        events are the progress events (initiated, ringing, answered, completed) reported to
        status_callback; timeout is how long it may ring, in seconds.
        """
        kwargs: dict[str, Any] = {"to": to, "from_": self.from_number, "url": url}
        if status_callback:
            kwargs["status_callback"] = status_callback
            if events:
                kwargs["status_callback_event"] = list(events)
        if timeout is not None:
            kwargs["timeout"] = timeout
        with network_errors("placing a call"):
            call = self.client.calls.create(**kwargs)
        return str(call.sid)

    def end_call(self, call_sid: str) -> None:
        """Hang up a call, or stop it ringing; a call already over is left alone.

        The Call resource's update takes Status=canceled for a call still queued or ringing and
        Status=completed for one in progress (call_enum_update_status); sending both in turn
        ends it whichever it is by then. A call that has ended meanwhile refuses the second.
        """
        for status in ("canceled", "completed"):
            try:
                with network_errors(f"ending call {call_sid}"):
                    self.client.calls(call_sid).update(status=status)
            except NotOnTheNetwork:
                return
            except TelephonyError as exc:
                log.info("call %s: %s refused (%s)", call_sid, status, exc)

    def call_status(self, call_sid: str) -> str | None:
        """Return a call's status, or None if the network has no such call."""
        try:
            with network_errors(f"asking for call {call_sid}"):
                return str(self.client.calls(call_sid).fetch().status)
        except NotOnTheNetwork:
            return None

    def incoming_caller(self, call_sid: str) -> str | None:
        """Return the number of the caller who phoned in on call_sid, or None for a call the
        centre placed (Direction outbound-api or outbound-dial) or no such call."""
        try:
            with network_errors(f"asking for call {call_sid}"):
                call = self.client.calls(call_sid).fetch()
        except NotOnTheNetwork:
            return None
        if call.direction != "inbound":
            return None
        return str(call._from or "") or None

    def dialled_from(self, call_sid: str) -> list[str]:
        """Return the statuses of the calls a <Dial> on call_sid placed: the Calls list
        filtered by ParentCallSid (each child's status; "completed" means it was answered)."""
        with network_errors(f"listing the calls {call_sid} dialled"):
            return [str(call.status) for call in self.client.calls.list(parent_call_sid=call_sid)]

    # Supervision: the supervisor's participant in a call's room, addressed by its label.

    def set_supervisor_mode(self, room: str, label: str, *, muted: bool, coach: str | None) -> None:
        """Mute or unmute a supervisor in a live room, and make them coach the call coach (heard
        by that participant alone) or nobody.

        One update of the participant changes all three (Muted, Coaching, CallSidToCoach), so
        the room never hears a half-changed supervisor.
        """
        changes: dict[str, Any] = {"muted": muted, "coaching": coach is not None}
        if coach is not None:
            changes["call_sid_to_coach"] = coach
        conference_sid = self.room_sid(room)
        if conference_sid is None:
            raise NotOnTheNetwork(f"room {room} is not live", 404)
        log.info("room %s: %s now muted=%s coaching=%s", room, label, muted, coach)
        with network_errors(f"changing {label} in room {room}"):
            self.client.conferences(conference_sid).participants(label).update(**changes)

    def live_rooms(self) -> dict[str, list[str]]:
        """Return the conference rooms that are live (started or waiting), each name with the
        labels of the participants in it (the Participant resource's Label, the participantLabel
        each joined with; a participant who joined without one is listed by CallSid)."""
        rooms: dict[str, list[str]] = {}
        with network_errors("listing live rooms"):
            for status in ("in-progress", "init"):
                for conference in self.client.conferences.list(status=status):
                    participants = self.client.conferences(conference.sid).participants.list()
                    rooms[str(conference.friendly_name)] = [
                        str(participant.label or participant.call_sid)
                        for participant in participants
                    ]
        return rooms

    # Call control: the caller's conference room (hold, transfer, consult, three-way calls).

    def room_sid(self, room: str) -> str | None:
        """Return the sid of the live conference named room, or None if none is live.

        Participants are addressed through the conference's sid (ConferenceSid has a CF
        pattern in the Participant operations); the room's status callbacks tell it too, and
        this asks when they have not come yet.
        """
        with network_errors(f"looking up room {room}"):
            for status in ("in-progress", "init"):
                found = self.client.conferences.list(friendly_name=room, status=status, limit=1)
                if found:
                    return str(found[0].sid)
        return None

    def hold_participant(
        self, conference_sid: str, who: str, hold: bool, hold_url: str | None = None
    ) -> None:
        """Put a participant (by CallSid or label) on hold with hold_url's music, or back.

        Without hold_url Twilio plays its own hold music (Participant resource, HoldUrl).
        """
        kwargs: dict[str, Any] = {"hold": hold}
        if hold and hold_url:
            kwargs |= {"hold_url": hold_url, "hold_method": "POST"}
        log.info("room %s: %s %s", conference_sid, "holding" if hold else "resuming", who)
        with network_errors(f"holding {who} in {conference_sid}"):
            self.client.conferences(conference_sid).participants(who).update(**kwargs)

    def participant_ends_room(self, conference_sid: str, who: str, ends: bool) -> None:
        """Say whether the room ends when this participant leaves it."""
        with network_errors(f"changing how {who} leaves {conference_sid}"):
            self.client.conferences(conference_sid).participants(who).update(
                end_conference_on_exit=ends
            )

    def remove_participant(self, conference_sid: str, who: str) -> None:
        """Take a participant out of the room; a participant already gone is left alone."""
        log.info("room %s: removing %s", conference_sid, who)
        try:
            with network_errors(f"removing {who} from {conference_sid}"):
                self.client.conferences(conference_sid).participants(who).delete()
        except NotOnTheNetwork:
            return

    def dial_into_room(
        self,
        room: str,
        to: str,
        *,
        label: str,
        status_callback: str,
        timeout: int,
        ends_room: bool = False,
    ) -> str:
        """Ring to into the room (by conference sid or name) as label; return their call sid.

        They join when they answer, starting the room, without a beep; their call's progress
        (answered, completed) goes to status_callback.
        """
        log.info("room %s: ringing %s in as %s", room, to, label)
        with network_errors(f"ringing {label} into {room}"):
            participant = self.client.conferences(room).participants.create(
                from_=self.from_number,
                to=to,
                label=label,
                beep="false",
                start_conference_on_enter=True,
                end_conference_on_exit=ends_room,
                timeout=timeout,
                status_callback=status_callback,
                status_callback_method="POST",
                status_callback_event=["answered", "completed"],
            )
        return str(participant.call_sid)

    def fetch_recording(self, recording_sid: str, channels: int = 1) -> bytes:
        """Return the audio of a recording as WAV bytes.

        A conference's recording is stored in two channels (the first participant, then
        everyone else) but downloads in one unless RequestedChannels=2 asks for both
        (Twilio's changelog of 15 September 2025); channels=2 asks. A body shorter or longer
        than its Content-Length is refused, so a cut download is never taken for the audio.
        """
        with network_errors(f"fetching recording {recording_sid}"):
            recording = self.client.recordings(recording_sid).fetch()
            url = "https://api.twilio.com" + str(recording.uri).removesuffix(".json") + ".wav"
            if isinstance(self.client.http_client, EmulatorHttpClient):
                url = self.client.http_client.rewrite(url)
            # The library's client decodes bodies as text, so audio is fetched with requests.
            response = requests.get(
                url,
                params={"RequestedChannels": "2"} if channels == 2 else None,
                auth=(str(self.client.username), str(self.client.password)),
                timeout=30,
            )
            if response.status_code == 404:
                raise NotOnTheNetwork(f"recording {recording_sid} has no audio", 404)
            if response.status_code >= 400:
                raise TelephonyError(
                    f"fetching recording {recording_sid}: HTTP {response.status_code}",
                    response.status_code,
                )
            declared = response.headers.get("Content-Length")
            if (
                declared is not None
                and declared.isdigit()
                and int(declared) != len(response.content)
            ):
                raise TelephonyError(
                    f"recording {recording_sid}: {len(response.content)} bytes of {declared}"
                )
        return response.content

    def pause_room_recording(self, conference_sid: str, paused: bool) -> None:
        """Pause the recording of a room (skipping what is said meanwhile), or resume it.

        Twilio.CURRENT names the room's recording in progress (UpdateConferenceRecording).
        """
        status = "paused" if paused else "in-progress"
        kwargs: dict[str, Any] = {"status": status}
        if paused:
            kwargs["pause_behavior"] = "skip"
        log.info("room %s: recording %s", conference_sid, status)
        with network_errors(f"setting the recording of {conference_sid} {status}"):
            self.client.conferences(conference_sid).recordings("Twilio.CURRENT").update(**kwargs)

    def delete_recording(self, recording_sid: str) -> bool:
        """Delete a recording and its audio at the network; return False if it was gone already.

        Twilio answers 204 to a deletion and 404 to a recording it no longer holds, so a
        deletion repeated after a crash is harmless.
        """
        try:
            with network_errors(f"deleting recording {recording_sid}"):
                deleted = self.client.recordings(recording_sid).delete()
        except NotOnTheNetwork:
            return False
        log.info("recording %s deleted at the phone network", recording_sid)
        return bool(deleted)

    def recordings_created_before(self, day: date) -> list[NetworkRecording]:
        """Return the recordings the network holds that were created on or before a day (GMT).

        Twilio's list filter DateCreated< reads "on or before"; the library pages through.
        """
        moment = datetime.combine(day, time(23, 59, 59), UTC)
        with network_errors("listing recordings"):
            listed = self.client.recordings.list(date_created_before=moment)
        return [
            NetworkRecording(str(item.sid), str(item.call_sid or ""), item.date_created)
            for item in listed
        ]


class CallControl(Protocol):
    """What the centre asks of a call's conference room: hold the caller, bring someone in,
    let someone leave without ending the room (hold and transfer; kept apart from the rest)."""

    def room_sid(self, room: str) -> str | None:
        """Return the sid of the live conference named room, or None if none is live."""

    def hold_participant(
        self, conference_sid: str, who: str, hold: bool, hold_url: str | None = None
    ) -> None:
        """Put a participant (by CallSid or label) on hold with hold_url's music, or back."""

    def participant_ends_room(self, conference_sid: str, who: str, ends: bool) -> None:
        """Say whether the room ends when this participant leaves it."""

    def remove_participant(self, conference_sid: str, who: str) -> None:
        """Take a participant out of the room; a participant already gone is left alone."""

    def dial_into_room(
        self,
        room: str,
        to: str,
        *,
        label: str,
        status_callback: str,
        timeout: int,
        ends_room: bool = False,
    ) -> str:
        """Ring to into the room (by conference sid or name) as label; return their call sid."""

    def pause_room_recording(self, conference_sid: str, paused: bool) -> None:
        """Pause the recording of a room, or resume it."""


def make_telephony(settings: Settings) -> TwilioTelephony:
    """Build the boundary that settings choose: the emulator if TWILIO_API_URL is set."""
    http_client: TwilioHttpClient
    if settings.twilio_api_url:
        http_client = EmulatorHttpClient(settings.twilio_api_url, timeout=10)
    else:
        http_client = TwilioHttpClient(timeout=10)
    client = Client(
        settings.twilio_account_sid, settings.twilio_auth_token, http_client=http_client
    )
    return TwilioTelephony(client, settings.hotline_number)


def signature_is_valid(
    settings: Settings, path_and_query: str, params: dict[str, str], signature: str | None
) -> bool:
    """Check X-Twilio-Signature against the public URL Twilio requested."""
    if not signature:
        return False
    url = settings.public_url + path_and_query
    validator = RequestValidator(settings.twilio_auth_token)
    # Twilio signs the URL it requested, so one signature over exactly that URL settles almost
    # every request. The library's full check (the URL with and without its port, and the
    # body hash of JSON requests) runs only when that one does not match.
    if "bodySHA256" not in path_and_query and compare(
        validator.compute_signature(url, params), signature
    ):
        return True
    return bool(validator.validate(url, params, signature))


class TelephonyProvider:
    """The process's boundary, configured once by the composition root."""

    def __init__(self) -> None:
        self._settings: Settings | None = None
        self._telephony: Telephony | None = None

    def configure(self, settings: Settings) -> None:
        """Remember the settings; the client is built on first use."""
        self._settings = settings
        self._telephony = None

    def current(self) -> Telephony:
        """Return the configured boundary."""
        if self._telephony is None:
            if self._settings is None:
                raise RuntimeError("telephony is not configured; create the app first")
            self._telephony = make_telephony(self._settings)
        return self._telephony

    def call_control(self) -> CallControl:
        """Return the configured boundary's control of conference rooms."""
        current = self.current()
        if not isinstance(current, TwilioTelephony):
            raise TelephonyError("this phone network cannot control conference rooms")
        return current


telephony = TelephonyProvider()
