"""The managers' board: the queue now, the day so far, and the staffing the last hour needed.

Today's figures count the calls that reached the consultant queue since local midnight and
have left it (a call's record is kept when it ends; the callers still waiting are under "now"):

- service level: calls answered within the target time (20 s) among all of them, so a caller
  who gave up counts against it, as in bench/day; and the same among callers who stayed on the
  line (those who asked for a callback left the queue by choice);
- ASA: the mean wait of answered calls;
- abandonment: callers who hung up while waiting, among all of them;
- own advisor: among callers who have a Customer Advisor and were answered or called back,
  how many reached that advisor.

The staffing advice is Erlang C for the last hour's calls and the smoothed handling plus
wrap-up time: how many consultants answer the target share within the target time.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, case, func, select

from hotline.db import db
from routing import erlang
from routing.engine import LiveQueue, RoutingEngine
from routing.live import STAFFED_STATES
from routing.models import CallOutcome, CallRecord

TARGET_SECONDS = 20.0
TARGET_SHARE = 0.8


@dataclass(frozen=True)
class DayFigures:
    """The queue's calls since a moment, counted by how they went."""

    queued: int = 0
    answered: int = 0
    answered_in_target: int = 0
    abandoned: int = 0
    callbacks: int = 0
    voicemail: int = 0
    answered_wait_total: float = 0.0
    served_with_advisor: int = 0
    served_by_own_advisor: int = 0

    @property
    def service_level(self) -> float | None:
        """Return the share answered within the target time, or None with no calls."""
        return self.answered_in_target / self.queued if self.queued else None

    @property
    def service_level_on_the_line(self) -> float | None:
        """Return the share answered within the target among callers who did not leave the
        queue for a callback."""
        stayed = self.queued - self.callbacks
        return self.answered_in_target / stayed if stayed else None

    @property
    def asa(self) -> float | None:
        """Return the mean wait of answered calls in seconds."""
        return self.answered_wait_total / self.answered if self.answered else None

    @property
    def abandonment(self) -> float | None:
        """Return the share of callers who hung up while waiting."""
        return self.abandoned / self.queued if self.queued else None

    @property
    def own_advisor(self) -> float | None:
        """Return the share of callers with an advisor, answered or called back, who reached
        that advisor."""
        if not self.served_with_advisor:
            return None
        return self.served_by_own_advisor / self.served_with_advisor


def day_figures(since: datetime) -> DayFigures:
    """Count the queue's calls since a moment (self-service calls never queued)."""
    record = CallRecord
    answered = record.outcome == CallOutcome.ANSWERED
    called_back = (record.outcome == CallOutcome.CALLBACK) & record.consultant_id.is_not(None)
    served = answered | called_back

    def count(condition: ColumnElement[bool]) -> ColumnElement[int]:
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    row = db.session.execute(
        select(
            func.count(record.id),
            count(answered),
            count(answered & (func.coalesce(record.wait_seconds, 0.0) <= TARGET_SECONDS)),
            count(record.outcome == CallOutcome.ABANDONED),
            count(record.outcome == CallOutcome.CALLBACK),
            count(record.outcome == CallOutcome.VOICEMAIL),
            func.coalesce(
                func.sum(case((answered, func.coalesce(record.wait_seconds, 0.0)), else_=0.0)),
                0.0,
            ),
            count(served & record.advisor_id.is_not(None)),
            count(served & record.own_advisor),
        ).where(record.queued_at >= since, record.outcome != CallOutcome.SELF_SERVICE)
    ).one()
    return DayFigures(
        queued=int(row[0]),
        answered=int(row[1]),
        answered_in_target=int(row[2]),
        abandoned=int(row[3]),
        callbacks=int(row[4]),
        voicemail=int(row[5]),
        answered_wait_total=float(row[6]),
        served_with_advisor=int(row[7]),
        served_by_own_advisor=int(row[8]),
    )


@dataclass(frozen=True)
class StaffingAdvice:
    """How many consultants the last hour's calls needed, against how many are working."""

    calls_last_hour: int
    handle_seconds: float
    needed: int
    working: int


def staffing_advice(calls_last_hour: int, handle_seconds: float, working: int) -> StaffingAdvice:
    """Return Erlang C's consultants for the target at the last hour's rate of calls."""
    needed = 0
    if calls_last_hour:
        needed = erlang.agents_for_service_level(
            calls_last_hour / 3600.0, handle_seconds, TARGET_SECONDS, TARGET_SHARE
        ).agents
    return StaffingAdvice(calls_last_hour, handle_seconds, needed, working)


def board(engine: RoutingEngine, now: datetime, timezone: str) -> dict[str, object]:
    """Return everything the board shows, ready for JSON."""
    live: LiveQueue = engine.snapshot()
    midnight = now.astimezone(ZoneInfo(timezone)).replace(hour=0, minute=0, second=0, microsecond=0)
    today = day_figures(midnight)
    last_hour = day_figures(now - timedelta(hours=1)).queued
    handle, wrap = engine.usual_times()
    working = sum(count for state, count in live.consultants.items() if state in STAFFED_STATES)
    advice = staffing_advice(last_hour, handle + wrap, working)
    return {
        "at": now.isoformat(),
        "target": {"seconds": TARGET_SECONDS, "share": TARGET_SHARE},
        "live": asdict(live),
        "today": asdict(today)
        | {
            "service_level": today.service_level,
            "service_level_on_the_line": today.service_level_on_the_line,
            "asa": today.asa,
            "abandonment": today.abandonment,
            "own_advisor": today.own_advisor,
        },
        "staffing": asdict(advice),
    }
