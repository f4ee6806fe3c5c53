"""Background jobs on RQ: one place that names the queues and their retry policy."""

from __future__ import annotations

import logging
from typing import Any

from rq import Queue, Retry
from rq.job import Job
from rq.types import FunctionReferenceType

from hotline.redis_client import redis_conn

log = logging.getLogger(__name__)

QUEUES = ("default", "imports")
DEFAULT_RETRY = (5, [2, 10, 30, 120, 600])


class JobRunner:
    """Enqueues jobs; in synchronous mode (tests of single functions) runs them at once."""

    def __init__(self) -> None:
        self.synchronous = False

    def queue(self, name: str = "default") -> Queue:
        """Return an RQ queue bound to the shared connection."""
        return Queue(name, connection=redis_conn.raw, is_async=not self.synchronous)

    def enqueue(
        self,
        func: FunctionReferenceType,
        *args: Any,
        job_id: str | None = None,
        queue: str = "default",
        retries: tuple[int, list[int]] = DEFAULT_RETRY,
        **kwargs: Any,
    ) -> Job:
        """Enqueue func(*args, **kwargs) with a retry policy; a job_id makes repeats harmless."""
        max_tries, intervals = retries
        return self.queue(queue).enqueue(
            func,
            *args,
            job_id=job_id,
            retry=Retry(max=max_tries, interval=intervals),
            failure_ttl=7 * 24 * 3600,
            **kwargs,
        )


jobs = JobRunner()
