"""Run one call: fetch TwiML from the centre and act it out, verb by verb, as Twilio does.

The verbs themselves live in prompts, listening, queueing and dialing; this module holds the
call's life and the primitives they share: waiting (interruptibly), hearing the caller,
fetching documents and sending callbacks.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime
from functools import cache
from typing import TYPE_CHECKING, NoReturn
from urllib.parse import urljoin

import phonenumbers
from phonenumbers import geocoder

from emulator.caller import SCRIPT_ENDED, Caller, CallerStep, parse_script
from emulator.dialing import dial
from emulator.exceptions import (
    ApplicationError,
    CallBridged,
    CallEnded,
    CallInterrupted,
    CallRedirected,
    ConferenceChanged,
)
from emulator.listening import gather, record
from emulator.models import Call
from emulator.prompts import play, say_seconds
from emulator.queueing import enqueue
from emulator.twiml import (
    VOICE_VERBS,
    Fetch,
    Leave,
    Outcome,
    RunTwiml,
    Verb,
    content_type_is_twiml,
    parse_document,
)
from emulator.webhooks import Webhooks

if TYPE_CHECKING:
    from emulator.network import PhoneNetwork

log = logging.getLogger(__name__)

APPLICATION_ERROR_MESSAGE = "We are sorry, an application error has occurred. Goodbye."


def error_code(error: ApplicationError) -> int:
    """Return the Twilio error code a failed document is reported with (its error pages:
    11200 HTTP retrieval failure, 11205 HTTP connection failure, 12300 Invalid Content-Type,
    12100 Document parse failure)."""
    if "Content-Type" in error.reason:
        return 12300
    if error.status is not None:
        return 11200
    if error.reason.startswith("could not reach"):
        return 11205
    return 12100


@cache
def place_of(number: str) -> dict[str, str]:
    """Return Twilio's geographic fields for a phone number (empty for clients)."""
    place = {"Country": "", "City": "", "State": "", "Zip": ""}
    if not number.startswith("+"):
        return place
    try:
        parsed = phonenumbers.parse(number, None)
    except phonenumbers.NumberParseException:
        return place
    place["Country"] = phonenumbers.region_code_for_number(parsed) or ""
    place["City"] = geocoder.description_for_number(parsed, "en").upper()
    return place


def describe_call_end(status: str, duration: int) -> str:
    """Return the transcript line for the end of a call."""
    return f"call ended: {status} after {duration}s"


class CallRunner:
    """Acts out one call leg in its own thread."""

    def __init__(self, network: PhoneNetwork, call: Call) -> None:
        self.network = network
        self.config = network.config
        self.call = call
        self.webhooks = Webhooks(self.config.auth_token, call.sid, observer=self._on_request)
        self.document_url = call.url or ""
        self.last_document_at = 0.0
        self.callback_sequence = 0
        self.ending = False

    def _on_request(self, method: str, url: str, status: int | None) -> None:
        shown = "no answer" if status is None else str(status)
        self.call.record(
            "request", f"{method} {url} → {shown}", method=method, url=url, status=status
        )

    def resolve(self, reference: str | None, document_url: str) -> str | None:
        """Resolve a URL from TwiML against the document it came from; None when blank."""
        if reference is None or not reference.strip():
            return None
        return urljoin(document_url, reference.strip())

    def base_params(self) -> dict[str, str]:
        """Return the parameters Twilio sends with every request about this call."""
        call = self.call
        if call.is_final or self.ending:
            status = call.status if call.is_final else "completed"
        elif call.answered is None:
            status = "ringing"
        else:
            status = "in-progress"
        params = {
            "CallSid": call.sid,
            "AccountSid": call.account_sid,
            "From": call.from_,
            "To": call.to,
            "Caller": call.from_,
            "Called": call.to,
            "CallStatus": status,
            "Direction": call.direction,
            "ApiVersion": "2010-04-01",
        }
        if call.parent_call_sid:
            params["ParentCallSid"] = call.parent_call_sid
        for prefix, number in (("From", call.from_), ("To", call.to)):
            for key, value in place_of(number).items():
                params[prefix + key] = value
        for prefix, source in (("Caller", "From"), ("Called", "To")):
            for key in ("Country", "City", "State", "Zip"):
                params[prefix + key] = params[source + key]
        return params

    def _settle(self, now: float) -> None:
        for step in self.call.caller.settle(now, self.config.time_scale):
            self.call.record("wait", f"caller waits {step.seconds:g}s", seconds=step.seconds)

    def _check(self, now: float) -> None:
        """Raise the interruption waiting for this call, if any; call with the lock held."""
        call = self.call
        if call.pending_end is not None:
            end = call.pending_end
            raise CallEnded(end.status, end.reason, end.by_caller)
        hangup_at = call.caller.hangup_at
        page_quiet = call.heartbeat is not None and now >= call.last_heard_from + call.heartbeat
        if page_quiet or (hangup_at is not None and now >= hangup_at):
            call.pending_end = CallEnded("completed", "caller hung up", by_caller=True)
            why = f"the caller's page went quiet for {call.heartbeat:g}s: " if page_quiet else ""
            call.record("hangup", why + "caller hangs up")
            raise CallEnded("completed", "caller hung up", by_caller=True)
        if now >= call.started + call.max_duration:
            call.pending_end = CallEnded("completed", "maximum call duration reached", False)
            call.record("hangup", f"the call reached its maximum duration ({call.max_duration:g}s)")
            raise CallEnded("completed", "maximum call duration reached", by_caller=False)
        if call.pending_redirect is not None:
            redirect, call.pending_redirect = call.pending_redirect, None
            raise redirect
        if call.pending_bridge is not None:
            bridge, call.pending_bridge = call.pending_bridge, None
            raise CallBridged(bridge)
        if call.conference_changed:
            call.conference_changed = False
            raise ConferenceChanged()

    def _next_wake(self, now: float, deadline: float) -> float:
        call = self.call
        wake = min(deadline, call.started + call.max_duration)
        if call.heartbeat is not None:
            wake = min(wake, call.last_heard_from + call.heartbeat)
        for moment in (call.caller.hangup_at, call.caller.busy_until):
            if moment is not None and moment > now:
                wake = min(wake, moment)
        return max(0.001, wake - now)

    def pause(
        self,
        seconds: float,
        until: Callable[[], bool] | None = None,
        on_input: bool = False,
    ) -> bool:
        """Let real time pass on the call; return True as soon as `until` holds or input comes.

        Raises CallInterrupted when the caller hangs up, the REST API redirects or ends the
        call, or a <Dial><Queue> bridges it.
        """
        deadline = time.monotonic() + max(0.0, seconds)
        with self.network.changed:
            while True:
                now = time.monotonic()
                self._settle(now)
                self._check(now)
                if until is not None and until():
                    return True
                if on_input and self.call.caller.has_input():
                    return True
                if now >= deadline:
                    return False
                self.network.changed.wait(self._next_wake(now, deadline))

    def next_input(self, deadline: float) -> CallerStep | None:
        """Return the caller's next step before deadline, None for nothing, or SCRIPT_ENDED."""
        caller = self.call.caller
        with self.network.changed:
            while True:
                now = time.monotonic()
                self._settle(now)
                self._check(now)
                if caller.scripted and caller.ready(now) and now < deadline:
                    step = caller.take()
                    if step is None:
                        return SCRIPT_ENDED
                    self._settle(now)
                    return step
                if not caller.scripted:
                    step = caller.take()
                    if step is not None:
                        return step
                if now >= deadline:
                    return None
                self.network.changed.wait(self._next_wake(now, deadline))

    def hang_up_after_script(self) -> NoReturn:
        """End the call because a scripted caller has nothing left to say at a prompt."""
        self.call.record("hangup", "the script has ended: the caller hangs up")
        ended = CallEnded("completed", "script ended", by_caller=True)
        with self.network.changed:
            self.call.pending_end = ended
        raise ended

    def listening(self, value: bool) -> None:
        """Tell the network whether live input would be heard now; drop unheard input."""
        with self.network.changed:
            self.call.listening = value
            if not value and not self.call.caller.scripted:
                self.call.caller.pending.clear()

    def _throttle(self) -> None:
        # A document that takes no time (an empty wait document, a Redirect loop) must still
        # cost real time, or a buggy centre would be hammered in a tight loop.
        wait = self.last_document_at + self.config.min_document_interval - time.monotonic()
        if wait > 0:
            self.pause(wait)
        self.last_document_at = time.monotonic()

    def fetch_document(
        self, url: str, method: str, extra: dict[str, str] | None = None
    ) -> tuple[list[Verb], str]:
        """Request a TwiML document and parse it; return its verbs and its final URL."""
        self._throttle()
        params = self.base_params() | (extra or {})
        answer = self.webhooks.fetch(url, method, params)
        if answer.content_type.lower().startswith("audio/"):
            return [Verb("Play", {}, answer.url)], answer.url
        if not content_type_is_twiml(answer.content_type):
            raise ApplicationError(
                f"Content-Type {answer.content_type!r} is not TwiML", answer.url, answer.status
            )
        return parse_document(answer.body, answer.url), answer.url

    def notify(self, url: str | None, method: str, extra: dict[str, str]) -> None:
        """Request a URL whose TwiML is ignored, as Twilio does once a call has ended."""
        if url:
            self.webhooks.notify(url, method, self.base_params() | extra)

    def run(self) -> None:
        """Act out the whole call, then report how it ended."""
        call = self.call
        try:
            with self.network.changed:
                self._settle(time.monotonic())
            call.record("dial", f"calling {call.to} from {call.from_}", to=call.to)
            if call.direction == "outbound-api" and not self._ring_outbound():
                return
            if call.twiml:
                self._run_program(RunTwiml(call.twiml))
            else:
                self._run_program(Fetch(call.url or self.config.voice_url, call.method))
        except Exception as exc:
            log.exception("call %s: the emulator failed", call.sid)
            call.record("error", f"emulator failure: {exc}")
        finally:
            self._finish()

    def _ring_outbound(self) -> bool:
        call = self.call
        self.report_progress("initiated")
        if not self.network.ring(call, call.to):
            call.record("hangup", f"{call.to} is busy")
            self.network.set_status(call, "busy")
            return False
        call.record("ringing", f"ringing {call.to}", to=call.to)
        self.report_progress("ringing")
        try:
            self.pause(call.ring_timeout, until=lambda: call.status != "ringing")
        except CallEnded as end:
            self.network.set_status(call, "canceled" if call.answered is None else end.status)
            return False
        if call.is_final:
            return False
        if call.status != "in-progress":
            call.record("hangup", f"{call.to} did not answer")
            self.network.set_status(call, "no-answer")
            return False
        endpoint = self.network.endpoint(call.to)
        with self.network.changed:
            script = parse_script(endpoint.script) if endpoint.script is not None else None
            call.caller = Caller(None if call.answered_by == "voicemail" else script)
            if endpoint.hangup_after is not None:
                call.caller.hangup_at = time.monotonic() + endpoint.hangup_after
            self._settle(time.monotonic())
        call.record("connected", f"{call.to} answered")
        self.report_progress("answered")
        return True

    def _answer(self, first_verb: Verb | None) -> None:
        if self.call.answered is None and (first_verb is None or first_verb.name != "Reject"):
            self.network.set_status(self.call, "in-progress")

    def _run_program(self, start: Fetch | RunTwiml) -> None:
        next_step: Fetch | RunTwiml = start
        while True:
            try:
                if isinstance(next_step, RunTwiml):
                    verbs = parse_document(next_step.twiml)
                    document_url = self.document_url
                else:
                    verbs, document_url = self.fetch_document(
                        next_step.url, next_step.method, next_step.params
                    )
                self.document_url = document_url
                self._answer(verbs[0] if verbs else None)
                outcome = self.run_verbs(verbs, document_url, VOICE_VERBS)
                if outcome is None or isinstance(outcome, Leave):
                    self.call.record("hangup", "no more TwiML: the call hangs up")
                    self.end("completed")
                    return
                next_step = outcome
            except CallRedirected as redirect:
                self.call.record(
                    "redirect",
                    f"redirected by the REST API to {redirect.url or 'inline TwiML'}",
                    url=redirect.url,
                    method=redirect.method,
                )
                if redirect.twiml is not None:
                    next_step = RunTwiml(redirect.twiml)
                else:
                    next_step = Fetch(redirect.url or "", redirect.method)
            except CallBridged as bridged:
                log.warning("call %s: bridged outside a queue", self.call.sid)
                self.network.end_bridge(bridged.bridge, self.call.sid)
            except CallEnded as end:
                self.end(end.status)
                return
            except ApplicationError as error:
                fallback = self.fallback(error)
                if fallback is None:
                    self.application_error(error)
                    return
                next_step = fallback

    def fallback(self, error: ApplicationError) -> Fetch | None:
        """Go on at the number's fallback URL after a document failed, as Twilio does.

        *Availability and Reliability* (Twilio docs): "If Twilio is unable to retrieve or
        execute TwiML from your web server, a request is immediately made to the number's
        Fallback URL", with ErrorCode and ErrorUrl. A failing fallback is an application error.
        """
        url = self.call.fallback_url
        if not url or error.url == url:
            return None
        log.warning("call %s: %s failed (%s); trying the fallback", self.call.sid, error.url, error)
        self.call.record(
            "error", f"application error: {error.reason}", url=error.url, status=error.status
        )
        self.call.record("fallback", f"fetching the number's fallback URL {url}", url=url)
        params = {"ErrorCode": str(error_code(error)), "ErrorUrl": error.url or ""}
        return Fetch(url, "POST", params)

    def application_error(self, error: ApplicationError) -> None:
        """Play Twilio's application-error message and end the call."""
        log.warning("call %s: application error at %s: %s", self.call.sid, error.url, error.reason)
        self.call.record(
            "error",
            f"application error: {error.reason}",
            url=error.url,
            status=error.status,
        )
        self._answer(None)
        self.call.record("say", APPLICATION_ERROR_MESSAGE, language="en-US", voice="woman")
        with contextlib.suppress(CallInterrupted):
            self.pause(self.config.scaled(say_seconds(APPLICATION_ERROR_MESSAGE)))
        self.end("completed")

    def end(self, status: str) -> None:
        """End the call with a status, leaving any queue or bridge it was in."""
        self.ending = True
        if self.call.pending_bridge is not None:
            self.network.end_bridge(self.call.pending_bridge, self.call.sid)
        if self.call.is_final:
            return
        if self.call.answered is None and status == "completed":
            status = "canceled" if self.call.direction == "inbound" else status
        self.network.leave_queue(self.call)
        self.network.set_status(self.call, status)

    def _finish(self) -> None:
        call = self.call
        if not call.is_final:
            self.end("completed" if call.answered is not None else "failed")
        self.report_progress("completed")
        self.webhooks.close()
        call.record(
            "status",
            describe_call_end(call.status, call.duration),
            status=call.status,
            duration=call.duration,
        )
        with self.network.changed:
            call.wrapped_up = True
            self.network.changed.notify_all()
        log.info("call %s: ended %s after %ss", call.sid, call.status, call.duration)

    def report_progress(self, event: str) -> None:
        """Send the call-progress event to the call's status callback if it asked for it."""
        callback = self.call.status_callback
        if callback is None or event not in callback.events:
            return
        self.callback_sequence += 1
        params = self.base_params() | {
            "Timestamp": datetime.now(UTC).strftime("%a, %d %b %Y %H:%M:%S +0000"),
            "CallbackSource": "call-progress-events",
            "SequenceNumber": str(self.callback_sequence - 1),
        }
        if event == "completed":
            params["CallStatus"] = self.call.status
            params["CallDuration"] = str(self.call.duration)
        elif event == "initiated":
            params["CallStatus"] = "queued"
        elif event == "ringing":
            params["CallStatus"] = "ringing"
        elif event == "answered":
            params["CallStatus"] = "in-progress"
        self.webhooks.notify(callback.url, callback.method, params)

    def run_verbs(
        self, verbs: list[Verb], document_url: str, allowed: frozenset[str]
    ) -> Outcome | None:
        """Perform verbs in order until one hands the call elsewhere; None when they run out."""
        for verb in verbs:
            if verb.name not in allowed:
                raise ApplicationError(f"<{verb.name}> is not allowed here", document_url)
            for attribute in verb.invalid_numbers():
                self.call.record(
                    "warning",
                    f"<{verb.name} {attribute}> is not a number; Twilio ignores it",
                )
            outcome = self._perform(verb, document_url)
            if outcome is not None:
                return outcome
        return None

    def _perform(self, verb: Verb, document_url: str) -> Outcome | None:
        if verb.name in ("Say", "Play", "Pause"):
            play(self, verb, document_url)
            return None
        if verb.name == "Gather":
            return gather(self, verb, document_url)
        if verb.name == "Redirect":
            target = self.resolve(verb.text, document_url)
            if target is None:
                raise ApplicationError("<Redirect> without a URL", document_url)
            method = (verb.attr("method") or "POST").upper()
            self.call.record("redirect", f"redirect to {target}", url=target, method=method)
            return Fetch(target, method)
        if verb.name == "Enqueue":
            return enqueue(self, verb, document_url)
        if verb.name == "Leave":
            if self.call.queue_sid is None:
                self.call.record("warning", "<Leave> outside a queue is ignored")
                return None
            return Leave()
        if verb.name == "Dial":
            return dial(self, verb, document_url)
        if verb.name == "Record":
            return record(self, verb, document_url)
        if verb.name == "Hangup":
            self.call.record("hangup", "the centre hung up")
            raise CallEnded("completed", "the centre hung up", by_caller=False)
        self._reject(verb)

    def _reject(self, verb: Verb) -> NoReturn:
        reason = verb.attr("reason") or "rejected"
        status = "busy" if reason == "busy" else "no-answer"
        if self.call.answered is not None:
            status = "completed"
        self.call.record("reject", f"the centre rejected the call ({reason})", reason=reason)
        raise CallEnded(status, f"rejected ({reason})", by_caller=False)
