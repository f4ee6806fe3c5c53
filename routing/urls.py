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
