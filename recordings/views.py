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
    """Keep what Twilio says of a recording (ready, absent or failed) before acknowledging it."""
    form = request.form
    duration = form.get("RecordingDuration", "")
    channels = form.get("RecordingChannels", "")
    # A room's recording names no call; its callback URL (signed with it) says whose room.
    kind = "call" if request.args.get("kind") == "call" else "voicemail"
    service.report_recording(
        service.RecordingReport(
            recording_sid=form["RecordingSid"],
            call_sid=request.args.get("call", "") if kind == "call" else form.get("CallSid", ""),
            url=form.get("RecordingUrl", ""),
            status=form.get("RecordingStatus", ""),
            duration=int(duration) if duration.isdigit() else None,
            language=request.args.get("language") or None,
            kind=kind,
            conference_sid=form.get("ConferenceSid") or None,
            channels=int(channels) if channels in ("1", "2") else None,
        )
    )
    return VoiceResponse()


@bp.post(urls.TRANSCRIPTION)
@twilio_webhook()
def transcription() -> VoiceResponse:
    """Keep what Twilio's transcription of a voicemail says (or that it failed) before
    acknowledging it; a repeat, or one that comes before the recording's own report, is kept
    just the same."""
    form = request.form
    service.report_transcription(
        service.TranscriptionReport(
            recording_sid=form["RecordingSid"],
            call_sid=form.get("CallSid", ""),
            url=form.get("RecordingUrl", ""),
            status=form.get("TranscriptionStatus", ""),
            text=form.get("TranscriptionText", ""),
            language=request.args.get("language") or None,
        )
    )
    return VoiceResponse()
