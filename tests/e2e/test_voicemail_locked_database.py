"""A voicemail left while the database is locked is still there afterwards."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import create_engine, text

from tests.e2e.conftest import Centre, running_centre, wait_for

pytestmark = [pytest.mark.slow, pytest.mark.e2e]

LOCK_SECONDS = 15.0
OKSANA = "+48601000003"  # speaks Ukrainian; Olena is her advisor


@pytest.fixture(scope="module")
def closed_centre(
    tmp_path_factory: pytest.TempPathFactory, redis_url: str, database_url: str
) -> Iterator[Centre]:
    """A centre whose consultants are away (a Monday minute at midnight only)."""
    folder = tmp_path_factory.mktemp("closed-centre")
    redis = redis_url.rsplit("/", 1)[0] + "/13"
    with running_centre(
        folder, redis, database_url, HOTLINE_CONSULTANT_HOURS="mon 00:00-00:01"
    ) as centre:
        yield centre


@contextmanager
def database_locked(url: str) -> Iterator[None]:
    """Hold a real write lock on the centre's database from a connection of our own."""
    if url.startswith("sqlite"):
        connection = sqlite3.connect(url.split("///", 1)[1], isolation_level=None)
        connection.execute("BEGIN EXCLUSIVE")
        try:
            yield
        finally:
            connection.execute("ROLLBACK")
            connection.close()
        return
    engine = create_engine(url)
    with engine.connect() as connection, connection.begin() as transaction:
        connection.execute(text("LOCK TABLE recordings, call_records IN ACCESS EXCLUSIVE MODE"))
        yield
        transaction.rollback()
    engine.dispose()


def stored_voicemail(url: str, call_sid: str) -> list[tuple[str, str | None]]:
    """Read the recordings of a call (readers are not blocked by the lock on SQLite)."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                text("SELECT status, language FROM recordings WHERE call_sid = :sid"),
                {"sid": call_sid},
            )
            return [(row[0], row[1]) for row in rows]
    finally:
        engine.dispose()


def test_a_voicemail_left_while_the_database_is_locked_is_found_afterwards(closed_centre):
    url = closed_centre.env["DATABASE_URL"]
    script = [{"silence": True}, {"press": "0"}, {"press": "2"}, {"record": "Proszę oddzwonić"}]
    with database_locked(url):
        locked_at = time.monotonic()
        call = closed_centre.run_call(OKSANA, script)
        reported = wait_for(
            lambda: [
                event
                for event in closed_centre.call(call["sid"])["events"]
                if event["kind"] == "recording-callback-done"
            ],
            what="the network to report the recording",
        )
        assert reported[0]["delivered"] is True, closed_centre.call(call["sid"])["events"]
        if url.startswith("sqlite"):
            assert stored_voicemail(url, call["sid"]) == []  # still waiting for the lock
        # Held for 15 s, or longer where a loaded machine made the call itself take longer.
        time.sleep(max(0.0, LOCK_SECONDS - (time.monotonic() - locked_at)))

    assert not [e for e in call["events"] if e["kind"] == "error"], call["events"]
    assert any(e["kind"] == "record" for e in call["events"])
    found = wait_for(lambda: stored_voicemail(url, call["sid"]), what="the voicemail to be stored")
    assert found == [("completed", "uk")]
    session, _token = closed_centre.desk_session("olena")
    inbox = session.get(f"{closed_centre.web}/desk/voicemail").text
    assert "Oksana Bondarenko" in inbox and "your customer" in inbox
