"""Routers and web processes racing on one Redis, and a router killed and restarted."""

from __future__ import annotations

import multiprocessing
import os
import signal
import time

import pytest

from routing import keys
from routing.engine import QueueEntry, RoutingEngine
from routing.live import ConsultantState
from routing.policy import RoutingPolicy
from tests.routing.processes import (
    DELIVERIES,
    VIOLATIONS,
    answer_deliveries,
    run_router,
    run_web,
    start_consultants,
    wait_for_router,
)

pytestmark = pytest.mark.slow

SPAWN = multiprocessing.get_context("spawn")


def start(target, *args) -> multiprocessing.Process:  # type: ignore[no-untyped-def]
    process = SPAWN.Process(target=target, args=args, daemon=True)
    process.start()
    return process


def stop(process: multiprocessing.Process) -> None:
    if process.is_alive():
        process.terminate()
    process.join(timeout=10)


def test_two_routers_and_two_web_processes_never_double_assign(redis_client, redis_url):
    start_consultants(RoutingEngine(redis_client), 30)
    routers = [start(run_router, redis_url) for _ in range(2)]
    webs = [start(run_web, redis_url, name, 150, 30, seed) for seed, name in enumerate("ab")]
    try:
        seen = answer_deliveries(redis_url, 300, timeout=90)
    finally:
        for process in webs + routers:
            stop(process)
    assert redis_client.lrange(VIOLATIONS, 0, -1) == [], "a consultant held two calls"
    assert len(seen) == 300, "every call was answered"
    assert len(set(seen)) == 300, "and none reached two consultants"


def test_a_router_killed_mid_way_is_replaced_and_nothing_is_lost(redis_client, redis_url):
    desk = RoutingEngine(redis_client)
    start_consultants(desk, 10)
    for ident in range(10, 12):
        desk.set_state(ident, ConsultantState.ON_CALL)
    starting = time.monotonic()
    first = start(run_router, redis_url, 0.5, 0.5)
    wait_for_router(redis_client)
    # Callers whose advisors are busy wait for them four times as long as the router took to
    # start, so they still wait when it has delivered the others, however loaded the
    # machine; everyone else may go to anyone at once.
    hold = max(2.0, 4 * (time.monotonic() - starting))
    policy = RoutingPolicy(advisor_seconds=hold, office_seconds=0, language_seconds=0)
    engine = RoutingEngine(redis_client, policy=policy)
    calls = [f"CA-{index:03d}" for index in range(60)]
    for index, sid in enumerate(calls):
        advisor = 10 + index % 2 if index % 3 == 0 else None
        engine.join(QueueEntry(call_sid=sid, advisor_id=advisor, office="WAW"))
        engine.mark_waiting(sid, "QU1")

    seen = answer_deliveries(redis_url, 20, timeout=60, wrap_up=False)
    os.kill(first.pid, signal.SIGKILL)
    first.join(timeout=10)
    assert len(seen) == 20
    entries = [engine.entry(sid) for sid in calls]
    held = [entry for entry in entries if entry.tier == 1]
    assert len(held) == 20, "their advisors are busy: they wait in tier 1"
    in_wrap_up = [c for c in range(10) if engine.consultant(c).state == "wrap-up"]
    assert in_wrap_up, "some consultants were in wrap-up when the router died"
    # Tier clocks and wrap-up timers run out while no router is alive.
    wrap_ups = redis_client.zrange(keys.WRAPUP_DUE, 0, -1, withscores=True)
    run_out = max([entry.tier_until for entry in held] + [due for _id, due in wrap_ups])
    while time.time() <= run_out:
        time.sleep(0.05)

    second = start(run_router, redis_url, 0.5, 0.5)
    try:
        seen += answer_deliveries(redis_url, 40, timeout=120, wrap_up=False)
    finally:
        stop(second)
    assert sorted(seen) == calls, "each call exactly once"
    assert redis_client.lrange(VIOLATIONS, 0, -1) == []
    assert redis_client.llen(DELIVERIES) == 0
    assert all(engine.entry(entry.call_sid).offered_tier != 1 for entry in held), (
        "calls held for busy advisors widened under the new router"
    )
