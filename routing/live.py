"""Where calls and consultants are: their states, and their Redis hashes read as types.

The engine parses a hash once, where it leaves Redis (``LiveEntry.from_hash`` and
``LiveConsultant.from_hash``), so nothing else reads routing state by string key. A hash keeps
an absent value as an empty string; each field reads it as its default (None, 0, False, "").
"""

from __future__ import annotations

import types
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from enum import IntEnum, StrEnum
from typing import Any, Self, TypeVar, cast, get_type_hints

# A consultant who used the desk this recently counts as signed in, in whatever state they are
# (a desk page's event stream notes it every minute; any page of the desk counts).
SIGNED_IN_SECONDS = 600.0

# Until calls are measured: the handling time the wait estimate assumes, and a wrap-up of half
# the timed maximum (the scripts use the same, from here).
DEFAULT_HANDLE_SECONDS = 240.0
DEFAULT_WRAP_SECONDS = 30.0


class ConsultantState(StrEnum):
    """Where a consultant is in their working day."""

    OFFLINE = "offline"
    AVAILABLE = "available"
    RINGING = "ringing"
    ON_CALL = "on-call"
    WRAP_UP = "wrap-up"
    BREAK = "break"
    NOT_READY = "not-ready"


# Logged in and not on a break: the scripts' STAFFED.
STAFFED_STATES = frozenset(
    {
        ConsultantState.AVAILABLE,
        ConsultantState.RINGING,
        ConsultantState.ON_CALL,
        ConsultantState.WRAP_UP,
    }
)


# At work but not free: a caller whose advisor is in one of these may ask for a callback,
# unless the advisor is ringing with, or talking to, that caller's own call.
ADVISOR_BUSY_STATES = frozenset(
    {
        ConsultantState.RINGING,
        ConsultantState.ON_CALL,
        ConsultantState.WRAP_UP,
        ConsultantState.BREAK,
        ConsultantState.NOT_READY,
    }
)


# Holding one call: the consultant's call_sid names it.
WITH_THE_CALLER_STATES = frozenset({ConsultantState.RINGING, ConsultantState.ON_CALL})


class EntryState(StrEnum):
    """Where a queued call is."""

    JOINING = "joining"
    WAITING = "waiting"
    OFFERED = "offered"
    CONNECTED = "connected"
    SCHEDULED = "scheduled"
    ENDED = "ended"


@dataclass(frozen=True)
class LiveEntry:
    """A queued call as its hash (``keys.entry(call_sid)``) holds it.

    The names are the hash's field names, written by the engine and its Lua scripts.
    """

    call_sid: str
    state: EntryState | None = None
    # Who is calling and why, as they joined.
    caller_number: str | None = None
    customer_id: int | None = None
    identified_by: str = ""
    advisor_id: int | None = None
    office: str | None = None
    language: str | None = None
    topic: str | None = None
    priority: int = 0
    queue: str = ""
    queued_at: float | None = None
    joined_at: float | None = None
    rejoined: bool = False
    score: float | None = None
    # The queue's tiers when the call joined (seconds), and the tier it is in.
    t1: float | None = None
    t2: float | None = None
    t3: float | None = None
    own_first: bool = False
    predict: bool = False
    tier: int | None = None
    tier_until: float | None = None
    # Waiting in the Twilio queue.
    routable: bool = False
    requeue: bool = False
    queue_sid: str | None = None
    seen_at: float | None = None
    estimate: float | None = None
    estimate_at: float | None = None
    # The offer to a consultant, and its delivery to Twilio.
    consultant_id: int | None = None
    offered_at: float | None = None
    offered_tier: int | None = None
    lease: float | None = None
    delivered_at: float | None = None
    # The call that rings (then carries) the consultant, for a caller who waited.
    consultant_leg: str | None = None
    answered_at: float | None = None
    # How it ended.
    outcome: str | None = None
    ended_at: float | None = None
    ended_from: EntryState | None = None
    voicemail: bool = False
    # A callback: pinned when the caller asked their own advisor for it.
    callback: bool = False
    callback_number: str | None = None
    callback_requested_at: float | None = None
    callback_attempts: int | None = None
    callback_leg: str | None = None
    # The consultant's leg whose end was heard before the attempt's result.
    callback_leg_ended: str | None = None
    callback_status: str | None = None
    pinned: bool = False
    # Transfers: how many, who made the last, and the customer's own advisor (advisor_id
    # then names the colleague the call was transferred to).
    transfers: int = 0
    transferred_by: int | None = None
    customer_advisor_id: int | None = None

    @classmethod
    def from_hash(cls, call_sid: str, values: Mapping[str, str]) -> Self:
        """Read a call's entry from its hash."""
        return _from_hash(cls, values, call_sid=call_sid)


@dataclass(frozen=True)
class LiveConsultant:
    """A consultant as their hash (``keys.consultant(id)``) holds them (offline if unseen)."""

    consultant_id: int
    state: ConsultantState = ConsultantState.OFFLINE
    since: float | None = None
    reason: str = ""
    call_sid: str | None = None
    # On the phone after an attempt of callback call_sid that missed its customer: their leg,
    # until it ends.
    callback_leg: str | None = None
    name: str | None = None
    office: str | None = None
    languages: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    address: str | None = None
    # When they last used the desk while signed in (none once they sign out).
    desk_seen_at: float | None = None

    @classmethod
    def from_hash(cls, consultant_id: int, values: Mapping[str, str]) -> Self:
        """Read a consultant's live state from their hash."""
        return _from_hash(cls, values, consultant_id=consultant_id)


Hashed = TypeVar("Hashed")


def _from_hash(cls: type[Hashed], values: Mapping[str, str], **given: object) -> Hashed:
    """Build cls from a hash: each field the hash holds, parsed by the field's type."""
    parsed = dict(given)
    for name, read in _READERS[cls].items():
        raw = values.get(name, "")
        if raw != "" and name not in given:
            parsed[name] = read(raw)
    return cls(**parsed)


def _readers(cls: type) -> dict[str, Callable[[str], object]]:
    """Return how to read each field of cls from a hash."""
    hints = get_type_hints(cls)
    return {item.name: _reader(hints[item.name]) for item in fields(cls) if item.init}


def _reader(hint: Any) -> Callable[[str], object]:
    """Return how to read a non-empty hash value as a field of this type."""
    if isinstance(hint, types.UnionType):  # X | None: an empty value is None
        (hint,) = (arg for arg in hint.__args__ if arg is not type(None))
    if hint is bool:
        return lambda raw: raw == "1"
    if hint == tuple[str, ...]:
        return lambda raw: tuple(item for item in raw.split(",") if item)
    if hint in (str, int, float) or issubclass(hint, StrEnum):
        return cast(Callable[[str], object], hint)
    raise TypeError(f"no reader for a hash field of type {hint}")


_READERS: dict[type, dict[str, Callable[[str], object]]] = {
    cls: _readers(cls) for cls in (LiveEntry, LiveConsultant)
}


class Answer(IntEnum):
    """What a consultant's answer changed, as the CONNECTED script reports it."""

    NOT_THEIRS = 0  # the offer was taken back, or went to someone else
    REPEATED = 1  # the call was connected already: Twilio said so twice
    NOW = 2  # the call is connected by this answer
