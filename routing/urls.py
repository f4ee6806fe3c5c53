"""The paths of routing's Twilio webhooks, named once for the views, the TwiML and the router."""

from __future__ import annotations

PREFIX = "/routing"

# A caller waiting in the Twilio queue.
WAIT = PREFIX + "/wait"
WAIT_KEY = PREFIX + "/wait-key"
QUEUE_RESULT = PREFIX + "/queue-result"
VOICEMAIL_DONE = PREFIX + "/voicemail-done"
# The caller taken out of the queue to ring the chosen consultant.
CONNECT = PREFIX + "/connect"
DIAL_RESULT = PREFIX + "/dial-result"
# The network says the consultant picked up: Twilio fetches the noun's url on the answered leg,
# a desk phone's after a screening prompt, so that a voicemail box does not count as a person.
ANSWERED = PREFIX + "/answered"
SCREEN = PREFIX + "/screen"
SCREEN_KEY = PREFIX + "/screen-key"
LEG_STATUS = PREFIX + "/leg-status"
# A callback: the consultant's desk is rung first, then the customer dialled.
CALLBACK_CONNECT = PREFIX + "/callback/connect"
CALLBACK_STATUS = PREFIX + "/callback/status"
CALLBACK_RESULT = PREFIX + "/callback/result"


def connect(consultant_id: int) -> str:
    """Return where Twilio fetches the TwiML that rings the consultant chosen for a caller."""
    return f"{CONNECT}?consultant={consultant_id}"


def dial_result(consultant_id: int) -> str:
    """Return where Twilio reports how ringing the consultant ended."""
    return f"{DIAL_RESULT}?consultant={consultant_id}"


def answered(call_sid: str, consultant_id: int) -> str:
    """Return what Twilio fetches when the consultant's softphone answers a caller."""
    return f"{ANSWERED}?{_callback(call_sid, consultant_id)}"


def screen(call_sid: str, consultant_id: int) -> str:
    """Return what Twilio fetches when the consultant's desk phone answers: the screening."""
    return f"{SCREEN}?{_callback(call_sid, consultant_id)}"


def screen_key(call_sid: str, consultant_id: int) -> str:
    """Return where the key the consultant pressed on the screening prompt goes."""
    return f"{SCREEN_KEY}?{_callback(call_sid, consultant_id)}"


def leg_status(call_sid: str, consultant_id: int) -> str:
    """Return where Twilio reports the progress of the consultant's leg of a call."""
    return f"{LEG_STATUS}?{_callback(call_sid, consultant_id)}"


def callback_connect(call_sid: str, consultant_id: int) -> str:
    """Return where Twilio fetches the TwiML once the consultant answers a callback."""
    return f"{CALLBACK_CONNECT}?{_callback(call_sid, consultant_id)}"


def callback_status(call_sid: str, consultant_id: int) -> str:
    """Return where Twilio reports how the consultant's leg of a callback ended."""
    return f"{CALLBACK_STATUS}?{_callback(call_sid, consultant_id)}"


def callback_result(call_sid: str, consultant_id: int, attempt: int) -> str:
    """Return where Twilio reports how dialling the customer of a callback ended."""
    return f"{CALLBACK_RESULT}?{_callback(call_sid, consultant_id)}&attempt={attempt}"


def _callback(call_sid: str, consultant_id: int) -> str:
    return f"call={call_sid}&consultant={consultant_id}"
