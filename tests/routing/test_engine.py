from __future__ import annotations

import multiprocessing
import threading

import redis

from routing.engine import QueueEntry, RoutingEngine
from routing.live import ConsultantState


class Clock:
    def __init__(self, now: float = 1_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def queued(engine: RoutingEngine, sid: str, at: float) -> None:
    engine.join(QueueEntry(call_sid=sid, queued_at=at, caller_number="+48601000001"))
    engine.mark_waiting(sid, "QU" + "0" * 32)


def test_longest_waiting_caller_goes_to_longest_idle_consultant(redis_client):
    clock = Clock()
    engine = RoutingEngine(redis_client, clock)
    queued(engine, "CA-late", at=50)
    queued(engine, "CA-early", at=10)
    engine.set_state(1, ConsultantState.AVAILABLE)
    clock.now += 5
    engine.set_state(2, ConsultantState.AVAILABLE)
    first = engine.assign_next(ring_seconds=30)
    assert (first.call_sid, first.consultant_id) == ("CA-early", 1)
    assert engine.consultant(1).state == "ringing"
    second = engine.assign_next(ring_seconds=30)
    assert (second.call_sid, second.consultant_id) == ("CA-late", 2)
    assert engine.assign_next(ring_seconds=30) is None


def test_a_caller_is_not_routable_until_their_wait_url_gave_the_queue_sid(redis_client):
    engine = RoutingEngine(redis_client)
    engine.join(QueueEntry(call_sid="CA-joining"))
    engine.set_state(1, ConsultantState.AVAILABLE)
    assert engine.assign_next(30) is None
    engine.mark_waiting("CA-joining", "QU1")
    assert engine.assign_next(30).queue_sid == "QU1"


def test_join_twice_keeps_the_first_place(redis_client):
    engine = RoutingEngine(redis_client)
    engine.join(QueueEntry(call_sid="CA1", queued_at=10, topic="a"))
    kept = engine.join(QueueEntry(call_sid="CA1", queued_at=99, topic="b"))
    assert (kept.queued_at, kept.topic) == (10, "a")


def test_missed_call_returns_to_its_old_place_and_consultant_is_not_ready(redis_client):
    engine = RoutingEngine(redis_client)
    queued(engine, "CA-first", at=10)
    queued(engine, "CA-second", at=20)
    engine.set_state(7, ConsultantState.AVAILABLE)
    offer = engine.assign_next(30)
    assert engine.return_offer(offer.call_sid, 7)
    assert engine.consultant(7).state == "not-ready"
    assert engine.position("CA-first") == (1, 2)
    assert not engine.return_offer(offer.call_sid, 7), "a second return changes nothing"


def test_abandoned_caller_leaves_the_queue_once(redis_client):
    engine = RoutingEngine(redis_client)
    queued(engine, "CA1", at=10)
    assert engine.finish("CA1", "abandoned").outcome == "abandoned"
    assert engine.finish("CA1", "answered").outcome == "abandoned"
    engine.set_state(1, ConsultantState.AVAILABLE)
    assert engine.assign_next(30) is None


def test_answered_call_puts_the_consultant_in_wrap_up(redis_client):
    engine = RoutingEngine(redis_client)
    queued(engine, "CA1", at=10)
    engine.set_state(3, ConsultantState.AVAILABLE)
    engine.assign_next(30)
    engine.connected("CA1", 3)
    assert engine.consultant(3).state == "on-call"
    engine.finish("CA1", "answered")
    assert engine.consultant(3).state == "wrap-up"
    assert engine.consultant(3).call_sid == "CA1"


def test_offers_past_their_ring_time_are_reported(redis_client):
    clock = Clock()
    engine = RoutingEngine(redis_client, clock)
    queued(engine, "CA1", at=10)
    engine.set_state(3, ConsultantState.AVAILABLE)
    engine.assign_next(ring_seconds=20)
    assert engine.expired_offers() == []
    clock.now += 21
    assert engine.expired_offers() == [("CA1", 3)]


def test_threads_racing_never_double_assign(redis_client):
    engine = RoutingEngine(redis_client)
    for index in range(60):
        queued(engine, f"CA{index:03d}", at=index)
    for consultant in range(40):
        engine.set_state(consultant, ConsultantState.AVAILABLE)
    results: list = []

    def race() -> None:
        mine = RoutingEngine(redis.Redis(connection_pool=redis_client.connection_pool))
        while (assignment := mine.assign_next(30)) is not None:
            results.append(assignment)

    threads = [threading.Thread(target=race) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 40
    assert len({a.call_sid for a in results}) == 40
    assert len({a.consultant_id for a in results}) == 40


def _assign_all(url: str, out: multiprocessing.Queue) -> None:
    engine = RoutingEngine(redis.Redis.from_url(url))
    taken = []
    while (assignment := engine.assign_next(30)) is not None:
        taken.append((assignment.call_sid, assignment.consultant_id))
    out.put(taken)


def test_two_router_processes_never_double_assign(redis_client, redis_url):
    engine = RoutingEngine(redis_client)
    for index in range(200):
        queued(engine, f"CA{index:03d}", at=index)
    for consultant in range(150):
        engine.set_state(consultant, ConsultantState.AVAILABLE)
    context = multiprocessing.get_context("spawn")
    out: multiprocessing.Queue = context.Queue()
    workers = [context.Process(target=_assign_all, args=(redis_url, out)) for _ in range(2)]
    for worker in workers:
        worker.start()
    taken = out.get(timeout=60) + out.get(timeout=60)
    for worker in workers:
        worker.join(timeout=30)
    assert len(taken) == 150
    assert len({call for call, _ in taken}) == 150
    assert len({consultant for _, consultant in taken}) == 150
