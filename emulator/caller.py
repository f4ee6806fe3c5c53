"""The person on the far end of a call leg: a script to follow, or live input."""

from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass

from emulator.exceptions import ScriptError

STEP_KINDS = ("press", "say", "silence", "wait", "record", "hangup")
DIGITS_PATTERN = re.compile(r"^[0-9*#]+$")


@dataclass(frozen=True)
class CallerStep:
    """One thing the caller does: press keys, speak, stay silent, wait or hang up."""

    kind: str
    value: str = ""
    seconds: float = 0.0

    @property
    def speaks(self) -> bool:
        """Tell whether the caller says something aloud in this step."""
        return self.kind in ("say", "record")

    def to_json(self) -> dict[str, object]:
        """Return the step in the form the control API accepts."""
        if self.kind in ("press", "say", "record"):
            return {self.kind: self.value}
        if self.kind == "wait":
            return {"wait": self.seconds}
        return {self.kind: True}


SCRIPT_ENDED = CallerStep("ended")


def parse_step(raw: object) -> CallerStep:
    """Turn one JSON script step such as {"press": "1"} into a CallerStep."""
    if not isinstance(raw, dict) or len(raw) != 1:
        raise ScriptError(f"a script step is an object with exactly one key, got {raw!r}")
    ((kind, value),) = raw.items()
    if kind not in STEP_KINDS:
        raise ScriptError(f"unknown script step {kind!r}; use one of {', '.join(STEP_KINDS)}")
    if kind == "press":
        digits = str(value) if isinstance(value, int | str) and value != "" else ""
        if not DIGITS_PATTERN.match(digits):
            raise ScriptError(f"press takes keypad keys 0-9, * and #, got {value!r}")
        return CallerStep("press", digits)
    if kind in ("say", "record"):
        if not isinstance(value, str) or not value.strip():
            raise ScriptError(f"{kind} takes the words spoken, got {value!r}")
        return CallerStep(kind, value.strip())
    if kind == "wait":
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            raise ScriptError(f"wait takes a number of seconds >= 0, got {value!r}")
        return CallerStep("wait", seconds=float(value))
    if value is not True:
        raise ScriptError(f"{kind} takes true, got {value!r}")
    return CallerStep(kind)


def parse_script(raw: object) -> list[CallerStep]:
    """Turn a JSON list of script steps into CallerSteps, refusing anything unclear."""
    if not isinstance(raw, list):
        raise ScriptError("a script is a list of steps")
    return [parse_step(item) for item in raw]


class Caller:
    """Input source for a call leg, guarded by the network lock.

    A scripted caller consumes its next step at each Gather or Record; "wait" steps make
    the caller busy for a while, and a "hangup" step is scheduled as soon as only waits
    stand before it, so a caller can hang up while on hold where no Gather listens.
    An interactive caller gets its steps pushed by the control API.
    """

    def __init__(self, steps: list[CallerStep] | None = None) -> None:
        self.scripted = steps is not None
        self.pending: deque[CallerStep] = deque(steps or [])
        self.busy_until = 0.0
        self.hangup_at: float | None = None

    @property
    def exhausted(self) -> bool:
        """Tell whether a scripted caller has nothing left to do."""
        return self.scripted and not self.pending

    def push(self, step: CallerStep) -> None:
        """Queue live input from the control API."""
        self.pending.append(step)

    def has_input(self) -> bool:
        """Tell whether an interactive caller has input waiting to be heard."""
        return not self.scripted and bool(self.pending)

    def settle(self, now: float, time_scale: float) -> list[CallerStep]:
        """Start the waits at the head of the script and schedule a hangup that follows them."""
        started: list[CallerStep] = []
        if not self.scripted:
            return started
        while self.pending and self.pending[0].kind == "wait":
            step = self.pending.popleft()
            self.busy_until = max(self.busy_until, now) + step.seconds * time_scale
            started.append(step)
        if self.pending and self.pending[0].kind == "hangup" and self.hangup_at is None:
            self.hangup_at = max(self.busy_until, now)
        return started

    def ready(self, now: float) -> bool:
        """Tell whether a scripted caller is free to act at this moment."""
        return now >= self.busy_until

    def take(self) -> CallerStep | None:
        """Remove and return the next step, or None when there is none."""
        return self.pending.popleft() if self.pending else None
