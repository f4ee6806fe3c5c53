"""Shared helpers for routing tests: a virtual clock, consultants and callers on a real Redis."""

from __future__ import annotations

from collections.abc import Sequence

import redis

from routing.engine import ConsultantProfile, QueueEntry, RoutingEngine
from routing.live import ConsultantState
from routing.policy import RoutingPolicy

QUEUE_SID = "QU" + "0" * 32


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now: float = 1_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        """Move time on."""
        self.now += seconds


def make_engine(
    client: redis.Redis, clock: Clock | None = None, policy: RoutingPolicy | None = None, **kw
) -> RoutingEngine:
    """Return an engine on the test Redis with a virtual clock."""
    return RoutingEngine(client, clock or Clock(), policy=policy or RoutingPolicy(), **kw)


def consultant(
    engine: RoutingEngine,
    ident: int,
    state: ConsultantState = ConsultantState.AVAILABLE,
    office: str | None = "WAW",
    languages: tuple[str, ...] = ("pl",),
) -> None:
    """Put a consultant with a profile into a state."""
    profile = ConsultantProfile(ident, f"consultant {ident}", office, languages)
    engine.set_state(ident, state, profile=profile)


def caller(
    engine: RoutingEngine,
    sid: str,
    *,
    advisor: int | None = None,
    office: str | None = None,
    language: str = "pl",
    priority: int = 0,
    number: str = "",
    queue: str = "",
) -> None:
    """Queue a caller and make them routable, as the wait URL does."""
    engine.join(
        QueueEntry(
            call_sid=sid,
            caller_number=number,
            advisor_id=advisor,
            office=office,
            language=language,
            priority=priority,
            queued_at=engine.clock(),
            queue=queue,
        )
    )
    engine.mark_waiting(sid, QUEUE_SID)


def route(engine: RoutingEngine) -> list[tuple[str, int]]:
    """Run one router tick and return the pairings it made."""
    return [(a.call_sid, a.consultant_id) for a in engine.tick(30).assignments]


class RecordingNetwork:
    """A stand-in for the Twilio boundary that records what the router asked of it."""

    def __init__(self, statuses: dict[str, str | None] | None = None) -> None:
        self.dequeued: list[tuple[str, str, str]] = []
        self.placed: list[tuple[str, str, str | None]] = []
        self.redirected: list[tuple[str, str]] = []
        self.ended: list[str] = []
        self.statuses = statuses or {}  # call sid -> status (None: the network has no such call)
        self.asked: list[str] = []
        # the live conference rooms' names, each with its participants' labels
        self.rooms: dict[str, list[str]] = {}
        self.inbound: dict[str, str] = {}  # call sid -> the number of a caller who phoned in
        self.children: dict[str, list[str]] = {}  # call sid -> the statuses of calls it dialled

    def redirect_call(self, call_sid: str, url: str) -> None:
        self.redirected.append((call_sid, url))

    def end_call(self, call_sid: str) -> None:
        self.ended.append(call_sid)

    def dequeue_caller(self, queue_sid: str, call_sid: str, url: str) -> None:
        self.dequeued.append((queue_sid, call_sid, url))

    def send_sms(self, to: str, body: str, status_callback: str | None = None) -> str:
        raise AssertionError("routing sends no SMS")

    def place_call(
        self,
        to: str,
        url: str,
        status_callback: str | None = None,
        *,
        events: Sequence[str] = (),
        timeout: int | None = None,
    ) -> str:
        self.placed.append((to, url, status_callback))
        return "CA" + f"{len(self.placed):032d}"

    def fetch_recording(self, recording_sid: str, channels: int = 1) -> bytes:
        raise AssertionError("routing fetches no recordings")

    def call_status(self, call_sid: str) -> str | None:
        self.asked.append(call_sid)
        return self.statuses.get(call_sid, "in-progress")

    def incoming_caller(self, call_sid: str) -> str | None:
        return self.inbound.get(call_sid)

    def dialled_from(self, call_sid: str) -> list[str]:
        return list(self.children.get(call_sid, []))

    def live_rooms(self) -> dict[str, list[str]]:
        return {name: list(labels) for name, labels in self.rooms.items()}
