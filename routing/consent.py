"""Whether a caller's talk with a consultant is recorded: the queue's policy and the caller's
answer to the notice, kept with the call's room state (``keys.room``).

The decision is taken once, as the caller joins the queue, and holds for the whole call
(transfers and rooms rebuilt after a requeue included); pausing during the call is the
consultant's, and is kept beside it.
"""

from __future__ import annotations

from enum import StrEnum

import redis

from routing import keys

DECISION_FIELD = "recording"
PAUSED_FIELD = "recording_paused"
# Whether the room's recording is running (its in-progress report came, its end did not).
LIVE_FIELD = "recording_live"


class RecordingDecision(StrEnum):
    """Why a call is recorded or not, as its record keeps it (call_records.recording_reason)."""

    # The queue records; the caller heard the notice and did not decline.
    NOTICE_GIVEN = "notice_given"
    # The caller pressed the decline key after the notice.
    DECLINED = "declined"
    # The queue does not record calls.
    QUEUE_NOT_RECORDED = "queue_not_recorded"


def _text(value: object) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def decide(client: redis.Redis, call_sid: str, decision: RecordingDecision) -> RecordingDecision:
    """Keep the call's decision unless one was taken already; return the one that holds."""
    key = keys.room(call_sid)
    pipe = client.pipeline()
    pipe.hsetnx(key, DECISION_FIELD, decision.value)
    pipe.hget(key, DECISION_FIELD)
    pipe.expire(key, keys.ENTRY_TTL_SECONDS)
    _set, kept, _expiry = pipe.execute()
    return RecordingDecision(_text(kept))


def decision_of(client: redis.Redis, call_sid: str) -> RecordingDecision | None:
    """Return the call's decision, or None if the caller never reached it."""
    value = client.hget(keys.room(call_sid), DECISION_FIELD)
    if value is None:
        return None
    try:
        return RecordingDecision(_text(value))
    except ValueError:
        return None


def recorded(client: redis.Redis, call_sid: str) -> bool:
    """Tell whether the call's room is to be recorded."""
    return decision_of(client, call_sid) == RecordingDecision.NOTICE_GIVEN


def set_paused(client: redis.Redis, call_sid: str, paused: bool) -> None:
    """Remember whether the consultant paused the recording."""
    client.hset(keys.room(call_sid), PAUSED_FIELD, "1" if paused else "0")


def paused(client: redis.Redis, call_sid: str) -> bool:
    """Tell whether the consultant paused the recording (and has not resumed it)."""
    return _text(client.hget(keys.room(call_sid), PAUSED_FIELD) or b"0") == "1"


def note_recording(client: redis.Redis, call_sid: str, status: str) -> None:
    """Keep what the network last reported of the room's recording: running or not."""
    running = status in ("in-progress", "paused")
    pipe = client.pipeline()
    pipe.hset(keys.room(call_sid), LIVE_FIELD, "1" if running else "0")
    if not running:
        pipe.hset(keys.room(call_sid), PAUSED_FIELD, "0")
    pipe.expire(keys.room(call_sid), keys.ENTRY_TTL_SECONDS)
    pipe.execute()


def recording_live(client: redis.Redis, call_sid: str) -> bool:
    """Tell whether the room's recording has started and not ended."""
    return _text(client.hget(keys.room(call_sid), LIVE_FIELD) or b"0") == "1"
