"""A private Redis for a benchmark run: started here, or REDIS_URL if it is set (and empty)."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import redis

from hotline.embedded_redis import EmbeddedRedis, free_port


@contextmanager
def private_redis() -> Iterator[str]:
    """Yield the URL of a Redis the benchmark may flush, stopping it afterwards."""
    given = os.environ.get("REDIS_URL")
    if given:
        if redis.Redis.from_url(given).dbsize():
            raise SystemExit(f"REDIS_URL {given} is not empty; point it at a spare database")
        yield given
        return
    folder = Path(tempfile.mkdtemp(prefix="hotline-bench-redis-"))
    server = EmbeddedRedis(folder, port=free_port(), persist=False)
    try:
        yield server.start()
    finally:
        server.stop()
