"""The routing policy: own advisor first, then the office team, the language, anyone."""

from __future__ import annotations

import json

import pytest

from routing import keys
from routing.live import ConsultantState
from routing.policy import PolicyError, RoutingPolicy, parse_policies
from tests.routing.helpers import Clock, caller, consultant, make_engine, route

ON_CALL = ConsultantState.ON_CALL
POLICY = RoutingPolicy(advisor_seconds=60, office_seconds=30, language_seconds=60)


def test_a_free_advisor_gets_their_customer_before_longer_idle_colleagues(redis_client):
    engine = make_engine(redis_client)
    consultant(engine, 1)
    engine.clock.advance(5)
    consultant(engine, 7)
    caller(engine, "CA-jan", advisor=7, office="WAW")
    assert route(engine) == [("CA-jan", 7)]


def test_a_call_waits_for_its_busy_advisor_then_widens_tier_by_tier(redis_client):
    clock = Clock()
    engine = make_engine(redis_client, clock, POLICY)
    consultant(engine, 7, ON_CALL, office="WAW")
    consultant(engine, 2, office="KRK", languages=("pl", "uk"))
    consultant(engine, 3, office="KRK", languages=("pl",))
    caller(engine, "CA-oksana", advisor=7, office="WAW", language="uk")
    consultant(engine, 4, ON_CALL, office="WAW")  # the office team is staffed but busy
    assert route(engine) == [], "tier 1: only the advisor may take it"
    assert engine.entry("CA-oksana").tier == 1

    clock.advance(59)
    assert route(engine) == []
    clock.advance(1)
    assert route(engine) == [], "tier 2: the WAW team is busy, KRK may not take it"
    assert engine.entry("CA-oksana").tier == 2

    clock.advance(30)
    assert route(engine) == [("CA-oksana", 2)], "tier 3: a Ukrainian speaker"
    assert engine.entry("CA-oksana").offered_tier == 3


def test_tier_four_lets_anyone_answer(redis_client):
    clock = Clock()
    engine = make_engine(redis_client, clock, POLICY)
    consultant(engine, 5, ON_CALL, languages=("pl", "ro"))
    consultant(engine, 3, office="KRK", languages=("pl",))
    caller(engine, "CA-ion", language="ro")
    assert route(engine) == [], "tier 3: the Romanian speaker is busy"
    clock.advance(60)
    assert route(engine) == [("CA-ion", 3)]
    assert engine.entry("CA-ion").offered_tier == 4


def test_tier_one_is_skipped_at_once_if_the_advisor_is_offline_or_on_a_break(redis_client):
    engine = make_engine(redis_client, Clock(), POLICY)
    consultant(engine, 7, ConsultantState.BREAK)
    consultant(engine, 4, office="WAW")
    caller(engine, "CA-on-break", advisor=7, office="WAW")
    engine.clock.advance(1)
    caller(engine, "CA-offline", advisor=8, office="WAW")
    assert route(engine) == [("CA-on-break", 4)]
    assert engine.entry("CA-offline").tier == 2


def test_an_advisor_leaving_for_a_break_releases_their_waiting_customers(redis_client):
    engine = make_engine(redis_client, Clock(), POLICY)
    consultant(engine, 7, ON_CALL)
    consultant(engine, 4, office="WAW")
    caller(engine, "CA-jan", advisor=7, office="WAW")
    assert route(engine) == []
    engine.set_state(7, ConsultantState.BREAK, reason="lunch")
    assert engine.consultant(7).reason == "lunch"
    assert route(engine) == [("CA-jan", 4)], "no need to wait the rest of T1"


def test_the_office_tier_is_skipped_when_nobody_from_the_office_is_logged_in(redis_client):
    engine = make_engine(redis_client, Clock(), POLICY)
    consultant(engine, 3, office="KRK")
    caller(engine, "CA-waw", office="WAW")
    assert route(engine) == [("CA-waw", 3)]
    assert engine.entry("CA-waw").offered_tier == 3


def test_a_call_keeps_its_place_while_its_pool_widens(redis_client):
    clock = Clock()
    engine = make_engine(redis_client, clock, POLICY)
    consultant(engine, 7, ON_CALL)
    caller(engine, "CA-old", advisor=7, office="WAW")
    clock.advance(10)
    caller(engine, "CA-new")
    assert engine.position("CA-old") == (1, 2)
    clock.advance(100)  # CA-old is in tier 3 now, like CA-new
    route(engine)
    consultant(engine, 2, office="KRK")
    assert route(engine) == [("CA-old", 2)], "the older call goes first"


def test_vulnerable_callers_come_first_within_a_tier(redis_client):
    clock = Clock()
    engine = make_engine(redis_client, clock, POLICY)
    caller(engine, "CA-waiting-longer")
    clock.advance(30)
    caller(engine, "CA-vulnerable", priority=1)
    assert engine.position("CA-vulnerable") == (1, 2)
    consultant(engine, 2)
    assert route(engine) == [("CA-vulnerable", 2)]


def test_a_free_consultant_takes_their_own_customer_before_longer_waiting_callers(redis_client):
    clock = Clock()
    engine = make_engine(redis_client, clock, POLICY)
    consultant(engine, 7, ON_CALL)
    caller(engine, "CA-stranger")
    clock.advance(20)
    caller(engine, "CA-own", advisor=7, office="WAW")
    consultant(engine, 7, ConsultantState.AVAILABLE)
    assert route(engine) == [("CA-own", 7)]


def test_the_own_customer_preference_holds_in_every_tier(redis_client):
    clock = Clock()
    engine = make_engine(redis_client, clock, POLICY)
    consultant(engine, 7, ON_CALL)
    caller(engine, "CA-own", advisor=7, office="WAW")
    clock.advance(500)
    route(engine)
    assert engine.entry("CA-own").tier == 4
    caller(engine, "CA-other")
    clock.advance(500)
    route(engine)
    consultant(engine, 7, ConsultantState.AVAILABLE)
    assert route(engine) == [("CA-own", 7)]


def test_fifo_policy_ignores_advisors(redis_client):
    clock = Clock()
    engine = make_engine(redis_client, clock, RoutingPolicy.fifo())
    consultant(engine, 7, ON_CALL)
    caller(engine, "CA-first")
    clock.advance(1)
    caller(engine, "CA-own", advisor=7, office="WAW")
    consultant(engine, 4, office="KRK")
    assert route(engine) == [("CA-first", 4)]
    consultant(engine, 7, ConsultantState.AVAILABLE)
    assert route(engine) == [("CA-own", 7)]


def test_each_queue_may_have_its_own_tiers(redis_client):
    engine = make_engine(
        redis_client, Clock(), POLICY, policies={"urgent": RoutingPolicy(0, 0, 0, False)}
    )
    consultant(engine, 7, ON_CALL)
    consultant(engine, 3, office="KRK")
    caller(engine, "CA-urgent", advisor=7, office="WAW", queue="urgent")
    caller(engine, "CA-normal", advisor=7, office="WAW")
    assert route(engine) == [("CA-urgent", 3)]
    assert engine.entry("CA-normal").tier == 1


def test_every_change_is_published_on_the_event_stream(redis_client):
    engine = make_engine(redis_client, Clock(), POLICY)
    consultant(engine, 4)
    caller(engine, "CA1")
    route(engine)
    kinds = [
        json.loads(fields[b"event"])["kind"] for _id, fields in redis_client.xrange(keys.EVENTS)
    ]
    assert kinds == [
        "consultant.state",
        "call.joined",
        "call.waiting",
        "call.offered",
    ]


def test_the_wait_estimate_is_smoothed_between_announcements(redis_client):
    clock = Clock()
    engine = make_engine(redis_client, clock, POLICY)
    consultant(engine, 1, ON_CALL)
    for index in range(4):
        caller(engine, f"CA{index}")
    first = engine.estimate("CA3", 4)
    assert first == 4 * 240.0
    redis_client.hset(keys.STATS, "handle_ewma", 60.0)
    clock.advance(30)
    second = engine.estimate("CA3", 4)
    assert second == 0.5 * (4 * 60.0) + 0.5 * (first - 30), "halfway, not a jump"


PREDICTING = RoutingPolicy(
    advisor_seconds=60, office_seconds=30, language_seconds=60, predict_advisor=True
)


def test_a_predicting_queue_does_not_wait_for_an_advisor_who_has_just_begun_a_call(redis_client):
    clock = Clock()
    engine = make_engine(redis_client, clock, PREDICTING)
    consultant(engine, 7, ON_CALL, office="WAW")
    consultant(engine, 4, ON_CALL, office="WAW")
    caller(engine, "CA-jan", advisor=7, office="WAW")
    assert engine.entry("CA-jan").tier == 2, "240 s of call and 30 s of wrap-up to go"
    clock.advance(5)
    consultant(engine, 7, ConsultantState.AVAILABLE)
    assert route(engine) == [("CA-jan", 7)], "still their advisor's, if the advisor is first"


def test_a_predicting_queue_waits_for_an_advisor_near_the_end_of_a_call(redis_client):
    clock = Clock()
    engine = make_engine(redis_client, clock, PREDICTING)
    consultant(engine, 7, ON_CALL, office="WAW")
    clock.advance(209)
    caller(engine, "CA-early", advisor=7, office="WAW")
    clock.advance(1)
    caller(engine, "CA-due", advisor=7, office="WAW")
    assert engine.entry("CA-early").tier == 2, "free at 270 s: 61 s away"
    assert engine.entry("CA-due").tier == 1, "free at 270 s: 60 s away"


def test_a_predicting_queue_learns_the_usual_call_and_wrap_up(redis_client):
    clock = Clock()
    engine = make_engine(redis_client, clock, PREDICTING)
    consultant(engine, 7, ON_CALL, office="WAW")
    clock.advance(10)
    consultant(engine, 7, ConsultantState.WRAP_UP)
    clock.advance(20)
    consultant(engine, 7, ON_CALL)
    assert float(redis_client.hget(keys.STATS, "wrap_ewma")) == 20.0
    redis_client.hset(keys.STATS, "handle_ewma", 30.0)
    caller(engine, "CA-jan", advisor=7, office="WAW")
    assert engine.entry("CA-jan").tier == 1, "30 s of call and 20 s of wrap-up"


def test_a_predicting_queue_waits_out_a_wrap_up_that_ends_within_the_tier(redis_client):
    clock = Clock()
    engine = make_engine(redis_client, clock, PREDICTING, wrap_up_seconds=60)
    consultant(engine, 7, ConsultantState.WRAP_UP, office="WAW")
    consultant(engine, 8, ConsultantState.WRAP_UP, office="WAW")
    clock.advance(1)
    caller(engine, "CA-jan", advisor=7, office="WAW")
    assert engine.entry("CA-jan").tier == 1
    long_wrap = make_engine(redis_client, clock, PREDICTING, wrap_up_seconds=300)
    consultant(long_wrap, 8, ON_CALL, office="WAW")
    consultant(long_wrap, 8, ConsultantState.WRAP_UP, office="WAW")
    caller(long_wrap, "CA-anna", advisor=8, office="WAW")
    assert long_wrap.entry("CA-anna").tier == 2


def test_queue_policies_take_the_prediction_switch_and_refuse_a_non_boolean():
    policies = parse_policies('{"desk": {"predict_advisor": true}}', POLICY)
    assert policies["desk"].predict_advisor and not POLICY.predict_advisor
    with pytest.raises(PolicyError, match="predict_advisor must be true or false"):
        parse_policies('{"desk": {"predict_advisor": "yes"}}', POLICY)


def test_a_queue_records_calls_only_if_its_policy_says_so_and_may_forbid_declining():
    policies = parse_policies(
        '{"benefits": {"record_calls": true, "caller_may_decline": false}}', POLICY
    )
    assert policies["benefits"].record_calls and not policies["benefits"].caller_may_decline
    assert not POLICY.record_calls and POLICY.caller_may_decline, "off unless switched on"
    with pytest.raises(PolicyError, match="record_calls must be true or false"):
        parse_policies('{"desk": {"record_calls": 1}}', POLICY)
