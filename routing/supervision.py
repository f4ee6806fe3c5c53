"""Supervision of live calls: a supervisor listens in, coaches or barges; a consultant raises a
hand for help.

A supervisor joins a call's conference room on their own phone (their desk's softphone, or
their desk phone). The centre rings it with a REST call whose url, fetched by Twilio once the
phone is answered, returns ``<Dial><Conference>`` into the room: muted to listen in, with
``coach`` set to the consultant's leg to coach (Twilio lets only that participant hear a
coach), or neither to barge in. A desk phone is screened first ("press 1"), as the
consultants' are, so that a voicemail box never sits in on a caller's conversation, and the
document is built when it is answered, from the mode chosen by then and only while the call
is still live. Every later change of mode is one update of that participant (Muted, Coaching
and CallSidToCoach together), addressed by its label.

The state lives in Redis (``keys.supervision``, ``keys.supervising``, ``keys.hand``), changed
by small scripts, so any web process may serve any step, and a supervisor whose end was never
heard is found out by asking the network about their phone. Every act is sent with the
``supervision_event`` signal, which the roof connects to the audit trail, and every change a
board shows (a phone ringing, a mode, a leave, a hand) is published on the routing event stream
as ``supervision.changed``, so that the supervisors' boards follow it live. The event names the
one who acted, never the consultant watched: a consultant's own desk hears nothing of a
supervisor who listens in.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from twilio.twiml.voice_response import VoiceResponse

from hotline.telephony import FINAL_CALL_STATUSES, NotOnTheNetwork, TelephonyError, telephony
from routing import keys, scripts, twiml, urls
from routing.live import ConsultantState, EntryState, LiveEntry
from routing.service import Routing, is_desk_phone
from routing.signals import supervision_event

log = logging.getLogger(__name__)

# Why a supervisor may not join a call in these states: they could be offered a caller (a
# wrap-up ends in availability by itself) while their phone is in a colleague's call.
BUSY_STATES = {
    ConsultantState.AVAILABLE: "Take a break first, so that no caller rings you while you are "
    "in a colleague's call.",
    ConsultantState.RINGING: "Finish your own call first.",
    ConsultantState.ON_CALL: "Finish your own call first.",
    ConsultantState.WRAP_UP: "Save your wrap-up and take a break first, so that no caller rings "
    "you while you are in a colleague's call.",
}
# How often, and how long apart, a mode change is tried again while the supervisor's phone is
# on its way into the room (answered, its document returned, not yet a participant).
MODE_ATTEMPTS = 6
MODE_RETRY_SECONDS = 0.25
# The routing event that wakes the boards' streams when a supervision or a hand changes.
CHANGED = "supervision.changed"


class Mode(StrEnum):
    """How a supervisor is in a call."""

    MONITOR = "monitor"  # listens; nobody hears them
    COACH = "coach"  # only the consultant hears them
    BARGE = "barge"  # everyone hears them


class SupervisionRefused(Exception):
    """A supervisory act that cannot be done now, with the reason in words for the desk."""


@dataclass(frozen=True)
class SupervisionEvent:
    """One supervisory act on a call, for the audit trail."""

    call_sid: str
    actor_id: int | None
    action: str  # monitor, coach, barge, leave, hand-raised, hand-lowered, hand-answered
    customer_id: int | None = None
    details: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class Supervision:
    """Who is listening in on a call, how, and on which phone."""

    call_sid: str
    supervisor_id: int
    mode: Mode
    since: float
    address: str = ""
    leg: str | None = None
    joined: bool = False

    @classmethod
    def from_hash(cls, call_sid: str, values: Mapping[str, str]) -> Supervision | None:
        """Read a call's supervision from its hash (None if nobody supervises it)."""
        if not values.get("supervisor_id"):
            return None
        return cls(
            call_sid=call_sid,
            supervisor_id=int(values["supervisor_id"]),
            mode=Mode(values.get("mode") or Mode.MONITOR),
            since=float(values.get("since") or 0.0),
            address=values.get("address", ""),
            leg=values.get("leg") or None,
            joined=values.get("state") == "joined",
        )


@dataclass(frozen=True)
class Hand:
    """A consultant's raised hand on their call."""

    call_sid: str
    consultant_id: int
    raised_at: float


@dataclass(frozen=True)
class LiveCall:
    """A caller talking to a consultant now, as a supervisor sees it."""

    call_sid: str
    consultant_id: int
    answered_at: float | None
    topic: str | None
    language: str | None
    in_room: bool  # a callback dials the customer directly, without a room to join
    hand: Hand | None
    supervision: Supervision | None


# ARGV: call_sid, supervisor_id, mode, now, ttl, address. Returns {'claimed'}, or why not:
# {'taken', supervisor_id} (someone else supervises the call), {'busy', call_sid} (this
# supervisor is on another call), {'already'} (this supervisor is on this call already).
CLAIM = scripts.script(
    r"""
local sid, supervisor, mode, now = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local ttl, address = ARGV[5], ARGV[6]
local skey, mine = KEY.SUPERVISION .. sid, KEY.SUPERVISING .. supervisor
local holder = redis.call('HGET', skey, 'supervisor_id')
if holder and holder ~= supervisor then return {'taken', holder} end
local other = redis.call('GET', mine)
if other and other ~= sid then return {'busy', other} end
if holder then return {'already'} end
redis.call('HSET', skey, 'supervisor_id', supervisor, 'mode', mode, 'since', now,
  'state', 'ringing', 'address', address)
redis.call('EXPIRE', skey, ttl)
redis.call('SET', mine, sid, 'EX', ttl)
return {'claimed'}
"""
)

# ARGV: call_sid, supervisor_id, leg. The supervisor's phone is going into the room: returns
# {the mode to join in, 1 if this is the first word of it}, or false if they no longer
# supervise the call.
JOINING = scripts.script(
    r"""
local skey = KEY.SUPERVISION .. ARGV[1]
if redis.call('HGET', skey, 'supervisor_id') ~= ARGV[2] then return false end
local first = redis.call('HGET', skey, 'state') ~= 'joined' and 1 or 0
redis.call('HSET', skey, 'state', 'joined', 'leg', ARGV[3])
return {redis.call('HGET', skey, 'mode'), first}
"""
)

# ARGV: call_sid, supervisor_id, leg. Notes the supervisor's phone call, unless their
# supervision has ended already (or its answer noted it first).
NOTE_LEG = scripts.script(
    r"""
local skey = KEY.SUPERVISION .. ARGV[1]
if redis.call('HGET', skey, 'supervisor_id') ~= ARGV[2] then return 0 end
return redis.call('HSETNX', skey, 'leg', ARGV[3])
"""
)

# ARGV: call_sid, supervisor_id, mode. Returns {0} if they do not supervise the call, else
# {1, state, leg}: a supervisor who has not joined yet joins in the new mode.
SET_MODE = scripts.script(
    r"""
local skey = KEY.SUPERVISION .. ARGV[1]
if redis.call('HGET', skey, 'supervisor_id') ~= ARGV[2] then return {0} end
redis.call('HSET', skey, 'mode', ARGV[3])
local state, leg = unpack(redis.call('HMGET', skey, 'state', 'leg'))
return {1, state or '', leg or ''}
"""
)

# ARGV: call_sid, supervisor_id, leg ('' for any). Ends the supervision if it is theirs (and on
# that phone): returns {0}, or {1, state, mode, leg} once, however often the end is reported.
END = scripts.script(
    r"""
local sid, supervisor, leg = ARGV[1], ARGV[2], ARGV[3]
local skey, mine = KEY.SUPERVISION .. sid, KEY.SUPERVISING .. supervisor
local holder, state, mode, held =
  unpack(redis.call('HMGET', skey, 'supervisor_id', 'state', 'mode', 'leg'))
if holder ~= supervisor then return {0} end
if leg ~= '' and held and held ~= leg then return {0} end
redis.call('DEL', skey)
if redis.call('GET', mine) == sid then redis.call('DEL', mine) end
return {1, state or '', mode or '', held or ''}
"""
)


class Supervisor:
    """Supervision on one Redis, with the routing services it needs (built per request)."""

    def __init__(self, routing: Routing) -> None:
        self.routing = routing
        self.engine = routing.engine
        self.redis = routing.engine.redis
        register = self.redis.register_script
        self._claim = register(CLAIM)
        self._joining = register(JOINING)
        self._set_mode = register(SET_MODE)
        self._end = register(END)
        self._note_leg = register(NOTE_LEG)

    # Reading

    def supervision(self, call_sid: str) -> Supervision | None:
        """Return who supervises a call now, if anyone."""
        values = _strings(self.redis.hgetall(keys.supervision(call_sid)))
        return Supervision.from_hash(call_sid, values)

    def supervising(self, supervisor_id: int) -> Supervision | None:
        """Return the supervision a supervisor holds now, if any."""
        call_sid = self.redis.get(keys.supervising(supervisor_id))
        if call_sid is None:
            return None
        found = self.supervision(_text(call_sid))
        return found if found is not None and found.supervisor_id == supervisor_id else None

    def hand(self, call_sid: str) -> Hand | None:
        """Return the hand raised on a call, if it is up."""
        return _hand(call_sid, _strings(self.redis.hgetall(keys.hand(call_sid))))

    def live_calls(self) -> list[LiveCall]:
        """Return the calls consultants are on now, longest first, with any raised hand and
        supervisor; hands left on calls that have ended are lowered here."""
        held = self.engine.calls_held_since(math.inf)
        pipe = self.redis.pipeline(transaction=False)
        for _consultant_id, call_sid in held:
            pipe.hgetall(keys.entry(call_sid))
            pipe.hgetall(keys.hand(call_sid))
            pipe.hgetall(keys.supervision(call_sid))
        read = pipe.execute()
        calls = []
        for index, (consultant_id, call_sid) in enumerate(held):
            entry_hash, hand_hash, supervision_hash = read[3 * index : 3 * index + 3]
            entry = LiveEntry.from_hash(call_sid, _strings(entry_hash)) if entry_hash else None
            if entry is None or not _talking(entry, consultant_id):
                continue
            calls.append(
                LiveCall(
                    call_sid=call_sid,
                    consultant_id=consultant_id,
                    answered_at=entry.answered_at,
                    topic=entry.topic,
                    language=entry.language,
                    in_room=_in_room(entry),
                    hand=_hand(call_sid, _strings(hand_hash)),
                    supervision=Supervision.from_hash(call_sid, _strings(supervision_hash)),
                )
            )
        self._lower_stale_hands({call.call_sid for call in calls})
        return sorted(calls, key=lambda call: call.answered_at or 0.0)

    # A supervisor's acts, from the board

    def supervise(self, call_sid: str, supervisor_id: int, address: str, mode: Mode) -> Supervision:
        """Join a live call in a mode, ringing the supervisor's phone at address, or change the
        mode of a supervisor on the call already."""
        entry = self.engine.entry(call_sid)
        if entry is None or entry.state != EntryState.CONNECTED or entry.consultant_id is None:
            raise SupervisionRefused("This call has ended.")
        if not _in_room(entry):
            raise SupervisionRefused(
                "This is a callback, dialled straight to the customer: there is no room to join."
            )
        if entry.consultant_id == supervisor_id:
            raise SupervisionRefused("This is your own call.")
        current = self.supervision(call_sid)
        if current is not None and current.supervisor_id == supervisor_id:
            return self.change_mode(call_sid, supervisor_id, mode)
        busy = BUSY_STATES.get(self.engine.consultant(supervisor_id).state)
        if busy:
            raise SupervisionRefused(busy)
        self._take(call_sid, supervisor_id, address, mode)
        settings = self.routing.settings
        try:
            leg = telephony.current().place_call(
                address,
                settings.public_url + urls.supervise_join(call_sid, supervisor_id),
                settings.public_url + urls.supervise_status(call_sid, supervisor_id),
                events=("answered", "completed"),
                timeout=settings.ring_timeout_seconds,
            )
        except TelephonyError as exc:
            log.warning("call %s: could not ring supervisor %s: %s", call_sid, supervisor_id, exc)
            self._end(args=[call_sid, str(supervisor_id), ""])
            raise SupervisionRefused(
                "The phone network did not ring your phone; try again."
            ) from exc
        # The leg is known once the network has it; its answer may come first, and notes it too.
        self._note_leg(args=[call_sid, str(supervisor_id), leg])
        log.info("call %s: supervisor %s rung to %s (%s)", call_sid, supervisor_id, mode, leg)
        self._changed(call_sid, supervisor_id)
        found = self.supervision(call_sid)
        if found is None:  # the phone has been and gone already
            raise SupervisionRefused("Your phone did not join the call; try again.")
        return found

    def change_mode(self, call_sid: str, supervisor_id: int, mode: Mode) -> Supervision:
        """Listen in, coach or barge from now on; a supervisor whose phone still rings joins in
        the new mode."""
        held, state, leg = _mode_result(self._set_mode(args=[call_sid, str(supervisor_id), mode]))
        if not held:
            raise SupervisionRefused("You are not in this call.")
        entry = self.engine.entry(call_sid)
        if state == "joined":
            if entry is None or entry.state != EntryState.CONNECTED:
                raise SupervisionRefused("This call has ended.")
            self._apply(call_sid, supervisor_id, mode, entry)
            self._announce(call_sid, supervisor_id, mode.value, entry, leg=leg)
            self._answer_hand(call_sid, supervisor_id, entry)
        else:
            self._changed(call_sid, supervisor_id)
        found = self.supervision(call_sid)
        if found is None:
            raise SupervisionRefused("This call has ended.")
        return found

    def leave(self, call_sid: str, supervisor_id: int) -> bool:
        """Leave a call (or stop one's phone ringing for it); the call goes on without them."""
        ended, state, mode, leg = _end_result(self._end(args=[call_sid, str(supervisor_id), ""]))
        if not ended:
            return False
        if leg:
            try:
                telephony.current().end_call(leg)
            except TelephonyError as exc:
                log.warning("call %s: could not end supervisor leg %s: %s", call_sid, leg, exc)
        if state == "joined":
            entry = self.engine.entry(call_sid)
            self._announce(call_sid, supervisor_id, "leave", entry, mode=mode, leg=leg, why="left")
        else:
            self._changed(call_sid, supervisor_id)
        return True

    # A consultant's hand

    def raise_hand(self, consultant_id: int) -> Hand:
        """Raise a hand for help on the consultant's call now."""
        call_sid, entry = self._own_call(consultant_id)
        key = keys.hand(call_sid)
        pipe = self.redis.pipeline()
        pipe.hsetnx(key, "consultant_id", consultant_id)
        pipe.hsetnx(key, "raised_at", repr(self.engine.clock()))
        pipe.expire(key, keys.SUPERVISION_TTL_SECONDS)
        pipe.sadd(keys.HANDS, call_sid)
        newly, *_ = pipe.execute()
        if newly:
            log.info("call %s: consultant %s raised a hand", call_sid, consultant_id)
            self._send(call_sid, consultant_id, "hand-raised", entry)
        found = self.hand(call_sid)
        assert found is not None
        return found

    def lower_hand(self, consultant_id: int) -> bool:
        """Lower the consultant's own raised hand (they no longer need help)."""
        call_sid = self.engine.consultant(consultant_id).call_sid
        if not call_sid or not self._drop_hand(call_sid):
            return False
        self._send(call_sid, consultant_id, "hand-lowered", self.engine.entry(call_sid))
        return True

    def own_hand(self, consultant_id: int) -> Hand | None:
        """Return the hand up on the consultant's call now, if any."""
        live = self.engine.consultant(consultant_id)
        if live.state != ConsultantState.ON_CALL or not live.call_sid:
            return None
        hand = self.hand(live.call_sid)
        return hand if hand is not None and hand.consultant_id == consultant_id else None

    # What the network says about the supervisor's phone (Twilio webhooks)

    def answered(self, call_sid: str, supervisor_id: int, leg: str) -> VoiceResponse:
        """The supervisor's phone was answered: a desk phone is screened first, a softphone
        goes into the room at once."""
        current = self.supervision(call_sid)
        if current is None or current.supervisor_id != supervisor_id:
            return twiml.supervision_over()
        if is_desk_phone(current.address):
            return twiml.supervisor_screen(call_sid, supervisor_id)
        return self.joining(call_sid, supervisor_id, leg)

    def screened(self, call_sid: str, supervisor_id: int, leg: str, digits: str) -> VoiceResponse:
        """Into the room on 1; anything else (or a voicemail box's silence) hangs up."""
        if digits == "1":
            return self.joining(call_sid, supervisor_id, leg)
        return twiml.supervision_over()

    def joining(self, call_sid: str, supervisor_id: int, leg: str) -> VoiceResponse:
        """Bring the supervisor into the room in the mode they chose by now, if the call is
        still live; the hand raised on it, if any, is answered."""
        entry = self.engine.entry(call_sid)
        if entry is None or entry.state != EntryState.CONNECTED or not _in_room(entry):
            return twiml.supervision_over()
        raw = self._joining(args=[call_sid, str(supervisor_id), leg])
        if raw is None:
            return twiml.supervision_over()
        mode, first = Mode(_text(raw[0])), int(raw[1]) == 1
        if first:  # Twilio may ask twice; the act is kept once
            self._announce(call_sid, supervisor_id, mode.value, entry, leg=leg)
            self._answer_hand(call_sid, supervisor_id, entry)
        coach = entry.consultant_leg if mode == Mode.COACH else None
        return twiml.supervisor_room(
            call_sid, supervisor_id, muted=mode == Mode.MONITOR, coach=coach
        )

    def phone_ended(self, call_sid: str, supervisor_id: int, leg: str, status: str) -> None:
        """The supervisor's phone call is over (hung up, the call ended, or never answered)."""
        if status not in FINAL_CALL_STATUSES:
            return
        ended, state, mode, _leg = _end_result(self._end(args=[call_sid, str(supervisor_id), leg]))
        if ended and state == "joined":
            entry = self.engine.entry(call_sid)
            live = entry is not None and entry.state == EntryState.CONNECTED
            why = "phone hung up" if live else "the call ended"
            self._announce(call_sid, supervisor_id, "leave", entry, mode=mode, leg=leg, why=why)
        elif ended:
            self._changed(call_sid, supervisor_id)

    # Inside

    def _take(self, call_sid: str, supervisor_id: int, address: str, mode: Mode) -> None:
        """Claim the call for this supervisor, clearing a claim whose phone is gone."""
        for _attempt in range(2):
            args = [
                call_sid,
                str(supervisor_id),
                mode,
                repr(self.engine.clock()),
                str(keys.SUPERVISION_TTL_SECONDS),
                address,
            ]
            outcome, *rest = (_text(item) for item in self._claim(args=args))
            if outcome in ("claimed", "already"):
                return
            other = (
                self.supervision(call_sid)
                if outcome == "taken"
                else self.supervising(supervisor_id)
            )
            if other is not None and not self._gone(other):
                if outcome == "taken":
                    raise SupervisionRefused("Another supervisor is in this call already.")
                raise SupervisionRefused("You are in another call already: leave it first.")
            if other is not None:
                self._end(args=[other.call_sid, str(other.supervisor_id), ""])
            elif outcome == "busy" and rest:
                self.redis.delete(keys.supervising(supervisor_id))
        raise SupervisionRefused("Someone else has just joined this call.")

    def _gone(self, other: Supervision) -> bool:
        """Tell whether a supervision's phone has ended though its end was never heard."""
        if other.leg is None:
            limit = self.routing.settings.ring_timeout_seconds + 60
            return self.engine.clock() - other.since > limit
        try:
            status = telephony.current().call_status(other.leg)
        except TelephonyError:
            return False
        return status is None or status in FINAL_CALL_STATUSES

    def _apply(self, call_sid: str, supervisor_id: int, mode: Mode, entry: LiveEntry) -> None:
        """Change the supervisor's participant; they may be a moment from joining the room."""
        coach = entry.consultant_leg if mode == Mode.COACH else None
        change: Callable[[], None] = lambda: telephony.current().set_supervisor_mode(  # noqa: E731
            twiml.room(call_sid),
            twiml.supervisor_label(supervisor_id),
            muted=mode == Mode.MONITOR,
            coach=coach,
        )
        for attempt in range(MODE_ATTEMPTS):
            try:
                change()
                return
            except NotOnTheNetwork as exc:
                if attempt == MODE_ATTEMPTS - 1:
                    raise SupervisionRefused(
                        "Your phone is not in the call (yet); try again in a moment."
                    ) from exc
                time.sleep(MODE_RETRY_SECONDS)
            except TelephonyError as exc:
                raise SupervisionRefused(
                    "The phone network did not take the change; try again."
                ) from exc

    def _answer_hand(self, call_sid: str, supervisor_id: int, entry: LiveEntry) -> None:
        """Lower the hand raised on a call a supervisor has come to."""
        if self._drop_hand(call_sid):
            self._send(call_sid, supervisor_id, "hand-answered", entry)

    def _own_call(self, consultant_id: int) -> tuple[str, LiveEntry]:
        live = self.engine.consultant(consultant_id)
        entry = self.engine.entry(live.call_sid) if live.call_sid else None
        if live.state != ConsultantState.ON_CALL or not _talking(entry, consultant_id):
            raise SupervisionRefused("You can raise a hand during a call.")
        assert entry is not None
        if not _in_room(entry):
            raise SupervisionRefused(
                "A supervisor cannot join a callback; raise a hand on a call from the queue."
            )
        return entry.call_sid, entry

    def _drop_hand(self, call_sid: str) -> bool:
        """Lower a call's hand; tell whether it was up (only one of two at once hears yes)."""
        pipe = self.redis.pipeline()
        pipe.delete(keys.hand(call_sid))
        pipe.srem(keys.HANDS, call_sid)
        dropped, _ = pipe.execute()
        return bool(dropped)

    def _lower_stale_hands(self, live: set[str]) -> None:
        """Lower the hands of calls that have ended (the hand goes with its call)."""
        for raw in self.redis.smembers(keys.HANDS):
            call_sid = _text(raw)
            if call_sid not in live:
                self._drop_hand(call_sid)

    def _announce(
        self,
        call_sid: str,
        supervisor_id: int,
        action: str,
        entry: LiveEntry | None,
        **details: object,
    ) -> None:
        if entry is not None and entry.consultant_id is not None:
            details["consultant_id"] = entry.consultant_id
        log.info("call %s: supervisor %s %s", call_sid, supervisor_id, action)
        self._send(call_sid, supervisor_id, action, entry, **details)

    def _send(
        self,
        call_sid: str,
        actor_id: int,
        action: str,
        entry: LiveEntry | None,
        **details: object,
    ) -> None:
        event = SupervisionEvent(
            call_sid,
            actor_id,
            action,
            entry.customer_id if entry is not None else None,
            {name: value for name, value in details.items() if value not in (None, "")},
        )
        supervision_event.send(event)
        self._changed(call_sid, actor_id)

    def _changed(self, call_sid: str, actor_id: int) -> None:
        """Tell the boards that what they show of a call's supervision or hand has changed."""
        self.engine.publish(CHANGED, call_sid=call_sid, consultant_id=actor_id)


def _hand(call_sid: str, values: Mapping[str, str]) -> Hand | None:
    if not values.get("consultant_id"):
        return None
    return Hand(call_sid, int(values["consultant_id"]), float(values.get("raised_at") or 0))


def _talking(entry: LiveEntry | None, consultant_id: int) -> bool:
    return (
        entry is not None
        and entry.state == EntryState.CONNECTED
        and entry.consultant_id == consultant_id
    )


def _in_room(entry: LiveEntry) -> bool:
    """Tell whether a call has a room to join: a queued caller's does, a callback's does not."""
    return not entry.callback and bool(entry.consultant_leg)


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _strings(values: Mapping[Any, Any]) -> dict[str, str]:
    return {_text(name): _text(value) for name, value in values.items()}


def _mode_result(raw: list[Any]) -> tuple[bool, str, str]:
    if not raw or int(raw[0]) == 0:
        return False, "", ""
    return True, _text(raw[1]), _text(raw[2])


def _end_result(raw: list[Any]) -> tuple[bool, str, str, str]:
    if not raw or int(raw[0]) == 0:
        return False, "", "", ""
    return True, _text(raw[1]), _text(raw[2]), _text(raw[3])
