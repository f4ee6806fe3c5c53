"""The one boundary between the centre and the phone network (Twilio or the emulator)."""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
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

    def fetch_recording(self, recording_sid: str) -> bytes:
        """Return the audio of a recording as WAV bytes."""

    def call_status(self, call_sid: str) -> str | None:
        """Return a call's status ("in-progress", "completed"...), or None if there is no such
        call."""

    def set_supervisor_mode(self, room: str, label: str, *, muted: bool, coach: str | None) -> None:
        """Mute or unmute a supervisor in a live room, and make them coach the call coach (heard
        by that participant alone) or nobody."""


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
        conference_sid = self._supervised_room_sid(room)
        log.info("room %s: %s now muted=%s coaching=%s", room, label, muted, coach)
        with network_errors(f"changing {label} in room {room}"):
            self.client.conferences(conference_sid).participants(label).update(**changes)

    def _supervised_room_sid(self, room: str) -> str:
        """Return the sid of the room of this name that is in progress (a participant is
        updated through its room's sid, not its name)."""
        with network_errors(f"finding room {room}"):
            rooms = self.client.conferences.list(friendly_name=room, status="in-progress", limit=1)
        if not rooms:
            raise NotOnTheNetwork(f"room {room} is not in progress", 404)
        return str(rooms[0].sid)

    def fetch_recording(self, recording_sid: str) -> bytes:
        """Return the audio of a recording as WAV bytes."""
        with network_errors(f"fetching recording {recording_sid}"):
            recording = self.client.recordings(recording_sid).fetch()
            url = "https://api.twilio.com" + str(recording.uri).removesuffix(".json") + ".wav"
            if isinstance(self.client.http_client, EmulatorHttpClient):
                url = self.client.http_client.rewrite(url)
            # The library's client decodes bodies as text, so audio is fetched with requests.
            response = requests.get(
                url, auth=(str(self.client.username), str(self.client.password)), timeout=30
            )
            if response.status_code == 404:
                raise NotOnTheNetwork(f"recording {recording_sid} has no audio", 404)
            response.raise_for_status()
        return response.content


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


telephony = TelephonyProvider()
