"""Keeping track of recordings Twilio reports, without ever losing one."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import BinaryIO

from redis.exceptions import RedisError
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from hotline.db import db, get_or_create, utcnow
from hotline.jobs import jobs
from hotline.speech import LANGUAGES
from hotline.telephony import telephony
from hotline.webhooks import RetryLater
from recordings.models import Recording
from recordings.storage import AudioStore, StoreError
from routing import consent
from routing.extension import services
from routing.models import CallRecord

log = logging.getLogger(__name__)

# A recording's statuses (recording_enum_status); a final one is never replaced by an earlier
# one that arrives late.
FINAL_STATUSES = frozenset({"completed", "absent", "failed", "deleted"})
# Storing a report waits out a busy database for about three hours before the job is failed
# (and kept a week in RQ's failed registry, where it can be requeued).
STORE_RETRY = (10, [5, 15, 30, 60, 120, 300, 600, 1800, 3600, 3600])
# Downloading a call's recording retries with backoff for about a day: Twilio keeps the file
# until the centre deletes it, so waiting out an outage loses nothing.
DOWNLOAD_RETRY = (8, [10, 30, 120, 600, 1800, 3600, 3 * 3600, 12 * 3600])
CALL_KIND = "call"


@dataclass(frozen=True)
class RecordingReport:
    """What Twilio says about one recording in one status callback."""

    recording_sid: str
    call_sid: str
    url: str
    status: str
    duration: int | None = None
    language: str | None = None
    # "voicemail", or "call" for a consultant call's room (its callback URL says so).
    kind: str = "voicemail"
    conference_sid: str | None = None
    channels: int | None = None


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
            report.kind,
            report.conference_sid,
            report.channels,
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
    """Store or update what Twilio says about a recording; repeats change nothing new.

    A consultant call's recording that is complete is then downloaded by its own job (one
    job id per recording, so a repeated or late report adds no second copy).
    """
    language = report.language if report.language in LANGUAGES else None
    with db.transaction() as session:
        recording, _created = get_or_create(
            session,
            Recording,
            {"call_sid": report.call_sid, "url": report.url, "kind": report.kind},
            recording_sid=report.recording_sid,
        )
        recording.conference_sid = recording.conference_sid or report.conference_sid
        recording.channels = recording.channels or report.channels
        late = recording.status in FINAL_STATUSES and report.status not in FINAL_STATUSES
        if report.status and not late:
            recording.status = report.status
        if report.duration is not None:
            recording.duration_seconds = report.duration
        recording.url = recording.url or report.url
        recording.language = recording.language or language
    log.info("call %s: recording %s is %s", report.call_sid, report.recording_sid, recording.status)
    if recording.kind == CALL_KIND and report.status:
        consent.note_recording(services().engine.redis, report.call_sid, recording.status)
    if recording.kind == CALL_KIND and recording.status == "completed":
        if recording.stored_at is None:
            jobs.enqueue(
                "recordings.tasks.download_recording",
                recording.recording_sid,
                job_id=f"download-{recording.recording_sid}",
                retries=DOWNLOAD_RETRY,
            )
        mark_call_recorded(report.call_sid)
    return recording


def mark_call_recorded(call_sid: str) -> None:
    """Note on the call's record that it was recorded (a record written later notes it too)."""
    with db.transaction() as session:
        record = session.scalars(select(CallRecord).where(CallRecord.call_sid == call_sid)).first()
        if record is not None and not record.recorded:
            record.recorded = True


@dataclass(frozen=True)
class TranscriptionReport:
    """What Twilio says of one recording's transcription (its transcribeCallback)."""

    recording_sid: str
    call_sid: str
    url: str
    status: str  # "completed" or "failed"
    text: str = ""
    language: str | None = None


def report_transcription(report: TranscriptionReport) -> None:
    """Keep a transcription durably before Twilio is told it arrived (as report_recording).

    If Redis cannot take it, RetryLater answers 503, and Twilio sends a transcription's
    callback again after a 5xx.
    """
    try:
        jobs.enqueue(
            "recordings.tasks.store_transcription_report",
            report.recording_sid,
            report.call_sid,
            report.url,
            report.status,
            report.text,
            report.language,
            job_id=f"transcription-{report.recording_sid}-{report.status or 'unknown'}",
            retries=STORE_RETRY,
        )
    except RedisError as exc:
        raise RetryLater(f"transcription of {report.recording_sid} not queued: {exc}") from exc
    log.info("call %s: transcription of %s (%s) queued to be stored", report.call_sid,
             report.recording_sid, report.status or "no status")  # fmt: skip


def store_transcription(report: TranscriptionReport) -> Recording:
    """Store what a transcription says; a repeat changes nothing, and a failure reported after
    a transcript never blanks it. One that comes before the recording's own report starts its
    row, which that report completes."""
    language = report.language if report.language in LANGUAGES else None
    with db.transaction() as session:
        recording, _created = get_or_create(
            session,
            Recording,
            {"call_sid": report.call_sid, "url": report.url},
            recording_sid=report.recording_sid,
        )
        if recording.transcript_status != "completed":
            recording.transcript_status = "completed" if report.status == "completed" else "failed"
            recording.transcript = report.text.strip() if report.status == "completed" else None
        recording.language = recording.language or language
    log.info("call %s: transcription of %s is %s", report.call_sid, report.recording_sid,
             recording.transcript_status)  # fmt: skip
    return recording


def audio(recording: Recording) -> bytes:
    """Return a recording's audio (WAV) from the phone network that holds it."""
    return telephony.current().fetch_recording(recording.recording_sid)


class RecordingGone(LookupError):
    """A recording whose audio is no longer anywhere: deleted here, or never stored."""


def storage_key(recording: Recording) -> str:
    """Return where a call's recording is stored: by month of the call, then its sid."""
    made = recording.created_at
    return f"calls/{made:%Y}/{made:%m}/{recording.recording_sid}.wav"


def download(recording_sid: str, store: AudioStore, delete_at_network: bool) -> Recording | None:
    """Download a call's recording, store it, check it, link it; then, if the office wants,
    delete it at the phone network. Safe to run twice, and after a crash at any step.

    A copy already stored and matching its checksum is not downloaded again; a copy that is
    missing or does not match is downloaded again. Deletion at the network waits until the
    stored copy checks out.
    """
    recording = db.session.scalars(
        select(Recording).where(Recording.recording_sid == recording_sid)
    ).first()
    if recording is None or recording.kind != CALL_KIND:
        log.warning("recording %s: no call recording of that sid to download", recording_sid)
        return None
    call_sid = recording.call_sid
    stored = store.check(recording.stored_key) if recording.stored_key else None
    if stored is None or stored.sha256 != recording.sha256:
        sound = telephony.current().fetch_recording(recording_sid, channels=recording.channels or 1)
        if not sound:
            raise StoreError(f"recording {recording_sid}: the network sent no audio")
        stored = store.put(storage_key(recording), sound)
        with db.transaction():
            recording.stored_key = stored.key
            recording.size_bytes = stored.size
            recording.sha256 = stored.sha256
            recording.stored_at = utcnow()
        log.info("call %s: recording %s stored (%d bytes)", call_sid, recording_sid, stored.size)
    if delete_at_network and recording.network_deleted_at is None:
        telephony.current().delete_recording(recording_sid)
        with db.transaction():
            recording.network_deleted_at = utcnow()
        log.info("call %s: recording %s deleted at the network", call_sid, recording_sid)
    return recording


def call_recordings(call_sid: str) -> list[Recording]:
    """Return a call's recordings (one per room it had), oldest first."""
    return list(
        db.session.scalars(
            select(Recording)
            .where(Recording.call_sid == call_sid, Recording.kind == CALL_KIND)
            .order_by(Recording.id)
        )
    )


def recordings_of_calls(call_sids: list[str]) -> dict[str, list[Recording]]:
    """Return the recordings of several calls (a customer's contacts), by call."""
    found: dict[str, list[Recording]] = {}
    if not call_sids:
        return found
    query = (
        select(Recording)
        .where(Recording.call_sid.in_(call_sids), Recording.kind == CALL_KIND)
        .order_by(Recording.id)
    )
    for recording in db.session.scalars(query):
        found.setdefault(recording.call_sid, []).append(recording)
    return found


@dataclass(frozen=True)
class CallRecordingView:
    """A call's recording as the caller's record shows it."""

    recording: Recording
    # "stored" (playable here), "waiting" (not downloaded yet) or "gone" (its audio is gone).
    state: str


@dataclass(frozen=True)
class CallRecordingSummary:
    """Whether a call was recorded, why, and its recordings."""

    recorded: bool | None
    reason: str | None
    recordings: list[CallRecordingView]


def recording_state(recording: Recording, store: AudioStore) -> str:
    """Tell whether a call recording's audio is here, still to come, or gone."""
    if recording.stored_key:
        return "stored" if store.check(recording.stored_key) is not None else "gone"
    if recording.status in ("absent", "failed", "deleted"):
        return "gone"
    return "waiting"


def summaries_of_calls(call_sids: list[str], store: AudioStore) -> dict[str, CallRecordingSummary]:
    """Return, for each of several calls, whether it was recorded and its recordings."""
    if not call_sids:
        return {}
    found = recordings_of_calls(call_sids)
    records = db.session.execute(
        select(CallRecord.call_sid, CallRecord.recorded, CallRecord.recording_reason).where(
            CallRecord.call_sid.in_(call_sids)
        )
    )
    summaries = {}
    for call_sid, was_recorded, reason in records:
        views = [CallRecordingView(r, recording_state(r, store)) for r in found.get(call_sid, [])]
        summaries[call_sid] = CallRecordingSummary(was_recorded, reason, views)
    return summaries


def call_recording(recording_id: int) -> Recording | None:
    """Return a consultant call's recording by id."""
    recording = db.session.get(Recording, recording_id)
    return recording if recording is not None and recording.kind == CALL_KIND else None


def stored_audio(recording: Recording, store: AudioStore) -> tuple[BinaryIO, int]:
    """Open a call recording's stored audio and return it with its size, or say plainly that
    it is gone."""
    if not recording.stored_key:
        raise RecordingGone("this recording was never stored here")
    try:
        audio = store.open(recording.stored_key)
    except StoreError as exc:
        raise RecordingGone("the recording's audio is gone") from exc
    size = recording.size_bytes
    if size is None:
        checked = store.check(recording.stored_key)
        size = checked.size if checked else 0
    return audio, size
