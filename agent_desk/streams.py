"""Live desk and board pages: server-sent event streams built from the routing events.

A desk page holds one stream (``/desk/api/events``) that carries what concerns its consultant
alone: an offer to them, their state, the call they hold. Each message is the consultant's whole
desk state, as ``/desk/api/state`` answers it, with the routing events that changed it. A board
page holds another (``/desk/api/board/events``) that carries the board's figures whenever the
queue changes, at most a few times a second, and every few seconds while nothing happens (the
longest wait grows on its own); for a supervisor, each is followed by the calls in progress
(who is on which call, raised hands, who supervises what), which change with the same events.

Every message carries the stream id of the last routing event it reflects. A browser that lost
its stream reconnects with that id (``Last-Event-ID``) and gets, in its first message, every event
about its consultant it missed, then the state now.

A stream holds one of the web process's threads (gunicorn gthread) for as long as it is open, so
each process takes at most ``streams_per_process`` of them and answers further ones 503 (the
page then polls slowly): the threads beyond those are kept for webhooks and pages. A stream ends
after ``lifetime`` seconds and the browser reconnects at once, so that the session is checked
again and streams spread over the processes.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from flask_babel import force_locale

from agent_desk import i18n
from agent_desk import state as states
from agent_desk import wrap_up as wrap_ups
from consultants.models import Consultant
from hotline.db import db
from routing import board as queue_board
from routing.engine import RoutingEngine
from routing.events import EventHub, RoutingEvent, events_since, id_order, latest_id, valid_id

log = logging.getLogger(__name__)

T = TypeVar("T")

# Where the app keeps its LiveStreams.
NAME = "hotline.live"
# The event the desk publishes when a consultant signs out: their open pages follow.
SIGNED_OUT = "consultant.signed_out"
# gunicorn threads per web process (set from gunicorn's own configuration as a worker starts):
# a fifth of them (at least two) are kept for requests other than streams.
DEFAULT_THREADS = 300
# How long the browser waits before reconnecting a stream that ended or broke (milliseconds).
RECONNECT_MS = 1000


_threads_of_this_process: list[int] = []


def use_gunicorn_threads(threads: int) -> None:
    """Note the threads gunicorn gives this worker process (its post_fork hook calls this)."""
    _threads_of_this_process[:] = [threads]


def gunicorn_threads() -> int:
    """Return the threads this process serves requests with (the default outside gunicorn)."""
    return _threads_of_this_process[0] if _threads_of_this_process else DEFAULT_THREADS


def threads_for_streams(threads: int) -> int:
    """Return how many streams a process with this many threads may hold (at least one)."""
    return max(1, threads - max(2, threads // 5))


def message(kind: str, data: object, event_id: str | None = None) -> str:
    """Return one server-sent event: its id, its type and its JSON, in the wire format."""
    lines = [f"id: {event_id}"] if event_id else []
    lines.append(f"event: {kind}")
    lines += [f"data: {line}" for line in json.dumps(data).splitlines()]
    return "\n".join(lines) + "\n\n"


def desk_view(consultant: Consultant) -> dict[str, object]:
    """Return what the desk page shows: the consultant's state, call and wrap-up to do."""
    current = states.desk_state(consultant)
    pending = wrap_ups.pending_wrap_up(consultant)
    current["wrap_up_contact_id"] = pending.id if pending else None
    return current


def concerns(consultant_id: int) -> Callable[[RoutingEvent], bool]:
    """Return the filter of the events one consultant's desk is told about."""
    return lambda event: event.consultant_id == consultant_id


@dataclass
class LiveStreams:
    """The process's streams: the hub they share, how many may be open, how long each lives."""

    hub: EventHub
    engine: RoutingEngine
    # Enters the app's context: each message is built in it (a stream's thread has none of
    # its own once the request that opened it has been answered).
    context: Callable[[], AbstractContextManager[object]] = nullcontext
    threads: int = DEFAULT_THREADS
    lifetime: float = 300.0
    heartbeat: float = 15.0
    board_refresh: float = 5.0
    board_coalesce: float = 0.2
    _open: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def streams_per_process(self) -> int:
        """Return how many streams this process holds at most."""
        return threads_for_streams(self.threads)

    def admit(self) -> bool:
        """Take a place for one more stream; False when the process holds enough of them."""
        with self._lock:
            if self._open >= self.streams_per_process:
                return False
            self._open += 1
            return True

    def release(self) -> None:
        """Give a stream's place back."""
        with self._lock:
            self._open -= 1

    @property
    def open(self) -> int:
        """Return how many streams this process holds now."""
        return self._open

    def desk(self, consultant: Consultant, last_event_id: str) -> Iterator[str]:
        """Stream one consultant's desk: what they missed since last_event_id, then changes."""
        with self.hub.subscribe(concerns(consultant.id)) as heard:
            yield f"retry: {RECONNECT_MS}\n\n"
            position = latest_id(self.engine.redis)
            missed, gap = self._missed(last_event_id, position, concerns(consultant.id))
            if any(event.kind == SIGNED_OUT for event in missed):
                yield message("signed-out", {}, position)
                return
            yield message("desk", self._desk(consultant, missed, gap), position)
            deadline = time.monotonic() + self.lifetime
            seen_at = time.monotonic()
            while (left := deadline - time.monotonic()) > 0 and not heard.overrun:
                first = heard.next(min(self.heartbeat, left))
                seen_at = self._still_at_desk(consultant, seen_at)
                if first is None:
                    yield ": still here\n\n"
                    continue
                fresh = [
                    e for e in [first, *heard.pending()] if id_order(e.id) > id_order(position)
                ]
                if not fresh:
                    continue
                position = fresh[-1].id
                if any(event.kind == SIGNED_OUT for event in fresh):
                    yield message("signed-out", {}, position)
                    return
                yield message("desk", self._desk(consultant, fresh), position)

    def board(
        self,
        figures: Callable[[], dict[str, object]],
        calls: Callable[[], dict[str, object] | None] | None = None,
    ) -> Iterator[str]:
        """Stream the board's figures, and the calls in progress where calls gives them (None
        for a reader who may not see them): when the queue changes, and every few seconds."""
        with self.hub.subscribe(lambda _event: True) as heard:
            yield f"retry: {RECONNECT_MS}\n\n"
            position = latest_id(self.engine.redis)
            yield from self._board_messages(figures, calls, position)
            deadline = time.monotonic() + self.lifetime
            while (left := deadline - time.monotonic()) > 0 and not heard.overrun:
                first = heard.next(min(self.board_refresh, left))
                if first is not None:
                    # Let a burst of changes (an offer, two state changes) settle into one update.
                    settle = time.monotonic() + self.board_coalesce
                    while (rest := settle - time.monotonic()) > 0 and heard.next(rest):
                        pass
                    heard.pending()
                    position = max(position, heard.hub.position, key=id_order)
                yield from self._board_messages(figures, calls, position)

    def _board_messages(
        self,
        figures: Callable[[], dict[str, object]],
        calls: Callable[[], dict[str, object] | None] | None,
        position: str,
    ) -> Iterator[str]:
        yield message("board", self._figures(figures), position)
        in_progress = self._figures(calls) if calls is not None else None
        if in_progress is not None:
            yield message("calls", in_progress, position)

    def _missed(
        self, last_event_id: str, until: str, wanted: Callable[[RoutingEvent], bool]
    ) -> tuple[list[RoutingEvent], bool]:
        if not valid_id(last_event_id):
            return [], False
        events, gap = events_since(self.engine.redis, last_event_id, until)
        return [event for event in events if wanted(event)], gap

    def _desk(
        self, consultant: Consultant, events: list[RoutingEvent], gap: bool = False
    ) -> dict[str, Any]:
        try:
            with self.context(), force_locale(i18n.locale_of(consultant)):
                view = desk_view(consultant)
        finally:
            db.session.remove()  # a stream lives for minutes; its transaction must not
        return {"events": [event.as_dict() for event in events], "gap": gap, "desk": view}

    def _figures(self, figures: Callable[[], T]) -> T:
        try:
            with self.context():
                return figures()
        finally:
            db.session.remove()

    def _still_at_desk(self, consultant: Consultant, seen_at: float) -> float:
        """Note now and then that the consultant is at the desk (a page no longer polls)."""
        if time.monotonic() - seen_at < 60:
            return seen_at
        self.engine.at_desk(consultant.id)
        return time.monotonic()


def board_figures(engine: RoutingEngine, now: Callable[[], datetime], timezone: str) -> Any:
    """Return a function that computes the board's figures at the moment it is called."""
    return lambda: queue_board.board(engine, now(), timezone)
