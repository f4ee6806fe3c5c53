"""The emulator's own JSON API: place calls, play the caller, answer endpoints, inspect state."""

from __future__ import annotations

import hmac
import time
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request

from emulator.caller import DIGITS_PATTERN, CallerStep, parse_script
from emulator.exceptions import ControlError, EndpointStateError, ScriptError
from emulator.models import ADDRESS_PATTERN, Call, Conference, Endpoint, Participant
from emulator.network import PhoneNetwork

bp = Blueprint("emulator_control", __name__, url_prefix="/emulator")

ENDPOINT_SETTINGS = frozenset(
    {"auto_answer", "hangup_after", "script", "screen_digits", "voicemail_after"}
)


@bp.before_request
def require_token() -> tuple[Response, int] | None:
    """Refuse a control request without the emulator's token (health and preflight aside)."""
    if request.method == "OPTIONS" or request.endpoint == "emulator_control.health":
        return None
    expected = f"Bearer {_network().config.control_token}"
    given = request.headers.get("Authorization", "")
    if not hmac.compare_digest(given.encode(), expected.encode()):
        return jsonify({"error": "send the emulator's control token (Authorization: Bearer)"}), 401
    return None


@bp.errorhandler(ControlError)
def control_error(error: ControlError) -> tuple[Response, int]:
    """Answer a refused control request as JSON."""
    return jsonify({"error": error.message}), error.status


def _network() -> PhoneNetwork:
    network: PhoneNetwork = current_app.extensions["emulator_network"]
    return network


def _body() -> dict[str, Any]:
    body = request.get_json(silent=True)
    if body is None:
        return {}
    if not isinstance(body, dict):
        raise ControlError(400, "send a JSON object")
    return body


def _call(sid: str) -> Call:
    call = _network().call(sid)
    if call is None:
        raise ControlError(404, f"no call {sid}")
    return call


def _call_json(call: Call) -> dict[str, Any]:
    return call.summary() | {"events": [event.to_json() for event in call.events_after(0)]}


@bp.get("/health")
def health() -> Response:
    """Tell a probe the emulator is up."""
    return jsonify({"ok": True})


@bp.get("/config")
def config() -> Response:
    """Show the settings a client page needs (nothing secret)."""
    settings = _network().config
    return jsonify(
        {
            "hotline_number": settings.hotline_number,
            "voice_url": settings.voice_url,
            "time_scale": settings.time_scale,
        }
    )


@bp.post("/reset")
def reset() -> Response:
    """End every call and forget all state."""
    _network().reset()
    return jsonify({"ok": True})


@bp.post("/calls")
def place_call() -> tuple[Response, int]:
    """Call the hotline as a person would, scripted or interactive."""
    body = _body()
    from_ = body.get("from")
    if not isinstance(from_, str) or not ADDRESS_PATTERN.match(from_):
        raise ControlError(400, "'from' must be a phone number such as +48601234567")
    to = body.get("to")
    if to is not None and (not isinstance(to, str) or not ADDRESS_PATTERN.match(to)):
        raise ControlError(400, "'to' must be a phone number")
    max_duration = body.get("max_duration")
    if max_duration is not None and (
        isinstance(max_duration, bool) or not isinstance(max_duration, int | float)
    ):
        raise ControlError(400, "'max_duration' must be a number of seconds")
    heartbeat = body.get("heartbeat")
    if heartbeat is not None and (
        isinstance(heartbeat, bool) or not isinstance(heartbeat, int | float) or heartbeat <= 0
    ):
        raise ControlError(400, "'heartbeat' must be a number of seconds above 0")
    script = None
    if body.get("script") is not None:
        try:
            script = parse_script(body["script"])
        except ScriptError as exc:
            raise ControlError(400, str(exc)) from exc
    call = _network().place_call(from_, to, script, max_duration, heartbeat)
    return jsonify({"sid": call.sid}), 201


@bp.get("/calls")
def list_calls() -> Response:
    """List every call, newest first."""
    return jsonify([call.summary() for call in _network().all_calls()])


@bp.get("/calls/<sid>")
def show_call(sid: str) -> Response:
    """Show a call with its whole transcript."""
    return jsonify(_call_json(_call(sid)))


@bp.get("/calls/<sid>/events")
def call_events(sid: str) -> Response:
    """Return the events after a sequence number, for polling; the poll keeps the call alive."""
    call = _call(sid)
    call.last_heard_from = time.monotonic()
    after = request.args.get("after", "0")
    if not after.isdigit():
        raise ControlError(400, "'after' must be an event sequence number")
    ended = call.wrapped_up
    events = [event.to_json() for event in call.events_after(int(after))]
    return jsonify({"sid": call.sid, "status": call.status, "ended": ended, "events": events})


@bp.post("/calls/<sid>/input")
def call_input(sid: str) -> Response:
    """Press keys or say something on an interactive call."""
    call = _call(sid)
    call.last_heard_from = time.monotonic()
    body = _body()
    if call.is_final:
        raise ControlError(409, f"call {sid} has ended")
    if call.caller.scripted:
        raise ControlError(409, f"call {sid} follows a script and takes no live input")
    if "digits" in body:
        digits = str(body["digits"])
        if not DIGITS_PATTERN.match(digits):
            raise ControlError(400, "'digits' takes keypad keys 0-9, * and #")
        step = CallerStep("press", digits)
        shown = f"pressed {digits}"
    elif isinstance(body.get("speech"), str) and body["speech"].strip():
        step = CallerStep("say", body["speech"].strip())
        shown = f'said "{step.value}"'
    else:
        raise ControlError(400, "send {'digits': '1'} or {'speech': 'words'}")
    heard = _network().push_input(call, step)
    if not heard:
        call.record("input", f"{shown} (nobody was listening)")
    return jsonify({"heard": heard})


@bp.post("/calls/<sid>/hangup")
def call_hangup(sid: str) -> Response:
    """Hang up as the caller."""
    call = _call(sid)
    if not _network().end_call(call, "caller hung up", by_caller=True):
        raise ControlError(409, f"call {sid} has already ended")
    return jsonify({"sid": call.sid, "status": call.status})


def _address(address: str) -> str:
    if not ADDRESS_PATTERN.match(address):
        raise ControlError(400, f"{address!r} is not client:<identity> or a phone number")
    return address


def _endpoint_json(network: PhoneNetwork, endpoint: Endpoint) -> dict[str, Any]:
    """Show an endpoint, and what its person hears and says in a conference, if in one."""
    return endpoint.to_json() | {"conference": _phone_in_conference(network, endpoint)}


def _phone_in_conference(network: PhoneNetwork, endpoint: Endpoint) -> dict[str, Any] | None:
    """Describe the conference the endpoint's call is in from the phone's side: whether the
    room has it muted or on hold, who coaches it, whom it hears and who hears it (there is no
    audio, so this stands in for what a trainee would hear)."""
    with network.lock:
        call = network.calls.get(endpoint.call_sid or "")
        conference = network.conferences.get(call.conference_sid or "") if call else None
        me = conference.participants.get(call.sid) if conference and call else None
        if conference is None or me is None or not me.connected:
            return None
        others = [p for p in conference.connected() if p is not me]

        def name(participant: Participant) -> str:
            if participant.label:
                return participant.label
            other = network.calls.get(participant.call_sid)
            return other.from_ if other else participant.call_sid

        return {
            "sid": conference.sid,
            "friendly_name": conference.friendly_name,
            "status": conference.status,
            "label": me.label,
            "muted": me.muted,
            "hold": me.hold,
            "mic_muted": me.mic_muted,
            "phone_hold": me.phone_hold,
            "coached_by": [
                name(p) for p in others if p.coaching and p.call_sid_to_coach == me.call_sid
            ],
            "hears": [name(p) for p in others if conference.can_hear(me, p)],
            "heard_by": [name(p) for p in others if conference.can_hear(p, me)],
        }


@bp.get("/endpoints")
def list_endpoints() -> Response:
    """List every endpoint the network has seen."""
    network = _network()
    with network.lock:
        endpoints = list(network.endpoints.values())
    return jsonify([_endpoint_json(network, endpoint) for endpoint in endpoints])


@bp.get("/endpoints/<address>")
def show_endpoint(address: str) -> Response:
    """Show an endpoint's state (an unknown one is idle), and its conference if it is in one."""
    network = _network()
    return jsonify(_endpoint_json(network, network.endpoint(_address(address))))


@bp.post("/endpoints/<address>")
def configure_endpoint(address: str) -> Response:
    """Set auto-answer, a hang-up delay, the script, screening keys or a voicemail box."""
    body = _body()
    unknown = set(body) - ENDPOINT_SETTINGS
    if unknown:
        raise ControlError(400, f"unknown settings {sorted(unknown)}")
    if "auto_answer" in body and not isinstance(body["auto_answer"], bool):
        raise ControlError(400, "'auto_answer' must be true or false")
    for name in ("hangup_after", "voicemail_after"):
        seconds = body.get(name)
        if seconds is not None and (
            isinstance(seconds, bool) or not isinstance(seconds, int | float) or seconds < 0
        ):
            raise ControlError(400, f"'{name}' must be seconds or null")
    digits = body.get("screen_digits")
    if digits is not None and not (isinstance(digits, str) and DIGITS_PATTERN.match(digits)):
        raise ControlError(400, "'screen_digits' takes keypad keys 0-9, * and #, or null")
    try:
        endpoint = _network().configure_endpoint(_address(address), body)
    except ScriptError as exc:
        raise ControlError(400, str(exc)) from exc
    return jsonify(endpoint.to_json())


def _endpoint_action(address: str, action: str) -> Response:
    network = _network()
    operations = {
        "answer": network.answer,
        "reject": network.reject,
        "hangup": network.hang_up_endpoint,
    }
    try:
        endpoint = operations[action](_address(address))
    except LookupError as exc:
        raise ControlError(404, str(exc)) from exc
    except EndpointStateError as exc:
        raise ControlError(409, str(exc)) from exc
    return jsonify(endpoint.to_json())


@bp.post("/endpoints/<address>/answer")
def answer_endpoint(address: str) -> Response:
    """Pick up the call ringing at an endpoint."""
    return _endpoint_action(address, "answer")


@bp.post("/endpoints/<address>/reject")
def reject_endpoint(address: str) -> Response:
    """Decline the call ringing at an endpoint."""
    return _endpoint_action(address, "reject")


@bp.post("/endpoints/<address>/hangup")
def hang_up_endpoint(address: str) -> Response:
    """Put the phone down at an endpoint."""
    return _endpoint_action(address, "hangup")


@bp.post("/endpoints/<address>/press")
def press_at_endpoint(address: str) -> Response:
    """Press keys on the phone at an endpoint, as a consultant answering a screening prompt."""
    digits = str(_body().get("digits", ""))
    if not DIGITS_PATTERN.match(digits):
        raise ControlError(400, "'digits' takes keypad keys 0-9, * and #")
    try:
        heard = _network().press_at_endpoint(_address(address), digits)
    except LookupError as exc:
        raise ControlError(404, str(exc)) from exc
    except EndpointStateError as exc:
        raise ControlError(409, str(exc)) from exc
    return jsonify({"heard": heard})


def _phone_action(address: str, action: str) -> Response:
    on = _body().get("on")
    if on is not None and not isinstance(on, bool):
        raise ControlError(400, "'on' must be true, false, or left out to toggle")
    try:
        participant = _network().phone_action(_address(address), action, on)
    except LookupError as exc:
        raise ControlError(404, str(exc)) from exc
    except EndpointStateError as exc:
        raise ControlError(409, str(exc)) from exc
    return jsonify({"mic_muted": participant.mic_muted, "phone_hold": participant.phone_hold})


@bp.post("/endpoints/<address>/mute")
def mute_endpoint(address: str) -> Response:
    """Mute (or unmute) the microphone of the phone at an endpoint that is in a conference."""
    return _phone_action(address, "mute")


@bp.post("/endpoints/<address>/hold")
def hold_endpoint(address: str) -> Response:
    """Press the hold key of the phone at an endpoint that is in a conference."""
    return _phone_action(address, "hold")


def _participant_json(
    network: PhoneNetwork, conference: Conference, participant: Participant
) -> dict[str, Any]:
    call = network.calls.get(participant.call_sid)
    others = [p for p in conference.participants.values() if p is not participant]
    if participant.left is not None:
        state = "left"
    elif participant.joined is not None:
        state = "in conference"
    else:
        state = call.status if call else "unknown"
    return {
        "call_sid": participant.call_sid,
        "from": call.from_ if call else None,
        "to": call.to if call else None,
        "label": participant.label,
        "state": state,
        "muted": participant.muted,
        "hold": participant.hold,
        "coaching": participant.coaching,
        "call_sid_to_coach": participant.call_sid_to_coach,
        "start_conference_on_enter": participant.start_conference_on_enter,
        "end_conference_on_exit": participant.end_conference_on_exit,
        "mic_muted": participant.mic_muted,
        "phone_hold": participant.phone_hold,
        "held_seconds": round(participant.held_seconds, 3),
        "hears": [p.call_sid for p in others if conference.can_hear(participant, p)],
        "heard_by": [p.call_sid for p in others if conference.can_hear(p, participant)],
    }


def _conference_json(network: PhoneNetwork, conference: Conference) -> dict[str, Any]:
    with network.lock:
        everyone = list(conference.participants.values()) + conference.departed
        return {
            "sid": conference.sid,
            "friendly_name": conference.friendly_name,
            "status": conference.status,
            "reason_ended": conference.reason_ended,
            "participants": [_participant_json(network, conference, p) for p in everyone],
            "events": [event.to_json() for event in conference.events],
        }


@bp.get("/conferences")
def list_conferences() -> Response:
    """List conferences, newest first, with their participants and events."""
    network = _network()
    return jsonify([_conference_json(network, c) for c in network.all_conferences()])


@bp.get("/conferences/<sid>")
def show_conference(sid: str) -> Response:
    """Show one conference: who is in it, who hears whom, and what happened."""
    network = _network()
    conference = network.conference(sid)
    if conference is None:
        raise ControlError(404, f"no conference {sid}")
    return jsonify(_conference_json(network, conference))


@bp.get("/messages")
def list_messages() -> Response:
    """List the SMS sent through the REST API, oldest first."""
    network = _network()
    with network.lock:
        messages = sorted(network.messages.values(), key=lambda message: message.created_at)
        return jsonify([message.to_json() for message in messages])


@bp.get("/queues")
def list_queues() -> Response:
    """List queues and the callers waiting in them."""
    network = _network()
    with network.lock:
        queues = []
        for queue in network.queues.values():
            members = []
            for position, member in enumerate(queue.members, start=1):
                call = network.calls.get(member.call_sid)
                members.append(
                    {
                        "call_sid": member.call_sid,
                        "from": call.from_ if call else None,
                        "position": position,
                        "wait_time": member.wait_time(),
                    }
                )
            queues.append(
                {
                    "sid": queue.sid,
                    "friendly_name": queue.friendly_name,
                    "max_size": queue.max_size,
                    "average_wait_time": queue.average_wait_time,
                    "members": members,
                }
            )
        return jsonify(queues)


@bp.get("/recordings")
def list_recordings() -> Response:
    """List recordings with the words spoken into them."""
    network = _network()
    with network.lock:
        recordings = sorted(network.recordings.values(), key=lambda item: item.created_at)
        return jsonify(
            [
                {
                    "sid": recording.sid,
                    "call_sid": recording.call_sid,
                    "duration": recording.duration,
                    "status": recording.status,
                    "transcript": recording.transcript,
                    "conference_sid": recording.conference_sid,
                    "channels": recording.channels,
                    "pauses": recording.pauses,
                    "paused_seconds": recording.paused_seconds,
                    "url": network.recording_url(recording),
                }
                for recording in recordings
            ]
        )


@bp.post("/recordings/outage")
def recording_outage() -> Response:
    """Make the next N media downloads fail with 503, as an outage at Twilio would."""
    failures = _body().get("failures", 1)
    if not isinstance(failures, int) or failures < 0:
        raise ControlError(400, "failures must be a whole number >= 0")
    network = _network()
    with network.lock:
        network.media_failures = failures
    return jsonify({"failures": failures})
