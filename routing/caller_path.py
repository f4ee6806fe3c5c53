"""The caller's path through self-service before a consultant: what the menu heard and did.

The IVR notes each step that matters to the consultant who takes the call (how the caller was
identified, the answers and offers read to them, the pre-check's result, the texts sent) on a
Redis list per call, ``keys.path(call_sid)``. Routing owns the list because it outlives the
menu: the desk reads it while the call rings and during the wrap-up, without knowing the IVR.

A step is a kind and a few plain values (codes, never sentences): the desk puts them into the
consultant's words. A webhook Twilio retries notes the same step twice; the second is dropped.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field

import redis

from routing import keys

# Kept as long as a queue entry, so that a late wrap-up still finds the journey.
PATH_TTL_SECONDS = keys.ENTRY_TTL_SECONDS
# No caller takes more steps than this in one call; a loop stops being noted.
MAX_STEPS = 200


@dataclass(frozen=True)
class PathStep:
    """One thing the caller did or heard: a kind, its values, and when (epoch seconds)."""

    kind: str
    at: float
    details: dict[str, str | int | bool] = field(default_factory=dict)

    def same_as(self, other: PathStep) -> bool:
        """Tell whether two steps say the same (a retried webhook noting it again)."""
        return self.kind == other.kind and self.details == other.details


def note_step(
    client: redis.Redis,
    call_sid: str,
    kind: str,
    **details: str | int | bool,
) -> None:
    """Add a step to the call's path, unless it repeats the step just noted."""
    if not call_sid:
        return
    step = PathStep(kind, time.time(), dict(details))
    key = keys.path(call_sid)
    raw_last = client.lindex(key, -1)
    last = _parse(raw_last) if raw_last is not None else None
    if last is not None and step.same_as(last):
        return
    document = json.dumps({"kind": step.kind, "at": step.at, "details": step.details})
    pipe = client.pipeline()
    pipe.rpush(key, document)
    pipe.ltrim(key, -MAX_STEPS, -1)
    pipe.expire(key, PATH_TTL_SECONDS)
    pipe.execute()


def path_of(client: redis.Redis, call_sid: str) -> list[PathStep]:
    """Return the steps a caller took, in order (none for a call that skipped the menu)."""
    if not call_sid:
        return []
    steps = (_parse(raw) for raw in client.lrange(keys.path(call_sid), 0, -1))
    return [step for step in steps if step is not None]


def _parse(raw: bytes | str) -> PathStep | None:
    """Read one stored step; a damaged one is skipped rather than breaking the desk."""
    try:
        value = json.loads(raw)
        details = value.get("details") or {}
        return PathStep(str(value["kind"]), float(value["at"]), dict(details))
    except (ValueError, KeyError, TypeError, AttributeError):
        return None
