"""Background jobs of the recordings package."""

from __future__ import annotations

from recordings import service
from recordings.service import (
    RecordingReport,
    TranscriptionReport,
    store_recording,
    store_transcription,
)
from recordings.storage import make_store
from routing.extension import services


def store_recording_report(
    recording_sid: str,
    call_sid: str,
    url: str,
    status: str,
    duration: int | None = None,
    language: str | None = None,
    kind: str = "voicemail",
    conference_sid: str | None = None,
    channels: int | None = None,
) -> int:
    """Store one recording status report; safe to run twice, or after a later report."""
    report = RecordingReport(
        recording_sid, call_sid, url, status, duration, language, kind, conference_sid, channels
    )
    return store_recording(report).id


def download_recording(recording_sid: str) -> int | None:
    """Download, store and check a call's recording (retried with backoff on failure)."""
    settings = services().settings
    store = make_store(settings.recording_folder)
    recording = service.download(recording_sid, store, settings.recording_delete_at_network)
    return recording.id if recording else None


def store_transcription_report(
    recording_sid: str,
    call_sid: str,
    url: str,
    status: str,
    text: str,
    language: str | None = None,
) -> int:
    """Store one transcription callback; safe to run twice, or before the recording's report."""
    report = TranscriptionReport(recording_sid, call_sid, url, status, text, language)
    return store_transcription(report).id
