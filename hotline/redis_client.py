"""The Redis connection shared by RQ, routing, the event stream and sign-in throttling.

Every Redis client of the centre is made by ``open_client``: web, router, worker and RQ reach
one Redis server by URL, or the current master of a Sentinel-managed group. With Sentinel the
client asks the sentinels where the master is, and asks again when a connection to it fails,
so that a failover is followed without a restart.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import redis
from redis.backoff import ExponentialBackoff
from redis.retry import Retry
from redis.sentinel import Sentinel, SentinelConnectionPool

from hotline.embedded_redis import EMBEDDED_URL

if TYPE_CHECKING:
    from flask import Flask

    from hotline.settings import Settings

log = logging.getLogger(__name__)

# How long a command waits for Redis, and a connection for its server: a stalled Redis fails a
# webhook into its degraded answer well within Twilio's 15 s instead of holding the caller.
DEFAULT_TIMEOUT_SECONDS = 3.0
DEFAULT_CONNECT_TIMEOUT_SECONDS = 2.0

# How long a sentinel may take to answer "where is the master?"; several are asked in turn.
SENTINEL_SOCKET_SECONDS = 2.0
# A failover leaves no master for a few seconds (the sentinels' down-after time, then an
# election), while the old one refuses connections. With Sentinel, a refused or dropped
# connection is tried again, asking the sentinels each time, for about six seconds: a webhook
# waits through the failover, well inside Twilio's 15 s. Time-outs are not retried, so that a
# Redis that does not answer at all costs one time-out, not a dozen.
FAILOVER_RETRY_ATTEMPTS = 14
FAILOVER_BACKOFF = ExponentialBackoff(cap=0.5, base=0.05)
# How often each process asks the sentinels where the master is. After a failover the old
# master keeps taking writes until the sentinels demote it (several seconds later), and a
# connection to it sees no error meanwhile: without asking, one process could write to the old
# master while the others write to the new one.
MASTER_CHECK_SECONDS = 1.0


@dataclass(frozen=True)
class RedisTarget:
    """Where the centre's Redis is: one server by URL, or a master that sentinels name."""

    url: str = EMBEDDED_URL
    sentinels: tuple[tuple[str, int], ...] = ()
    master_name: str = "hotline"
    password: str | None = None
    sentinel_password: str | None = None
    timeout: float = DEFAULT_TIMEOUT_SECONDS
    connect_timeout: float = DEFAULT_CONNECT_TIMEOUT_SECONDS

    @classmethod
    def from_settings(cls, settings: Settings) -> RedisTarget:
        """Read the target from the centre's settings."""
        return cls(
            url=settings.redis_url or EMBEDDED_URL,
            sentinels=tuple(parse_sentinel(address) for address in settings.redis_sentinels),
            master_name=settings.redis_master_name,
            password=settings.redis_password or None,
            sentinel_password=settings.redis_sentinel_password or None,
            timeout=settings.redis_timeout_seconds,
            connect_timeout=settings.redis_connect_timeout_seconds,
        )

    def describe(self) -> str:
        """Say where the Redis is, without its password (for banners and logs)."""
        if self.sentinels:
            where = ",".join(f"{host}:{port}" for host, port in self.sentinels)
            return f"sentinel {where} master {self.master_name}"
        return redact_url(self.url)


def parse_sentinel(address: str) -> tuple[str, int]:
    """Turn "host:port" into a (host, port) pair; the port defaults to Sentinel's 26379."""
    host, _, port = address.strip().rpartition(":")
    if not host:
        return address.strip(), 26379
    return host.strip("[]"), int(port)


def redact_url(url: str) -> str:
    """Return a Redis URL with any password replaced by ***."""
    scheme, sep, rest = url.partition("://")
    credentials, at, location = rest.rpartition("@")
    if not at:
        return url
    user = credentials.partition(":")[0]
    return f"{scheme}{sep}{user}:***@{location}"


def open_client(
    target: RedisTarget,
    *,
    decode_responses: bool = False,
    blocking_seconds: float = 0.0,
    **options: Any,
) -> redis.Redis:
    """Open a Redis client on the target: the one place the centre makes a Redis connection.

    Its commands wait at most the target's timeout (plus blocking_seconds, for a client that
    blocks in XREAD BLOCK or BLPOP that long), and a connection at most its connect timeout.
    """
    options.setdefault("socket_timeout", target.timeout + blocking_seconds)
    options.setdefault("socket_connect_timeout", target.connect_timeout)
    if target.sentinels:
        sentinel = Sentinel(  # type: ignore[no-untyped-call,unused-ignore]
            list(target.sentinels),
            sentinel_kwargs={
                "password": target.sentinel_password or target.password,
                "socket_timeout": SENTINEL_SOCKET_SECONDS,
                "socket_connect_timeout": SENTINEL_SOCKET_SECONDS,
            },
            password=target.password,
            retry=Retry(
                FAILOVER_BACKOFF, FAILOVER_RETRY_ATTEMPTS, supported_errors=(redis.ConnectionError,)
            ),
            **options,
        )
        client: redis.Redis = sentinel.master_for(  # type: ignore[no-untyped-call,unused-ignore]
            target.master_name, decode_responses=decode_responses
        )
        return client
    if target.password:
        options.setdefault("password", target.password)
    return redis.Redis.from_url(target.url, decode_responses=decode_responses, **options)


class RedisConnection:
    """Lazily opened Redis clients; attached to an app with init_app.

    With Sentinel, a thread of the process asks the sentinels every second where the master
    is, and drops every connection to a master that is no longer one (commands under way are
    tried again on the new master).
    """

    def __init__(self) -> None:
        self.target: RedisTarget | None = None
        self._raw: redis.Redis | None = None
        self._text: redis.Redis | None = None
        self._watch: threading.Thread | None = None
        self._watch_lock = threading.Lock()

    @property
    def url(self) -> str | None:
        """Return the single server's URL (or the embedded one's); None before configure."""
        return self.target.url if self.target else None

    def configure(
        self,
        url: str | None = None,
        timeout: float = DEFAULT_TIMEOUT_SECONDS,
        connect_timeout: float = DEFAULT_CONNECT_TIMEOUT_SECONDS,
        *,
        target: RedisTarget | None = None,
    ) -> None:
        """Point both clients at a target, or a URL (or the embedded server's address), with
        the given timeouts."""
        self.target = target or RedisTarget(
            url=url or EMBEDDED_URL, timeout=timeout, connect_timeout=connect_timeout
        )
        self._raw = None
        self._text = None

    def init_app(self, app: Flask) -> None:
        """Configure from the app's settings."""
        self.configure(target=RedisTarget.from_settings(app.extensions["hotline.settings"]))

    @property
    def raw(self) -> redis.Redis:
        """Return a bytes client, as RQ requires."""
        if self._raw is None:
            self._raw = open_client(self._require_target(), health_check_interval=30)
            self._watch_master()
        return self._raw

    @property
    def text(self) -> redis.Redis:
        """Return a client that decodes replies to str."""
        if self._text is None:
            self._text = open_client(
                self._require_target(), decode_responses=True, health_check_interval=30
            )
            self._watch_master()
        return self._text

    def client(self, blocking_seconds: float = 0.0, decode_responses: bool = False) -> redis.Redis:
        """Return a new client of its own (an event reader's); one that waits in blocking
        commands for up to blocking_seconds gets that much longer before it times out."""
        return open_client(
            self._require_target(),
            decode_responses=decode_responses,
            blocking_seconds=blocking_seconds,
            health_check_interval=30,
        )

    def follow_master(self) -> bool:
        """Ask the sentinels where the master is; if it has moved, drop every connection to
        the old one. Tell whether it moved."""
        moved = False
        for client in (self._raw, self._text):
            if client is None or not isinstance(client.connection_pool, SentinelConnectionPool):
                continue
            pool = client.connection_pool
            before = pool.master_address
            try:
                after = pool.get_master_address()  # type: ignore[no-untyped-call,unused-ignore]
            except redis.RedisError:
                continue
            if before is not None and after != before:
                log.warning("the Redis master moved to %s:%s; reconnecting", *after)
                pool.disconnect(inuse_connections=True)
                moved = True
        return moved

    def _watch_master(self) -> None:
        with self._watch_lock:
            if self._watch is not None or not self._require_target().sentinels:
                return
            self._watch = threading.Thread(
                target=self._follow_forever, name="redis-master-watch", daemon=True
            )
            self._watch.start()

    def _follow_forever(self) -> None:
        while True:
            time.sleep(MASTER_CHECK_SECONDS)
            try:
                self.follow_master()
            except Exception:  # the next look may succeed; this thread must not die
                log.exception("could not ask the sentinels where the Redis master is")

    def _require_target(self) -> RedisTarget:
        if self.target is None:
            raise RuntimeError("Redis is not configured; call configure() or init_app() first")
        return self.target


redis_conn = RedisConnection()
