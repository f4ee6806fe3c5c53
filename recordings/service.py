"""Keeping track of recordings Twilio reports, without ever losing one."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from redis.exceptions import RedisError
from sqlalchemy.exc import SQLAlchemyError

from hotline.db import db, get_or_create
from hotline.jobs import jobs
from hotline.speech import LANGUAGES
from hotline.telephony import telephony
from hotline.webhooks import RetryLater
from recordings.models import Recording

log = logging.getLogger(__name__)

# A recording's statuses (recording_enum_status); a final one is never replaced by an earlier
# one that arrives late.
FINAL_STATUSES = frozenset({"completed", "absent", "failed", "deleted"})
# Storing a report waits out a busy database for about three hours before the job is failed
# (and kept a week in RQ's failed registry, where it can be requeued).
STORE_RETRY = (10, [5, 15, 30, 60, 120, 300, 600, 1800, 3600, 3600])


@dataclass(frozen=True)
class RecordingReport:
    """What Twilio says about one recording in one status callback."""

    recording_sid: str
    call_sid: str
    url: str
    status: str
    duration: int | None = None
    language: str | None = None


def report_recording(report: RecordingReport) -> None:
    """Keep a recording's report durably before Twilio is told it arrived.

    The report goes into Redis as an RQ job that stores it, so a busy database only delays
    it: the job retries until the database takes it, and storing twice changes nothing. With
    Redis down it is stored at once; if the database cannot take it either, RetryLater asks
    Twilio to send the report again.
    """
    try:
        jobs.enqueue(
            "recordings.tasks.store_recording_report",
            report.recording_sid,
            report.call_sid,
            report.url,
            report.status,
            report.duration,
            report.language,
            job_id=f"recording-{report.recording_sid}-{report.status or 'unknown'}",
            retries=STORE_RETRY,
        )
    except RedisError as exc:
        log.warning("call %s: Redis unavailable, storing recording %s at once: %s",
                    report.call_sid, report.recording_sid, exc)  # fmt: skip
        try:
            store_recording(report)
        except SQLAlchemyError as db_exc:
            raise RetryLater(
                f"recording {report.recording_sid} could not be kept: {exc}; {db_exc}"
            ) from db_exc
        return
    log.info(
        "call %s: recording %s (%s) queued to be stored",
        report.call_sid,
        report.recording_sid,
        report.status or "no status",
    )


def store_recording(report: RecordingReport) -> Recording:
    """Store or update what Twilio says about a recording; repeats change nothing new."""
    language = report.language if report.language in LANGUAGES else None
    with db.transaction() as session:
        recording, _created = get_or_create(
            session,
            Recording,
            {"call_sid": report.call_sid, "url": report.url},
            recording_sid=report.recording_sid,
        )
        late = recording.status in FINAL_STATUSES and report.status not in FINAL_STATUSES
        if report.status and not late:
            recording.status = report.status
        if report.duration is not None:
            recording.duration_seconds = report.duration
        recording.url = recording.url or report.url
        recording.language = recording.language or language
    log.info("call %s: recording %s is %s", report.call_sid, report.recording_sid, recording.status)
    return recording


def audio(recording: Recording) -> bytes:
    """Return a recording's audio (WAV) from the phone network that holds it."""
    return telephony.current().fetch_recording(recording.recording_sid)
