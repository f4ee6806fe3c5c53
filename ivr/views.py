"""The IVR's Twilio webhooks: the hotline number's voice URL and everything it leads to."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, request
from twilio.twiml.voice_response import VoiceResponse

from hotline.access import public
from hotline.settings import Settings
from hotline.webhooks import polite_goodbye, twilio_webhook
from ivr import consultant, service, urls
from ivr.steps import CallInput

bp = Blueprint("ivr", __name__)


def settings() -> Settings:
    """Return the running app's settings."""
    running: Settings = current_app.extensions["hotline.settings"]
    return running


def to_a_person(call_sid: str | None) -> VoiceResponse:
    """Fallback: apologise and queue for a consultant, or say goodbye if even that fails."""
    try:
        return service.apology_then_consultant(settings(), call_sid)
    except Exception:
        return polite_goodbye(call_sid)


def step_name(step: str) -> str:
    """Return a known step name; an unknown one fails into the webhook's fallback."""
    if step not in service.STEPS:
        raise LookupError(f"no IVR step {step!r}")
    return step


@bp.post(urls.INCOMING)
@twilio_webhook(fallback=to_a_person)
def incoming() -> VoiceResponse:
    """Answer a new call to the hotline number."""
    return service.start_call(settings(), request.form["CallSid"], request.form.get("From", ""))


@bp.post(urls.LANGUAGE)
@twilio_webhook(fallback=to_a_person)
def language() -> VoiceResponse:
    """Switch to the language the caller keyed, or put them through to a consultant."""
    form = request.form
    return service.choose_language(
        settings(), form["CallSid"], form.get("Digits", ""), form.get("SpeechResult", "")
    )


@bp.post(urls.START)
@twilio_webhook(fallback=to_a_person)
def start() -> VoiceResponse:
    """Carry on after the greeting."""
    return service.start(settings(), request.form["CallSid"])


@bp.post(urls.step("<step>"))
@twilio_webhook(fallback=to_a_person)
def show(step: str) -> VoiceResponse:
    """Read an IVR page (in the language the URL names, if it names one)."""
    return service.show(
        settings(), request.form["CallSid"], step_name(step), request.args.get("language")
    )


@bp.post(urls.step_input("<step>"))
@twilio_webhook(fallback=to_a_person)
def receive(step: str) -> VoiceResponse:
    """Act on a key or phrase given on a page."""
    given = CallInput(
        digits=request.form.get("Digits", ""), said=request.form.get("SpeechResult", "")
    )
    return service.receive(settings(), request.form["CallSid"], step_name(step), given)


@bp.post(urls.step_silence("<step>"))
@twilio_webhook(fallback=to_a_person)
def silence(step: str) -> VoiceResponse:
    """Re-prompt after silence on a page."""
    return service.silence(settings(), request.form["CallSid"], step_name(step))


@bp.post(urls.FALLBACK)
@twilio_webhook()
def fallback() -> VoiceResponse:
    """The number's fallback URL: a request to the centre failed mid-call (a web process
    died, say); put the caller through to a person, with everything they told the IVR."""
    form = request.form
    return service.recover_call(
        settings(), form["CallSid"], form.get("From", ""), form.get("ErrorCode", "")
    )


@bp.post(urls.VOICEMAIL_DONE)
@twilio_webhook()
def voicemail_done() -> VoiceResponse:
    """Thank the caller after their message."""
    return consultant.voicemail_done(request.form["CallSid"], request.form.get("RecordingUrl", ""))


@bp.post(urls.STATUS)
@twilio_webhook()
def status() -> VoiceResponse:
    """Take the number's status callback; late or repeated callbacks are harmless."""
    form = request.form
    service.call_ended(form["CallSid"], form.get("From", ""), form.get("CallStatus", ""))
    return VoiceResponse()


@bp.get(urls.HEALTH)
@public
def health() -> Response:
    """Tell a load balancer the web process is up."""
    return Response("ok\n", mimetype="text/plain")
