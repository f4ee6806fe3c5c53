"""What the callers of the chaos run do: a mixed day, compressed into a few minutes.

Every caller is a stranger (a number of their own), so that each call's ending can be told
apart in the database, the network and Redis. Caller waits are in the caller's time (the
emulator compresses them with EMULATOR_TIME_SCALE); consultants' talk times are real seconds.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

# Silence through the greeting, then # to go on without a PESEL.
START: list[dict[str, object]] = [{"silence": True}, {"press": "#"}]
# How long a patient caller waits for a consultant, in the caller's time, before giving up.
PATIENCE = 4000.0

# Kinds of caller, and the share of calls each makes.
MIX = {
    "self-service": 0.28,  # hears the documents they need, hangs up
    "queue": 0.28,  # asks for a consultant and waits to be answered
    "transfer": 0.06,  # waits too; the consultant who answers transfers them to the queue
    "abandon": 0.10,  # asks for a consultant, then hangs up after a short wait
    "callback": 0.14,  # asks for a consultant, then presses 1 to be called back
    "voicemail": 0.14,  # asks for a consultant, then presses 2 to leave a message
}
# What each kind may end as; anything else is a caller let down.
ACCEPTED = {
    "self-service": {"self-service"},
    "queue": {"answered", "abandoned"},
    "transfer": {"answered", "abandoned"},
    "abandon": {"abandoned", "answered"},
    "callback": {"callback made", "callback scheduled", "answered"},
    "voicemail": {"voicemail stored", "answered"},
}


@dataclass
class PlannedCall:
    """One caller of the run: who, when (seconds after the start) and what they do."""

    number: int
    kind: str
    at: float
    caller: str
    script: list[dict[str, object]]
    sid: str = ""
    placed_at: float = 0.0


def script_for(kind: str, rng: random.Random) -> list[dict[str, object]]:
    """Return what a caller of this kind does, as an emulator script: past the greeting, they
    skip the PESEL (#), then choose at the main menu."""
    if kind == "self-service":
        return [*START, {"press": "1"}, {"wait": rng.uniform(10, 40)}, {"hangup": True}]
    if kind in ("queue", "transfer"):
        return [*START, {"press": "0"}, {"wait": PATIENCE}, {"hangup": True}]
    if kind == "abandon":
        return [*START, {"press": "0"}, {"wait": rng.uniform(5, 30)}, {"hangup": True}]
    if kind == "callback":
        return [*START, {"press": "0"}, {"press": "1"}, {"wait": 400}, {"hangup": True}]
    if kind == "voicemail":
        # The first wait comes before the maximum wait is over: 2 is offered at the second.
        # The caller hangs up once the centre has thanked them (the script ends there).
        message = "Proszę o telefon w sprawie zasiłku."
        return [*START, {"press": "0"}, {"silence": True}, {"press": "2"}, {"record": message}]
    raise ValueError(f"unknown kind of caller {kind!r}")


def plan_calls(
    count: int, seconds: float, lunch: tuple[float, float], seed: int
) -> list[PlannedCall]:
    """Plan count calls spread at random over seconds; while consultants are at lunch (the
    lunch window, in seconds), callers who would wait ask for callbacks and voicemail more."""
    rng = random.Random(seed)
    moments = sorted(rng.uniform(0, seconds) for _ in range(count))
    kinds, weights = list(MIX), list(MIX.values())
    planned = []
    for number, at in enumerate(moments):
        kind = rng.choices(kinds, weights)[0]
        if lunch[0] <= at < lunch[1] and kind == "queue" and rng.random() < 0.5:
            kind = rng.choice(["callback", "voicemail"])
        caller = f"+48799{number:06d}"
        planned.append(PlannedCall(number, kind, at, caller, script_for(kind, rng)))
    return planned
