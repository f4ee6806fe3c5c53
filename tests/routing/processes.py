"""Entry points for the routing tests that run routers and web-like joiners as processes."""

from __future__ import annotations

import logging
import os
import random
import time

import redis

from hotline.settings import Settings
from routing.engine import ConsultantProfile, QueueEntry, RoutingEngine
from routing.live import ConsultantState
from routing.policy import RoutingPolicy
from routing.router import Router

DELIVERIES = "test:deliveries"
STARTED = "test:routers-started"
HOLDING = "test:holding"
VIOLATIONS = "test:violations"
QUEUE_SID = "QU" + "0" * 32


class StandInNetwork:
    """The Twilio boundary as the tests see it: deliveries land in a Redis list.

    It also notes which call each consultant holds, so a second call reaching a consultant
    who still holds one is recorded as a violation.
    """

    def __init__(self, url: str) -> None:
        self.redis = redis.Redis.from_url(url)

    def dequeue_caller(self, queue_sid: str, call_sid: str, url: str) -> None:
        consultant = url.rsplit("=", 1)[1]
        if not self.redis.hsetnx(HOLDING, consultant, call_sid):
            held = self.redis.hget(HOLDING, consultant)
            self.redis.rpush(VIOLATIONS, f"{consultant} got {call_sid} holding {held!r}")
        self.redis.rpush(DELIVERIES, f"{call_sid} {consultant}")

    def place_call(self, to: str, url: str, status_callback: str | None = None, **_: object) -> str:
        """Ring the consultant for a caller just dequeued (there are no callbacks here)."""
        if "/routing/join" not in url:
            raise AssertionError("no callbacks in these tests")
        return "CA-leg-" + url.rsplit("call=", 1)[1]

    def end_call(self, call_sid: str) -> None:
        raise AssertionError("every ring is answered in these tests")

    def redirect_call(self, call_sid: str, url: str) -> None:
        raise AssertionError("routing never redirects calls")

    def send_sms(self, to: str, body: str, status_callback: str | None = None) -> str:
        raise AssertionError("routing sends no SMS")

    def fetch_recording(self, recording_sid: str, channels: int = 1) -> bytes:
        raise AssertionError("routing fetches no recordings")


def policy(advisor_seconds: float) -> RoutingPolicy:
    """Return short tiers so real-time tests stay quick."""
    return RoutingPolicy(advisor_seconds, advisor_seconds, advisor_seconds)


def run_router(url: str, advisor_seconds: float = 0.5, wrap_up_seconds: float = 0.5) -> None:
    """Run a real router loop until SIGTERM (or SIGKILL); say when it starts, on STARTED."""
    logging.basicConfig(level=logging.WARNING)
    client = redis.Redis.from_url(url)
    engine = RoutingEngine(client, policy=policy(advisor_seconds), wrap_up_seconds=wrap_up_seconds)
    client.rpush(STARTED, os.getpid())
    Router(engine, StandInNetwork(url), Settings()).run(idle_wait=0.05, restore=False)


def wait_for_router(client: redis.Redis, timeout: float = 120.0) -> None:
    """Wait until a router process has started (its imports done, its loop about to run)."""
    if client.blpop([STARTED], timeout=timeout) is None:
        raise AssertionError(f"no router started within {timeout:.0f} s")


def run_web(url: str, prefix: str, calls: int, advisors: int, seed: int) -> None:
    """Join calls as the IVR and wait-URL webhooks do, with jitter."""
    rng = random.Random(seed)
    engine = RoutingEngine(redis.Redis.from_url(url), policy=policy(0.5))
    for index in range(calls):
        sid = f"CA-{prefix}-{index:04d}"
        advisor = rng.randrange(advisors) if rng.random() < 0.7 else None
        engine.join(
            QueueEntry(
                call_sid=sid,
                caller_number=f"+4860{seed}{index:05d}",
                advisor_id=advisor,
                office="WAW" if advisor is not None and advisor % 2 else "KRK",
                language=rng.choice(("pl", "pl", "uk")),
                priority=1 if rng.random() < 0.1 else 0,
            )
        )
        engine.mark_waiting(sid, QUEUE_SID)
        if rng.random() < 0.3:
            time.sleep(rng.uniform(0, 0.005))


def start_consultants(engine: RoutingEngine, count: int) -> None:
    """Log consultants in: odd ones in Warsaw, even ones in Kraków; every third speaks uk."""
    for ident in range(count):
        languages = ("pl", "uk") if ident % 3 == 0 else ("pl",)
        profile = ConsultantProfile(ident, f"c{ident}", "WAW" if ident % 2 else "KRK", languages)
        engine.set_state(ident, ConsultantState.AVAILABLE, profile=profile)


def answer_deliveries(url: str, expected: int, timeout: float, wrap_up: bool = True) -> list[str]:
    """Play the desks: answer each delivered call and end it; submit wrap-up, or let it time out.

    Left to time out, wrap-up lasts 0.5 s and the router's timer ends it.
    """
    client = redis.Redis.from_url(url)
    engine = RoutingEngine(client, wrap_up_seconds=0.5)
    seen: list[str] = []
    deadline = time.monotonic() + timeout
    while len(seen) < expected and time.monotonic() < deadline:
        popped = client.blpop([DELIVERIES], timeout=0.2)
        if popped is None:
            continue
        call_sid, consultant = popped[1].decode().split()
        seen.append(call_sid)
        engine.connected(call_sid, int(consultant))
        client.hdel(HOLDING, consultant)
        engine.finish(call_sid, "answered")
        if wrap_up:
            engine.set_state(int(consultant), ConsultantState.AVAILABLE)
    return seen
