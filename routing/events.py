"""The routing event stream read back: typed events, catch-up by id, and one reader per process.

The engine and its scripts append every change to the Redis stream ``keys.EVENTS`` (and
announce it on the channel of the same name). Readers here use the stream, not the channel:
an entry has an id, so a reader that lost its connection asks for what came after the last id
it saw and misses nothing the stream still holds (it keeps ``keys.EVENTS_MAX_LENGTH`` entries).

``EventHub`` is the one blocking reader of a process. Each live desk or board connection
subscribes to it with a filter, instead of holding a Redis connection and parsing every event
itself: 200 consultants cost one ``XREAD`` per process, not 200.
"""

from __future__ import annotations

import json
import logging
import queue
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import redis

from routing import keys

log = logging.getLogger(__name__)

# The id before every entry of a stream.
START = "0-0"
# A subscriber that falls this far behind is dropped: it catches up from the stream instead.
SUBSCRIBER_BACKLOG = 1000


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def id_order(event_id: str) -> tuple[int, int]:
    """Return a stream id as a pair that sorts as Redis orders ids ("0-0" for nonsense)."""
    millis, _dash, sequence = event_id.partition("-")
    if not event_id.isascii() or not millis.isdigit() or not (sequence or "0").isdigit():
        return (0, 0)
    return (int(millis), int(sequence or "0"))


def valid_id(event_id: str) -> bool:
    """Tell whether text is a stream id ("1700000000000-3"), as a browser may send anything."""
    millis, dash, sequence = event_id.partition("-")
    return (
        bool(dash) and event_id.isascii() and millis.isdigit() and sequence.isdigit()
        and len(event_id) <= 41
    )  # fmt: skip


@dataclass(frozen=True)
class RoutingEvent:
    """One entry of the routing event stream: what changed, for which call or consultant."""

    id: str
    kind: str
    at: float = 0.0
    call_sid: str | None = None
    consultant_id: int | None = None
    fields: Mapping[str, object] = field(default_factory=dict)

    @classmethod
    def from_entry(cls, entry_id: Any, values: Mapping[Any, Any]) -> RoutingEvent | None:
        """Read a stream entry; None for one that is not an event (written by something else)."""
        try:
            payload = json.loads(_text(values.get(b"event", values.get("event", b""))))
        except ValueError:
            return None
        if not isinstance(payload, dict) or not isinstance(payload.get("kind"), str):
            return None
        consultant = payload.get("consultant_id")
        call_sid = payload.get("call_sid")
        return cls(
            id=_text(entry_id),
            kind=payload["kind"],
            at=float(payload.get("at") or 0.0),
            call_sid=call_sid if isinstance(call_sid, str) else None,
            consultant_id=consultant if isinstance(consultant, int) else None,
            fields=payload,
        )

    def as_dict(self) -> dict[str, object]:
        """Return the event as the browser gets it: its fields and its id."""
        return {**self.fields, "id": self.id}


def parse_entries(entries: Sequence[Any]) -> list[RoutingEvent]:
    """Read XRANGE or XREAD entries as events, skipping any that are not."""
    parsed = (RoutingEvent.from_entry(entry_id, values) for entry_id, values in entries)
    return [event for event in parsed if event is not None]


def latest_id(client: redis.Redis) -> str:
    """Return the id of the newest event, or START when the stream is empty."""
    newest: Any = client.xrevrange(keys.EVENTS, count=1)
    return _text(newest[0][0]) if newest else START


def events_since(
    client: redis.Redis, after: str, until: str = "+", limit: int = keys.EVENTS_MAX_LENGTH
) -> tuple[list[RoutingEvent], bool]:
    """Return the events after one id, up to another; and whether any may be missing (the
    id is older than the stream's oldest entry, which trimming has dropped since)."""
    oldest: Any = client.xrange(keys.EVENTS, count=1)
    missing = bool(oldest) and id_order(_text(oldest[0][0])) > id_order(after) and after != START
    entries: Any = client.xrange(keys.EVENTS, min="(" + after, max=until, count=limit)
    return parse_entries(entries), missing


class Subscription:
    """What one live connection hears of the hub: the events its filter wants, in order."""

    def __init__(self, hub: EventHub, wants: Callable[[RoutingEvent], bool]) -> None:
        self.hub = hub
        self.wants = wants
        self.events: queue.Queue[RoutingEvent] = queue.Queue(maxsize=SUBSCRIBER_BACKLOG)
        self.overrun = False

    def offer(self, event: RoutingEvent) -> None:
        """Queue an event this subscriber wants; past its backlog, mark it overrun instead."""
        if self.overrun or not self.wants(event):
            return
        try:
            self.events.put_nowait(event)
        except queue.Full:
            self.overrun = True

    def next(self, timeout: float) -> RoutingEvent | None:
        """Wait up to timeout seconds for the next event; None if none came."""
        try:
            return self.events.get(timeout=max(0.0, timeout))
        except queue.Empty:
            return None

    def pending(self) -> list[RoutingEvent]:
        """Return the events already queued, without waiting."""
        drained = []
        while True:
            try:
                drained.append(self.events.get_nowait())
            except queue.Empty:
                return drained

    def close(self) -> None:
        """Stop hearing events."""
        self.hub.unsubscribe(self)

    def __enter__(self) -> Subscription:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


class EventHub:
    """One thread per process reads the stream and hands each subscriber what it wants.

    The thread starts with the first subscriber (in each gunicorn worker, after the fork) and
    keeps its place by id, so a lost Redis connection delays events but loses none.
    """

    def __init__(self, client: redis.Redis, block_seconds: float = 5.0) -> None:
        self.client = client
        self.block_ms = int(block_seconds * 1000)
        self._subscribers: set[Subscription] = set()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self.position = START
        self.alive = threading.Event()

    def subscribe(self, wants: Callable[[RoutingEvent], bool]) -> Subscription:
        """Start hearing the events wants accepts, from now on."""
        subscription = Subscription(self, wants)
        with self._lock:
            self._subscribers.add(subscription)
            if self._thread is None:
                self.position = latest_id(self.client)
                self._thread = threading.Thread(
                    target=self._run, name="routing-event-hub", daemon=True
                )
                self._thread.start()
        return subscription

    def unsubscribe(self, subscription: Subscription) -> None:
        """Stop handing events to a subscriber."""
        with self._lock:
            self._subscribers.discard(subscription)

    @property
    def subscribers(self) -> int:
        """Return how many connections listen now."""
        with self._lock:
            return len(self._subscribers)

    def _run(self) -> None:
        pause = 0.1
        while True:
            with self._lock:
                if not self._subscribers:  # the next subscriber starts another
                    self._thread = None
                    return
            try:
                found: Any = self.client.xread({keys.EVENTS: self.position}, block=self.block_ms)
            except redis.RedisError as exc:
                if self.alive.is_set() or pause == 0.1:
                    log.warning("the routing event stream is unreachable (%s); retrying", exc)
                self.alive.clear()
                time.sleep(pause)
                pause = min(pause * 2, 5.0)
                continue
            self.alive.set()
            pause = 0.1
            for _stream, entries in found or ():
                if entries:
                    self.position = _text(entries[-1][0])
                self._hand_out(parse_entries(entries))

    def _hand_out(self, events: list[RoutingEvent]) -> None:
        with self._lock:
            listening = list(self._subscribers)
        for event in events:
            for subscription in listening:
                subscription.offer(event)
