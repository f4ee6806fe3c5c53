"""The IVR's Twilio webhooks: the hotline number's voice URL and everything it leads to."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, request
from twilio.twiml.voice_response import VoiceResponse

from hotline.settings import Settings
from hotline.webhooks import polite_goodbye, twilio_webhook
from ivr import service

bp = Blueprint("ivr", __name__, url_prefix="/ivr")


def settings() -> Settings:
    """Return the running app's settings."""
    return current_app.extensions["hotline.settings"]


def to_a_person(call_sid: str | None) -> VoiceResponse:
    """Fallback: apologise and queue for a consultant, or say goodbye if even that fails."""
    try:
        return service.apology_then_consultant(settings(), call_sid)
    except Exception:
        return polite_goodbye(call_sid)


@bp.post("/incoming")
@twilio_webhook(fallback=to_a_person)
def incoming() -> VoiceResponse:
    """Answer a new call to the hotline number."""
    return service.start_call(settings(), request.form["CallSid"], request.form.get("From", ""))


@bp.post("/language")
@twilio_webhook(fallback=to_a_person)
def language() -> VoiceResponse:
    """Switch to the language the caller keyed."""
    return service.choose_language(request.form["CallSid"], request.form.get("Digits", ""))


@bp.post("/menu")
@twilio_webhook(fallback=to_a_person)
def menu() -> VoiceResponse:
    """Read the main menu."""
    return service.main_menu(request.form["CallSid"])


@bp.post("/menu/choice")
@twilio_webhook(fallback=to_a_person)
def menu_choice() -> VoiceResponse:
    """Act on a main-menu key or phrase."""
    return service.menu_choice(
        settings(),
        request.form["CallSid"],
        request.form.get("Digits", ""),
        request.form.get("SpeechResult", ""),
    )


@bp.post("/menu/silence")
@twilio_webhook(fallback=to_a_person)
def menu_silence() -> VoiceResponse:
    """Re-prompt after silence at the main menu."""
    return service.menu_silence(settings(), request.form["CallSid"])


@bp.post("/answer/<topic>/choice")
@twilio_webhook(fallback=to_a_person)
def answer_choice(topic: str) -> VoiceResponse:
    """Act on a key pressed after an answer."""
    return service.answer_choice(
        settings(), request.form["CallSid"], topic, request.form.get("Digits", "")
    )


@bp.post("/answer/<topic>/silence")
@twilio_webhook(fallback=to_a_person)
def answer_silence(topic: str) -> VoiceResponse:
    """Re-read the options after an answer."""
    return service.answer_silence(settings(), request.form["CallSid"], topic)


@bp.post("/status")
@twilio_webhook()
def status() -> VoiceResponse:
    """Take the number's status callback; late or repeated callbacks are harmless."""
    form = request.form
    service.call_ended(form["CallSid"], form.get("From", ""), form.get("CallStatus", ""))
    return VoiceResponse()


@bp.get("/health")
def health() -> Response:
    """Tell a load balancer the web process is up."""
    return Response("ok\n", mimetype="text/plain")
