"""The consultant queue on Redis: waiting callers, consultant states and atomic assignment.

Everything lives in Redis so any web or router process can die or run twice. Every change of
routing state runs as one Lua script (see routing.scripts), so a consultant never holds two
calls and a call never reaches two consultants, however many processes race for them. The
clock is injectable, so a simulation can run a whole day in virtual time.
"""

from __future__ import annotations

import json
import logging
import math
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, fields
from enum import IntEnum
from typing import Any

import redis

from hotline.speech import DEFAULT_LANGUAGE
from routing import keys, scripts
from routing.live import (
    DEFAULT_HANDLE_SECONDS,
    DEFAULT_WRAP_SECONDS,
    SIGNED_IN_SECONDS,
    Answer,
    ConsultantState,
    EntryState,
    LiveConsultant,
    LiveEntry,
)
from routing.policy import RoutingPolicy

log = logging.getLogger(__name__)


@dataclass
class QueueEntry:
    """A caller who asked for a person."""

    call_sid: str
    caller_number: str = ""
    customer_id: int | None = None
    advisor_id: int | None = None
    office: str | None = None
    language: str = DEFAULT_LANGUAGE
    topic: str = "general"
    priority: int = 0
    queued_at: float = field(default_factory=time.time)
    queue: str = ""
    # How the IVR knew the caller: "phone" (their number), "pesel" (keyed in) or "".
    identified_by: str = ""

    def to_redis(self) -> dict[str, str]:
        """Return the entry as a Redis hash (absent values as empty strings)."""
        values = {name: getattr(self, name) for name in ENTRY_FIELDS}
        return {
            k: "" if v is None else (repr(v) if isinstance(v, float) else str(v))
            for k, v in values.items()
        }

    @classmethod
    def from_redis(cls, values: Mapping[str, str]) -> QueueEntry:
        """Rebuild an entry from its Redis hash."""

        def number(key: str) -> int | None:
            return int(values[key]) if values.get(key) else None

        return cls(
            call_sid=values["call_sid"],
            caller_number=values.get("caller_number", ""),
            customer_id=number("customer_id"),
            advisor_id=number("advisor_id"),
            office=values.get("office") or None,
            language=values.get("language") or DEFAULT_LANGUAGE,
            topic=values.get("topic") or "general",
            priority=int(values.get("priority") or 0),
            queued_at=float(values.get("queued_at") or time.time()),
            queue=values.get("queue", ""),
            identified_by=values.get("identified_by", ""),
        )


ENTRY_FIELDS = tuple(item.name for item in fields(QueueEntry))


@dataclass(frozen=True)
class ConsultantProfile:
    """What routing needs to know about a consultant, mirrored into Redis."""

    consultant_id: int
    name: str = ""
    office: str | None = None
    languages: Sequence[str] = (DEFAULT_LANGUAGE,)
    topics: Sequence[str] = ()
    address: str = ""

    def arguments(self) -> list[str]:
        """Return the profile as the set-state script's trailing arguments."""
        return [
            self.office or "",
            ",".join(self.languages),
            ",".join(self.topics),
            self.address,
            self.name,
        ]


class LegEnd(IntEnum):
    """What the end of a consultant's leg of a callback changed."""

    NOTHING = 0  # not this attempt's leg, or the consultant was already free
    NOTED = 1  # the attempt still waits for its result, which frees the consultant at once
    RELEASED = 2  # the attempt had missed the customer: the consultant is free now


@dataclass(frozen=True)
class Assignment:
    """A call offered to a consultant."""

    call_sid: str
    consultant_id: int
    queue_sid: str
    callback: bool = False


@dataclass(frozen=True)
class Arrival:
    """What joining told: is a consultant free for the caller, and when their tier ends."""

    someone_free: bool
    tier_until: float | None


@dataclass(frozen=True)
class SignedIn:
    """A consultant at work or at the desk, by name, and the state they are in."""

    consultant_id: int
    name: str
    state: str
    at_desk: bool = True  # used the desk lately; False: signed out (or gone) but not offline


@dataclass(frozen=True)
class LiveQueue:
    """The queue at one moment: who waits, for how long, and where the consultants are."""

    on_the_line: int
    callbacks: int
    longest_wait: float
    consultants: dict[str, int]
    # Who is signed in (or, signed out, still not offline), in their states, by name.
    signed_in: tuple[SignedIn, ...] = ()


@dataclass(frozen=True)
class Tick:
    """What one pass of the router's timers and pairing produced."""

    assignments: list[Assignment]
    next_due: float | None
    more: bool


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _pairs(flat: Sequence[Any]) -> dict[str, str]:
    return {_text(flat[i]): _text(flat[i + 1]) for i in range(0, len(flat), 2)}


def _assignments(flat: Sequence[Any]) -> list[Assignment]:
    return [
        Assignment(
            call_sid=_text(flat[i]),
            consultant_id=int(_text(flat[i + 1])),
            queue_sid=_text(flat[i + 2]),
            callback=_text(flat[i + 3]) == "1",
        )
        for i in range(0, len(flat), 4)
    ]


class RoutingEngine:
    """Queue and consultant state on Redis, safe to share between processes."""

    def __init__(
        self,
        client: redis.Redis,
        clock: Callable[[], float] = time.time,
        *,
        policy: RoutingPolicy | None = None,
        policies: Mapping[str, RoutingPolicy] | None = None,
        wrap_up_seconds: float = 60.0,
        rejoin_seconds: float = 300.0,
        lease_seconds: float = 15.0,
        callback_opening: Callable[[float], float] | None = None,
    ) -> None:
        self.redis = client
        self.clock = clock
        self.policy = policy or RoutingPolicy()
        self.policies = dict(policies or {})
        self.wrap_up_seconds = wrap_up_seconds
        self.rejoin_seconds = rejoin_seconds
        self.lease_seconds = lease_seconds
        # the first moment at or after a given one within callback hours (None: at any time)
        self.callback_opening = callback_opening
        register = client.register_script
        self._join = register(scripts.JOIN)
        self._mark_waiting = register(scripts.MARK_WAITING)
        self._arrive = register(scripts.ARRIVE)
        self._connected = register(scripts.CONNECTED)
        self._return_offer = register(scripts.RETURN_OFFER)
        self._adopt = register(scripts.ADOPT)
        self._finish = register(scripts.FINISH)
        self._set_state = register(scripts.SET_STATE)
        self._tick = register(scripts.TICK)
        self._request_callback = register(scripts.REQUEST_CALLBACK)
        self._reschedule_callback = register(scripts.RESCHEDULE_CALLBACK)
        self._callback_unreached = register(scripts.CALLBACK_UNREACHED)
        self._callback_leg_ended = register(scripts.CALLBACK_LEG_ENDED)
        self._claim_undelivered = register(scripts.CLAIM_UNDELIVERED)
        self._transfer = register(scripts.TRANSFER)
        self._party = register(scripts.PARTY)
        self._hand_over = register(scripts.HAND_OVER)

    def policy_for(self, queue: str) -> RoutingPolicy:
        """Return the tiers of a queue (the default policy unless configured)."""
        return self.policies.get(queue, self.policy)

    # Callers

    def join(self, entry: QueueEntry) -> QueueEntry:
        """Record a caller who asked for a person; a repeated join keeps the first one.

        A caller who abandoned within the rejoin window, from the same number, gets their old
        place back: the entry keeps the old ``queued_at``.
        """
        args = [entry.call_sid, repr(self.clock()), *self._entry_fields(entry)]
        kept = _pairs(self._join(args=args))
        return QueueEntry.from_redis(kept)

    def arrive(self, entry: QueueEntry, queue_sid: str) -> Arrival:
        """Join a caller who is already in the Twilio queue and make them routable at once.

        One round trip instead of two, for simulations and tools where the queue sid is known
        when the caller joins.
        """
        args = [entry.call_sid, queue_sid, repr(self.clock()), *self._entry_fields(entry)]
        code, tier_until = self._arrive(args=args)
        until = _text(tier_until) if tier_until is not None else ""
        return Arrival(someone_free=int(code) == 2, tier_until=float(until) if until else None)

    def _entry_fields(self, entry: QueueEntry) -> list[str]:
        values = {**entry.to_redis(), **self.policy_for(entry.queue).entry_fields()}
        return [item for pair in values.items() for item in pair]

    def entry(self, call_sid: str) -> LiveEntry | None:
        """Return a call's entry as it is now, or None if the call is unknown."""
        values = _pairs_from_hash(self.redis.hgetall(keys.entry(call_sid)))
        return LiveEntry.from_hash(call_sid, values) if values else None

    def mark_waiting(self, call_sid: str, queue_sid: str) -> bool:
        """Make a joined caller routable once their queue sid is known; idempotent.

        Without a queue sid (a wait URL reached by a Redirect) the one already known is kept;
        a caller whose queue is not known yet is noted as heard from, and waits for it.
        """
        args = [call_sid, queue_sid, repr(self.clock())]
        result = int(self._mark_waiting(args=args))
        if result == -1:
            # The caller is in Twilio's queue but Redis does not know them: their entry was
            # lost (a Redis restart or failover). The network's wait request rebuilds it.
            log.warning("call %s: waiting with no queue entry; entry rebuilt", call_sid)
            self.join(QueueEntry(call_sid=call_sid, queued_at=self.clock()))
            result = int(self._mark_waiting(args=args))
        return result >= 1

    def position(self, call_sid: str) -> tuple[int, int]:
        """Return the caller's 1-based place among the callers waiting on the line, and how
        many wait there.

        A callback keeps its place in the queue (ahead of callers, and over the night when it
        is scheduled for the morning), but nobody is on the line for it, so it takes no
        caller's place in what they are told.
        """
        pipe = self.redis.pipeline(transaction=False)
        pipe.zrank(keys.WAITING, call_sid)
        pipe.zcard(keys.WAITING)
        pipe.smembers(keys.CALLBACKS)
        rank, size, callbacks = pipe.execute()
        pipe = self.redis.pipeline(transaction=False)
        for callback in callbacks:
            pipe.zrank(keys.WAITING, callback)
        ranks = [int(found) for found in pipe.execute() if found is not None]
        ahead = int(rank) - sum(other < int(rank) for other in ranks) if rank is not None else 0
        return ahead + 1, max(int(size) - len(ranks), 1)

    def estimated_wait(self, position: int) -> float:
        """Estimate seconds until answered from the smoothed handling time and staffing.

        With nobody staffed there is no honest estimate, so it is infinite.
        """
        staffed = self.staffed_count()
        if staffed == 0:
            return math.inf
        handle, _wrap = self.usual_times()
        return position * handle / staffed

    def usual_times(self) -> tuple[float, float]:
        """Return the smoothed handling and wrap-up times in seconds, or the defaults the
        scripts also use before any call has been measured."""
        stats = self.stats()
        return (
            float(stats.get("handle_ewma") or DEFAULT_HANDLE_SECONDS),
            float(stats.get("wrap_ewma") or DEFAULT_WRAP_SECONDS),
        )

    def usual_advisor_callback(self) -> float | None:
        """Return how long, smoothed, customers who asked their advisor for a callback waited
        for the advisor to take it, or None before the first."""
        measured = self.redis.hget(keys.STATS, "advisor_callback_ewma")
        return float(_text(measured)) if measured else None

    def estimate(self, call_sid: str, position: int) -> float:
        """Return a smoothed estimate of this caller's remaining wait, in seconds.

        The raw estimate (place times smoothed handling time over staffed consultants) is
        blended with what this caller was told last time, less the time since, so the
        announcement does not jump about between two reads.
        """
        now = self.clock()
        raw = self.estimated_wait(position)
        if math.isinf(raw):
            return raw
        key = keys.entry(call_sid)
        told, told_at = self.redis.hmget(key, "estimate", "estimate_at")
        if told and told_at:
            previous = max(0.0, float(_text(told)) - (now - float(_text(told_at))))
            raw = 0.5 * raw + 0.5 * previous
        self.redis.hset(key, mapping={"estimate": repr(raw), "estimate_at": repr(now)})
        return raw

    def connected(self, call_sid: str, consultant_id: int) -> Answer:
        """Note that the consultant answered the offered call, and say what that changed."""
        return Answer(int(self._connected(args=[call_sid, str(consultant_id), repr(self.clock())])))

    def adopt(self, call_sid: str, consultant_id: int, caller_number: str = "") -> bool:
        """Note that the network shows the consultant talking with the caller in the call's
        room, which a replaced Redis forgot: the call is connected to them and they are on it.
        A call Redis lost entirely is written again only given the caller's number. Return
        whether Redis had to be told."""
        args = [call_sid, str(consultant_id), repr(self.clock()), caller_number]
        return bool(self._adopt(args=args))

    def return_offer(self, call_sid: str, consultant_id: int, *, requeue: bool = False) -> bool:
        """Give a missed call its old place (and tier clock) back; the consultant is not-ready.

        With requeue, the caller is on their way back into the Twilio queue, so the call
        becomes routable only once its wait URL runs again.
        """
        mode = "missed-requeue" if requeue else "missed"
        return self._return(call_sid, consultant_id, mode)

    def withdraw_offer(self, call_sid: str, consultant_id: int) -> bool:
        """Take back an offer that could not be delivered, through no fault of the consultant."""
        return self._return(call_sid, consultant_id, "withdraw-requeue")

    def _return(self, call_sid: str, consultant_id: int, mode: str) -> bool:
        args = [call_sid, str(consultant_id), repr(self.clock()), mode]
        return bool(self._return_offer(args=args))

    def finish(self, call_sid: str, outcome: str) -> LiveEntry | None:
        """Close a call's entry once, recording how it ended; return its final state."""
        values = _pairs(self._finish(args=self._finish_args(call_sid, outcome, "1")))
        return LiveEntry.from_hash(call_sid, values) if values else None

    def close(self, call_sid: str, outcome: str, *, end_unknown: bool = False) -> bool:
        """Close a call's entry once, like finish; tell whether this call closed it.

        With end_unknown (a call found ended long after the fact) its length does not count
        towards the smoothed handling time the wait estimates use.
        """
        args = self._finish_args(call_sid, outcome, "0", end_unknown)
        return bool(self._finish(args=args))

    def _finish_args(
        self, call_sid: str, outcome: str, final_state: str, end_unknown: bool = False
    ) -> list[str]:
        return [
            call_sid,
            outcome,
            repr(self.clock()),
            repr(self.wrap_up_seconds),
            repr(self.rejoin_seconds),
            final_state,
            "1" if end_unknown else "0",
        ]

    def expired_offers(self) -> list[tuple[str, int]]:
        """Return offered calls whose ring time is over, with their consultant."""
        due = self.redis.zrangebyscore(keys.OFFERS, "-inf", self.clock())
        result = []
        for raw in due:
            call_sid = _text(raw)
            entry = self.entry(call_sid)
            if entry is not None and entry.consultant_id is not None:
                result.append((call_sid, entry.consultant_id))
            else:
                self.redis.zrem(keys.OFFERS, call_sid)
        return result

    # Transfers and consultations

    def transfer(
        self,
        call_sid: str,
        consultant_id: int,
        kind: str,
        target: str = "",
        *,
        topic: str = "",
        hold_seconds: float = 60.0,
    ) -> int:
        """Send a connected call back to waiting, for the tier kind names ('consultant',
        'advisor', 'office', 'language', 'queue'), keeping its place and priority; the
        consultant goes to wrap-up. Returns 1 if done, 0 if not theirs, -1 if no such target."""
        args = [
            call_sid,
            str(consultant_id),
            repr(self.clock()),
            kind,
            target,
            topic,
            repr(float(hold_seconds)),
            repr(self.wrap_up_seconds),
        ]
        return int(self._transfer(args=args))

    def consult_colleague(self, consultant_id: int, call_sid: str, mode: str) -> bool:
        """Change a colleague rung into a call's room: 'reserve' (only if free), 'answered',
        'release' or 'wrap'; tell whether it changed them."""
        args = [str(consultant_id), call_sid, repr(self.clock()), mode, repr(self.wrap_up_seconds)]
        return bool(self._party(args=args))

    def hand_over(self, call_sid: str, consultant_id: int, to: int | None) -> bool:
        """Make the colleague (None: an outside party) in the room the call's consultant; the
        consultant goes to wrap-up."""
        args = [
            call_sid,
            str(consultant_id),
            "" if to is None else str(to),
            repr(self.clock()),
            repr(self.wrap_up_seconds),
        ]
        return bool(self._hand_over(args=args))

    # Callbacks and voicemail

    def request_callback(
        self,
        call_sid: str,
        number: str,
        *,
        advisor_hold: float = 0.0,
        since: float | None = None,
        not_before: float | None = None,
    ) -> bool:
        """Turn a waiting call into a callback that keeps its place; False if too late.

        With advisor_hold, the caller asked for their own advisor: only the advisor takes the
        callback for that many seconds from since (default now), over a break too; then, or
        as soon as the advisor logs off, it widens like any call. With not_before (say, when
        callback hours begin), the first attempt waits until then.
        """
        now = self.clock()
        args = [
            call_sid,
            number,
            repr(now),
            repr(float(advisor_hold)),
            repr(now if since is None else since),
            "" if not_before is None else repr(not_before),
        ]
        return bool(self._request_callback(args=args))

    def callback_attempt(self, call_sid: str) -> int:
        """Count one more attempt to call a customer back and return the count."""
        return int(self.redis.hincrby(keys.entry(call_sid), "callback_attempts", 1))

    def reschedule_callback(self, call_sid: str, due: float) -> bool:
        """Hold a callback out of the queue until due; it keeps its place."""
        return bool(self._reschedule_callback(args=[call_sid, repr(due), repr(self.clock())]))

    def callback_unreached(
        self, call_sid: str, consultant_id: int, due: float | None, leg_sid: str = ""
    ) -> bool:
        """Settle an attempt that did not reach the customer: try again at due, or give the
        callback up (due None); False if the attempt was no longer this consultant's.

        The consultant stays on the call until their own leg (leg_sid, or the one delivered)
        ends: nothing rings them while they still hear that nobody answered.
        """
        args = [call_sid, str(consultant_id), repr(self.clock()), "" if due is None else repr(due)]
        return bool(self._callback_unreached(args=[*args, leg_sid]))

    def callback_leg_ended(self, call_sid: str, consultant_id: int, leg_sid: str = "") -> LegEnd:
        """Hear that a consultant's leg of a callback ended, however late or out of order."""
        args = [call_sid, str(consultant_id), leg_sid, repr(self.clock())]
        return LegEnd(int(self._callback_leg_ended(args=args)))

    def pending_callbacks(self) -> list[str]:
        """Return the call sids of callbacks not yet completed or given up."""
        return sorted(_text(member) for member in self.redis.smembers(keys.CALLBACKS))

    def restore_callback(
        self,
        entry: QueueEntry,
        number: str,
        attempts: int,
        due: float | None,
        *,
        advisor_hold: float = 0.0,
        requested_at: float | None = None,
    ) -> bool:
        """Recreate a pending callback lost from Redis (from its database row); idempotent.

        A callback asked of the advisor waits for them until advisor_hold after requested_at,
        as it did before it was lost."""
        if self.redis.exists(keys.entry(entry.call_sid)):
            return False
        anonymous = QueueEntry(**{**asdict(entry), "caller_number": ""})
        self.join(anonymous)
        self.redis.hset(keys.entry(entry.call_sid), "caller_number", entry.caller_number)
        self.request_callback(
            entry.call_sid, number, advisor_hold=advisor_hold, since=requested_at, not_before=due
        )
        self.redis.hset(keys.entry(entry.call_sid), "callback_attempts", str(attempts))
        self.publish("callback.restored", call_sid=entry.call_sid)
        return True

    def mark_voicemail(self, call_sid: str) -> bool:
        """Note that a waiting caller chose to leave a voicemail."""
        entry = self.entry(call_sid)
        if entry is None or entry.state not in (EntryState.WAITING, EntryState.JOINING):
            return False
        self.redis.hset(keys.entry(call_sid), "voicemail", "1")
        self.publish("call.voicemail", call_sid=call_sid)
        return True

    # Consultants

    def set_state(
        self,
        consultant_id: int,
        state: ConsultantState,
        *,
        reason: str = "",
        call_sid: str | None = None,
        name: str | None = None,
        profile: ConsultantProfile | None = None,
    ) -> bool:
        """Move a consultant to a new state and make them routable if available.

        A profile (office, languages, topics, where to ring them) is mirrored into Redis so
        routing never needs the database. Tells whether the consultant is now free and a call
        is waiting for them (if not, a router tick cannot pair them yet).
        """
        if name and profile is None:
            self.redis.hset(keys.consultant(consultant_id), "name", name)
        args = [
            str(consultant_id),
            str(state),
            repr(self.clock()),
            reason,
            scripts.KEEP_CALL if call_sid is None else call_sid,
            repr(self.wrap_up_seconds),
        ]
        if profile is not None:
            args += profile.arguments()
        return int(self._set_state(args=args)) == 2

    def register_consultant(self, profile: ConsultantProfile) -> None:
        """Mirror a consultant's profile into Redis, keeping their current state."""
        current = self.consultant(profile.consultant_id)
        self.set_state(profile.consultant_id, current.state, reason=current.reason, profile=profile)

    def at_desk(self, consultant_id: int, signed_in: bool = True) -> None:
        """Note that a consultant uses the desk now (or has signed out of it)."""
        key = keys.consultant(consultant_id)
        if signed_in:
            self.redis.hset(key, "desk_seen_at", repr(self.clock()))
        else:
            self.redis.hdel(key, "desk_seen_at")

    def _consultant_ids(self) -> list[int]:
        return sorted(int(_text(raw)) for raw in self.redis.smembers(keys.CONSULTANTS))

    def _waiting(self, *names: str) -> list[tuple[str, bool, list[Any]]]:
        """Return every waiting call: its sid, whether it is a callback, and the fields named."""
        sids = [_text(raw) for raw in self.redis.zrange(keys.WAITING, 0, -1)]
        pipe = self.redis.pipeline(transaction=False)
        for call_sid in sids:
            pipe.hmget(keys.entry(call_sid), "callback", *names)
        return [
            (call_sid, bool(callback) and _text(callback) == "1", values)
            for call_sid, (callback, *values) in zip(sids, pipe.execute(), strict=True)
        ]

    def calls_held_since(self, before: float) -> list[tuple[int, str]]:
        """Return (consultant, call) for consultants on one call since before this moment."""
        ids = self._consultant_ids()
        pipe = self.redis.pipeline(transaction=False)
        for consultant_id in ids:
            pipe.hmget(keys.consultant(consultant_id), "state", "since", "call_sid")
        held = []
        for consultant_id, (state, since, call_sid) in zip(ids, pipe.execute(), strict=True):
            if state is None or _text(state) != ConsultantState.ON_CALL or not call_sid:
                continue
            if float(_text(since or b"0")) < before:
                held.append((consultant_id, _text(call_sid)))
        return held

    def snapshot(self) -> LiveQueue:
        """Return what the queue holds now: callers on the line, callbacks, consultants."""
        now = self.clock()
        waiting = self._waiting("queued_at")
        waits = [
            now - float(_text(queued))
            for _sid, callback, (queued,) in waiting
            if not callback and queued is not None
        ]
        ids = self._consultant_ids()
        pipe = self.redis.pipeline(transaction=False)
        for consultant_id in ids:
            pipe.hmget(keys.consultant(consultant_id), ["state", "name", "desk_seen_at"])
        states: dict[str, int] = {}
        signed_in = []
        for consultant_id, (raw, name, seen) in zip(ids, pipe.execute(), strict=True):
            state = _text(raw) if raw else ConsultantState.OFFLINE
            states[state] = states.get(state, 0) + 1
            at_desk = bool(seen) and now - float(_text(seen)) <= SIGNED_IN_SECONDS
            if at_desk or state != ConsultantState.OFFLINE:
                who = _text(name) if name else f"consultant {consultant_id}"
                signed_in.append(SignedIn(consultant_id, who, state, at_desk))
        return LiveQueue(
            on_the_line=len(waits),
            callbacks=sum(callback for _sid, callback, _values in waiting),
            longest_wait=max(waits, default=0.0),
            consultants=states,
            signed_in=tuple(sorted(signed_in, key=lambda person: person.name)),
        )

    def silent_waiting(self, before: float) -> list[str]:
        """Return waiting calls whose wait URL has not run since before this moment."""
        silent = []
        for call_sid, callback, (seen, queued) in self._waiting("seen_at", "queued_at"):
            if callback:
                continue  # a callback has no caller on the line to be silent
            last = seen or queued
            if last is not None and float(_text(last)) < before:
                silent.append(call_sid)
        return silent

    def consultant(self, consultant_id: int) -> LiveConsultant:
        """Return a consultant's live state (offline if never seen)."""
        values = _pairs_from_hash(self.redis.hgetall(keys.consultant(consultant_id)))
        return LiveConsultant.from_hash(consultant_id, values)

    def staffed_count(self) -> int:
        """Count consultants who are logged in and not on a break."""
        return int(self.redis.scard(keys.STAFFED))

    def stats(self) -> dict[str, str]:
        """Return the smoothed handling time and wait the estimates use."""
        return _pairs_from_hash(self.redis.hgetall(keys.STATS))

    # Assignment

    def tick(self, ring_seconds: float, max_assignments: int = 50, batch: int = 500) -> Tick:
        """Run due timers (tiers, wrap-up, callbacks) and pair calls with free consultants.

        Outside callback hours a callback is not offered: it waits until they begin.
        """
        now = self.clock()
        callbacks_from = self.callback_opening(now) if self.callback_opening else now
        args = [
            repr(now),
            repr(ring_seconds),
            repr(self.lease_seconds),
            str(max_assignments),
            str(batch),
            repr(callbacks_from),
        ]
        result = self._tick(args=args)
        next_due = float(_text(result[0])) if result[0] is not None else None
        made = _assignments(result[2:])
        for offer in made:
            log.info("call %s offered to consultant %s", offer.call_sid, offer.consultant_id)
        return Tick(assignments=made, next_due=next_due, more=bool(result[1]))

    def assign_next(self, ring_seconds: float) -> Assignment | None:
        """Atomically pair one call with the consultant the policy prefers, if any."""
        made = self.tick(ring_seconds, max_assignments=1).assignments
        return made[0] if made else None

    def claim_undelivered(self) -> list[Assignment]:
        """Claim offers a router made but never handed to Twilio (it died in between)."""
        flat = self._claim_undelivered(args=[repr(self.clock()), repr(self.lease_seconds)])
        return _assignments(flat)

    def delivered(self, call_sid: str, leg_sid: str = "", *, consultant_leg: str = "") -> None:
        """Note that an offer reached Twilio: with the outbound leg of a callback, or with the
        call that rings the consultant for a caller."""
        mapping = {"delivered_at": repr(self.clock())}
        if leg_sid:
            mapping["callback_leg"] = leg_sid
        if consultant_leg:
            mapping["consultant_leg"] = consultant_leg
        self.redis.hset(keys.entry(call_sid), mapping=mapping)  # type: ignore[arg-type]

    def wait_failed(self, call_sid: str) -> int:
        """Count a failure of a caller's wait URL; return how many there have been."""
        pipe = self.redis.pipeline()
        pipe.incr(keys.wait_failures(call_sid))
        pipe.expire(keys.wait_failures(call_sid), keys.WAIT_FAILURES_TTL_SECONDS)
        return int(pipe.execute()[0])

    def server_identity(self) -> str:
        """Return the run id of the Redis server answering now: another one after a restart
        or a failover, when writes of the last moments may be lost."""
        return str(self.redis.info("server")["run_id"])

    def resweep(self) -> None:
        """Ask the router to look again at every free consultant (a cheap safety net)."""
        pipe = self.redis.pipeline()
        pipe.zunionstore(
            keys.DIRTY_CONSULTANTS, [keys.DIRTY_CONSULTANTS, keys.AVAILABLE], aggregate="MIN"
        )
        pipe.lpush(keys.WAKE, "1")
        pipe.ltrim(keys.WAKE, 0, 0)
        pipe.execute()

    def wait_for_work(self, timeout: float) -> None:
        """Block until something may be routable, or timeout seconds pass."""
        self.redis.blpop([keys.WAKE], timeout=max(0.01, timeout))

    # Events

    def publish(self, kind: str, **fields: object) -> None:
        """Append an event to the stream the desk and dashboards read, and announce it."""
        payload = json.dumps({"kind": kind, "at": self.clock(), **fields})
        pipe = self.redis.pipeline(transaction=False)
        pipe.xadd(keys.EVENTS, {"event": payload}, maxlen=keys.EVENTS_MAX_LENGTH, approximate=True)
        pipe.publish(keys.EVENTS, payload)
        pipe.execute()


def _pairs_from_hash(values: Mapping[Any, Any]) -> dict[str, str]:
    return {_text(k): _text(v) for k, v in values.items()}
