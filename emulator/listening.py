"""What the caller says: <Gather> keys and speech, and <Record>."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from emulator.caller import SCRIPT_ENDED
from emulator.exceptions import CallEnded
from emulator.prompts import play
from emulator.twiml import Fetch, Verb

if TYPE_CHECKING:
    from emulator.engine import CallRunner

DEFAULT_RECORD_KEYS = "1234567890*#"
SPOKEN_WORDS_PER_SECOND = 2.5
AUTO_SPEECH_TIMEOUT = 1.0
SPEECH_CONFIDENCE = "0.92"


def speech_seconds(text: str) -> float:
    """Estimate how long a caller takes to say something."""
    return max(1.0, len(text.split()) / SPOKEN_WORDS_PER_SECOND)


def gather(runner: CallRunner, verb: Verb, document_url: str) -> Fetch | None:
    """Play the prompts while listening; return the action to request, or None on silence."""
    inputs = set((verb.attr("input") or "dtmf").split())
    num_digits = int(verb.number("numDigits", 0))
    finish_keys = verb.attr("finishOnKey", "#") or ""
    timeout = verb.number("timeout", 5)
    speech_timeout_text = verb.attr("speechTimeout") or "auto"
    speech_timeout = (
        AUTO_SPEECH_TIMEOUT
        if speech_timeout_text == "auto"
        else verb.number("speechTimeout", AUTO_SPEECH_TIMEOUT)
    )
    action = runner.resolve(verb.attr("action"), document_url) or document_url
    method = (verb.attr("method") or "POST").upper()
    language = verb.attr("language") or "en-US"
    runner.call.record(
        "gather",
        f"listening for {' and '.join(sorted(inputs))} (timeout {timeout:g}s)",
        input=" ".join(sorted(inputs)),
        num_digits=num_digits or None,
        timeout=timeout,
        action=action,
        language=language,
    )
    runner.listening(True)
    try:
        for prompt in verb.children:
            if play(runner, prompt, document_url, barge_in=True):
                break
        params = _collect(runner, inputs, num_digits, finish_keys, timeout, speech_timeout)
    finally:
        runner.listening(False)
    if params is None:
        runner.call.record("silence", "no input")
        if verb.flag("actionOnEmptyResult"):
            return Fetch(action, method, {})
        return None
    return Fetch(action, method, params)


def _collect(
    runner: CallRunner,
    inputs: set[str],
    num_digits: int,
    finish_keys: str,
    timeout: float,
    speech_timeout: float,
) -> dict[str, str] | None:
    """Listen like a Gather: return the action's parameters, or None for no input."""
    digits = ""
    deadline = time.monotonic() + runner.config.scaled(timeout)
    while True:
        step = runner.next_input(deadline)
        if step is SCRIPT_ENDED and not digits:
            runner.hang_up_after_script()
        if step is None:
            return _digits_params(digits, "") if digits else None
        if step is SCRIPT_ENDED or step.kind == "silence":
            runner.pause(deadline - time.monotonic())
            return _digits_params(digits, "") if digits else None
        if step.kind == "press":
            if "dtmf" not in inputs:
                runner.call.record("input", f"pressed {step.value} (not heard: no dtmf input)")
                continue
            for key in step.value:
                if key in finish_keys:
                    runner.call.record("input", f"pressed {digits + key}", digits=digits + key)
                    return _digits_params(digits, key) if digits else None
                digits += key
                if num_digits and len(digits) >= num_digits:
                    runner.call.record("input", f"pressed {digits}", digits=digits)
                    return _digits_params(digits, "")
            deadline = time.monotonic() + runner.config.scaled(timeout)
            continue
        if "speech" not in inputs:
            runner.call.record("input", f'said "{step.value}" (not heard: no speech input)')
            continue
        runner.call.record("input", f'said "{step.value}"', speech=step.value)
        runner.pause(runner.config.scaled(speech_seconds(step.value) + speech_timeout))
        return {"SpeechResult": step.value, "Confidence": SPEECH_CONFIDENCE}


def _digits_params(digits: str, finished_on: str) -> dict[str, str]:
    return {"Digits": digits, "FinishedOnKey": finished_on}


def record(runner: CallRunner, verb: Verb, document_url: str) -> Fetch | None:
    """Record what the caller says; return the action to request, or None if nothing came."""
    action = runner.resolve(verb.attr("action"), document_url) or document_url
    method = (verb.attr("method") or "POST").upper()
    timeout = verb.number("timeout", 5)
    finish_keys = verb.attr("finishOnKey", DEFAULT_RECORD_KEYS) or ""
    max_length = verb.number("maxLength", 3600)
    if verb.flag("playBeep", True):
        runner.call.record("play", "beep", url=None)
    runner.call.record(
        "record", f"recording (up to {max_length:g}s)", max_length=max_length, action=action
    )
    words: list[str] = []
    seconds = 0.0
    key = ""
    runner.listening(True)
    try:
        deadline = time.monotonic() + runner.config.scaled(timeout)
        while seconds < max_length:
            step = runner.next_input(deadline)
            if step is None:
                break
            if step is SCRIPT_ENDED and not words:
                runner.hang_up_after_script()
            if step is SCRIPT_ENDED or step.kind == "silence":
                runner.pause(deadline - time.monotonic())
                break
            if step.kind == "press":
                pressed = next((k for k in step.value if k in finish_keys), "")
                runner.call.record("input", f"pressed {step.value}", digits=step.value)
                if pressed:
                    key = pressed
                    break
                continue
            spoken = min(speech_seconds(step.value), max_length - seconds)
            runner.call.record("input", f'says "{step.value}"', speech=step.value)
            runner.pause(runner.config.scaled(spoken))
            words.append(step.value)
            seconds += spoken
            deadline = time.monotonic() + runner.config.scaled(timeout)
    except CallEnded as end:
        if end.by_caller and words:
            runner.ending = True
            params = _save_recording(runner, verb, document_url, words, seconds, "hangup")
            runner.notify(action, method, params)
        raise
    finally:
        runner.listening(False)
    if not words:
        runner.call.record("record", "nothing was recorded")
        return None
    return Fetch(action, method, _save_recording(runner, verb, document_url, words, seconds, key))


def _save_recording(
    runner: CallRunner, verb: Verb, document_url: str, words: list[str], seconds: float, key: str
) -> dict[str, str]:
    duration = max(1, round(seconds))
    recording = runner.network.add_recording(runner.call, duration, " ".join(words))
    url = runner.network.recording_url(recording)
    runner.call.record(
        "record",
        f"recorded {duration}s: {recording.transcript}",
        recording_sid=recording.sid,
        url=url,
        duration=duration,
    )
    callback = runner.resolve(verb.attr("recordingStatusCallback"), document_url)
    callback_method = (verb.attr("recordingStatusCallbackMethod") or "POST").upper()
    # A transcribeCallback asks for a transcription even without transcribe="true".
    transcribe_callback = runner.resolve(verb.attr("transcribeCallback"), document_url)
    transcribe = verb.flag("transcribe", False) or bool(transcribe_callback)

    def finish() -> None:
        runner.network.finish_recording(recording, callback, callback_method)
        if transcribe:
            runner.network.transcribe(recording, transcribe_callback)

    runner.network.later(0.05, finish)
    return {
        "RecordingUrl": url,
        "RecordingSid": recording.sid,
        "RecordingDuration": str(duration),
        "Digits": key,
    }
