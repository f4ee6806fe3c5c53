"""The consultant queue on Redis: waiting callers, consultant states and atomic assignment.

Everything lives in Redis so any web or router process can die or run twice. Assignment runs
as one Lua script, so a consultant never holds two calls and a call never reaches two
consultants, however many processes race for them.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from enum import StrEnum

import redis

log = logging.getLogger(__name__)

ENTRY = "routing:entry:{}"
CONSULTANT = "routing:consultant:{}"
WAITING = "routing:waiting"
AVAILABLE = "routing:available"
OFFERS = "routing:offers"
CONSULTANTS = "routing:consultants"
EVENTS = "routing:events"
WAKE = "routing:wake"
STATS = "routing:stats"
ENTRY_TTL = 24 * 3600


class ConsultantState(StrEnum):
    """Where a consultant is in their working day."""

    OFFLINE = "offline"
    AVAILABLE = "available"
    RINGING = "ringing"
    ON_CALL = "on-call"
    WRAP_UP = "wrap-up"
    BREAK = "break"
    NOT_READY = "not-ready"


class EntryState(StrEnum):
    """Where a queued call is."""

    JOINING = "joining"
    WAITING = "waiting"
    OFFERED = "offered"
    CONNECTED = "connected"
    ENDED = "ended"


@dataclass
class QueueEntry:
    """A caller who asked for a person."""

    call_sid: str
    caller_number: str = ""
    customer_id: int | None = None
    advisor_id: int | None = None
    office: str | None = None
    language: str = "pl"
    topic: str = "general"
    priority: int = 0
    queued_at: float = field(default_factory=time.time)

    def to_redis(self) -> dict[str, str]:
        """Return the entry as a Redis hash (absent values as empty strings)."""
        return {k: "" if v is None else str(v) for k, v in asdict(self).items()}

    @classmethod
    def from_redis(cls, values: dict[str, str]) -> QueueEntry:
        """Rebuild an entry from its Redis hash."""

        def number(key: str) -> int | None:
            return int(values[key]) if values.get(key) else None

        return cls(
            call_sid=values["call_sid"],
            caller_number=values.get("caller_number", ""),
            customer_id=number("customer_id"),
            advisor_id=number("advisor_id"),
            office=values.get("office") or None,
            language=values.get("language") or "pl",
            topic=values.get("topic") or "general",
            priority=int(values.get("priority") or 0),
            queued_at=float(values.get("queued_at") or time.time()),
        )


@dataclass(frozen=True)
class Assignment:
    """A call offered to a consultant."""

    call_sid: str
    consultant_id: int
    queue_sid: str


# Longest-waiting caller to the longest-idle consultant, in one atomic step. Only callers whose
# queue sid is known (their wait URL has run) are in WAITING, so the dequeue can be addressed.
ASSIGN_FIFO = """
local call = redis.call('ZRANGE', KEYS[1], 0, 0)[1]
if not call then return false end
local consultant = redis.call('ZRANGE', KEYS[2], 0, 0)[1]
if not consultant then return false end
redis.call('ZREM', KEYS[1], call)
redis.call('ZREM', KEYS[2], consultant)
local entry = 'routing:entry:' .. call
redis.call('HSET', entry, 'state', 'offered', 'consultant_id', consultant, 'offered_at', ARGV[1])
redis.call('HSET', 'routing:consultant:' .. consultant,
           'state', 'ringing', 'call_sid', call, 'since', ARGV[1])
redis.call('ZADD', KEYS[3], tonumber(ARGV[1]) + tonumber(ARGV[2]), call)
return {call, consultant, redis.call('HGET', entry, 'queue_sid')}
"""

# Put an offered call back where it was, only if it is still offered to that consultant.
RETURN_OFFER = """
local entry = 'routing:entry:' .. ARGV[1]
if redis.call('HGET', entry, 'state') ~= 'offered' then return 0 end
if redis.call('HGET', entry, 'consultant_id') ~= ARGV[2] then return 0 end
redis.call('HSET', entry, 'state', 'waiting', 'consultant_id', '')
redis.call('ZADD', KEYS[1], redis.call('HGET', entry, 'queued_at'), ARGV[1])
redis.call('ZREM', KEYS[2], ARGV[1])
return 1
"""


class RoutingEngine:
    """Queue and consultant state on Redis, safe to share between processes."""

    def __init__(self, client: redis.Redis, clock: Callable[[], float] = time.time) -> None:
        self.redis = client
        self.clock = clock
        self._assign = client.register_script(ASSIGN_FIFO)
        self._return_offer = client.register_script(RETURN_OFFER)

    # Callers

    def join(self, entry: QueueEntry) -> QueueEntry:
        """Record a caller who asked for a person; a repeated join keeps the first one."""
        key = ENTRY.format(entry.call_sid)
        existing = self.redis.hgetall(key)
        if existing:
            return QueueEntry.from_redis(self._text(existing))
        pipe = self.redis.pipeline()
        pipe.hset(key, mapping={**entry.to_redis(), "state": EntryState.JOINING})
        pipe.expire(key, ENTRY_TTL)
        pipe.execute()
        self.publish("call.joined", call_sid=entry.call_sid, customer_id=entry.customer_id)
        return entry

    def entry(self, call_sid: str) -> dict[str, str]:
        """Return the raw state of a call's entry (empty if unknown)."""
        return self._text(self.redis.hgetall(ENTRY.format(call_sid)))

    def mark_waiting(self, call_sid: str, queue_sid: str) -> bool:
        """Make a joined caller routable once their queue sid is known; idempotent."""
        key = ENTRY.format(call_sid)
        values = self.entry(call_sid)
        if not values:
            self.join(QueueEntry(call_sid=call_sid))
            values = self.entry(call_sid)
        if values.get("state") not in (EntryState.JOINING, EntryState.WAITING, ""):
            return False
        pipe = self.redis.pipeline()
        pipe.hset(key, mapping={"state": EntryState.WAITING, "queue_sid": queue_sid})
        pipe.zadd(WAITING, {call_sid: float(values.get("queued_at") or self.clock())}, nx=True)
        pipe.lpush(WAKE, "1")
        pipe.ltrim(WAKE, 0, 0)
        pipe.execute()
        return True

    def position(self, call_sid: str) -> tuple[int, int]:
        """Return the caller's 1-based place and the number waiting."""
        rank = self.redis.zrank(WAITING, call_sid)
        size = int(self.redis.zcard(WAITING))
        return (int(rank) + 1 if rank is not None else 1), max(size, 1)

    def estimated_wait(self, position: int) -> float:
        """Estimate seconds until answered from the smoothed handling time and staffing."""
        stats = self._text(self.redis.hgetall(STATS))
        handle = float(stats.get("handle_ewma") or 240.0)
        staffed = max(1, self.staffed_count())
        return position * handle / staffed

    def connected(self, call_sid: str, consultant_id: int) -> None:
        """Note that the consultant answered the offered call."""
        now = self.clock()
        values = self.entry(call_sid)
        if values.get("consultant_id") != str(consultant_id):
            return
        pipe = self.redis.pipeline()
        pipe.hset(ENTRY.format(call_sid), mapping={"state": EntryState.CONNECTED})
        pipe.hsetnx(ENTRY.format(call_sid), "answered_at", str(now))
        pipe.zrem(OFFERS, call_sid)
        pipe.hset(CONSULTANT.format(consultant_id), mapping={"state": ConsultantState.ON_CALL})
        pipe.execute()
        self.publish("call.connected", call_sid=call_sid, consultant_id=consultant_id)

    def return_offer(self, call_sid: str, consultant_id: int) -> bool:
        """Give a missed call its old place back and set the consultant not-ready."""
        returned = bool(
            self._return_offer(keys=[WAITING, OFFERS], args=[call_sid, str(consultant_id)])
        )
        if returned:
            self.set_state(consultant_id, ConsultantState.NOT_READY, reason="missed call")
            self.publish("call.requeued", call_sid=call_sid, consultant_id=consultant_id)
        return returned

    def finish(self, call_sid: str, outcome: str) -> dict[str, str]:
        """Close a call's entry once, recording how it ended; return its final state."""
        key = ENTRY.format(call_sid)
        values = self.entry(call_sid)
        if not values or values.get("state") == EntryState.ENDED:
            return values
        now = self.clock()
        pipe = self.redis.pipeline()
        pipe.zrem(WAITING, call_sid)
        pipe.zrem(OFFERS, call_sid)
        pipe.hset(key, mapping={"state": EntryState.ENDED, "outcome": outcome, "ended_at": now})
        pipe.execute()
        consultant_id = values.get("consultant_id")
        if consultant_id and outcome == "answered":
            self._learn_handle_time(now - float(values.get("answered_at") or now))
            self.set_state(int(consultant_id), ConsultantState.WRAP_UP, call_sid=call_sid)
        elif consultant_id and values.get("state") == EntryState.OFFERED:
            self.set_state(int(consultant_id), ConsultantState.AVAILABLE)
        self.publish("call.ended", call_sid=call_sid, outcome=outcome)
        return self.entry(call_sid)

    def expired_offers(self) -> list[tuple[str, int]]:
        """Return offered calls whose ring time is over, with their consultant."""
        due = self.redis.zrangebyscore(OFFERS, "-inf", self.clock())
        result = []
        for raw in due:
            call_sid = raw.decode() if isinstance(raw, bytes) else str(raw)
            consultant = self.entry(call_sid).get("consultant_id")
            if consultant:
                result.append((call_sid, int(consultant)))
            else:
                self.redis.zrem(OFFERS, call_sid)
        return result

    # Consultants

    def set_state(
        self,
        consultant_id: int,
        state: ConsultantState,
        *,
        reason: str = "",
        call_sid: str | None = None,
        name: str | None = None,
    ) -> None:
        """Move a consultant to a new state and make them routable if available."""
        key = CONSULTANT.format(consultant_id)
        now = self.clock()
        mapping = {"state": str(state), "since": str(now), "reason": reason}
        if call_sid is not None:
            mapping["call_sid"] = call_sid
        elif state in (ConsultantState.AVAILABLE, ConsultantState.OFFLINE):
            mapping["call_sid"] = ""
        if name:
            mapping["name"] = name
        pipe = self.redis.pipeline()
        pipe.hset(key, mapping=mapping)
        pipe.sadd(CONSULTANTS, str(consultant_id))
        if state == ConsultantState.AVAILABLE:
            pipe.zadd(AVAILABLE, {str(consultant_id): now}, nx=True)
            pipe.lpush(WAKE, "1")
            pipe.ltrim(WAKE, 0, 0)
        else:
            pipe.zrem(AVAILABLE, str(consultant_id))
        pipe.execute()
        self.publish("consultant.state", consultant_id=consultant_id, state=str(state))

    def consultant(self, consultant_id: int) -> dict[str, str]:
        """Return a consultant's live state (offline if never seen)."""
        values = self._text(self.redis.hgetall(CONSULTANT.format(consultant_id)))
        return values or {"state": ConsultantState.OFFLINE}

    def staffed_count(self) -> int:
        """Count consultants who are logged in and not on a break."""
        active = {ConsultantState.AVAILABLE, ConsultantState.RINGING, ConsultantState.ON_CALL}
        active.add(ConsultantState.WRAP_UP)
        count = 0
        for member in self.redis.smembers(CONSULTANTS):
            ident = member.decode() if isinstance(member, bytes) else str(member)
            if self.consultant(int(ident)).get("state") in active:
                count += 1
        return count

    # Assignment

    def assign_next(self, ring_seconds: float) -> Assignment | None:
        """Atomically pair the longest-waiting caller with the longest-idle consultant."""
        result = self._assign(keys=[WAITING, AVAILABLE, OFFERS], args=[self.clock(), ring_seconds])
        if not result:
            return None
        call_sid, consultant, queue_sid = (
            v.decode() if isinstance(v, bytes) else str(v) for v in result
        )
        self.publish("call.offered", call_sid=call_sid, consultant_id=int(consultant))
        return Assignment(call_sid=call_sid, consultant_id=int(consultant), queue_sid=queue_sid)

    def wait_for_work(self, timeout: float) -> None:
        """Block until something may be routable, or timeout seconds pass."""
        self.redis.blpop([WAKE], timeout=timeout)

    # Events

    def publish(self, kind: str, **fields: object) -> None:
        """Append an event to the stream the desk and dashboards read."""
        payload = json.dumps({"kind": kind, "at": self.clock(), **fields})
        self.redis.xadd(EVENTS, {"event": payload}, maxlen=10_000, approximate=True)
        self.redis.publish(EVENTS, payload)

    def _learn_handle_time(self, seconds: float) -> None:
        stats = self._text(self.redis.hgetall(STATS))
        previous = float(stats.get("handle_ewma") or seconds)
        self.redis.hset(STATS, "handle_ewma", 0.8 * previous + 0.2 * seconds)

    @staticmethod
    def _text(values: dict) -> dict[str, str]:  # type: ignore[type-arg]
        return {
            (k.decode() if isinstance(k, bytes) else k): (v.decode() if isinstance(v, bytes) else v)
            for k, v in values.items()
        }
