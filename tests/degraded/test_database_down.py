"""With the database unavailable, what callers ask for waits in Redis until it is back."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import create_engine, select, text

from hotline.db import db
from routing.engine import QueueEntry
from routing.models import CallbackRequest
from routing.service import request_callback_later
from tests.e2e.test_voicemail_locked_database import database_locked as locked_for_voicemail

JAN = "+48601000001"
SID = "CA" + "7" * 32


@contextmanager
def database_locked(url: str) -> Iterator[None]:
    """Hold a real write lock on the callback requests from a connection of our own."""
    if url.startswith("sqlite"):
        with locked_for_voicemail(url):
            yield
        return
    engine = create_engine(url)
    with engine.connect() as connection, connection.begin() as transaction:
        connection.execute(text("LOCK TABLE callback_requests IN ACCESS EXCLUSIVE MODE"))
        yield
        transaction.rollback()
    engine.dispose()


def requests_stored() -> list[tuple[str, str]]:
    db.session.rollback()
    return [(r.call_sid, r.number) for r in db.session.scalars(select(CallbackRequest))]


def test_a_callback_asked_for_while_the_database_is_locked_waits_in_redis_until_it_is_back(
    app, demo, worker, settings
):
    services = app.extensions["hotline.routing"]
    # As in production, a write waits a moment for the lock, then gives up.
    db.configure(settings.database_url, 1, 0.3)
    try:
        with database_locked(settings.database_url):
            assert request_callback_later(services, QueueEntry(SID, JAN, language="pl"), JAN)
            waiting = services.engine.entry(SID)
            assert waiting is not None and waiting.callback  # the queue has it meanwhile

        assert requests_stored() == []

        worker()  # the database is back: the job that kept the request stores it

        assert requests_stored() == [(SID, JAN)]
        worker()  # running again changes nothing
        assert requests_stored() == [(SID, JAN)]
    finally:
        db.configure(settings.database_url)
