"""What every page of the IVR shares: the caller's input, where they go next, failures."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeAlias

import redis
from twilio.twiml.voice_response import VoiceResponse

from hotline import speech
from hotline.redis_client import redis_conn
from hotline.settings import Settings
from ivr.journey import Journey, JourneyStore
from routing.caller_path import note_step

log = logging.getLogger(__name__)

MAX_FAILURES = 3
SPEECH_FAILURES_BEFORE_LIST = 2


@dataclass(frozen=True)
class CallInput:
    """What the caller gave at a Gather."""

    digits: str = ""
    said: str = ""


@dataclass(frozen=True)
class GoTo:
    """Send the caller to another step, hearing lead first; the step machine reads it."""

    step: str
    lead: str | None = None


# What a page or a handler gives back: TwiML to play, or the step to read next.
Shown: TypeAlias = "VoiceResponse | GoTo"


@dataclass(frozen=True)
class Step:
    """One page of the IVR: prompt reads it, handle acts on a key or phrase given there."""

    prompt: Callable[[Settings, Journey, str | None], Shown]
    handle: Callable[[Settings, Journey, CallInput], Shown]
    navigation: bool = True


def journeys() -> JourneyStore:
    """Return the journey store on the shared Redis connection."""
    return JourneyStore(redis_conn.raw)


def heard(journey: Journey, kind: str, /, **details: str | int | bool) -> None:
    """Note a step of the caller's path that the consultant who takes the call should see.

    The path is a courtesy to the consultant: with Redis down the step is left out (logged),
    and the caller's menu goes on.
    """
    try:
        note_step(redis_conn.raw, journey.call_sid, kind, **details)
    except redis.RedisError as exc:
        log.warning("call %s: step %s of the caller's path not noted: %s", journey.call_sid,
                    kind, exc)  # fmt: skip


def p(journey: Journey, key: str, /, **values: object) -> str:
    """Return a prompt in the caller's language."""
    return speech.prompt(journey.language, key, **values)


def failed(journey: Journey, step: str, why: str) -> GoTo:
    """Count a failure on this menu and re-prompt, then a keypad list or a consultant.

    Failures count per menu: a caller who misses once on each of three menus has not failed
    three times on any of them.
    """
    if journey.failure_step != step:
        journey.failure_step, journey.failures = step, 0
    journey.failures += 1
    if journey.failures >= MAX_FAILURES:
        log.info("call %s: %s failures, offering a consultant", journey.call_sid, journey.failures)
        return GoTo("offer", lead=p(journey, why))
    if step == "region" and journey.failures >= SPEECH_FAILURES_BEFORE_LIST:
        journey.list_page = 0
        return GoTo("region_list", lead=p(journey, why))
    return GoTo(step, lead=p(journey, why))
