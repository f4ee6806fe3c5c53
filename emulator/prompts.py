"""What the caller hears: <Say>, <Play> and <Pause>."""

from __future__ import annotations

from typing import TYPE_CHECKING

from emulator.twiml import Verb

if TYPE_CHECKING:
    from emulator.engine import CallRunner

UNKNOWN_AUDIO_SECONDS = 10.0
SAY_CHARACTERS_PER_SECOND = 15.0
MAX_LOOPS = 1000


def say_seconds(text: str) -> float:
    """Estimate how long a text-to-speech prompt lasts."""
    return max(0.5, len(text) / SAY_CHARACTERS_PER_SECOND)


def play(runner: CallRunner, verb: Verb, document_url: str, barge_in: bool = False) -> bool:
    """Play a Say, Play or Pause; return True if the caller's input cut it short."""
    if verb.name == "Pause":
        length = verb.number("length", 1)
        runner.call.record("pause", f"silence for {length:g}s", seconds=length)
        return runner.pause(runner.config.scaled(length), on_input=barge_in)
    if verb.name == "Say":
        language = verb.attr("language") or "en-US"
        voice = verb.attr("voice") or "man"
        for _ in range(_loops(verb)):
            runner.call.record("say", verb.text, language=language, voice=voice)
            seconds = runner.config.scaled(say_seconds(verb.text))
            if runner.pause(seconds, on_input=barge_in):
                return True
        return False
    url = runner.resolve(verb.text, document_url)
    digits = verb.attr("digits")
    if digits:
        runner.call.record("play", f"plays DTMF tones {digits}", digits=digits)
        return runner.pause(runner.config.scaled(0.5 * len(digits)), on_input=barge_in)
    for _ in range(_loops(verb)):
        runner.call.record("play", f"♪ {url}", url=url)
        if runner.pause(runner.config.scaled(_audio_seconds(runner, url)), on_input=barge_in):
            return True
    return False


def _loops(verb: Verb) -> int:
    loops = int(verb.number("loop", 1))
    return MAX_LOOPS if loops <= 0 else min(loops, MAX_LOOPS)


def _audio_seconds(runner: CallRunner, url: str | None) -> float:
    if url:
        sid = url.rstrip("/").rsplit("/", 1)[-1].split(".", 1)[0]
        recording = runner.network.recording(sid) if sid.startswith("RE") else None
        if recording is not None:
            return float(recording.duration)
    return UNKNOWN_AUDIO_SECONDS
