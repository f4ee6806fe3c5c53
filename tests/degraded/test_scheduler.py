"""The scheduler is a process of its own that outlives Redis outages and rebuilds the daily
schedules from the database."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import redis
from rq import Queue

from hotline.embedded_redis import EmbeddedRedis
from messaging.alerts import next_run

ROOT = Path(__file__).resolve().parents[2]
PATIENCE = 60.0


def wait_until(check: Callable[[], bool], what: str, timeout: float = PATIENCE) -> None:
    """Wait for check to hold, asking again and again (Redis may still be starting)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except redis.RedisError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"not within {timeout:.0f} s: {what}")


@pytest.fixture
def scheduler(settings, app, own_redis: EmbeddedRedis, tmp_path) -> Iterator[subprocess.Popen]:
    """Run `hotline scheduler` on the test database and a Redis the test may stop."""
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "DATABASE_URL": settings.database_url,
        "REDIS_URL": own_redis.url,
        "HOTLINE_INSTANCE_DIR": str(tmp_path),
        "TWILIO_API_URL": settings.twilio_api_url or "",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "centre.cli", "scheduler"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=open(tmp_path / "scheduler.log", "wb"),  # noqa: SIM115
    )
    yield process
    process.terminate()
    process.wait(timeout=15)


def test_the_scheduler_rebuilds_the_daily_alerts_and_is_back_within_seconds_of_redis(
    own_redis: EmbeddedRedis, scheduler
):
    client = redis.Redis.from_url(own_redis.url)
    queue = Queue("default", connection=client)
    alerts_job = f"job-alerts-{next_run(datetime.now(UTC)).date().isoformat()}"
    wait_until(lambda: queue.fetch_job(alerts_job) is not None, "tomorrow's alerts scheduled")

    # Redis goes down and comes back empty: what it held is lost.
    own_redis.stop()
    shutil.rmtree(own_redis.data_dir)
    own_redis.start()
    back = time.monotonic()
    due = Queue("default", connection=client).enqueue_at(
        datetime.now(UTC) - timedelta(seconds=1), "builtins.print", "due", job_id="due-now"
    )
    wait_until(lambda: due.id in queue.get_job_ids(), "a due job moved into its queue")
    wait_until(lambda: queue.fetch_job(alerts_job) is not None, "the alerts schedule rebuilt")
    assert scheduler.poll() is None
    assert time.monotonic() - back < PATIENCE
