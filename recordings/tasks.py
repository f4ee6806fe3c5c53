"""Background jobs of the recordings package."""

from __future__ import annotations

from recordings.service import (
    RecordingReport,
    TranscriptionReport,
    store_recording,
    store_transcription,
)


def store_recording_report(
    recording_sid: str,
    call_sid: str,
    url: str,
    status: str,
    duration: int | None = None,
    language: str | None = None,
) -> int:
    """Store one recording status report; safe to run twice, or after a later report."""
    report = RecordingReport(recording_sid, call_sid, url, status, duration, language)
    return store_recording(report).id


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
