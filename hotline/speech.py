"""The prompt catalogue: what the centre says, in each language, and with which voice."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

from twilio.twiml.voice_response import Gather, VoiceResponse

CATALOGUE_DIR = Path(__file__).parent / "catalogue"
LANGUAGES = ("pl", "en", "uk", "ro")
# The centre's own language: a caller's until we know theirs, the offers', every fallback's.
DEFAULT_LANGUAGE = "pl"


@dataclass(frozen=True)
class Voice:
    """How Twilio speaks and listens in one language."""

    say_language: str
    voice: str
    speech_language: str


@cache
def _document(language: str) -> dict[str, Any]:
    with open(CATALOGUE_DIR / f"{language}.json", encoding="utf-8") as handle:
        return dict(json.load(handle))


@cache
def catalogue(language: str) -> dict[str, str]:
    """Return the prompts of one language, read once per process from its JSON file."""
    return {key: value for key, value in _document(language).items() if not key.startswith("_")}


def keywords(language: str) -> dict[str, list[str]]:
    """Return the phrases a caller may say for each main-menu key, in one language."""
    return dict(_document(language).get("_keywords", {}))


def topic_keywords(language: str) -> dict[str, list[str]]:
    """Return the phrases a caller may say at the main menu for an answer without a key."""
    return dict(_document(language).get("_topics", {}))


@cache
def menu_hints(language: str) -> str:
    """Return the main menu's phrases as one hint list for the speech recogniser."""
    every = [*keywords(language).values(), *topic_keywords(language).values()]
    return ", ".join(phrase for phrases in every for phrase in phrases)


@cache
def consultant_hints() -> str:
    """Return the phrases for a consultant in every language, as one hint list: a caller may
    ask for a person in their own language before the IVR knows it."""
    return ", ".join(phrase for language in LANGUAGES for phrase in keywords(language).get("0", ()))


@cache
def voice(language: str) -> Voice:
    """Return the voice for a language; HOTLINE_VOICE_<LANG> overrides the catalogue's."""
    meta = _document(language)["_language"]
    upper = language.upper()
    return Voice(
        say_language=os.environ.get(f"HOTLINE_SAY_LANGUAGE_{upper}", meta["say_language"]),
        voice=os.environ.get(f"HOTLINE_VOICE_{upper}", meta["voice"]),
        speech_language=os.environ.get(f"HOTLINE_SPEECH_LANGUAGE_{upper}", meta["speech_language"]),
    )


def normalise_language(language: str | None) -> str:
    """Return a supported language code, falling back to Polish."""
    return language if language in LANGUAGES else DEFAULT_LANGUAGE


def prompt(language: str, key: str, /, **values: object) -> str:
    """Return one prompt, filled in; Polish stands in for a prompt a language lacks."""
    text = catalogue(language).get(key) or catalogue(DEFAULT_LANGUAGE)[key]
    return text.format(**values) if values else text


def when_open(language: str, opening: datetime, now: datetime) -> str:
    """Say when something next opens, as a caller would: "jutro od 8:00", "on Monday from 8:00".

    opening is a local time (its zone is the centre's); a day more than six days away is
    named with its date too, so a long holiday is not mistaken for next week.
    """
    days = (opening.date() - now.astimezone(opening.tzinfo).date()).days
    clock = f"{opening.hour}:{opening.minute:02d}"
    if days <= 0:
        return prompt(language, "opening_today", time=clock)
    if days == 1:
        return prompt(language, "opening_tomorrow", time=clock)
    day = prompt(language, f"on_weekday_{opening.weekday()}")
    if days < 7:
        return prompt(language, "opening_weekday", day=day, time=clock)
    date = prompt(language, f"month_{opening.month}", day=opening.day)
    return prompt(language, "opening_date", day=day, date=date, time=clock)


def say(target: VoiceResponse | Gather, language: str, text: str) -> None:
    """Append a Say in the given language's voice."""
    spoken = voice(language)
    target.say(text, language=spoken.say_language, voice=spoken.voice)
