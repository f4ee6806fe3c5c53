"""Twilio webhooks for waiting in the queue and reaching a consultant."""

from __future__ import annotations

from flask import Blueprint, request
from twilio.twiml.voice_response import VoiceResponse

from hotline import speech
from hotline.webhooks import twilio_webhook
from routing import control, service, twiml, urls
from routing.extension import services as routing
from routing.supervision import Supervisor

bp = Blueprint("routing", __name__)


def keep_waiting(_call_sid: str | None) -> VoiceResponse:
    """Hold quietly if the wait URL fails: the caller keeps their place."""
    return twiml.hold(10)


def back_to_queue(_call_sid: str | None) -> VoiceResponse:
    """Put the caller back in the queue if connecting fails."""
    return twiml.enqueue(speech.DEFAULT_LANGUAGE, routing().settings.queue_name, announce="apology")


@bp.post(urls.WAIT)
@twilio_webhook(fallback=keep_waiting)
def wait() -> VoiceResponse:
    """Tell a waiting caller their place; make them routable.

    Twilio sends the Queue* parameters when it requests the wait URL itself, not on a Redirect
    or a Gather action inside the wait document, so none of them is required.
    """
    update = service.WaitUpdate(
        call_sid=request.form["CallSid"],
        queue_sid=request.form.get("QueueSid", ""),
        queue_time=whole_seconds(request.form.get("QueueTime")),
    )
    return service.waiting(routing(), update)


def whole_seconds(given: str | None) -> int:
    """Read a count of seconds Twilio sent, 0 if it sent none (or nonsense)."""
    try:
        return max(0, int(given or 0))
    except ValueError:
        return 0


@bp.post(urls.QUEUE_RESULT)
@twilio_webhook()
def queue_result() -> VoiceResponse:
    """Handle a caller leaving the queue."""
    return service.queue_left(
        routing(), request.form["CallSid"], request.form.get("QueueResult", "")
    )


@bp.post(urls.WAIT_KEY)
@twilio_webhook(fallback=keep_waiting)
def wait_key() -> VoiceResponse:
    """Handle a key pressed while waiting (this document still runs inside the wait)."""
    return service.wait_key(routing(), request.form["CallSid"], request.form.get("Digits", ""))


@bp.post(urls.VOICEMAIL_DONE)
@twilio_webhook()
def voicemail_done() -> VoiceResponse:
    """Thank a caller who left a voicemail (the recording arrives at /recordings/status)."""
    return twiml.voicemail_done(service.caller_language(routing(), request.form["CallSid"]))


def join_without_answer(_call_sid: str | None) -> VoiceResponse:
    """Put the caller in the queue if their answer to the recording notice cannot be kept."""
    return twiml.enqueue(speech.DEFAULT_LANGUAGE, routing().settings.queue_name, announce=None)


@bp.post(urls.RECORDING_CONSENT)
@twilio_webhook(fallback=join_without_answer)
def recording_consent() -> VoiceResponse:
    """Keep the caller's answer to the recording notice (a key, or none), then queue them."""
    return service.recording_consent(
        routing(), request.form["CallSid"], request.form.get("Digits", "")
    )


@bp.post(urls.CONNECT)
@twilio_webhook(fallback=back_to_queue)
def connect() -> VoiceResponse:
    """Ring the consultant chosen for this caller."""
    consultant_id = int(request.args["consultant"])
    return service.connect_consultant(routing(), request.form["CallSid"], consultant_id)


def offer(args: dict[str, str]) -> tuple[str, int]:
    """Read the call and the consultant a consultant-call webhook is about from its URL."""
    return args["call"], int(args["consultant"])


def join_anyway(_call_sid: str | None) -> VoiceResponse:
    """Let the consultant into the room if noting their answer fails: better than dropping
    the caller (the answer is noted again when their call's progress arrives)."""
    call_sid, consultant_id = offer(request.args)
    return twiml.consultant_room(call_sid, consultant_id)


@bp.post(urls.JOIN)
@twilio_webhook(fallback=join_anyway)
def join() -> VoiceResponse:
    """The consultant's phone was answered: into the caller's room, or screened first."""
    return service.consultant_joining(routing(), *offer(request.args))


@bp.post(urls.SCREEN_KEY)
@twilio_webhook(fallback=join_anyway)
def screen_key() -> VoiceResponse:
    """Into the room on 1, or decline the call back to the queue."""
    return service.screened(routing(), *offer(request.args), request.form.get("Digits", ""))


@bp.post(urls.LEG_STATUS)
@twilio_webhook(fallback=lambda _sid: twiml.empty())
def leg_status() -> VoiceResponse:
    """Hear the progress of the consultant's call (answered, and how it ended)."""
    service.leg_progress(
        routing(),
        *offer(request.args),
        request.form.get("CallSid", ""),
        request.form.get("CallStatus", ""),
    )
    return twiml.empty()


@bp.post(urls.REQUEUE)
@twilio_webhook(fallback=back_to_queue)
def requeue() -> VoiceResponse:
    """Bring a caller whose consultant did not answer back to their place in the queue."""
    return service.requeued(routing(), request.form["CallSid"])


@bp.post(urls.ROOM_LEFT)
@twilio_webhook(fallback=lambda _sid: twiml.goodbye(speech.DEFAULT_LANGUAGE))
def room_left() -> VoiceResponse:
    """The caller left their call's room: the conversation is over."""
    return service.room_left(routing(), request.form["CallSid"])


@bp.post(urls.MUSIC)
@twilio_webhook(fallback=lambda _sid: twiml.hold(10))
def music() -> VoiceResponse:
    """Play the centre's music to a caller waiting for the consultant to pick up."""
    return twiml.music(routing().settings.hold_music_url)


@bp.post(urls.CALLBACK_CONNECT)
@twilio_webhook(fallback=lambda _sid: twiml.consultant_message("callback_taken"))
def callback_connect() -> VoiceResponse:
    """The consultant answered a callback: dial the customer."""
    return service.callback_connect(
        routing(),
        request.args["call"],
        int(request.args["consultant"]),
        request.form.get("CallSid", ""),
    )


@bp.post(urls.CALLBACK_RESULT)
@twilio_webhook(fallback=lambda _sid: twiml.empty())
def callback_result() -> VoiceResponse:
    """The customer leg of a callback ended."""
    return service.callback_result(
        routing(),
        request.args["call"],
        int(request.args["consultant"]),
        int(request.args["attempt"]),
        request.form.get("DialCallStatus", "failed"),
        request.form.get("CallSid", ""),
    )


@bp.post(urls.CALLBACK_STATUS)
@twilio_webhook(fallback=lambda _sid: twiml.empty())
def callback_status() -> VoiceResponse:
    """The consultant leg of a callback ended (status callback)."""
    service.callback_leg_ended(
        routing(),
        request.args["call"],
        int(request.args["consultant"]),
        request.form.get("CallStatus", ""),
        request.form.get("CallSid", ""),
    )
    return twiml.empty()


@bp.post(urls.ROOM_STATUS)
@twilio_webhook(fallback=lambda _sid: twiml.empty())
def room_status() -> VoiceResponse:
    """Hear what the caller's room reports: its sid, and the caller's holds."""
    control.room_event(routing(), request.args["call"], request.form.to_dict())
    return twiml.empty()


@bp.post(urls.PARTY_STATUS)
@twilio_webhook(fallback=lambda _sid: twiml.empty())
def party_status() -> VoiceResponse:
    """Hear the progress of a colleague's or outside party's call into the caller's room."""
    control.party_progress(
        routing(),
        request.args["call"],
        request.args["label"],
        request.form.get("CallSid", ""),
        request.form.get("CallStatus", ""),
    )
    return twiml.empty()


@bp.post(urls.TRANSFERRED)
@twilio_webhook(fallback=back_to_queue)
def transferred() -> VoiceResponse:
    """Bring a transferred caller back to their place in the queue."""
    return control.transferred(routing(), request.form["CallSid"])


@bp.post(urls.TRANSFER_OUT)
@twilio_webhook(fallback=lambda _sid: twiml.goodbye(speech.DEFAULT_LANGUAGE))
def transfer_out() -> VoiceResponse:
    """Put a caller through to the outside number they were transferred to."""
    return control.put_through(routing(), request.args["call"])


# A supervisor's phone, rung into a live call's room from the board.


def supervision_of(args: dict[str, str]) -> tuple[str, int]:
    """Read the call and the supervisor a supervisor-call webhook is about from its URL."""
    return args["call"], int(args["supervisor"])


def supervision_over(_call_sid: str | None) -> VoiceResponse:
    """Tell the supervisor the call is gone if joining fails: never a half-made join."""
    return twiml.supervision_over()


@bp.post(urls.SUPERVISE_JOIN)
@twilio_webhook(fallback=supervision_over)
def supervise_join() -> VoiceResponse:
    """The supervisor's phone was answered: into the call's room, or screened first."""
    return Supervisor(routing()).answered(
        *supervision_of(request.args), request.form.get("CallSid", "")
    )


@bp.post(urls.SUPERVISE_SCREEN_KEY)
@twilio_webhook(fallback=supervision_over)
def supervise_screen_key() -> VoiceResponse:
    """Into the room on 1, otherwise hang up the supervisor's desk phone."""
    return Supervisor(routing()).screened(
        *supervision_of(request.args),
        request.form.get("CallSid", ""),
        request.form.get("Digits", ""),
    )


@bp.post(urls.SUPERVISE_STATUS)
@twilio_webhook(fallback=lambda _sid: twiml.empty())
def supervise_status() -> VoiceResponse:
    """Hear how the supervisor's phone call went; its end ends their supervision."""
    Supervisor(routing()).phone_ended(
        *supervision_of(request.args),
        request.form.get("CallSid", ""),
        request.form.get("CallStatus", ""),
    )
    return twiml.empty()


@bp.post(urls.SUPERVISE_LEFT)
@twilio_webhook(fallback=supervision_over)
def supervise_left() -> VoiceResponse:
    """The supervisor is out of the room (the call ended): say so and hang up."""
    return twiml.supervision_over()
