"""The retention table applied: every kind of personal data purged once its period is over.

Each table of the schema is either named here with the kind of personal data it holds, or
named as holding none (a test holds every table to it). The purge deletes what has expired,
the recordings at the phone network too, skips customers on legal hold, and reports by counts
only. Run twice, it deletes nothing more; a dry run only counts.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import ColumnElement, and_, delete, func, not_, select, update
from sqlalchemy.orm import aliased

from customers.audit import audit, purging
from customers.models import AuditEntry, BreakGlass, Contact
from hotline.db import db, utcnow
from hotline.telephony import Telephony, TelephonyError
from knowledge.models import ImportRowError, ImportRun
from messaging.models import JobAlert, OutboundSms
from privacy.footprint import Footprint, footprint_of
from privacy.holds import held_customer_ids
from privacy.models import RetentionReport
from recordings.models import Recording
from recordings.storage import AudioStore, StoreError
from routing.models import CallbackAttempt, CallbackRequest, CallLeg, CallRecord

log = logging.getLogger(__name__)

# Tables holding personal data, and what covers each: a retention kind purged by age, or the
# customer's record itself (kept while the office keeps them registered; erasure and access
# requests reach it), or the staff's own accounts.
PERSONAL_TABLES: dict[str, str] = {
    "recordings": "call_recordings, voicemail",
    "contacts": "contacts",
    "call_records": "call_records",
    "callback_requests": "call_records",
    "callback_attempts": "call_records",
    "call_legs": "call_records (who had each call, in turn; deleted with its record)",
    "ivr_journeys": "a call's IVR progress kept while Redis is down: gone when the call ends, "
    "and the scheduler's upkeep deletes any left after six hours",
    "outbound_sms": "sms",
    "job_alerts": "job_alerts",
    "import_runs": "import_files",
    "import_row_errors": "import_files",
    "audit_entries": "audit_entries",
    "break_glass": "audit_entries",
    "customers": "the office's register: access and erasure requests",
    "legal_holds": "kept with the customer: access and erasure requests",
    "consultants": "staff accounts, managed by the office",
}
# Tables with no personal data of callers: reference data, offers and the purge's own counts.
IMPERSONAL_TABLES = frozenset(
    {
        "regions",
        "counties",
        "places",
        "offices",
        "faq_entries",
        "vacancies",
        "training_offers",
        "retention_reports",
        "directory_entries",  # the office's list of outside numbers (institutions, helplines)
    }
)


@dataclass
class PurgeOutcome:
    """What one purge removed (or, dry, would remove), by kind, and what holds kept."""

    counts: dict[str, int] = field(default_factory=dict)
    held: dict[str, int] = field(default_factory=dict)
    failures: int = 0


def cutoff(periods: Mapping[str, int], kind: str, now: datetime) -> datetime:
    """Return the moment before which data of a kind has expired."""
    return now - timedelta(days=periods[kind])


def _count(model: type, condition: ColumnElement[bool]) -> int:
    return int(db.session.scalar(select(func.count()).select_from(model).where(condition)) or 0)


def _split(
    outcome: PurgeOutcome,
    kind: str,
    model: type,
    expired: ColumnElement[bool],
    held: ColumnElement[bool],
) -> ColumnElement[bool]:
    """Count what a hold keeps of a kind; return the condition for what may go."""
    kept = _count(model, and_(expired, held))
    if kept:
        outcome.held[kind] = outcome.held.get(kind, 0) + kept
    return and_(expired, not_(held))


def _delete(
    outcome: PurgeOutcome, kind: str, model: type, condition: ColumnElement[bool], dry: bool
) -> None:
    if dry:
        found = _count(model, condition)
    else:
        found = int(db.session.execute(delete(model).where(condition)).rowcount or 0)  # type: ignore[attr-defined]
    outcome.counts[kind] = outcome.counts.get(kind, 0) + found


def _purge_audit(outcome: PurgeOutcome, before: datetime, held: Footprint, dry: bool) -> None:
    """Delete expired audit entries, and note where the chain now skips over them.

    An entry whose predecessor goes (every entry after a run of deleted ones, the first
    remaining one among them) no longer follows from the entry before it; the purge adds
    an entry naming those links ("audit.purged"), which ``verify_chain`` accepts as gaps
    the purge made. A link removed any other way is still reported.
    """
    expired = AuditEntry.at < before
    may_go = _split(outcome, "audit_entries", AuditEntry, expired, held.audit_entries())
    if dry:
        _delete(outcome, "audit_entries", AuditEntry, may_go, dry)
    else:
        before_it = aliased(AuditEntry)
        predecessor = (
            select(func.max(before_it.id)).where(before_it.id < AuditEntry.id).scalar_subquery()
        )
        going = aliased(AuditEntry)
        gaps = db.session.scalars(
            select(AuditEntry.prev_hash)
            .join(going, going.id == predecessor)
            .where(not_(may_go))
            .where(going.at < before, not_(going.customer_id.in_(held.customer_ids)))
        ).all()
        with purging(db.session()):
            _delete(outcome, "audit_entries", AuditEntry, may_go, dry)
        if outcome.counts["audit_entries"]:
            audit(
                None,
                None,
                "audit.purged",
                {"entries": outcome.counts["audit_entries"], "gaps": sorted(set(gaps))},
            )
    openings = and_(BreakGlass.at < before, BreakGlass.customer_id.not_in(held.customer_ids))
    _delete(outcome, "audit_entries", BreakGlass, openings, dry)


def _purge_recordings(
    outcome: PurgeOutcome,
    kind: str,
    expired: ColumnElement[bool],
    held: Footprint,
    network: Telephony,
    dry: bool,
    store: AudioStore | None = None,
) -> None:
    """Delete expired recordings at the phone network, then their stored copy and row here
    (a consultant call's recording is kept in the centre's store too); a refusal waits a
    night."""
    may_go = _split(outcome, kind, Recording, expired, held.recordings())
    recordings = db.session.scalars(select(Recording).where(may_go)).all()
    outcome.counts[kind] = outcome.counts.get(kind, 0)
    for recording in recordings:
        if not dry:
            try:
                if recording.network_deleted_at is None:
                    network.delete_recording(recording.recording_sid)
                if recording.stored_key and store is not None:
                    store.delete(recording.stored_key)
            except (TelephonyError, StoreError, OSError) as exc:
                outcome.failures += 1
                log.warning("call %s: recording not deleted yet: %s", recording.call_sid, exc)
                continue
            db.session.delete(recording)
        outcome.counts[kind] += 1


def _purge_unknown_recordings(
    outcome: PurgeOutcome, before: datetime, held: Footprint, network: Telephony, dry: bool
) -> None:
    """Delete recordings the network still holds that the centre never stored (a report that
    never arrived, a message left as a call dropped) once past the call recordings' period."""
    kind = "unknown_recordings"
    outcome.counts[kind] = 0
    try:
        listed = network.recordings_created_before((before - timedelta(days=1)).date())
    except TelephonyError as exc:
        outcome.failures += 1
        log.warning("could not list the phone network's recordings: %s", exc)
        return
    known = set(db.session.scalars(select(Recording.recording_sid)))
    for found in listed:
        if found.sid in known or (found.created is not None and found.created >= before):
            continue
        if found.call_sid in held.call_sids:
            outcome.held[kind] = outcome.held.get(kind, 0) + 1
            continue
        if not dry:
            try:
                network.delete_recording(found.sid)
            except TelephonyError as exc:
                outcome.failures += 1
                log.warning("call %s: recording not deleted yet: %s", found.call_sid, exc)
                continue
        outcome.counts[kind] += 1


def _purge_import_files(outcome: PurgeOutcome, before: datetime, dry: bool) -> None:
    """Delete uploaded feeds and the row excerpts quoted from them, keeping each run's counts."""
    runs = db.session.scalars(
        select(ImportRun).where(ImportRun.finished_at < before, ImportRun.path != "")
    ).all()
    outcome.counts["import_files"] = len(runs)
    if dry:
        return
    for run in runs:
        Path(run.path).unlink(missing_ok=True)
        run.path = ""
    ids = [run.id for run in runs]
    if ids:
        db.session.execute(
            update(ImportRowError)
            .where(ImportRowError.import_run_id.in_(ids))
            .values(raw_excerpt="")
        )


def purge(
    periods: Mapping[str, int],
    network: Telephony,
    now: datetime | None = None,
    dry_run: bool = False,
    triggered_by: str = "schedule",
    store: AudioStore | None = None,
) -> RetentionReport:
    """Delete every kind of personal data whose period is over, and report how much.

    store keeps the consultant calls' recordings downloaded from the network; their files go
    with their rows.
    """
    now = now or utcnow()
    outcome = PurgeOutcome()
    held = footprint_of(held_customer_ids())
    before: Callable[[str], datetime] = lambda kind: cutoff(periods, kind, now)  # noqa: E731
    with db.transaction() as session:
        _purge_recordings(
            outcome,
            "call_recordings",
            and_(Recording.kind != "voicemail", Recording.created_at < before("call_recordings")),
            held,
            network,
            dry_run,
            store,
        )
        _purge_recordings(
            outcome,
            "voicemail",
            and_(Recording.kind == "voicemail", Recording.handled_at < before("voicemail")),
            held,
            network,
            dry_run,
        )
        _purge_unknown_recordings(outcome, before("call_recordings"), held, network, dry_run)
        may_go = _split(
            outcome, "contacts", Contact, Contact.started_at < before("contacts"), held.contacts()
        )
        _delete(outcome, "contacts", Contact, may_go, dry_run)
        expired_calls = func.coalesce(CallRecord.ended_at, CallRecord.queued_at) < before(
            "call_records"
        )
        may_go = _split(outcome, "call_records", CallRecord, expired_calls, held.call_records())
        # A call's legs (who had it, in turn) go with its record.
        calls_going = select(CallRecord.call_sid).where(may_go)
        if not dry_run:
            session.execute(delete(CallLeg).where(CallLeg.call_sid.in_(calls_going)))
        _delete(outcome, "call_records", CallRecord, may_go, dry_run)
        expired_callbacks = and_(
            CallbackRequest.requested_at < before("call_records"),
            CallbackRequest.status != "pending",
        )
        may_go = _split(
            outcome,
            "callback_requests",
            CallbackRequest,
            expired_callbacks,
            held.callback_requests(),
        )
        going = select(CallbackRequest.id).where(may_go)
        if not dry_run:
            session.execute(delete(CallbackAttempt).where(CallbackAttempt.request_id.in_(going)))
        _delete(outcome, "callback_requests", CallbackRequest, may_go, dry_run)
        may_go = _split(
            outcome, "sms", OutboundSms, OutboundSms.created_at < before("sms"), held.sms()
        )
        _delete(outcome, "sms", OutboundSms, may_go, dry_run)
        stopped = and_(JobAlert.active.is_(False), JobAlert.stopped_at < before("job_alerts"))
        may_go = _split(outcome, "job_alerts", JobAlert, stopped, held.job_alerts())
        _delete(outcome, "job_alerts", JobAlert, may_go, dry_run)
        _purge_import_files(outcome, before("import_files"), dry_run)
        _purge_audit(outcome, before("audit_entries"), held, dry_run)
        report = RetentionReport(
            started_at=now,
            as_of=now,
            dry_run=dry_run,
            counts=outcome.counts,
            held=outcome.held,
            failures=outcome.failures,
            triggered_by=triggered_by,
            finished_at=utcnow(),
        )
        session.add(report)
    log.info(
        "retention purge%s: %s; kept on hold: %s; recordings left for next time: %s",
        " (dry run)" if dry_run else "",
        ", ".join(f"{kind} {count}" for kind, count in outcome.counts.items()),
        ", ".join(f"{kind} {count}" for kind, count in outcome.held.items()) or "none",
        outcome.failures,
    )
    return report


def recent_reports(limit: int = 30) -> list[RetentionReport]:
    """Return the latest purge reports, newest first."""
    return list(
        db.session.scalars(
            select(RetentionReport).order_by(RetentionReport.id.desc()).limit(limit)
        ).all()
    )
