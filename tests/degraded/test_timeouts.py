"""A black-holed Redis or PostgreSQL is given up on well within Twilio's 15 s, never waited
for without end."""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Callable, Iterator

import pytest
import redis
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from hotline.db import make_engine
from hotline.redis_client import RedisConnection
from hotline.settings import Settings, SettingsError

# Only a bound for a test that would otherwise hang: nothing here measures a duration.
LIVENESS_SECONDS = 60.0


@pytest.fixture
def black_hole() -> Iterator[int]:
    """Listen on a port, accept connections and never answer: a stalled dependency."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                accepted.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield int(server.getsockname()[1])
    stop.set()
    thread.join(timeout=5)
    for connection in accepted:
        connection.close()
    server.close()


def fails_instead_of_hanging(action: Callable[[], object]) -> BaseException:
    """Run action in a thread; return the error it gave up with (fail if it hangs)."""
    raised: list[BaseException] = []

    def run() -> None:
        try:
            action()
        except BaseException as exc:  # noqa: BLE001 - handed to the test
            raised.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(LIVENESS_SECONDS)
    assert not thread.is_alive(), "still waiting on a dependency that never answers"
    assert raised, "the action succeeded against a dependency that never answers"
    return raised[0]


def test_a_redis_command_never_answered_times_out(black_hole: int) -> None:
    connection = RedisConnection()
    connection.configure(f"redis://127.0.0.1:{black_hole}/0", timeout=0.5, connect_timeout=0.5)

    error = fails_instead_of_hanging(lambda: connection.raw.get("ivr:call:CA1"))

    assert isinstance(error, redis.TimeoutError)


def test_a_postgresql_that_never_answers_is_given_up_on(black_hole: int) -> None:
    engine = make_engine(f"postgresql+psycopg://u:p@127.0.0.1:{black_hole}/db", 1, 0.5)

    error = fails_instead_of_hanging(engine.connect)

    assert isinstance(error, OperationalError)
    engine.dispose()


@pytest.mark.skipif(
    not os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql"),
    reason="the statement timeout is PostgreSQL's (TEST_DATABASE_URL)",
)
def test_a_postgresql_statement_past_its_timeout_is_cancelled() -> None:
    engine = make_engine(os.environ["TEST_DATABASE_URL"], 3, 0.5)

    def sleep_long() -> None:
        with engine.connect() as connection:
            connection.execute(text("SELECT pg_sleep(30)"))

    error = fails_instead_of_hanging(sleep_long)

    assert "statement timeout" in str(error)
    engine.dispose()


def test_timeouts_are_read_from_the_environment_and_kept_under_twilios_limit() -> None:
    settings = Settings.from_env(
        {"HOTLINE_REDIS_TIMEOUT_SECONDS": "1.5", "HOTLINE_DB_STATEMENT_TIMEOUT_SECONDS": "4"}
    )
    assert (settings.redis_timeout_seconds, settings.database_statement_timeout_seconds) == (
        1.5,
        4.0,
    )
    for bad in ("0", "8", "twenty"):
        with pytest.raises(SettingsError, match="HOTLINE_REDIS_CONNECT_TIMEOUT_SECONDS"):
            Settings.from_env({"HOTLINE_REDIS_CONNECT_TIMEOUT_SECONDS": bad})


def test_sign_in_throttling_counts_on_redis_with_the_same_timeouts(settings, app) -> None:
    from hotline.access import limiter

    with app.test_request_context():
        kwargs = limiter.storage.storage.connection_pool.connection_kwargs

    assert kwargs["socket_timeout"] == settings.redis_timeout_seconds
    assert kwargs["socket_connect_timeout"] == settings.redis_connect_timeout_seconds
