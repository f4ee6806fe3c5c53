"""A hotline whose Redis the test stops and starts: a real redis-server of its own."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from hotline.embedded_redis import EmbeddedRedis, free_port
from hotline.settings import Settings
from tests.ivr.conftest import Line, serve_line


@pytest.fixture
def own_redis() -> Iterator[EmbeddedRedis]:
    """Run a redis-server this test may stop and start again on the same port."""
    server = EmbeddedRedis(Path(tempfile.mkdtemp(prefix="hotline-outage-")), free_port())
    server.start()
    yield server
    server.stop()


@pytest.fixture
def outage_line(
    settings: Settings, app: Any, content: Any, own_redis: EmbeddedRedis
) -> Iterator[Line]:
    """Return the hotline with demo content on a Redis the test may stop."""
    yield from serve_line(settings, redis_url=own_redis.url, sms_countries=("PL", "GB"))
