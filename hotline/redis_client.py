"""The Redis connection shared by RQ, routing and the event stream."""

from __future__ import annotations

from typing import TYPE_CHECKING

import redis

from hotline.embedded_redis import EMBEDDED_URL

if TYPE_CHECKING:
    from flask import Flask


class RedisConnection:
    """Lazily opened Redis clients; attached to an app with init_app."""

    def __init__(self) -> None:
        self.url: str | None = None
        self._raw: redis.Redis | None = None
        self._text: redis.Redis | None = None

    def configure(self, url: str | None) -> None:
        """Point both clients at url (or the embedded server's address)."""
        self.url = url or EMBEDDED_URL
        self._raw = None
        self._text = None

    def init_app(self, app: Flask) -> None:
        """Configure from the app's settings."""
        self.configure(app.extensions["hotline.settings"].redis_url)

    @property
    def raw(self) -> redis.Redis:
        """Return a bytes client, as RQ requires."""
        if self._raw is None:
            self._raw = redis.Redis.from_url(self._require_url(), health_check_interval=30)
        return self._raw

    @property
    def text(self) -> redis.Redis:
        """Return a client that decodes replies to str."""
        if self._text is None:
            self._text = redis.Redis.from_url(
                self._require_url(), decode_responses=True, health_check_interval=30
            )
        return self._text

    def _require_url(self) -> str:
        if not self.url:
            raise RuntimeError("Redis is not configured; call configure() or init_app() first")
        return self.url


redis_conn = RedisConnection()
