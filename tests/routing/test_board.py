"""The queue board: the live queue from Redis, the day's figures and staffing advice."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hotline.db import db
from routing import board
from routing.live import ConsultantState
from routing.models import CallOutcome, CallRecord
from tests.agent_desk.test_desk import sign_in
from tests.routing.helpers import Clock, caller, consultant, make_engine

NOW = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)  # 15:00 in Warsaw


def record(
    sid, outcome, wait=None, *, advisor=None, own=False, by=None, queued=NOW - timedelta(minutes=5)
):
    db.session.add(
        CallRecord(
            call_sid=sid, outcome=outcome, wait_seconds=wait, advisor_id=advisor,
            own_advisor=own, consultant_id=by, queued_at=queued,
        )
    )  # fmt: skip


def test_the_snapshot_counts_callers_callbacks_and_consultants(redis_client):
    clock = Clock()
    engine = make_engine(redis_client, clock)
    consultant(engine, 1, ConsultantState.ON_CALL)
    consultant(engine, 2, ConsultantState.BREAK)
    consultant(engine, 3, ConsultantState.ON_CALL)
    caller(engine, "CA-first")
    clock.advance(40)
    caller(engine, "CA-second")
    engine.request_callback("CA-second", "+48601000001")
    clock.advance(5)
    caller(engine, "CA-third")

    live = engine.snapshot()

    assert live.on_the_line == 2
    assert live.callbacks == 1
    assert live.longest_wait == 45.0
    assert live.consultants == {"on-call": 2, "break": 1}


def test_the_day_counts_only_queued_calls_since_midnight(app):
    midnight = datetime(2026, 11, 22, 23, 0, tzinfo=UTC)  # Warsaw midnight
    record("CA1", CallOutcome.ANSWERED, 5.0, advisor=7, own=True, by=7)
    record("CA2", CallOutcome.ANSWERED, 35.0, advisor=7, own=False, by=3)
    record("CA3", CallOutcome.ANSWERED, 20.0, by=3)
    record("CA4", CallOutcome.ABANDONED, 50.0)
    record("CA5", CallOutcome.CALLBACK, 70.0, advisor=7)  # not called back yet
    record("CA8", CallOutcome.CALLBACK, 8.0, advisor=7, own=True, by=7)  # called back by them
    record("CA6", CallOutcome.SELF_SERVICE)
    record("CA7", CallOutcome.ANSWERED, 1.0, queued=midnight - timedelta(seconds=1))
    db.session.commit()

    day = board.day_figures(midnight)

    assert (day.queued, day.answered, day.abandoned, day.callbacks) == (6, 3, 1, 2)
    assert day.service_level == 2 / 6, "answered within 20 s among every queued call"
    assert day.service_level_on_the_line == 2 / 4, "among callers who did not ask for a callback"
    assert day.asa == 20.0
    assert day.abandonment == 1 / 6
    assert day.own_advisor == 2 / 3, "answered or called back, by their own advisor"
    assert board.day_figures(NOW).service_level is None


def test_staffing_advice_follows_erlang_c():
    quiet = board.staffing_advice(0, 270.0, 3)
    assert quiet.needed == 0
    busy = board.staffing_advice(100, 270.0, 3)
    # 100 calls an hour of 270 s is 7.5 Erlangs: by Erlang C, 10 consultants answer 74.5%
    # within 20 s and 11 answer 86.4%.
    assert busy.needed == 11
    assert (busy.calls_last_hour, busy.working) == (100, 3)


def test_the_board_page_and_its_figures_need_a_signed_in_consultant(client, demo):
    assert client.get("/desk/board").status_code == 302
    assert client.get("/desk/api/board").status_code == 401
    sign_in(client)
    assert "Kolejka teraz" in client.get("/desk/board").get_data(as_text=True)
    record("CA-recent", CallOutcome.ANSWERED, 3.0, queued=datetime.now(UTC))
    db.session.commit()
    figures = client.get("/desk/api/board").get_json()
    assert figures["today"]["answered"] == 1
    assert figures["today"]["service_level"] == 1.0
    assert figures["staffing"]["calls_last_hour"] == 1
    assert figures["staffing"]["needed"] >= 1
    assert figures["target"] == {"seconds": 20.0, "share": 0.8}


def test_the_board_says_who_is_signed_in_and_in_what_state_offline_included(
    client, demo, redis_client
):
    # Anna, a supervisor, reads the board; Piotr is signed in but not taking calls.
    token = sign_in(client, "anna")[1]
    client.post("/desk/api/state", json={"state": "available"}, headers={"X-CSRF-Token": token})
    other = client.application.test_client()
    piotr_token = sign_in(other, "piotr")[1]

    people = client.get("/desk/api/board").get_json()["live"]["signed_in"]
    assert [(person["name"], person["state"]) for person in people] == [
        ("Anna Nowak", "available"),
        ("Piotr Kowalski", "offline"),
    ]

    other.post("/desk/logout", data={"csrf_token": piotr_token})
    people = client.get("/desk/api/board").get_json()["live"]["signed_in"]
    assert [(person["name"], person["state"]) for person in people] == [("Anna Nowak", "available")]


def test_a_consultant_not_seen_at_the_desk_for_long_is_no_longer_counted_signed_in(redis_client):
    clock = Clock()
    engine = make_engine(redis_client, clock)
    consultant(engine, 1, ConsultantState.OFFLINE)
    consultant(engine, 2, ConsultantState.BREAK)
    engine.at_desk(1)
    assert [(p.name, p.state) for p in engine.snapshot().signed_in] == [
        ("consultant 1", "offline"),
        ("consultant 2", "break"),
    ]
    assert [p.at_desk for p in engine.snapshot().signed_in] == [True, False]
    clock.advance(3600)
    assert [p.name for p in engine.snapshot().signed_in] == ["consultant 2"], "still on a break"
