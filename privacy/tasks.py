"""The nightly purge as an RQ job that schedules its next night itself."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from rq import Retry

from hotline.jobs import DEFAULT_RETRY, jobs
from hotline.settings import Settings
from hotline.telephony import telephony
from privacy.retention import purge
from recordings.storage import make_store

log = logging.getLogger(__name__)

# Local time of the nightly purge: after midnight's callbacks, before consultants start.
PURGE_AT = time(2, 30)


def next_night(now: datetime, timezone: str) -> datetime:
    """Return the next purge time after now, in UTC."""
    zone = ZoneInfo(timezone)
    local = now.astimezone(zone)
    candidate = datetime.combine(local.date(), PURGE_AT, zone)
    if candidate <= local:
        candidate = datetime.combine(local.date() + timedelta(days=1), PURGE_AT, zone)
    return candidate.astimezone(UTC)


def schedule_next_purge(settings: Settings, now: datetime | None = None) -> str:
    """Make sure the next night's purge is scheduled exactly once; return its job id.

    Called when a worker starts and by every run, so a lost job or a worker that was down
    over night only delays the purge to the next start.
    """
    when = next_night(now or datetime.now(UTC), settings.timezone)
    job_id = f"retention-purge-{when.date().isoformat()}"
    queue = jobs.queue()
    if queue.fetch_job(job_id) is None:
        max_tries, intervals = DEFAULT_RETRY
        queue.enqueue_at(
            when,
            "privacy.tasks.run_nightly_purge",
            job_id=job_id,
            retry=Retry(max=max_tries, interval=intervals),
        )
    return job_id


def run_nightly_purge() -> int:
    """Purge what has expired, then schedule the next night; return the report's id."""
    settings: Settings = current_app.extensions["hotline.settings"]
    try:
        report = purge(
            settings.retention_days,
            telephony.current(),
            triggered_by="schedule",
            store=make_store(settings.recording_folder),
        )
    finally:
        schedule_next_purge(settings)
    return report.id
