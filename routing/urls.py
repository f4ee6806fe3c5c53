"""The paths of routing's Twilio webhooks, named once for the views, the TwiML and the router."""

from __future__ import annotations

PREFIX = "/routing"

# A caller waiting in the Twilio queue.
WAIT = PREFIX + "/wait"
WAIT_KEY = PREFIX + "/wait-key"
QUEUE_RESULT = PREFIX + "/queue-result"
VOICEMAIL_DONE = PREFIX + "/voicemail-done"
# The caller taken out of the queue into the call's conference room while the chosen
# consultant is rung; the Dial's action when they leave the room; back to the queue.
CONNECT = PREFIX + "/connect"
# The caller's answer to the recording notice (a key, or none) before they join the queue.
RECORDING_CONSENT = PREFIX + "/recording-consent"
ROOM_LEFT = PREFIX + "/room-left"
REQUEUE = PREFIX + "/requeue"
MUSIC = PREFIX + "/music"
# The network says the consultant picked up: Twilio fetches the consultant call's url once it
# is answered (a desk phone is screened first, so that a voicemail box does not count as a
# person), and reports the call's progress.
JOIN = PREFIX + "/join"
SCREEN_KEY = PREFIX + "/screen-key"
LEG_STATUS = PREFIX + "/leg-status"
# Call control: what the caller's room reports (joins, leaves, holds), the progress of a
# colleague or outside party rung into it, a transferred caller's way back into the queue, and
# a caller put through to an outside number.
ROOM_STATUS = PREFIX + "/room-status"
PARTY_STATUS = PREFIX + "/party-status"
TRANSFERRED = PREFIX + "/transferred"
TRANSFER_OUT = PREFIX + "/transfer-out"
# A callback: the consultant's desk is rung first, then the customer dialled.
CALLBACK_CONNECT = PREFIX + "/callback/connect"
CALLBACK_STATUS = PREFIX + "/callback/status"
CALLBACK_RESULT = PREFIX + "/callback/result"
# A supervisor's phone, rung into a live call's room: what it fetches once answered (a desk
# phone is screened first), the key pressed at the screening, its progress, and where it goes
# when it leaves the room.
SUPERVISE_JOIN = PREFIX + "/supervise/join"
SUPERVISE_SCREEN_KEY = PREFIX + "/supervise/screen-key"
SUPERVISE_STATUS = PREFIX + "/supervise/status"
SUPERVISE_LEFT = PREFIX + "/supervise/left"


def connect(consultant_id: int) -> str:
    """Return where Twilio fetches the TwiML that rings the consultant chosen for a caller."""
    return f"{CONNECT}?consultant={consultant_id}"


def join(call_sid: str, consultant_id: int) -> str:
    """Return what Twilio fetches when the consultant answers: the way into the caller's room."""
    return f"{JOIN}?{_callback(call_sid, consultant_id)}"


def room_left(call_sid: str) -> str:
    """Return where the caller's call goes on when they leave the room."""
    return f"{ROOM_LEFT}?call={call_sid}"


def room_status(call_sid: str) -> str:
    """Return where the caller's room reports its events."""
    return f"{ROOM_STATUS}?call={call_sid}"


def party_status(call_sid: str, label: str) -> str:
    """Return where the call of someone rung into the caller's room reports its progress."""
    return f"{PARTY_STATUS}?call={call_sid}&label={label}"


def transfer_out(call_sid: str) -> str:
    """Return where a caller put through to an outside number continues."""
    return f"{TRANSFER_OUT}?call={call_sid}"


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


def supervise_join(call_sid: str, supervisor_id: int) -> str:
    """Return what a supervisor's phone fetches once answered: the way into the call's room."""
    return f"{SUPERVISE_JOIN}?{_supervision(call_sid, supervisor_id)}"


def supervise_screen_key(call_sid: str, supervisor_id: int) -> str:
    """Return where the key a supervisor pressed on their desk phone's screening goes."""
    return f"{SUPERVISE_SCREEN_KEY}?{_supervision(call_sid, supervisor_id)}"


def supervise_status(call_sid: str, supervisor_id: int) -> str:
    """Return where Twilio reports the progress of a supervisor's phone."""
    return f"{SUPERVISE_STATUS}?{_supervision(call_sid, supervisor_id)}"


def supervise_left(call_sid: str, supervisor_id: int) -> str:
    """Return where a supervisor's call goes on when they leave the room."""
    return f"{SUPERVISE_LEFT}?{_supervision(call_sid, supervisor_id)}"


def _supervision(call_sid: str, supervisor_id: int) -> str:
    return f"call={call_sid}&supervisor={supervisor_id}"


def _callback(call_sid: str, consultant_id: int) -> str:
    return f"call={call_sid}&consultant={consultant_id}"
