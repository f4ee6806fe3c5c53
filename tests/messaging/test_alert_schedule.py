"""The daily job-alert schedule follows from the database, whatever Redis still holds."""

from __future__ import annotations

from datetime import UTC, date, datetime

from hotline.db import db
from hotline.jobs import jobs
from messaging.alerts import rebuild_schedule
from messaging.models import JobAlert

# 09:30 in Warsaw, after the morning's send time.
MORNING = datetime(2026, 12, 7, 8, 30, tzinfo=UTC)


def subscribe(created: datetime, last_sent_on: date | None = None) -> None:
    with db.transaction() as session:
        session.add(
            JobAlert(
                phone="+48601000001",
                region_code="12",
                created_at=created,
                last_sent_on=last_sent_on,
            )
        )


def test_a_morning_run_redis_lost_is_made_up_and_tomorrows_scheduled(app, redis_client):
    jobs.synchronous = False
    subscribe(datetime(2026, 12, 1, tzinfo=UTC), last_sent_on=date(2026, 12, 6))

    made = rebuild_schedule(MORNING)

    assert made == ["job-alerts-2026-12-08", "job-alerts-2026-12-07-catch-up"]
    queue = jobs.queue()
    catch_up = queue.fetch_job("job-alerts-2026-12-07-catch-up")
    assert catch_up is not None and catch_up.args == ("2026-12-07",)
    assert queue.fetch_job("job-alerts-2026-12-08") is not None
    assert rebuild_schedule(MORNING) == made  # again: nothing new is queued
    assert queue.count == 1


def test_nothing_is_made_up_when_every_subscriber_had_todays_text(app, redis_client):
    jobs.synchronous = False
    subscribe(datetime(2026, 12, 1, tzinfo=UTC), last_sent_on=date(2026, 12, 7))
    subscribe(MORNING)  # signed up after this morning's run: first text tomorrow

    assert rebuild_schedule(MORNING) == ["job-alerts-2026-12-08"]
    assert jobs.queue().count == 0
