"""Callback rules (attempts, spacing, consultant hours) and the database record of each request.

A callback lives in two places on purpose: its queue entry in Redis keeps its place and is
routed like a call, and its row in the database survives the loss of Redis. On start-up the
router puts back any pending request whose entry has gone (``restore``).

Design: the consultant is rung first. When the router offers a callback, it places a call to
the consultant's desk; when they answer, the TwiML dials the customer, so a customer never
picks up to silence. Attempts are counted when the customer is dialled; a consultant who does
not answer is treated like any missed offer (not-ready, the callback keeps its place). A
consultant whose attempt missed the customer stays on the call until their own leg ends (its
status callback says so, or the router finds it over), since they are still on the phone.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from hotline.db import db
from hotline.hours import OpeningHours
from hotline.jobs import jobs
from hotline.settings import Settings
from hotline.speech import DEFAULT_LANGUAGE
from routing.engine import QueueEntry, RoutingEngine
from routing.live import LiveEntry
from routing.models import CallbackAttempt, CallbackRequest, CallbackStatus

log = logging.getLogger(__name__)

# A request the database could not take is kept by its job for about three hours of retries.
KEEP_RETRY = (10, [5, 15, 30, 60, 120, 300, 600, 1800, 3600, 3600])
# How far ahead callback hours are searched for their next opening.
LOOK_AHEAD_DAYS = 15


def moment(seconds: float) -> datetime:
    """Return a Unix time as an aware UTC datetime."""
    return datetime.fromtimestamp(seconds, UTC)


@dataclass(frozen=True)
class CallbackRules:
    """How often and when the centre tries to call a customer back."""

    max_attempts: int = 3
    retry_seconds: float = 600.0
    days: str = ""
    hours: str = ""
    timezone: str = "Europe/Warsaw"
    country: str = "PL"
    consultant_hours: str = "mon-fri 08:00-18:00"
    closed_days: str = ""

    @classmethod
    def from_settings(cls, settings: Settings) -> CallbackRules:
        """Read the rules from the centre's settings."""
        return cls(
            max_attempts=settings.callback_max_attempts,
            retry_seconds=settings.callback_retry_minutes * 60.0,
            days=settings.callback_days,
            hours=settings.callback_hours,
            timezone=settings.timezone,
            country=settings.holiday_country,
            consultant_hours=settings.consultant_hours,
            closed_days=settings.closed_days,
        )

    @property
    def schedule(self) -> str:
        """Return the weekly hours callbacks are made in: their own, or the consultants'."""
        if not (self.days or self.hours):
            return self.consultant_hours
        return f"{self.days or 'mon-fri'} {self.hours or '08:00-18:00'}"

    @cached_property
    def opening_hours(self) -> OpeningHours:
        """Return the hours callbacks are made in, public holidays and closed days skipped."""
        return OpeningHours.parse(self.schedule, self.timezone, self.country, self.closed_days)

    def within_hours(self, seconds: float) -> bool:
        """Tell whether consultants are at work at this moment (public holidays are off)."""
        return self.opening_hours.is_open(moment(seconds))

    def opening_at_or_after(self, seconds: float) -> float:
        """Return the first moment at or after seconds within callback hours (seconds itself,
        to the last digit, when they are on).

        Closed for longer than the hours look ahead, it returns the end of that look-ahead,
        when whoever asked looks again: the router asks at every tick, so it must not fail.
        """
        if self.within_hours(seconds):
            return seconds
        opening = self.opening_hours.next_opening(moment(seconds), LOOK_AHEAD_DAYS)
        if opening is None:
            return seconds + LOOK_AHEAD_DAYS * 86400.0
        return max(seconds, opening.timestamp())

    def first_attempt(self, requested_at: float) -> float | None:
        """Return when to make the first attempt of a callback asked for at requested_at:
        None for as soon as someone is free, or when callback hours next begin."""
        due = self.opening_at_or_after(requested_at)
        return due if due > requested_at else None

    def next_attempt(self, failed_at: float) -> float:
        """Return when to try again after a failed attempt."""
        return self.opening_at_or_after(failed_at + self.retry_seconds)


def record_request(entry: LiveEntry, number: str, first_attempt: float | None = None) -> None:
    """Store a callback request once; a repeated request changes nothing.

    The row takes its moment from the entry's own stamp, not a second reading of the clock,
    so a callback restored from it waits for the advisor until the very moment it did before;
    and the time of its first attempt, if that waits for callback hours, so that it still does.

    With the database unavailable the request waits in Redis, as a job that stores it once
    the database is back (retried for about three hours); the queue has it meanwhile.
    """
    call_sid, requested_at = entry.call_sid, entry.callback_requested_at
    if requested_at is None:
        raise ValueError(f"call {call_sid} has not asked for a callback")
    fields = {
        "call_sid": call_sid,
        "number": number,
        "customer_id": entry.customer_id,
        "advisor_id": entry.advisor_id,
        "office": entry.office,
        "language": entry.language or DEFAULT_LANGUAGE,
        "topic": entry.topic,
        "priority": entry.priority,
        "queue": entry.queue,
        "for_advisor": entry.pinned,
        "queued_at": entry.queued_at or requested_at,
        "requested_at": requested_at,
        "next_attempt_at": first_attempt,
    }
    try:
        store_request(fields)
    except SQLAlchemyError as exc:
        db.session.rollback()
        log.warning("call %s: database unavailable, the callback request waits in Redis: %s",
                    call_sid, exc)  # fmt: skip
        jobs.enqueue(
            "routing.tasks.store_callback_request",
            fields,
            job_id=f"callback-request-{call_sid}",
            retries=KEEP_RETRY,
        )


def store_request(fields: Mapping[str, Any]) -> bool:
    """Write a callback request's row from its fields (times as Unix seconds) unless it is
    there already; tell whether it was new."""
    with db.transaction() as session:
        query = select(CallbackRequest).where(CallbackRequest.call_sid == fields["call_sid"])
        if session.scalars(query).first() is not None:
            return False
        times = ("queued_at", "requested_at", "next_attempt_at")
        values = {k: v for k, v in fields.items() if k not in times}
        session.add(
            CallbackRequest(
                **values,
                queued_at=moment(fields["queued_at"]),
                requested_at=moment(fields["requested_at"]),
                next_attempt_at=moment(fields["next_attempt_at"])
                if fields.get("next_attempt_at")
                else None,
            )
        )
    log.info("call %s: callback requested", fields["call_sid"])
    return True


def record_unrouted_request(
    entry: QueueEntry, number: str, requested_at: float, first_attempt: float | None = None
) -> bool:
    """Store a callback request that could not join the queue (Redis is down); the router
    puts it in the queue from this row once Redis is back (``restore``). Tell whether it is
    new: a repeated request changes nothing."""
    with db.transaction() as session:
        query = select(CallbackRequest).where(CallbackRequest.call_sid == entry.call_sid)
        if session.scalars(query).first() is not None:
            return False
        session.add(
            CallbackRequest(
                call_sid=entry.call_sid,
                number=number,
                customer_id=entry.customer_id,
                advisor_id=entry.advisor_id,
                office=entry.office,
                language=entry.language or DEFAULT_LANGUAGE,
                topic=entry.topic,
                priority=entry.priority,
                queue=entry.queue,
                queued_at=moment(entry.queued_at or requested_at),
                requested_at=moment(requested_at),
                next_attempt_at=moment(first_attempt) if first_attempt else None,
            )
        )
    log.info("call %s: callback requested while the queue is unavailable", entry.call_sid)
    return True


def _request(call_sid: str) -> CallbackRequest | None:
    query = select(CallbackRequest).where(CallbackRequest.call_sid == call_sid)
    return db.session.scalars(query).first()


def reached_customer(call_sid: str) -> bool:
    """Tell whether a callback reached its customer (its request completed)."""
    request = _request(call_sid)
    return request is not None and request.status == CallbackStatus.COMPLETED


def attempt_started(
    call_sid: str, attempt: int, consultant_id: int, leg_sid: str, at: float
) -> None:
    """Log that a consultant is dialling the customer (attempt number attempt)."""
    with db.transaction():
        request = _request(call_sid)
        if request is None:
            log.warning("call %s: callback attempt without a stored request", call_sid)
            return
        known = {logged.attempt for logged in request.attempt_log}
        if attempt not in known:
            request.attempt_log.append(
                CallbackAttempt(
                    attempt=attempt,
                    consultant_id=consultant_id,
                    leg_sid=leg_sid or None,
                    started_at=moment(at),
                )
            )
        request.attempts = max(request.attempts, attempt)
        request.consultant_id = consultant_id
    log.info("call %s: callback attempt %s by consultant %s", call_sid, attempt, consultant_id)


def attempt_finished(
    call_sid: str, attempt: int, outcome: str, status: CallbackStatus, next_at: float | None
) -> None:
    """Log how an attempt went and where the request stands now."""
    with db.transaction():
        request = _request(call_sid)
        if request is None:
            return
        for logged in request.attempt_log:
            if logged.attempt == attempt and logged.outcome is None:
                logged.outcome = outcome
        request.status = status
        request.next_attempt_at = moment(next_at) if next_at else None
        if status != CallbackStatus.PENDING:
            request.completed_at = request.completed_at or datetime.now(UTC)
    log.info("call %s: callback attempt %s %s, request %s", call_sid, attempt, outcome, status)


def restore(engine: RoutingEngine) -> int:
    """Put back pending callbacks whose Redis entry was lost; return how many."""
    query = select(CallbackRequest).where(CallbackRequest.status == CallbackStatus.PENDING)
    restored = 0
    for request in db.session.scalars(query):
        entry = QueueEntry(
            call_sid=request.call_sid,
            caller_number=request.number,
            customer_id=request.customer_id,
            advisor_id=request.advisor_id,
            office=request.office,
            language=request.language,
            topic=request.topic or "general",
            priority=request.priority,
            queued_at=request.queued_at.timestamp(),
            queue=request.queue,
        )
        due = request.next_attempt_at.timestamp() if request.next_attempt_at else None
        hold = engine.policy_for(request.queue).advisor_callback_seconds
        restored_now = engine.restore_callback(
            entry,
            request.number,
            request.attempts,
            due,
            advisor_hold=hold if request.for_advisor else 0.0,
            requested_at=request.requested_at.timestamp(),
        )
        if restored_now:
            log.warning("call %s: callback restored from the database", request.call_sid)
            restored += 1
    db.session.rollback()
    return restored
