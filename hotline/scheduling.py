"""The scheduler process: RQ's scheduled jobs and retries, and the centre's upkeep.

It is a process of its own (the Procfile's ``scheduler``, ``hotline scheduler``), so that a
worker's death or a Redis outage never takes it along: it retries Redis every second and is
back within a second or two of Redis, taking RQ's scheduler locks again and running the
upkeep at once, which rebuilds from the database whatever Redis lost (the daily schedules,
texts waiting to be sent, callers' journeys kept while Redis was down).
"""

from __future__ import annotations

import contextlib
import logging
import signal
import time
from collections.abc import Callable, Sequence
from types import FrameType

import redis
from rq.scheduler import RQScheduler

log = logging.getLogger(__name__)

# How often the upkeep runs while Redis is up (and at once when it comes back).
UPKEEP_SECONDS = 30.0
TICK_SECONDS = 1.0

Upkeep = Callable[[], object]


class SchedulerLoop:
    """Moves due scheduled jobs and retries into their queues, and keeps the centre's
    schedules, surviving Redis outages; several may run (RQ's locks pick one per queue)."""

    def __init__(
        self,
        connection: redis.Redis,
        queues: Sequence[str],
        upkeep: Sequence[tuple[str, Upkeep]] = (),
        tick_seconds: float = TICK_SECONDS,
    ) -> None:
        self.queues = tuple(queues)
        self.rq = RQScheduler(list(queues), connection=connection, interval=1)
        self.upkeep = tuple(upkeep)
        self.tick_seconds = tick_seconds
        self.running = True
        self.redis_up = False
        self.last_upkeep = 0.0

    def tick(self) -> None:
        """Hold the scheduler locks, enqueue what is due, and run the upkeep when it is time."""
        if self.rq.acquired_locks != set(self.queues):
            self.rq.acquire_locks()  # type: ignore[no-untyped-call]
        self.rq.heartbeat()  # type: ignore[no-untyped-call]
        self.rq.enqueue_scheduled_jobs()  # type: ignore[no-untyped-call]
        if not self.redis_up:
            log.info("scheduler: Redis is up; scheduling for %s", ", ".join(self.queues))
            self.redis_up = True
            self.last_upkeep = 0.0
        if time.monotonic() - self.last_upkeep >= UPKEEP_SECONDS:
            self.last_upkeep = time.monotonic()
            self.run_upkeep()

    def run_upkeep(self) -> None:
        """Run every upkeep task; one that fails is logged and tried again next time."""
        for name, task in self.upkeep:
            try:
                task()
            except redis.RedisError:
                raise
            except Exception:
                log.exception("scheduler: upkeep %s failed", name)

    def run(self) -> None:
        """Tick every second until SIGTERM or SIGINT, waiting out Redis outages."""

        def stop(_signum: int, _frame: FrameType | None) -> None:
            self.running = False

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        log.info("scheduler started")
        while self.running:
            try:
                self.tick()
            except redis.RedisError as exc:
                if self.redis_up:
                    log.warning("scheduler: Redis unavailable; retrying every second: %s", exc)
                self.redis_up = False
            time.sleep(self.tick_seconds)
        with contextlib.suppress(redis.RedisError):
            self.rq.release_locks()  # type: ignore[no-untyped-call]
        log.info("scheduler stopped")
