"""Twilio's recording status callback."""

from __future__ import annotations

from flask import Blueprint, request
from twilio.twiml.voice_response import VoiceResponse

from hotline.webhooks import twilio_webhook
from recordings import service, urls

bp = Blueprint("recordings", __name__)


@bp.post(urls.STATUS)
@twilio_webhook()
def status() -> VoiceResponse:
    """Record that a recording is ready (or failed)."""
    form = request.form
    duration = form.get("RecordingDuration")
    service.recording_status(
        form["RecordingSid"],
        form.get("CallSid", ""),
        form.get("RecordingUrl", ""),
        form.get("RecordingStatus", ""),
        int(duration) if duration and duration.isdigit() else None,
    )
    return VoiceResponse()
