"""The path of the recordings' Twilio webhook, named once for the views and the TwiML."""

from __future__ import annotations

from urllib.parse import urlencode

PREFIX = "/recordings"
# Twilio reports here, in the background, when a recording is ready (recordingStatusCallback).
STATUS = PREFIX + "/status"
# Twilio posts here what its transcription of a voicemail says (<Record transcribeCallback>).
TRANSCRIPTION = PREFIX + "/transcription"


def status_url(language: str | None = None) -> str:
    """Return the status callback's path, telling it the caller's language when known.

    Twilio signs the whole URL it requests, query included, so the language arrives as
    trustworthy as the form itself.
    """
    return f"{STATUS}?{urlencode({'language': language})}" if language else STATUS


def transcription_url(language: str | None = None) -> str:
    """Return the transcription callback's path, telling it the caller's language when known."""
    return f"{TRANSCRIPTION}?{urlencode({'language': language})}" if language else TRANSCRIPTION
