"""Where calls and consultants are: the states routing moves them through."""

from __future__ import annotations

from enum import StrEnum

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


# At work but not free: a caller whose advisor is in one of these may ask for a callback.
ADVISOR_BUSY_STATES = frozenset(
    {
        ConsultantState.RINGING,
        ConsultantState.ON_CALL,
        ConsultantState.WRAP_UP,
        ConsultantState.BREAK,
        ConsultantState.NOT_READY,
    }
)


class EntryState(StrEnum):
    """Where a queued call is."""

    JOINING = "joining"
    WAITING = "waiting"
    OFFERED = "offered"
    CONNECTED = "connected"
    SCHEDULED = "scheduled"
    ENDED = "ended"
