"""Background jobs of the routing package."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import redis
from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.db import db
from routing import callbacks, consent, legs
from routing.extension import services
from routing.live import LiveEntry
from routing.models import CallLeg, CallOutcome, CallRecord
from routing.policy import TIER_NAMES
from routing.signals import call_recorded

log = logging.getLogger(__name__)


def _moment(value: float | None) -> datetime | None:
    return datetime.fromtimestamp(value, UTC) if value else None


def fill_record(record: CallRecord, entry: LiveEntry) -> None:
    """Copy a queue entry's journey into its record: waits, tier, own advisor, outcome.

    The wait is this call's own time in the queue (from joining, even when a rejoin gave it an
    earlier place) until answered, or until the caller hung up, left a voicemail or asked for
    a callback.
    """
    queued = _moment(entry.joined_at or entry.queued_at)
    answered = _moment(entry.answered_at or entry.offered_at)
    ended = _moment(entry.ended_at)
    outcome = entry.outcome or (CallOutcome.CALLBACK if entry.callback else CallOutcome.ABANDONED)
    record.customer_id = entry.customer_id
    record.advisor_id = entry.advisor_id
    consultant = entry.consultant_id if answered else None
    record.consultant_id = consultant
    record.language = entry.language
    record.topic = entry.topic
    record.queued_at = queued
    record.outcome = outcome
    record.ended_at = ended
    served = outcome in (CallOutcome.ANSWERED, CallOutcome.CALLBACK) and consultant is not None
    if served:
        record.answered_at = answered
        record.tier = TIER_NAMES.get(entry.offered_tier or 4, "any")
        record.own_advisor = consultant == entry.advisor_id
    if outcome == CallOutcome.ANSWERED:
        end_of_wait = answered
    elif outcome == CallOutcome.CALLBACK:
        end_of_wait = _moment(entry.callback_requested_at) or ended
    else:
        end_of_wait = ended
    if queued and end_of_wait:
        record.wait_seconds = max(0.0, (end_of_wait - queued).total_seconds())
    if answered and ended and served:
        record.talk_seconds = max(0.0, (ended - answered).total_seconds())


def record_legs(
    session: Session, client: redis.Redis, record: CallRecord, entry: LiveEntry
) -> None:
    """Copy the call's legs (each consultant's segment, with talk and hold time, and whoever
    was rung in or put through to) into the database, and the caller's hold into the record.

    A leg still open when the call ended lasts until the end; running again updates the rows.
    """
    found = legs.legs_of(client, record.call_sid)
    end = entry.ended_at or (found[-1].started_at if found else 0.0)
    intervals = legs.hold_intervals(legs.hold_events(client, record.call_sid), end)
    record.hold_seconds = round(sum(b - a for a, b in intervals), 3) if found else None
    record.transfers = entry.transfers
    if not found:
        return
    existing = {
        row.position: row
        for row in session.scalars(select(CallLeg).where(CallLeg.call_sid == record.call_sid))
    }
    for leg in found:
        row = existing.get(leg.n) or CallLeg(call_sid=record.call_sid, position=leg.n)
        times = legs.leg_times(leg, intervals, end)
        row.kind = leg.kind
        row.consultant_id = leg.consultant_id
        row.party_number = leg.party_number or None
        row.party_name = leg.party_name or None
        row.transferred_by = leg.transferred_by
        row.handed_to = leg.handed_to or None
        row.started_at = _moment(leg.started_at) or datetime.now(UTC)
        row.ended_at = _moment(leg.ended_at if leg.ended_at is not None else end)
        row.talk_seconds = round(times.talk_seconds, 3)
        row.hold_seconds = round(times.hold_seconds, 3)
        session.add(row)
    served = [leg for leg in found if leg.consultant_id is not None]
    if served and record.consultant_id is None:
        # Transferred, then gone before anyone else answered: the last to speak with them.
        record.consultant_id = served[-1].consultant_id
        record.answered_at = _moment(served[0].started_at)
        record.talk_seconds = max(0.0, end - served[0].started_at) if end else None


def record_call(
    call_sid: str, caller_number: str = "", status: str = "", cut_off: bool = False
) -> int:
    """Store (or update) the record of one call from its queue state; safe to run twice.

    A call that never reached the queue was served by the IVR, unless a failure of the
    centre cut it off (cut_off): then it failed."""
    entry = services().engine.entry(call_sid)
    with db.transaction() as session:
        record = session.scalars(select(CallRecord).where(CallRecord.call_sid == call_sid)).first()
        if record is None:
            record = CallRecord(call_sid=call_sid)
            session.add(record)
        known_number = entry.caller_number if entry else None
        record.caller_number = known_number or caller_number or record.caller_number
        if entry is None:
            record.outcome = CallOutcome.FAILED if cut_off else CallOutcome.SELF_SERVICE
            record.ended_at = record.ended_at or datetime.now(UTC)
        else:
            fill_record(record, entry)
            record_legs(session, services().engine.redis, record, entry)
            decision = consent.decision_of(services().engine.redis, call_sid)
            if decision is not None:
                record.recording_reason = decision.value
                said_yes = decision == consent.RecordingDecision.NOTICE_GIVEN
                record.recorded = bool(record.recorded) or (said_yes and bool(record.answered_at))
        session.flush()
        record_id = record.id
    log.info("call %s recorded as %s (status %s)", call_sid, record.outcome, status or "-")
    call_recorded.send(record)
    return record_id


def store_callback_request(fields: dict[str, object]) -> bool:
    """Store a callback request the database could not take when it was asked; idempotent."""
    return callbacks.store_request(fields)
