"""Routers and web processes racing on one Redis, and a router killed and restarted."""

from __future__ import annotations

import multiprocessing
import os
import signal
import time

import pytest

from routing.engine import QueueEntry, RoutingEngine
from routing.live import ConsultantState
from tests.routing.processes import (
    DELIVERIES,
    VIOLATIONS,
    answer_deliveries,
    policy,
    run_router,
    run_web,
    start_consultants,
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
    engine = RoutingEngine(redis_client, policy=policy(2.0), wrap_up_seconds=0.5)
    start_consultants(engine, 10)
    for ident in range(10, 12):
        engine.set_state(ident, ConsultantState.ON_CALL)
    for index in range(60):
        sid = f"CA-{index:03d}"
        advisor = 10 + index % 2 if index % 3 == 0 else None
        engine.join(QueueEntry(call_sid=sid, advisor_id=advisor, office="WAW"))
        engine.mark_waiting(sid, "QU1")

    first = start(run_router, redis_url, 0.5, 0.5)
    seen = answer_deliveries(redis_url, 20, timeout=30, wrap_up=False)
    os.kill(first.pid, signal.SIGKILL)
    first.join(timeout=10)
    assert len(seen) == 20
    waiting_for_advisors = [
        sid for sid in (f"CA-{i:03d}" for i in range(60)) if engine.entry(sid).tier == 1
    ]
    assert len(waiting_for_advisors) == 20, "their advisors are busy: they wait in tier 1"
    in_wrap_up = [c for c in range(10) if engine.consultant(c).state == "wrap-up"]
    assert in_wrap_up, "some consultants were in wrap-up when the router died"
    time.sleep(2.5)  # tier clocks and wrap-up timers run out while no router is alive

    second = start(run_router, redis_url, 0.5, 0.5)
    try:
        seen += answer_deliveries(redis_url, 40, timeout=60, wrap_up=False)
    finally:
        stop(second)
    assert sorted(seen) == [f"CA-{i:03d}" for i in range(60)], "each call exactly once"
    assert redis_client.lrange(VIOLATIONS, 0, -1) == []
    assert redis_client.llen(DELIVERIES) == 0
    assert all(engine.entry(sid).offered_tier != 1 for sid in waiting_for_advisors), (
        "calls held for busy advisors widened under the new router"
    )
