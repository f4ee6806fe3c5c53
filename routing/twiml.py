"""TwiML for waiting in the queue and being connected, built by pure functions."""

from __future__ import annotations

from twilio.twiml.voice_response import Dial, VoiceResponse

from hotline import speech

WAIT_URL = "/routing/wait"
QUEUE_RESULT_URL = "/routing/queue-result"


def enqueue(language: str, queue_name: str, announce: str | None = "queue_joining") -> VoiceResponse:
    """Tell the caller they are being put through, then place them in the queue."""
    response = VoiceResponse()
    if announce:
        speech.say(response, language, speech.prompt(language, announce))
    response.enqueue(
        queue_name,
        action=QUEUE_RESULT_URL,
        method="POST",
        wait_url=WAIT_URL,
        wait_url_method="POST",
    )
    return response


def wait_message(
    language: str, position: int, minutes: int | None, pause_seconds: int
) -> VoiceResponse:
    """Announce the caller's place and expected wait, then hold until the next announcement."""
    response = VoiceResponse()
    speech.say(response, language, speech.prompt(language, "queue_position", position=position))
    if minutes is not None:
        speech.say(response, language, speech.prompt(language, "queue_estimate", minutes=minutes))
    else:
        speech.say(response, language, speech.prompt(language, "queue_hold"))
    response.pause(length=pause_seconds)
    return response


def hold(pause_seconds: int) -> VoiceResponse:
    """Keep the caller waiting quietly (the wait URL's fallback)."""
    response = VoiceResponse()
    response.pause(length=pause_seconds)
    return response


def connect(
    language: str,
    *,
    client_identity: str | None,
    number: str | None,
    action: str,
    timeout: int,
    caller_id: str | None = None,
) -> VoiceResponse:
    """Ring the chosen consultant's desk (or phone) and report back to action."""
    response = VoiceResponse()
    speech.say(response, language, speech.prompt(language, "connecting"))
    dial = Dial(action=action, method="POST", timeout=timeout, caller_id=caller_id)
    if number:
        dial.number(number)
    else:
        dial.client(client_identity)
    response.append(dial)
    return response


def goodbye(language: str) -> VoiceResponse:
    """Thank the caller and end the call."""
    response = VoiceResponse()
    speech.say(response, language, speech.prompt(language, "goodbye"))
    response.hangup()
    return response


def empty() -> VoiceResponse:
    """Return an empty document (Twilio ignores it after a hangup)."""
    return VoiceResponse()
