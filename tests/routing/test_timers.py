"""Timers and returns: ring-no-answer, timed wrap-up, rejoining, undelivered offers."""

from __future__ import annotations

from routing import keys
from routing.engine import QueueEntry
from routing.live import ConsultantState
from routing.policy import RoutingPolicy
from tests.routing.helpers import QUEUE_SID, Clock, caller, consultant, make_engine, route

POLICY = RoutingPolicy(advisor_seconds=60, office_seconds=30, language_seconds=60)


def test_a_missed_call_goes_back_to_its_place_with_its_tier_clock_intact(redis_client):
    clock = Clock()
    engine = make_engine(redis_client, clock, POLICY)
    consultant(engine, 7, ConsultantState.ON_CALL)
    consultant(engine, 4, ConsultantState.ON_CALL)
    caller(engine, "CA-first", advisor=7, office="WAW")
    clock.advance(5)
    caller(engine, "CA-second", advisor=7, office="WAW")
    clock.advance(60)
    route(engine)  # both in tier 2 now, CA-first until 1090, CA-second until 1095
    tier_until = engine.entry("CA-first").tier_until
    consultant(engine, 4)
    assert route(engine) == [("CA-first", 4)]

    clock.advance(20)
    assert engine.return_offer("CA-first", 4, requeue=True)
    assert engine.consultant(4).state == "not-ready"
    assert engine.consultant(4).reason == "missed call"
    assert engine.position("CA-first") == (1, 2), "its old place, even while re-entering"
    assert engine.entry("CA-first").tier_until == tier_until, "its tier clock is intact"
    consultant(engine, 3, office="WAW")
    assert route(engine) == [("CA-second", 3)], "not routable until back in the Twilio queue"

    engine.mark_waiting("CA-first", QUEUE_SID)
    assert engine.entry("CA-first").tier == 2
    clock.advance(10)  # past the tier-2 deadline it had before it was offered
    route(engine)
    assert engine.entry("CA-first").tier == 3


def test_an_offer_that_rings_too_long_is_taken_back_by_the_router_timer(redis_client):
    clock = Clock()
    engine = make_engine(redis_client, clock)
    caller(engine, "CA1")
    consultant(engine, 4)
    assert route(engine) == [("CA1", 4)]
    clock.advance(31)
    assert engine.expired_offers() == [("CA1", 4)]
    assert engine.return_offer("CA1", 4)
    assert engine.consultant(4).state == "not-ready"
    consultant(engine, 5)
    assert route(engine) == [("CA1", 5)]


def test_a_caller_hanging_up_on_a_ringing_desk_frees_the_consultant_without_blame(redis_client):
    engine = make_engine(redis_client)
    caller(engine, "CA1")
    consultant(engine, 4)
    route(engine)
    assert engine.finish("CA1", "abandoned").outcome == "abandoned"
    assert engine.consultant(4).state == "available"


def test_wrap_up_ends_by_itself_after_w_seconds(redis_client):
    clock = Clock()
    engine = make_engine(redis_client, clock, wrap_up_seconds=45)
    caller(engine, "CA1")
    consultant(engine, 4)
    route(engine)
    engine.connected("CA1", 4)
    clock.advance(200)
    engine.finish("CA1", "answered")
    assert engine.consultant(4).state == "wrap-up"
    caller(engine, "CA2")
    clock.advance(44)
    assert route(engine) == []
    clock.advance(1)
    assert route(engine) == [("CA2", 4)], "available at W, and at once given the next call"
    assert float(engine.stats()["handle_ewma"]) == 200.0


def test_submitting_wrap_up_early_cancels_the_timer(redis_client):
    clock = Clock()
    engine = make_engine(redis_client, clock, wrap_up_seconds=45)
    caller(engine, "CA1")
    consultant(engine, 4)
    route(engine)
    engine.connected("CA1", 4)
    engine.finish("CA1", "answered")
    clock.advance(10)
    engine.set_state(4, ConsultantState.AVAILABLE)
    engine.set_state(4, ConsultantState.BREAK, reason="coffee")
    clock.advance(60)
    route(engine)
    assert engine.consultant(4).state == "break", "the old timer does not end the break"


def test_a_caller_who_rings_again_soon_gets_their_old_place_back(redis_client):
    clock = Clock()
    engine = make_engine(redis_client, clock, rejoin_seconds=300)
    caller(engine, "CA-early", number="+48601000001")
    clock.advance(100)
    caller(engine, "CA-other", number="+48601000002")
    clock.advance(100)
    finished = engine.finish("CA-early", "abandoned")
    assert finished.ended_at - finished.joined_at == 200, "its wait counted"
    assert 0 < redis_client.ttl(keys.rejoin("+48601000001")) <= 300
    clock.advance(60)
    kept = engine.join(QueueEntry(call_sid="CA-again", caller_number="+48601000001"))
    assert kept.queued_at == 1_000_000.0
    engine.mark_waiting("CA-again", QUEUE_SID)
    assert engine.position("CA-again") == (1, 2)
    assert engine.entry("CA-again").rejoined
    assert not redis_client.exists(keys.rejoin("+48601000001")), "the old place is used once"


def test_a_caller_who_was_answered_gets_no_rejoin_place(redis_client):
    engine = make_engine(redis_client)
    caller(engine, "CA1", number="+48601000001")
    consultant(engine, 4)
    route(engine)
    engine.connected("CA1", 4)
    engine.finish("CA1", "answered")
    assert not redis_client.exists(keys.rejoin("+48601000001"))


def test_an_offer_a_dead_router_never_delivered_is_claimed_again(redis_client):
    clock = Clock()
    engine = make_engine(redis_client, clock, lease_seconds=15)
    caller(engine, "CA1")
    consultant(engine, 4)
    route(engine)  # the router dies here, before telling Twilio
    assert engine.claim_undelivered() == []
    clock.advance(16)
    claimed = engine.claim_undelivered()
    assert [(a.call_sid, a.consultant_id, a.queue_sid) for a in claimed] == [("CA1", 4, QUEUE_SID)]
    assert engine.claim_undelivered() == [], "one claim per lease"
    engine.delivered("CA1")
    clock.advance(16)
    assert engine.claim_undelivered() == []


def test_a_consultant_who_changes_office_is_reindexed(redis_client):
    engine = make_engine(redis_client, Clock(), POLICY)
    consultant(engine, 4, office="WAW")
    consultant(engine, 4, office="KRK")
    consultant(engine, 9, ConsultantState.ON_CALL, office="GDA", languages=("pl", "uk"))
    caller(engine, "CA-waw", office="WAW", language="uk")
    assert route(engine) == [], "in tier 3, waiting for a Ukrainian speaker"
    assert redis_client.zscore(keys.available_in_office("KRK"), "4") is not None
    assert not redis_client.sismember(keys.staffed_in_office("WAW"), "4")
    assert redis_client.sismember(keys.staffed_in_office("KRK"), "4")
