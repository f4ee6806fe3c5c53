"""With Redis stopped, callers still hear the menu, the answers and the vacancies, and a
caller who asks for a person leaves a callback request or a message that is not lost."""

from __future__ import annotations

import time
from functools import partial

from sqlalchemy import select

from hotline.db import db
from hotline.embedded_redis import EmbeddedRedis
from hotline.telephony import telephony
from ivr.models import StoredJourney
from routing.extension import services as routing_services
from routing.models import CallbackRequest, CallRecord
from routing.router import Router
from routing.service import restore_callbacks
from tests.ivr.conftest import CALLERS, SKIP_GREETING, Line


def wait_for_record(call_sid: str, timeout: float = 60.0) -> CallRecord:
    """Wait until the call's record is stored (its status callback has been handled)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        db.session.rollback()
        found = db.session.scalars(select(CallRecord).where(CallRecord.call_sid == call_sid))
        record = found.first()
        if record is not None:
            return record
        time.sleep(0.05)
    raise AssertionError(f"call {call_sid} was not recorded within {timeout:.0f} s")


def test_with_redis_down_the_menu_the_answers_and_the_vacancies_are_still_read(
    outage_line: Line, own_redis: EmbeddedRedis
) -> None:
    own_redis.stop()

    call = outage_line.call(
        CALLERS["pl"],
        [
            SKIP_GREETING,
            {"press": "1"},
            {"press": "9"},
            {"press": "2"},
            {"say": "Kraków"},
            {"press": "#"},  # every offer, not one occupation's
        ],
    )

    turns = call.turns()
    assert "Dzień dobry, Jan" in turns[0]
    assert "naciśnij 1" in turns[1]  # the main menu
    assert "dowód osobisty" in turns[2]  # the documents answer
    assert "Oferty pracy" in turns[3]  # back at the menu
    assert "problem techniczny" not in call.heard()
    assert "Kraków" in turns[5]
    assert "Numer oferty" in turns[6]  # the offers in Kraków are read, each with its number


def test_a_caller_who_asks_for_a_person_with_redis_down_is_called_back_once_it_returns(
    outage_line: Line, own_redis: EmbeddedRedis
) -> None:
    own_redis.stop()

    call = outage_line.call(CALLERS["pl"], [SKIP_GREETING, {"press": "0"}, {"press": "1"}])

    assert "Nie możemy teraz połączyć" in call.turns()[2]
    assert "oddzwoni" in call.turns()[3]
    assert "problem techniczny" not in call.heard()
    with db.transaction() as session:
        (request,) = session.scalars(select(CallbackRequest)).all()
        assert (request.call_sid, request.number, request.status) == (
            call.sid,
            CALLERS["pl"],
            "pending",
        )
    # The network reports the call's end a moment after it ends: wait for its record.
    record = wait_for_record(call.sid)
    assert record.outcome == "callback"
    assert db.session.scalars(select(StoredJourney)).all() == []  # gone with the call

    own_redis.start()
    with outage_line.app.app_context():
        services = routing_services()
        assert (
            Router(
                services.engine,
                telephony.current(),
                outage_line.settings,
                restore_callbacks=partial(restore_callbacks, services),
            ).recover()
            == 1
        )
        waiting = services.engine.entry(call.sid)
        assert waiting is not None and waiting.callback
        assert waiting.caller_number == CALLERS["pl"]
