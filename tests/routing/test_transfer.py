"""Cold transfers in the engine: the call waits again, with its place and priority, for the
tier its target names, and widens from there as any call does."""

from __future__ import annotations

import pytest

from routing.engine import RoutingEngine
from routing.live import ConsultantState, EntryState
from routing.policy import RoutingPolicy
from tests.routing.helpers import QUEUE_SID, Clock, caller, consultant, make_engine, route

SID = "CA" + "1" * 32
OTHER = "CA" + "2" * 32


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def engine(redis_client, clock) -> RoutingEngine:  # type: ignore[no-untyped-def]
    return make_engine(redis_client, clock, RoutingPolicy(30, 10, 30), wrap_up_seconds=600)


def connect(engine: RoutingEngine, sid: str, consultant_id: int) -> None:
    """Have the only free consultant take the call."""
    assert route(engine) == [(sid, consultant_id)]
    engine.connected(sid, consultant_id)
    assert engine.entry(sid).state == EntryState.CONNECTED


def back_in_queue(engine: RoutingEngine, sid: str) -> None:
    """The transferred caller's wait URL runs again."""
    engine.mark_waiting(sid, QUEUE_SID)


def test_a_call_transferred_to_a_named_colleague_waits_for_her_then_widens(engine, clock):
    consultant(engine, 1, office="WAW")
    caller(engine, SID, advisor=1, office="WAW", number="+48601000001")
    connect(engine, SID, 1)
    consultant(engine, 2, ConsultantState.ON_CALL, office="WAW")
    consultant(engine, 3, office="WAW")

    assert engine.transfer(SID, 1, "consultant", "2", hold_seconds=60) == 1
    assert engine.consultant(1).state == ConsultantState.WRAP_UP
    entry = engine.entry(SID)
    assert (entry.state, entry.tier, entry.advisor_id) == (EntryState.WAITING, 1, 2)
    assert entry.customer_advisor_id == 1 and entry.transferred_by == 1
    assert route(engine) == [], "routable only once the caller is back in the queue"
    back_in_queue(engine, SID)
    assert route(engine) == [], "Olena (2) is busy; Mihai (3) may not take it yet"
    consultant(engine, 2, ConsultantState.AVAILABLE, office="WAW")
    assert route(engine) == [(SID, 2)]


def test_a_named_colleague_who_stays_busy_lets_the_office_take_it_after_the_hold(engine, clock):
    consultant(engine, 1, office="WAW")
    caller(engine, SID, advisor=1, office="WAW")
    connect(engine, SID, 1)
    consultant(engine, 2, ConsultantState.ON_CALL, office="WAW")
    consultant(engine, 3, office="WAW")
    engine.transfer(SID, 1, "consultant", "2", hold_seconds=60)
    back_in_queue(engine, SID)
    clock.advance(61)
    assert route(engine) == [(SID, 3)]


def test_a_call_transferred_to_the_advisor_waits_for_the_customers_own_advisor(engine, clock):
    consultant(engine, 1, ConsultantState.ON_CALL, office="WAW")  # Jan's advisor, busy
    consultant(engine, 4, office="WAW")
    caller(engine, SID, advisor=1, office="WAW")
    assert route(engine) == []
    clock.advance(31)  # past the advisor tier: the office team takes him
    assert route(engine) == [(SID, 4)]
    engine.connected(SID, 4)
    consultant(engine, 1, ConsultantState.AVAILABLE, office="WAW")
    consultant(engine, 5, office="WAW")
    assert engine.transfer(SID, 4, "advisor", hold_seconds=60) == 1
    back_in_queue(engine, SID)
    assert route(engine) == [(SID, 1)], "his own advisor, not the free colleague (5)"


def test_a_call_transferred_to_an_office_goes_to_that_office_team(engine, clock):
    consultant(engine, 1, office="WAW")
    caller(engine, SID, advisor=1, office="WAW")
    connect(engine, SID, 1)
    consultant(engine, 6, office="WAW")
    consultant(engine, 7, office="KRK")
    assert engine.transfer(SID, 1, "office", "KRK", hold_seconds=60) == 1
    back_in_queue(engine, SID)
    assert engine.entry(SID).tier == 2
    assert route(engine) == [(SID, 7)]


def test_a_call_transferred_to_a_language_goes_to_someone_who_speaks_it(engine, clock):
    consultant(engine, 1, office="WAW")
    caller(engine, SID, advisor=1, office="WAW")
    connect(engine, SID, 1)
    consultant(engine, 8, office="WAW", languages=("pl",))
    consultant(engine, 9, office="BIA", languages=("pl", "uk"))
    assert engine.transfer(SID, 1, "language", "uk", hold_seconds=60) == 1
    back_in_queue(engine, SID)
    entry = engine.entry(SID)
    assert (entry.tier, entry.language) == (3, "uk")
    assert route(engine) == [(SID, 9)]


def test_a_call_sent_back_to_the_queue_keeps_its_place_priority_and_takes_the_new_topic(
    engine, clock
):
    consultant(engine, 1, office="WAW")
    caller(engine, SID, office="WAW", priority=1)  # a vulnerable caller
    connect(engine, SID, 1)
    score = engine.entry(SID).score
    clock.advance(5)
    caller(engine, OTHER, office="WAW")  # came later, waited less
    assert engine.transfer(SID, 1, "queue", topic="eures") == 1
    back_in_queue(engine, SID)
    entry = engine.entry(SID)
    assert (entry.score, entry.priority, entry.topic, entry.tier) == (score, 1, "eures", 4)
    assert engine.position(SID) == (1, 2)
    consultant(engine, 10, office="BIA")
    assert route(engine) == [(SID, 10)]


def test_only_the_consultant_on_the_call_may_transfer_it(engine, clock):
    consultant(engine, 1, office="WAW")
    caller(engine, SID, office="WAW")
    assert engine.transfer(SID, 1, "queue") == 0, "not connected yet"
    connect(engine, SID, 1)
    assert engine.transfer(SID, 2, "queue") == 0
    assert engine.transfer(SID, 1, "advisor") == -1, "a caller without an advisor"
    assert engine.entry(SID).state == EntryState.CONNECTED


def test_a_hand_over_makes_the_colleague_the_calls_consultant(engine, clock):
    consultant(engine, 1, office="WAW")
    caller(engine, SID, office="WAW")
    connect(engine, SID, 1)
    consultant(engine, 2, office="WAW")
    assert engine.consult_colleague(2, SID, "reserve")
    assert not engine.consult_colleague(2, OTHER, "reserve"), "she is taken"
    assert engine.consultant(2).state == ConsultantState.RINGING
    assert engine.consult_colleague(2, SID, "answered")
    assert engine.hand_over(SID, 1, 2)
    assert not engine.hand_over(SID, 1, 2), "once"
    assert engine.consultant(1).state == ConsultantState.WRAP_UP
    assert engine.entry(SID).consultant_id == 2
    assert engine.close(SID, "answered")
    assert engine.consultant(2).state == ConsultantState.WRAP_UP


def test_a_consulted_colleague_who_never_spoke_with_the_caller_is_free_again(engine, clock):
    consultant(engine, 1, office="WAW")
    caller(engine, SID, office="WAW")
    connect(engine, SID, 1)
    consultant(engine, 2, office="WAW")
    engine.consult_colleague(2, SID, "reserve")
    engine.consult_colleague(2, SID, "answered")
    assert engine.consult_colleague(2, SID, "release")
    assert engine.consultant(2).state == ConsultantState.AVAILABLE
    assert not engine.consult_colleague(2, SID, "wrap"), "no longer held for this call"
