"""The legs of a call: each consultant's (or outside party's) segment of it, and its holds.

A call that is transferred or consulted on has several people in turn in the caller's room.
Each gets a leg, kept in Redis while the call lives (``keys.legs``) and copied into the call's
record when it ends. What the room reported about holding the caller (``keys.holds``) is kept
as it came, keyed by room and sequence number, so a repeated callback counts once and callbacks
that arrive out of order are put back in order before hold time is measured.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass, replace
from email.utils import parsedate_to_datetime
from typing import Any

import redis

from routing import keys

# A room callback heard this much later than the network's own Timestamp (whole seconds) was
# delivered late (say, retried); its Timestamp then says better when it happened.
LATE_CALLBACK_SECONDS = 2.0
# What the room reports about the caller's hold, and its end (which ends any hold).
HOLD = "participant-hold"
UNHOLD = "participant-unhold"
ROOM_END = "conference-end"


@dataclass(frozen=True)
class Leg:
    """One person's segment of a call: a consultant, or an outside party rung in."""

    n: int
    kind: str  # "queue", "transfer", "consult", "three-way" or "outside-transfer"
    started_at: float
    consultant_id: int | None = None
    party_number: str = ""
    party_name: str = ""
    transferred_by: int | None = None  # the consultant who brought this leg in
    ended_at: float | None = None
    handed_to: str = ""  # where the call went when this leg left it, in words

    def as_json(self) -> str:
        """Return the leg as its Redis value."""
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, raw: str | bytes) -> Leg:
        """Read a leg from its Redis value."""
        return cls(**json.loads(raw))


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def start_leg(client: redis.Redis, call_sid: str, leg: Leg) -> Leg:
    """Add a leg to a call (numbered in turn); a consultant already on an open leg keeps it."""
    for known in legs_of(client, call_sid):
        if known.ended_at is None and _same_person(known, leg):
            return known
    n = int(client.hincrby(keys.legs(call_sid), "count", 1))
    started = replace(leg, n=n)
    pipe = client.pipeline()
    pipe.hset(keys.legs(call_sid), str(n), started.as_json())
    pipe.expire(keys.legs(call_sid), keys.ENTRY_TTL_SECONDS)
    pipe.execute()
    return started


def _same_person(a: Leg, b: Leg) -> bool:
    if a.consultant_id is not None or b.consultant_id is not None:
        return a.consultant_id == b.consultant_id
    return a.party_number == b.party_number


def end_legs(
    client: redis.Redis,
    call_sid: str,
    at: float,
    *,
    consultant_id: int | None = None,
    party_number: str | None = None,
    handed_to: str = "",
) -> list[Leg]:
    """End the open legs of one consultant or outside party (or, with neither, every open leg)."""
    ended = []
    for leg in legs_of(client, call_sid):
        if leg.ended_at is not None:
            continue
        if consultant_id is not None and leg.consultant_id != consultant_id:
            continue
        if party_number is not None and (
            leg.consultant_id is not None or leg.party_number != party_number
        ):
            continue
        done = replace(leg, ended_at=max(at, leg.started_at), handed_to=handed_to or leg.handed_to)
        client.hset(keys.legs(call_sid), str(leg.n), done.as_json())
        ended.append(done)
    return ended


def legs_of(client: redis.Redis, call_sid: str) -> list[Leg]:
    """Return a call's legs in the order they began."""
    stored = client.hgetall(keys.legs(call_sid))
    found = [Leg.from_json(value) for name, value in stored.items() if _text(name) != "count"]
    return sorted(found, key=lambda leg: leg.n)


def moment(heard_at: float, timestamp: str | None) -> float:
    """Return when a room event happened: when it was heard, unless it came late."""
    if not timestamp:
        return heard_at
    try:
        stamped = parsedate_to_datetime(timestamp).timestamp()
    except (TypeError, ValueError):
        return heard_at
    return stamped if heard_at - stamped > LATE_CALLBACK_SECONDS else heard_at


def note_hold_event(
    client: redis.Redis, call_sid: str, conference_sid: str, sequence: int, event: str, at: float
) -> bool:
    """Keep a hold, unhold or room-end event once (by room and sequence number)."""
    field = f"{conference_sid}:{sequence:09d}"
    value = json.dumps({"event": event, "at": at})
    pipe = client.pipeline()
    pipe.hsetnx(keys.holds(call_sid), field, value)
    pipe.expire(keys.holds(call_sid), keys.ENTRY_TTL_SECONDS)
    added, _ = pipe.execute()
    return bool(added)


def hold_events(client: redis.Redis, call_sid: str) -> list[tuple[str, int, str, float]]:
    """Return (room, sequence, event, moment) of a call's hold events, in the rooms' order."""
    events = []
    for field, value in client.hgetall(keys.holds(call_sid)).items():
        room, sequence = _text(field).rsplit(":", 1)
        parsed = json.loads(value)
        events.append((room, int(sequence), str(parsed["event"]), float(parsed["at"])))
    first_seen: dict[str, float] = {}
    for room, _sequence, _event, at in events:
        first_seen[room] = min(at, first_seen.get(room, at))
    return sorted(events, key=lambda item: (first_seen[item[0]], item[0], item[1]))


def hold_intervals(
    events: Iterable[tuple[str, int, str, float]], until: float
) -> list[tuple[float, float]]:
    """Pair holds with the unholds (or room ends) that follow them in each room's own order.

    A repeated hold while held, or an unhold while not held, changes nothing; a hold still on
    when the events run out lasts until ``until``.
    """
    intervals: list[tuple[float, float]] = []
    held: dict[str, float] = {}
    for room, _sequence, event, at in events:
        if event == HOLD:
            held.setdefault(room, at)
        elif event in (UNHOLD, ROOM_END) and room in held:
            start = held.pop(room)
            intervals.append((start, max(start, at)))
    intervals.extend((start, max(start, until)) for start in held.values())
    return intervals


def held_now(events: Iterable[tuple[str, int, str, float]]) -> bool:
    """Tell whether the caller is on hold in their latest room, by its last hold event."""
    last: tuple[str, str] | None = None
    for room, _sequence, event, _at in events:
        last = (room, event)
    return last is not None and last[1] == HOLD


def overlap(intervals: Iterable[tuple[float, float]], start: float, end: float) -> float:
    """Return how many seconds of intervals fall between start and end."""
    return sum(max(0.0, min(end, b) - max(start, a)) for a, b in intervals)


@dataclass(frozen=True)
class LegTimes:
    """A leg's talk and hold time, in seconds."""

    talk_seconds: float
    hold_seconds: float


def leg_times(leg: Leg, intervals: list[tuple[float, float]], call_end: float) -> LegTimes:
    """Measure a leg: the caller's hold while it was in the room, and the rest as talk."""
    end = leg.ended_at if leg.ended_at is not None else call_end
    length = max(0.0, end - leg.started_at)
    held = min(length, overlap(intervals, leg.started_at, end))
    return LegTimes(talk_seconds=length - held, hold_seconds=held)
