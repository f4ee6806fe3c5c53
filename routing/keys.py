"""Every Redis key routing writes, named once: a prefix, the keys, and small builders.

The Lua scripts get the same names from here (routing.scripts writes them into the header of
every script as the table ``KEY``), so a key is spelt in one place and a renamed one breaks
loudly: the scripts refuse to load a ``KEY.<name>`` this module does not define. A name that
ends in ``:`` is a family of keys, one per call, consultant, office, language or number.

All keys sit under ``routing:`` on one Redis server; Redis Cluster would need them hash-tagged
into one slot, since every script touches many of them.
"""

from __future__ import annotations

PREFIX = "routing:"

# One hash per queued call and per consultant (see routing.live for their fields).
ENTRY = PREFIX + "entry:"
CONSULTANT = PREFIX + "consultant:"
# How long an entry outlives its last change (a pending callback never expires).
ENTRY_TTL_SECONDS = 24 * 3600

# Waiting calls, in sorted sets scored by queued_at less a boost (lowest is best): every
# waiting call, and the pools a call joins as its tier widens.
WAITING = PREFIX + "waiting"
ADVISOR_QUEUE = PREFIX + "q:advisor:"
ASKED_QUEUE = PREFIX + "q:asked:"
OFFICE_QUEUE = PREFIX + "q:office:"
LANGUAGE_QUEUE = PREFIX + "q:lang:"
ANY_QUEUE = PREFIX + "q:all"
# An abandoned caller's place, kept for a while in case they ring again.
REJOIN = PREFIX + "rejoin:"
# Pending callbacks (a set of call sids).
CALLBACKS = PREFIX + "callbacks"

# Consultants: everyone ever seen, the staffed ones (sets), and the free ones (sorted sets
# scored by when they became free).
CONSULTANTS = PREFIX + "consultants"
STAFFED = PREFIX + "staffed"
STAFFED_IN_OFFICE = PREFIX + "staffed:office:"
STAFFED_IN_LANGUAGE = PREFIX + "staffed:lang:"
AVAILABLE = PREFIX + "avail"
AVAILABLE_IN_OFFICE = PREFIX + "avail:office:"
AVAILABLE_IN_LANGUAGE = PREFIX + "avail:lang:"

# The router's tokens: a pairing may be possible for these consultants or calls.
DIRTY_CONSULTANTS = PREFIX + "dirty:consultants"
DIRTY_CALLS = PREFIX + "dirty:calls"
# Timers: sorted sets scored by when they fall due.
TIER_DUE = PREFIX + "tier_due"
WRAPUP_DUE = PREFIX + "wrapup_due"
CALLBACKS_DUE = PREFIX + "callbacks_due"
OFFERS = PREFIX + "offers"

# Supervision: who listens in on a call and how (a hash per call), the call a supervisor listens
# in on (a string per supervisor), a consultant's raised hand (a hash per call), and the calls
# with a hand up (a set).
SUPERVISION = PREFIX + "supervision:"
SUPERVISING = PREFIX + "supervising:"
HAND = PREFIX + "hand:"
HANDS = PREFIX + "hands"
# How long supervision and a raised hand outlive their last change, if the end is never heard.
SUPERVISION_TTL_SECONDS = 4 * 3600
# A connected call's room (a hash: its conference sid, the caller held or not, a colleague or
# outside party rung in), the consultants' segments of it (a hash of JSON, one per leg) and what
# the room reported about holds (a hash keyed by conference sid and sequence number).
ROOM = PREFIX + "room:"
LEGS = PREFIX + "legs:"
HOLDS = PREFIX + "holds:"
# What a caller did before asking for a consultant (a list of JSON steps, one per call), kept
# as long as an entry so that the desk can show the journey while the call rings and after.
PATH = PREFIX + "path:"

# Smoothed statistics (a hash), the event stream (also PUBLISHed on the same name), and the
# list the router blocks on until there may be work.
STATS = PREFIX + "stats"
# How often a call's wait URL failed under it (a web process died mid-request), for a while.
WAIT_FAILURES = PREFIX + "wait-failures:"
WAIT_FAILURES_TTL_SECONDS = 3600
EVENTS = PREFIX + "events"
EVENTS_MAX_LENGTH = 10_000
WAKE = PREFIX + "wake"


def entry(call_sid: str) -> str:
    """Return the key of a call's entry."""
    return ENTRY + call_sid


def wait_failures(call_sid: str) -> str:
    """Return the key counting a call's failed waits."""
    return WAIT_FAILURES + call_sid


def room(call_sid: str) -> str:
    """Return the key of a call's room state."""
    return ROOM + call_sid


def legs(call_sid: str) -> str:
    """Return the key of a call's consultant segments."""
    return LEGS + call_sid


def holds(call_sid: str) -> str:
    """Return the key of the hold events a call's room reported."""
    return HOLDS + call_sid


def path(call_sid: str) -> str:
    """Return the key of the steps a caller took through the self-service menu."""
    return PATH + call_sid


def consultant(consultant_id: int | str) -> str:
    """Return the key of a consultant's live state."""
    return f"{CONSULTANT}{consultant_id}"


def advisor_queue(advisor_id: int | str) -> str:
    """Return the key of the calls waiting for their own advisor."""
    return f"{ADVISOR_QUEUE}{advisor_id}"


def asked_queue(advisor_id: int | str) -> str:
    """Return the key of the callbacks customers asked of their advisor."""
    return f"{ASKED_QUEUE}{advisor_id}"


def office_queue(office: str) -> str:
    """Return the key of the calls an office's team may take."""
    return OFFICE_QUEUE + office


def language_queue(language: str) -> str:
    """Return the key of the calls anyone speaking a language may take."""
    return LANGUAGE_QUEUE + language


def rejoin(number: str) -> str:
    """Return the key of the place an abandoned caller gets back if they ring again soon."""
    return REJOIN + number


def staffed_in_office(office: str) -> str:
    """Return the key of an office's staffed consultants."""
    return STAFFED_IN_OFFICE + office


def staffed_in_language(language: str) -> str:
    """Return the key of the staffed consultants who speak a language."""
    return STAFFED_IN_LANGUAGE + language


def available_in_office(office: str) -> str:
    """Return the key of an office's free consultants."""
    return AVAILABLE_IN_OFFICE + office


def available_in_language(language: str) -> str:
    """Return the key of the free consultants who speak a language."""
    return AVAILABLE_IN_LANGUAGE + language


def supervision(call_sid: str) -> str:
    """Return the key of the supervision of a call."""
    return SUPERVISION + call_sid


def supervising(supervisor_id: int | str) -> str:
    """Return the key of the call a supervisor listens in on."""
    return f"{SUPERVISING}{supervisor_id}"


def hand(call_sid: str) -> str:
    """Return the key of the hand a consultant raised on a call."""
    return HAND + call_sid


def named() -> dict[str, str]:
    """Return every key and family of keys this module names, by name (the scripts' KEY)."""
    return {
        name: value
        for name, value in globals().items()
        if name.isupper()
        and isinstance(value, str)
        and value.startswith(PREFIX)
        and name != "PREFIX"
    }
