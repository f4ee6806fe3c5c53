"""Twilio webhooks for waiting in the queue and reaching a consultant."""

from __future__ import annotations

from flask import Blueprint, request
from twilio.twiml.voice_response import VoiceResponse

from hotline import speech
from hotline.webhooks import twilio_webhook
from routing import service, twiml, urls
from routing.extension import services as routing

bp = Blueprint("routing", __name__)


def keep_waiting(_call_sid: str | None) -> VoiceResponse:
    """Hold quietly if the wait URL fails: the caller keeps their place."""
    return twiml.hold(10)


def back_to_queue(_call_sid: str | None) -> VoiceResponse:
    """Put the caller back in the queue if connecting fails."""
    return twiml.enqueue(speech.DEFAULT_LANGUAGE, routing().settings.queue_name, announce="apology")


@bp.post(urls.WAIT)
@twilio_webhook(fallback=keep_waiting)
def wait() -> VoiceResponse:
    """Tell a waiting caller their place; make them routable.

    Twilio sends the Queue* parameters when it requests the wait URL itself, not on a Redirect
    or a Gather action inside the wait document, so none of them is required.
    """
    update = service.WaitUpdate(
        call_sid=request.form["CallSid"],
        queue_sid=request.form.get("QueueSid", ""),
        queue_time=whole_seconds(request.form.get("QueueTime")),
    )
    return service.waiting(routing(), update)


def whole_seconds(given: str | None) -> int:
    """Read a count of seconds Twilio sent, 0 if it sent none (or nonsense)."""
    try:
        return max(0, int(given or 0))
    except ValueError:
        return 0


@bp.post(urls.QUEUE_RESULT)
@twilio_webhook()
def queue_result() -> VoiceResponse:
    """Handle a caller leaving the queue."""
    return service.queue_left(
        routing(), request.form["CallSid"], request.form.get("QueueResult", "")
    )


@bp.post(urls.WAIT_KEY)
@twilio_webhook(fallback=keep_waiting)
def wait_key() -> VoiceResponse:
    """Handle a key pressed while waiting (this document still runs inside the wait)."""
    return service.wait_key(routing(), request.form["CallSid"], request.form.get("Digits", ""))


@bp.post(urls.VOICEMAIL_DONE)
@twilio_webhook()
def voicemail_done() -> VoiceResponse:
    """Thank a caller who left a voicemail (the recording arrives at /recordings/status)."""
    return twiml.voicemail_done(service.caller_language(routing(), request.form["CallSid"]))


@bp.post(urls.CONNECT)
@twilio_webhook(fallback=back_to_queue)
def connect() -> VoiceResponse:
    """Ring the consultant chosen for this caller."""
    consultant_id = int(request.args["consultant"])
    return service.connect_consultant(routing(), request.form["CallSid"], consultant_id)


def bridge_anyway(_call_sid: str | None) -> VoiceResponse:
    """Bridge the consultant if noting their answer fails: better than dropping the caller."""
    return twiml.empty()


def offer(args: dict[str, str]) -> tuple[str, int]:
    """Read the call and the consultant a consultant-leg webhook is about from its URL."""
    return args["call"], int(args["consultant"])


@bp.post(urls.ANSWERED)
@twilio_webhook(fallback=bridge_anyway)
def answered() -> VoiceResponse:
    """The consultant's softphone picked up: note it, then let Twilio bridge the caller."""
    service.consultant_answered(routing(), *offer(request.args))
    return twiml.empty()


@bp.post(urls.SCREEN)
@twilio_webhook(fallback=bridge_anyway)
def screen() -> VoiceResponse:
    """Something answered the consultant's desk phone: ask for a key, as a voicemail box can't."""
    return twiml.screen(*offer(request.args))


@bp.post(urls.SCREEN_KEY)
@twilio_webhook(fallback=bridge_anyway)
def screen_key() -> VoiceResponse:
    """Bridge the desk phone on 1, or decline the call back to the queue."""
    return service.screened(routing(), *offer(request.args), request.form.get("Digits", ""))


@bp.post(urls.LEG_STATUS)
@twilio_webhook(fallback=lambda _sid: twiml.empty())
def leg_status() -> VoiceResponse:
    """Hear the consultant leg's progress (answered, completed)."""
    event = request.form.get("CallStatus", "")
    if event == "in-progress":
        event = "answered"
    service.leg_progress(routing(), *offer(request.args), event)
    return twiml.empty()


@bp.post(urls.DIAL_RESULT)
@twilio_webhook(fallback=back_to_queue)
def dial_result() -> VoiceResponse:
    """Handle the end of the consultant leg."""
    return service.dial_finished(
        routing(),
        request.form["CallSid"],
        int(request.args["consultant"]),
        request.form.get("DialCallStatus", "failed"),
    )


@bp.post(urls.CALLBACK_CONNECT)
@twilio_webhook(fallback=lambda _sid: twiml.consultant_message("callback_taken"))
def callback_connect() -> VoiceResponse:
    """The consultant answered a callback: dial the customer."""
    return service.callback_connect(
        routing(),
        request.args["call"],
        int(request.args["consultant"]),
        request.form.get("CallSid", ""),
    )


@bp.post(urls.CALLBACK_RESULT)
@twilio_webhook(fallback=lambda _sid: twiml.empty())
def callback_result() -> VoiceResponse:
    """The customer leg of a callback ended."""
    return service.callback_result(
        routing(),
        request.args["call"],
        int(request.args["consultant"]),
        int(request.args["attempt"]),
        request.form.get("DialCallStatus", "failed"),
        request.form.get("CallSid", ""),
    )


@bp.post(urls.CALLBACK_STATUS)
@twilio_webhook(fallback=lambda _sid: twiml.empty())
def callback_status() -> VoiceResponse:
    """The consultant leg of a callback ended (status callback)."""
    service.callback_leg_ended(
        routing(),
        request.args["call"],
        int(request.args["consultant"]),
        request.form.get("CallStatus", ""),
        request.form.get("CallSid", ""),
    )
    return twiml.empty()
