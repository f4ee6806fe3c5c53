"""The Redis connection shared by RQ, routing and the event stream."""

from __future__ import annotations

from typing import TYPE_CHECKING

import redis

from hotline.embedded_redis import EMBEDDED_URL

DEFAULT_TIMEOUT_SECONDS = 3.0
DEFAULT_CONNECT_TIMEOUT_SECONDS = 2.0

if TYPE_CHECKING:
    from flask import Flask


class RedisConnection:
    """Lazily opened Redis clients; attached to an app with init_app."""

    def __init__(self) -> None:
        self.url: str | None = None
        self.timeout = DEFAULT_TIMEOUT_SECONDS
        self.connect_timeout = DEFAULT_CONNECT_TIMEOUT_SECONDS
        self._raw: redis.Redis | None = None
        self._text: redis.Redis | None = None

    def configure(
        self,
        url: str | None,
        timeout: float = DEFAULT_TIMEOUT_SECONDS,
        connect_timeout: float = DEFAULT_CONNECT_TIMEOUT_SECONDS,
    ) -> None:
        """Point both clients at url (or the embedded server's address).

        Every command waits at most timeout seconds for Redis, and a connection at most
        connect_timeout, so a stalled Redis fails a webhook into its degraded answer well
        within Twilio's 15 s instead of holding the caller in silence.
        """
        self.url = url or EMBEDDED_URL
        self.timeout = timeout
        self.connect_timeout = connect_timeout
        self._raw = None
        self._text = None

    def init_app(self, app: Flask) -> None:
        """Configure from the app's settings."""
        settings = app.extensions["hotline.settings"]
        self.configure(
            settings.redis_url,
            settings.redis_timeout_seconds,
            settings.redis_connect_timeout_seconds,
        )

    @property
    def raw(self) -> redis.Redis:
        """Return a bytes client, as RQ requires."""
        if self._raw is None:
            self._raw = self.client()
        return self._raw

    @property
    def text(self) -> redis.Redis:
        """Return a client that decodes replies to str."""
        if self._text is None:
            self._text = self.client(decode_responses=True)
        return self._text

    def client(self, blocking_seconds: float = 0.0, decode_responses: bool = False) -> redis.Redis:
        """Return a new client with the configured timeouts; one that waits in blocking
        commands (XREAD BLOCK, BLPOP) for up to blocking_seconds gets that much longer."""
        return redis.Redis.from_url(
            self._require_url(),
            decode_responses=decode_responses,
            health_check_interval=30,
            socket_timeout=self.timeout + blocking_seconds,
            socket_connect_timeout=self.connect_timeout,
        )

    def _require_url(self) -> str:
        if not self.url:
            raise RuntimeError("Redis is not configured; call configure() or init_app() first")
        return self.url


redis_conn = RedisConnection()
