"""A callback the caller asked of their own advisor: only the advisor takes it, for a while."""

from __future__ import annotations

from routing.engine import QueueEntry
from routing.live import ConsultantState
from routing.policy import RoutingPolicy
from tests.routing.helpers import Clock, caller, consultant, make_engine, route

ON_CALL = ConsultantState.ON_CALL
POLICY = RoutingPolicy(advisor_seconds=60, office_seconds=30, language_seconds=60)
HOLD = 4 * 3600.0
JAN = "+48601000001"


def jan_asks_his_advisor(engine, hold: float = HOLD) -> None:
    caller(engine, "CA-jan", advisor=7, office="WAW", number=JAN)
    assert engine.request_callback("CA-jan", JAN, advisor_hold=hold)


def test_only_the_advisor_takes_it_long_after_the_advisor_tier_would_end(redis_client):
    clock = Clock()
    engine = make_engine(redis_client, clock, POLICY)
    consultant(engine, 7, ON_CALL)
    consultant(engine, 4, ON_CALL)
    jan_asks_his_advisor(engine)
    consultant(engine, 4)  # a colleague of the same office is free
    clock.advance(600)
    assert route(engine) == [], "ten minutes on, still only the advisor may take it"
    entry = engine.entry("CA-jan")
    assert (entry.tier, entry.pinned, entry.callback) == (1, True, True)

    engine.set_state(7, ConsultantState.AVAILABLE)
    assert route(engine) == [("CA-jan", 7)]
    assert engine.entry("CA-jan").offered_tier == 1


def test_the_advisor_makes_it_when_nobody_on_the_line_waits_for_them(redis_client):
    clock = Clock()
    engine = make_engine(redis_client, clock, POLICY)
    consultant(engine, 7, ON_CALL)
    consultant(engine, 4, ON_CALL)
    jan_asks_his_advisor(engine)
    clock.advance(5)
    caller(engine, "CA-ewa", advisor=7, office="WAW")
    caller(engine, "CA-ola", office="WAW")
    engine.set_state(7, ConsultantState.AVAILABLE)
    assert route(engine) == [("CA-ewa", 7)], "her own customer on the line first"
    engine.set_state(7, ConsultantState.AVAILABLE)
    assert route(engine) == [("CA-ola", 7)], "then a caller on the line she may take"
    engine.set_state(7, ConsultantState.AVAILABLE)
    assert route(engine) == [("CA-jan", 7)], "then the callback Jan asked of her"


def test_it_waits_over_the_advisors_break_and_widens_when_they_log_off(redis_client):
    clock = Clock()
    engine = make_engine(redis_client, clock, POLICY)
    consultant(engine, 7, ON_CALL)
    consultant(engine, 4, ON_CALL)
    caller(engine, "CA-ewa", advisor=7, office="WAW")
    jan_asks_his_advisor(engine)
    consultant(engine, 4)
    engine.set_state(7, ConsultantState.BREAK, reason="lunch")
    assert route(engine) == [("CA-ewa", 4)], "a caller on the line does not wait for a break"
    engine.set_state(4, ON_CALL)
    clock.advance(1800)
    assert engine.entry("CA-jan").tier == 1

    engine.set_state(7, ConsultantState.OFFLINE)
    engine.set_state(4, ConsultantState.AVAILABLE)
    assert route(engine) == [("CA-jan", 4)], "the advisor's team calls back once they leave"
    assert engine.entry("CA-jan").offered_tier == 2


def test_a_retry_due_after_the_advisor_left_goes_to_their_team(redis_client):
    clock = Clock()
    engine = make_engine(redis_client, clock, POLICY)
    consultant(engine, 7)
    consultant(engine, 4, ON_CALL)
    engine.set_state(7, ON_CALL)
    jan_asks_his_advisor(engine)
    engine.set_state(7, ConsultantState.AVAILABLE)
    assert route(engine) == [("CA-jan", 7)]
    assert engine.reschedule_callback("CA-jan", clock() + 600), "Jan did not answer"
    engine.set_state(7, ConsultantState.OFFLINE)
    engine.set_state(4, ConsultantState.AVAILABLE)
    clock.advance(600)
    assert route(engine) == [("CA-jan", 4)]


def test_it_widens_when_the_hold_is_over(redis_client):
    clock = Clock()
    engine = make_engine(redis_client, clock, POLICY)
    consultant(engine, 7, ON_CALL)
    consultant(engine, 4, ON_CALL)
    jan_asks_his_advisor(engine, hold=900)
    consultant(engine, 4)
    clock.advance(899)
    assert route(engine) == []
    clock.advance(1)
    assert route(engine) == [("CA-jan", 4)]


def test_an_advisor_who_is_offline_when_asked_is_not_waited_for(redis_client):
    engine = make_engine(redis_client, Clock(), POLICY)
    consultant(engine, 4, ON_CALL)
    jan_asks_his_advisor(engine)
    assert engine.entry("CA-jan").tier == 2
    engine.set_state(4, ConsultantState.AVAILABLE)
    assert route(engine) == [("CA-jan", 4)]


def test_restored_from_the_database_it_waits_only_for_what_is_left_of_its_hold(redis_client):
    clock = Clock()
    engine = make_engine(redis_client, clock, POLICY)
    consultant(engine, 7, ON_CALL)
    asked_at = clock() - 3000
    entry = QueueEntry(
        call_sid="CA-jan", caller_number=JAN, advisor_id=7, office="WAW", queued_at=asked_at
    )
    assert engine.restore_callback(entry, JAN, 1, None, advisor_hold=3600, requested_at=asked_at)
    restored = engine.entry("CA-jan")
    assert (restored.pinned, restored.tier) == (True, 1)
    assert restored.tier_until == asked_at + 3600
    assert not engine.restore_callback(entry, JAN, 1, None, advisor_hold=3600)


def test_a_plain_callback_is_not_held_for_the_advisor(redis_client):
    clock = Clock()
    engine = make_engine(redis_client, clock, POLICY)
    consultant(engine, 7, ON_CALL)
    consultant(engine, 4, ON_CALL)
    caller(engine, "CA-jan", advisor=7, office="WAW", number=JAN)
    assert engine.request_callback("CA-jan", JAN)
    consultant(engine, 4)
    clock.advance(60)
    assert route(engine) == [("CA-jan", 4)]
    assert not engine.entry("CA-jan").pinned


def test_how_soon_advisors_take_the_callbacks_asked_of_them_is_measured(redis_client):
    clock = Clock()
    engine = make_engine(redis_client, clock, POLICY)
    consultant(engine, 7, ON_CALL)
    assert engine.usual_advisor_callback() is None
    jan_asks_his_advisor(engine)
    clock.advance(300)
    engine.set_state(7, ConsultantState.AVAILABLE)
    assert route(engine) == [("CA-jan", 7)]
    engine.connected("CA-jan", 7)
    assert engine.usual_advisor_callback() == 300

    caller(engine, "CA-ewa", advisor=7, office="WAW")
    engine.set_state(7, ConsultantState.AVAILABLE)
    clock.advance(20)
    assert route(engine) == [("CA-ewa", 7)]
    engine.connected("CA-ewa", 7)
    assert engine.usual_advisor_callback() == 300, "a call on the line is not a callback"
