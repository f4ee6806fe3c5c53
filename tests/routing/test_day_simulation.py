"""bench/day's simulation of callers who ask their busy advisor for a callback."""

from __future__ import annotations

from dataclasses import replace

from bench.day import OFFERING, PREDICTED, Assumptions, simulate
from routing.policy import RoutingPolicy

SMALL_DAY = Assumptions(calls=600, consultants=20, seed=7)


def test_callers_who_press_3_are_called_back_mostly_by_their_own_advisor(redis_url, redis_client):
    result = simulate(
        (redis_url, "callbacks", PREDICTED, replace(SMALL_DAY, advisor_callback_take=1.0))
    )
    assert result.callbacks_asked > 20
    settled = result.callbacks_done + result.callbacks_failed
    assert settled <= result.callbacks_asked
    assert result.callbacks_by_advisor > 0.8 * result.callbacks_done
    assert result.continuity > result.continuity_on_the_line
    assert result.answered + result.abandoned + result.callbacks_asked == result.calls
    assert result.service_level_on_the_line > result.service_level


def test_nobody_presses_3_when_the_queue_does_not_offer_it(redis_url, redis_client):
    taking = replace(SMALL_DAY, advisor_callback_take=1.0)
    no_offer = RoutingPolicy(predict_advisor=True, advisor_callback_seconds=0)
    result = simulate((redis_url, "no offer", no_offer, taking))
    baseline = simulate((redis_url, "predicted", PREDICTED, SMALL_DAY))
    assert result.callbacks_asked == 0
    assert (result.answered, result.reached_advisor) == (
        baseline.answered,
        baseline.reached_advisor,
    )


def test_holding_a_call_to_hear_the_offer_lets_callers_reach_their_advisor(redis_url, redis_client):
    baseline = simulate((redis_url, "predicted", PREDICTED, SMALL_DAY))
    taking = replace(SMALL_DAY, advisor_callback_take=1.0)
    offered = simulate((redis_url, "offer", OFFERING, taking))
    assert offered.callbacks_by_advisor > 0.8 * offered.callbacks_asked
    assert offered.continuity > baseline.continuity + 0.1
