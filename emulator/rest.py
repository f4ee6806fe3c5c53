"""Twilio's REST API (2010-04-01) as the emulator serves it, checked against the description."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request

from emulator.exceptions import ApiError
from emulator.media import mp3_bytes, wav_bytes
from emulator.models import (
    CONFERENCE_CALLBACK_EVENTS,
    Call,
    Conference,
    Participant,
    Queue,
    Recording,
    StatusCallback,
)
from emulator.network import PhoneNetwork
from emulator.resources import (
    call_resource,
    conference_resource,
    member_resource,
    message_resource,
    page,
    participant_resource,
    queue_resource,
    recording_resource,
)
from emulator.spec import BAD_REQUEST_CODE, ApiSpec, Operation, not_found
from emulator.twiml import conference_document

log = logging.getLogger(__name__)

bp = Blueprint("twilio_rest", __name__, url_prefix="/2010-04-01")

MEDIA_PATH = re.compile(
    r"^Accounts/(AC[0-9a-fA-F]{32})/Recordings/(RE[0-9a-fA-F]{32})(\.wav|\.mp3)?$"
)
CALL_EVENTS = frozenset({"initiated", "ringing", "answered", "completed"})
MAX_QUEUE_SIZE = 5000


@dataclass
class RestRequest:
    """A REST request that passed the description's checks, with its converted values."""

    network: PhoneNetwork
    operation: Operation
    path: str
    path_values: dict[str, str]
    query: dict[str, Any]
    form: dict[str, Any]


Handler = Callable[[RestRequest], Any]
HANDLERS: dict[str, Handler] = {}


def handles(operation_id: str) -> Callable[[Handler], Handler]:
    """Register a function as the emulator's implementation of an operation."""

    def register(function: Handler) -> Handler:
        HANDLERS[operation_id] = function
        return function

    return register


def _network() -> PhoneNetwork:
    network: PhoneNetwork = current_app.extensions["emulator_network"]
    return network


def _spec() -> ApiSpec:
    spec: ApiSpec = current_app.extensions["emulator_spec"]
    return spec


def _error_response(error: ApiError) -> Response:
    response = jsonify(error.to_json())
    response.status_code = error.status
    if error.status == 401:
        response.headers["WWW-Authenticate"] = 'Basic realm="Twilio API"'
    return response


def _authenticate(network: PhoneNetwork) -> None:
    auth = request.authorization
    config = network.config
    if auth is None or auth.type != "basic":
        raise ApiError(401, 20003, "Authentication Error - No credentials provided")
    if auth.username != config.account_sid or auth.password != config.auth_token:
        raise ApiError(401, 20003, "Authentication Error - invalid username or password")


def _media(account_sid: str, recording_sid: str, extension: str | None) -> Response:
    network = _network()
    recording = network.recording(recording_sid)
    if recording is None or account_sid != network.config.account_sid:
        raise not_found(request.path)
    if network.take_media_failure():
        raise ApiError(503, 20500, "Service Unavailable")
    if extension == ".mp3":
        return Response(mp3_bytes(recording.duration), mimetype="audio/mpeg")
    # A conference's recording is kept in two channels; its file downloads in one unless
    # RequestedChannels=2 asks for both (Twilio's changelog, 15 September 2025).
    channels = 2 if recording.channels == 2 and request.args.get("RequestedChannels") == "2" else 1
    return Response(wav_bytes(recording.duration, channels), mimetype="audio/x-wav")


@bp.route("/<path:subpath>", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
def dispatch(subpath: str) -> Response:
    """Check a REST request against Twilio's description, then run the operation."""
    network = _network()
    try:
        media = MEDIA_PATH.match(subpath)
        if media and request.method == "GET":
            return _media(media.group(1), media.group(2), media.group(3))
        _authenticate(network)
        spec = _spec()
        operation, path_values = spec.match(request.method, request.path)
        if path_values.get("AccountSid") != network.config.account_sid:
            raise not_found(request.path)
        query = spec.validate_query(operation, request.args.lists())
        form = spec.validate_form(
            operation, request.form.lists(), request.headers.get("Content-Type", "")
        )
        handler = HANDLERS.get(operation.operation_id)
        if handler is None:
            raise ApiError(
                405,
                20004,
                f"The emulator does not implement {operation.operation_id} "
                f"({request.method} {operation.template})",
            )
        rest_request = RestRequest(network, operation, request.path, path_values, query, form)
        body = handler(rest_request)
    except ApiError as error:
        log.warning("REST %s %s refused: %s", request.method, request.path, error.message)
        return _error_response(error)
    log.info("REST %s %s -> %s", request.method, request.path, operation.operation_id)
    if operation.success_status == 204:
        return Response(status=204)
    response = jsonify(spec.shape(operation.response_schema, body))
    response.status_code = operation.success_status
    return response


# Calls -----------------------------------------------------------------------------


def _call(rest: RestRequest, key: str = "Sid") -> Call:
    call = rest.network.call(rest.path_values[key])
    if call is None:
        raise not_found(rest.path)
    return call


def _status_callback(form: dict[str, Any]) -> StatusCallback | None:
    url = form.get("StatusCallback")
    if not url:
        return None
    events = {word for item in form.get("StatusCallbackEvent", []) for word in item.split()}
    unknown = events - CALL_EVENTS
    if unknown:
        raise ApiError(
            400, 400, f"StatusCallbackEvent {sorted(unknown)} is not one of {sorted(CALL_EVENTS)}"
        )
    return StatusCallback(
        url, form.get("StatusCallbackMethod", "POST"), frozenset(events or {"completed"})
    )


@handles("ListCall")
def list_calls(rest: RestRequest) -> dict[str, Any]:
    """List calls, newest first, filtered as the query asks."""
    calls = rest.network.all_calls()
    filters = {"To": "to", "From": "from_", "ParentCallSid": "parent_call_sid", "Status": "status"}
    for name, attribute in filters.items():
        if name in rest.query:
            calls = [call for call in calls if getattr(call, attribute) == rest.query[name]]
    return page("calls", [call_resource(call) for call in calls], rest.path, rest.query)


@handles("CreateCall")
def create_call(rest: RestRequest) -> dict[str, Any]:
    """Place an outbound call that rings the endpoint To and runs TwiML when answered."""
    form = rest.form
    if "ApplicationSid" in form:
        raise ApiError(400, 21205, "The emulator has no TwiML applications; send Url or Twiml")
    if not form.get("Url") and not form.get("Twiml"):
        raise ApiError(400, 21205, "Url parameter is required (or Twiml)")
    call = rest.network.create_outbound_call(
        to=form["To"],
        from_=form["From"],
        url=form.get("Url"),
        method=form.get("Method", "POST"),
        twiml=form.get("Twiml"),
        status_callback=_status_callback(form),
        ring_timeout=float(form.get("Timeout", 60)),
        max_duration=float(form["TimeLimit"]) if "TimeLimit" in form else None,
    )
    return call_resource(call)


@handles("FetchCall")
def fetch_call(rest: RestRequest) -> dict[str, Any]:
    """Return one call."""
    return call_resource(_call(rest))


@handles("UpdateCall")
def update_call(rest: RestRequest) -> dict[str, Any]:
    """Redirect a live call to new TwiML, or end it."""
    call = _call(rest)
    form = rest.form
    status = form.get("Status")
    if status == "completed":
        rest.network.end_call(call, "ended through the REST API", by_caller=False)
    elif status == "canceled" and call.status in ("queued", "ringing"):
        rest.network.end_call(call, "canceled through the REST API", False, "canceled")
    if form.get("Url") or form.get("Twiml"):
        if call.is_final:
            raise ApiError(400, 21220, "Call is not in-progress. Cannot redirect.")
        if call.direction == "outbound-dial":
            raise ApiError(400, 21220, "The emulator cannot redirect the dialled leg of a <Dial>")
        rest.network.redirect_call(
            call, form.get("Url"), form.get("Method", "POST"), form.get("Twiml")
        )
        log.info("call %s: redirected through the REST API", call.sid)
    return call_resource(call)


@handles("DeleteCall")
def delete_call(rest: RestRequest) -> None:
    """Forget an ended call."""
    call = _call(rest)
    if not call.is_final:
        raise ApiError(400, 21220, "Cannot delete a call that is still in progress")
    with rest.network.lock:
        rest.network.calls.pop(call.sid, None)


# Queues and members ----------------------------------------------------------------


def _queue(rest: RestRequest, key: str = "Sid") -> Queue:
    queue = rest.network.queue(rest.path_values[key])
    if queue is None:
        raise not_found(rest.path)
    return queue


def _max_size(form: dict[str, Any]) -> int | None:
    size = form.get("MaxSize")
    if size is not None and not 1 <= size <= MAX_QUEUE_SIZE:
        raise ApiError(400, 400, f"MaxSize must be between 1 and {MAX_QUEUE_SIZE}")
    return size if size is None else int(size)


@handles("ListQueue")
def list_queues(rest: RestRequest) -> dict[str, Any]:
    """List queues in the order they were created."""
    account = rest.network.config.account_sid
    with rest.network.lock:
        queues = [queue_resource(queue, account) for queue in rest.network.queues.values()]
    return page("queues", queues, rest.path, rest.query)


@handles("CreateQueue")
def create_queue(rest: RestRequest) -> dict[str, Any]:
    """Create a queue with a unique friendly name."""
    name = rest.form["FriendlyName"]
    with rest.network.lock:
        if rest.network.queue_named(name) is not None:
            raise ApiError(400, 22208, f"A queue named {name!r} already exists")
        queue = rest.network.create_queue(name, _max_size(rest.form))
    return queue_resource(queue, rest.network.config.account_sid)


@handles("FetchQueue")
def fetch_queue(rest: RestRequest) -> dict[str, Any]:
    """Return one queue."""
    return queue_resource(_queue(rest), rest.network.config.account_sid)


@handles("UpdateQueue")
def update_queue(rest: RestRequest) -> dict[str, Any]:
    """Rename a queue or change its maximum size."""
    queue = _queue(rest)
    with rest.network.lock:
        if "FriendlyName" in rest.form:
            queue.friendly_name = rest.form["FriendlyName"]
        size = _max_size(rest.form)
        if size is not None:
            queue.max_size = size
    return queue_resource(queue, rest.network.config.account_sid)


@handles("DeleteQueue")
def delete_queue(rest: RestRequest) -> None:
    """Remove an empty queue."""
    queue = _queue(rest)
    with rest.network.lock:
        if queue.members:
            raise ApiError(400, 400, "Cannot delete a queue that still has callers in it")
        rest.network.queues.pop(queue.sid, None)


@handles("ListMember")
def list_members(rest: RestRequest) -> dict[str, Any]:
    """List the callers waiting in a queue, front first."""
    queue = _queue(rest, "QueueSid")
    account = rest.network.config.account_sid
    with rest.network.lock:
        members = [
            member_resource(queue, member, index + 1, account)
            for index, member in enumerate(queue.members)
        ]
    return page("queue_members", members, rest.path, rest.query)


@handles("FetchMember")
def fetch_member(rest: RestRequest) -> dict[str, Any]:
    """Return one waiting caller, or the front one for CallSid=Front."""
    queue = _queue(rest, "QueueSid")
    call_sid = rest.path_values["CallSid"]
    with rest.network.lock:
        if call_sid == "Front":
            member = queue.members[0] if queue.members else None
        else:
            member = queue.member(call_sid)
        if member is None:
            raise not_found(rest.path)
        position = queue.members.index(member) + 1
        return member_resource(queue, member, position, rest.network.config.account_sid)


@handles("UpdateMember")
def update_member(rest: RestRequest) -> dict[str, Any]:
    """Take one caller out of the queue; their call goes on with the TwiML at Url."""
    queue = _queue(rest, "QueueSid")
    taken = rest.network.dequeue_member(
        queue, rest.path_values["CallSid"], rest.form["Url"], rest.form.get("Method", "POST")
    )
    if taken is None:
        raise not_found(rest.path)
    member, position = taken
    log.info("call %s: dequeued from %s through the REST API", member.call_sid, queue.sid)
    return member_resource(queue, member, position, rest.network.config.account_sid)


# Conferences and participants ------------------------------------------------------


def _conference(rest: RestRequest, key: str = "Sid") -> Conference:
    conference = rest.network.conference(rest.path_values[key])
    if conference is None:
        raise not_found(rest.path)
    return conference


def _participant(rest: RestRequest, conference: Conference) -> Participant:
    """Find a live participant by CallSid or by label, as Twilio accepts either."""
    wanted = rest.path_values["CallSid"]
    with rest.network.lock:
        for participant in conference.participants.values():
            if wanted in (participant.call_sid, participant.label):
                return participant
    raise not_found(rest.path)


def _participant_json(
    rest: RestRequest, conference: Conference, participant: Participant
) -> dict[str, Any]:
    return participant_resource(conference, participant, rest.network.call(participant.call_sid))


@handles("ListConference")
def list_conferences(rest: RestRequest) -> dict[str, Any]:
    """List conferences, newest first, by friendly name or status if asked."""
    conferences = rest.network.all_conferences()
    if "FriendlyName" in rest.query:
        conferences = [c for c in conferences if c.friendly_name == rest.query["FriendlyName"]]
    if "Status" in rest.query:
        conferences = [c for c in conferences if c.status == rest.query["Status"]]
    items = [conference_resource(conference) for conference in conferences]
    return page("conferences", items, rest.path, rest.query)


@handles("FetchConference")
def fetch_conference(rest: RestRequest) -> dict[str, Any]:
    """Return one conference."""
    return conference_resource(_conference(rest))


@handles("UpdateConference")
def update_conference(rest: RestRequest) -> dict[str, Any]:
    """End a conference (Status=completed) or announce something into it (AnnounceUrl)."""
    conference = _conference(rest)
    form = rest.form
    if form.get("AnnounceUrl"):
        if not conference.live:
            raise ApiError(400, 400, "The conference has ended; nothing to announce into")
        rest.network.announce(
            conference, None, form["AnnounceUrl"], form.get("AnnounceMethod", "POST")
        )
    if form.get("Status") == "completed":
        rest.network.end_conference(conference, "conference-ended-via-api", None)
    return conference_resource(conference)


@handles("ListParticipant")
def list_participants(rest: RestRequest) -> dict[str, Any]:
    """List the live participants (ringing or in the room); those who left are gone."""
    conference = _conference(rest, "ConferenceSid")
    with rest.network.lock:
        participants = list(conference.participants.values())
    for name, attribute in (("Muted", "muted"), ("Hold", "hold"), ("Coaching", "coaching")):
        if name in rest.query:
            participants = [p for p in participants if getattr(p, attribute) == rest.query[name]]
    items = [_participant_json(rest, conference, p) for p in participants]
    return page("participants", items, rest.path, rest.query)


@handles("FetchParticipant")
def fetch_participant(rest: RestRequest) -> dict[str, Any]:
    """Return one live participant, by CallSid or label."""
    conference = _conference(rest, "ConferenceSid")
    return _participant_json(rest, conference, _participant(rest, conference))


def _coaching(form: dict[str, Any], participant: Participant | None) -> None:
    coached = form.get("CallSidToCoach") or (participant.call_sid_to_coach if participant else None)
    if form.get("Coaching") is True and not coached:
        raise ApiError(400, 400, "Coaching=true needs CallSidToCoach")


@handles("CreateParticipant")
def create_participant(rest: RestRequest) -> dict[str, Any]:
    """Call someone into a conference (created by friendly name if new); they join on answer."""
    form = rest.form
    network = rest.network
    reference = rest.path_values["ConferenceSid"]
    _coaching(form, None)
    timeout = int(form.get("Timeout", 60))
    if not 5 <= timeout <= 600:
        raise ApiError(400, 400, "Timeout must be between 5 and 600 seconds")
    with network.lock:
        conference = network.conference_for_participant(reference)
        if conference is None:
            raise not_found(rest.path)
        if not conference.live:
            raise ApiError(400, 400, f"Conference {conference.sid} has ended")
        call = network.create_outbound_call(
            to=form["To"],
            from_=form.get("CallerId") or form["From"],
            url=None,
            method="POST",
            twiml=conference_document(conference.friendly_name, _noun_attributes(form)),
            status_callback=_status_callback(form),
            ring_timeout=float(timeout),
            max_duration=float(form["TimeLimit"]) if "TimeLimit" in form else None,
        )
        participant = network.expect_participant(
            conference, call, _participant_from_form(form, call.sid, conference.sid)
        )
    return _participant_json(rest, conference, participant) | {"queue_time": "0"}


def _participant_from_form(form: dict[str, Any], call_sid: str, conference_sid: str) -> Participant:
    """Read the settings a dialled-in participant joins with from CreateParticipant."""
    beep = str(form.get("Beep", "true"))
    coached = form.get("CallSidToCoach")
    coaching = bool(form.get("Coaching", coached is not None)) and coached is not None
    return Participant(
        call_sid=call_sid,
        conference_sid=conference_sid,
        label=form.get("Label"),
        muted=form.get("Muted", False),
        coaching=coaching,
        call_sid_to_coach=coached if coaching else None,
        start_conference_on_enter=form.get("StartConferenceOnEnter", True),
        end_conference_on_exit=form.get("EndConferenceOnExit", False),
        beep_on_enter=beep in ("true", "onEnter"),
        beep_on_exit=beep in ("true", "onExit"),
        wait_url=form.get("WaitUrl"),
        wait_method=form.get("WaitMethod", "POST"),
        early_media=form.get("EarlyMedia", True),
    )


def _noun_attributes(form: dict[str, Any]) -> dict[str, str]:
    """Turn CreateParticipant parameters into the <Conference> attributes they stand for."""
    attributes: dict[str, str] = {}
    names = {
        "Muted": "muted",
        "Beep": "beep",
        "StartConferenceOnEnter": "startConferenceOnEnter",
        "EndConferenceOnExit": "endConferenceOnExit",
        "WaitUrl": "waitUrl",
        "WaitMethod": "waitMethod",
        "Label": "participantLabel",
        "ConferenceStatusCallback": "statusCallback",
        "ConferenceStatusCallbackMethod": "statusCallbackMethod",
    }
    for name, attribute in names.items():
        if name in form:
            value = form[name]
            attributes[attribute] = str(value).lower() if isinstance(value, bool) else str(value)
    events = {
        word for item in form.get("ConferenceStatusCallbackEvent", []) for word in item.split()
    }
    unknown = events - CONFERENCE_CALLBACK_EVENTS
    if unknown:
        raise ApiError(400, 400, f"ConferenceStatusCallbackEvent {sorted(unknown)} is unknown")
    if events:
        attributes["statusCallbackEvent"] = " ".join(sorted(events))
    coaching = form.get("Coaching", "CallSidToCoach" in form)
    if coaching and form.get("CallSidToCoach"):
        attributes["coach"] = form["CallSidToCoach"]
    return attributes


@handles("UpdateParticipant")
def update_participant(rest: RestRequest) -> dict[str, Any]:
    """Mute, hold, coach or announce to a live participant."""
    conference = _conference(rest, "ConferenceSid")
    participant = _participant(rest, conference)
    form = rest.form
    _coaching(form, participant)
    coached = form.get("CallSidToCoach")
    if coached and coached not in conference.participants:
        raise ApiError(400, 400, f"{coached} is not a participant of {conference.sid}")
    rest.network.update_participant(conference, participant, form)
    if form.get("AnnounceUrl"):
        rest.network.announce(
            conference, participant, form["AnnounceUrl"], form.get("AnnounceMethod", "POST")
        )
    return _participant_json(rest, conference, participant)


@handles("DeleteParticipant")
def delete_participant(rest: RestRequest) -> None:
    """Take a participant out of the conference; their call goes on after its <Dial>."""
    conference = _conference(rest, "ConferenceSid")
    rest.network.kick_participant(conference, _participant(rest, conference))


# Messages --------------------------------------------------------------------------


@handles("ListMessage")
def list_messages(rest: RestRequest) -> dict[str, Any]:
    """List sent messages, newest first."""
    with rest.network.lock:
        messages = sorted(rest.network.messages.values(), key=lambda m: m.created_at, reverse=True)
    for name, attribute in (("To", "to"), ("From", "from_")):
        if name in rest.query:
            messages = [m for m in messages if getattr(m, attribute) == rest.query[name]]
    return page("messages", [message_resource(m) for m in messages], rest.path, rest.query)


@handles("CreateMessage")
def create_message(rest: RestRequest) -> dict[str, Any]:
    """Send an SMS."""
    form = rest.form
    if not form.get("From") and not form.get("MessagingServiceSid"):
        raise ApiError(400, 21603, "A 'From' phone number is required.")
    if not form.get("Body") and not form.get("MediaUrl") and not form.get("ContentSid"):
        raise ApiError(400, 21602, "Message body is required.")
    message = rest.network.send_message(
        to=form["To"],
        from_=form.get("From"),
        body=form.get("Body", ""),
        messaging_service_sid=form.get("MessagingServiceSid"),
        status_callback=form.get("StatusCallback"),
    )
    return message_resource(message)


@handles("FetchMessage")
def fetch_message(rest: RestRequest) -> dict[str, Any]:
    """Return one message."""
    message = rest.network.messages.get(rest.path_values["Sid"])
    if message is None:
        raise not_found(rest.path)
    return message_resource(message)


@handles("DeleteMessage")
def delete_message(rest: RestRequest) -> None:
    """Forget a message."""
    with rest.network.lock:
        if rest.network.messages.pop(rest.path_values["Sid"], None) is None:
            raise not_found(rest.path)


# Recordings ------------------------------------------------------------------------


def _recording_json(rest: RestRequest, sid: str, call_sid: str | None = None) -> dict[str, Any]:
    recording = rest.network.recording(sid)
    if recording is None or (call_sid is not None and recording.call_sid != call_sid):
        raise not_found(rest.path)
    return recording_resource(recording, rest.network.recording_url(recording))


def _created_filter(name: str, raw: str) -> tuple[date | None, datetime | None]:
    """Read a DateCreated filter: a GMT date (YYYY-MM-DD), or a moment as the twilio library
    sends one (YYYY-MM-DDTHH:MM:SSZ)."""
    try:
        if len(raw) == 10:
            return date.fromisoformat(raw), None
        return None, datetime.fromisoformat(raw.replace("Z", "+00:00")).astimezone(UTC)
    except ValueError:
        raise ApiError(
            400, BAD_REQUEST_CODE, f"{name} must be a date (YYYY-MM-DD), got {raw!r}"
        ) from None


def _created_matches(recording: Recording, query: dict[str, Any]) -> bool:
    """Apply DateCreated, DateCreated< (on or before) and DateCreated> (on or after)."""
    created = recording.created_at
    for name, sign in (("DateCreated", 0), ("DateCreated<", -1), ("DateCreated>", 1)):
        if name not in query:
            continue
        day, moment = _created_filter(name, query[name])
        if day is not None:
            difference = (created.date() > day) - (created.date() < day)
        else:
            difference = (created > moment) - (created < moment)  # type: ignore[operator]
        if difference != 0 and difference != sign:
            return False
    return True


def _recordings(rest: RestRequest, call_sid: str | None) -> list[dict[str, Any]]:
    with rest.network.lock:
        found = sorted(rest.network.recordings.values(), key=lambda r: r.created_at, reverse=True)
    if call_sid is not None:
        found = [recording for recording in found if recording.call_sid == call_sid]
    found = [recording for recording in found if _created_matches(recording, rest.query)]
    return [recording_resource(r, rest.network.recording_url(r)) for r in found]


@handles("FetchRecording")
def fetch_recording(rest: RestRequest) -> dict[str, Any]:
    """Return one recording's metadata."""
    return _recording_json(rest, rest.path_values["Sid"])


@handles("DeleteRecording")
def delete_recording(rest: RestRequest) -> None:
    """Forget a recording."""
    with rest.network.lock:
        if rest.network.recordings.pop(rest.path_values["Sid"], None) is None:
            raise not_found(rest.path)


@handles("ListRecording")
def list_recordings(rest: RestRequest) -> dict[str, Any]:
    """List recordings, optionally those of one call."""
    recordings = _recordings(rest, rest.query.get("CallSid"))
    return page("recordings", recordings, rest.path, rest.query)


@handles("ListCallRecording")
def list_call_recordings(rest: RestRequest) -> dict[str, Any]:
    """List the recordings made on one call."""
    _call(rest, "CallSid")
    recordings = _recordings(rest, rest.path_values["CallSid"])
    return page("recordings", recordings, rest.path, rest.query)


def _conference_recording(rest: RestRequest) -> Recording:
    sid = rest.path_values["Sid"]
    conference = rest.network.conference(rest.path_values["ConferenceSid"])
    if conference is not None and sid == "Twilio.CURRENT":
        sid = conference.recording_sid or ""
    recording = rest.network.recording(sid)
    if conference is None or recording is None or recording.conference_sid != conference.sid:
        raise not_found(rest.path)
    return recording


@handles("ListConferenceRecording")
def list_conference_recordings(rest: RestRequest) -> dict[str, Any]:
    """List the recordings of one conference."""
    conference_sid = rest.path_values["ConferenceSid"]
    if rest.network.conference(conference_sid) is None:
        raise not_found(rest.path)
    with rest.network.lock:
        found = [r for r in rest.network.recordings.values() if r.conference_sid == conference_sid]
    found = [recording for recording in found if _created_matches(recording, rest.query)]
    items = [recording_resource(r, rest.network.recording_url(r)) for r in found]
    return page("recordings", items, rest.path, rest.query)


@handles("FetchConferenceRecording")
def fetch_conference_recording(rest: RestRequest) -> dict[str, Any]:
    """Return one recording of a conference."""
    recording = _conference_recording(rest)
    return recording_resource(recording, rest.network.recording_url(recording))


@handles("UpdateConferenceRecording")
def update_conference_recording(rest: RestRequest) -> dict[str, Any]:
    """Pause, resume or stop a conference's recording (Status; Twilio.CURRENT names the live one).

    Only a recording still being made can change: Twilio refuses one that has finished.
    """
    recording = _conference_recording(rest)
    conference = rest.network.conference(rest.path_values["ConferenceSid"])
    assert conference is not None
    if recording.status not in ("in-progress", "paused"):
        raise ApiError(400, 21220, "The recording is not in progress and cannot be changed")
    status = rest.form["Status"]
    if status not in ("paused", "in-progress", "stopped"):
        raise ApiError(400, BAD_REQUEST_CODE, f"Status {status!r} cannot be set on a recording")
    rest.network.update_conference_recording(
        conference, recording.sid, status, rest.form.get("PauseBehavior")
    )
    return recording_resource(recording, rest.network.recording_url(recording))


@handles("DeleteConferenceRecording")
def delete_conference_recording(rest: RestRequest) -> None:
    """Forget a conference's recording."""
    recording = _conference_recording(rest)
    with rest.network.lock:
        rest.network.recordings.pop(recording.sid, None)


@handles("FetchCallRecording")
def fetch_call_recording(rest: RestRequest) -> dict[str, Any]:
    """Return one recording of a call."""
    return _recording_json(rest, rest.path_values["Sid"], rest.path_values["CallSid"])
