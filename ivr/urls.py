"""The paths of the IVR's Twilio webhooks, named once for the views and the TwiML."""

from __future__ import annotations

PREFIX = "/ivr"

# Set on the number in the Twilio console: the first request of a call, and its end.
INCOMING = PREFIX + "/incoming"
STATUS = PREFIX + "/status"
# The number's fallback URL: Twilio asks it when a request to the centre failed mid-call.
FALLBACK = PREFIX + "/fallback"
LANGUAGE = PREFIX + "/language"
START = PREFIX + "/start"
VOICEMAIL_DONE = PREFIX + "/voicemail/done"
# Answers a load balancer or `hotline up` that the web process is serving.
HEALTH = PREFIX + "/health"


def step(name: str, language: str | None = None) -> str:
    """Return the page of one step of the menus, in a language when it is known already."""
    return f"{PREFIX}/{name}" + (f"?language={language}" if language else "")


def step_input(name: str) -> str:
    """Return where a step's Gather sends what the caller pressed or said."""
    return f"{PREFIX}/{name}/input"


def step_silence(name: str) -> str:
    """Return where a step goes when the caller said nothing."""
    return f"{PREFIX}/{name}/silence"
