"""Background jobs of the recordings package."""

from __future__ import annotations

from recordings.service import RecordingReport, store_recording


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
