"""The bare dequeue that bridged callers until the conference room (before 4e69767), rebuilt
for bench/webhooks/bridge as its baseline. Nothing in the product uses it.

The router took the caller out of the queue to a connect URL whose TwiML dialled the
consultant's softphone; Twilio fetched the <Client url> on the consultant's leg once it
answered, where the centre noted the answer and returned an empty document, and then bridged
the two. The leg's answered event was a second witness of the answer, and the Dial's action
closed the call when the conversation ended. The webhooks do the work the product's did then
(signature checks, the consultant read from the database, the engine told of the delivery and
the answer, the contact opened); only their paths are the bench's own.
"""

from __future__ import annotations

import logging

from flask import Blueprint, request
from twilio.twiml.voice_response import Dial, VoiceResponse

from consultants.models import Consultant
from hotline import speech
from hotline.db import db
from hotline.webhooks import twilio_webhook
from routing import service, twiml
from routing.engine import Assignment
from routing.extension import services as routing
from routing.live import EntryState
from routing.router import Router
from routing.service import Routing, language_of

log = logging.getLogger(__name__)

PREFIX = "/bench/dequeue"
CONNECT = PREFIX + "/connect"
DIAL_RESULT = PREFIX + "/dial-result"
ANSWERED = PREFIX + "/answered"
LEG_STATUS = PREFIX + "/leg-status"

bp = Blueprint("bench_dequeue", __name__)


def offer_query(call_sid: str, consultant_id: int) -> str:
    """Return the query naming the call and the consultant a leg webhook is about."""
    return f"call={call_sid}&consultant={consultant_id}"


def dial_consultant(
    language: str,
    *,
    call_sid: str,
    consultant_id: int,
    client_identity: str,
    timeout: int,
    caller_id: str | None,
) -> VoiceResponse:
    """Tell the caller they are put through, then ring the consultant's softphone."""
    response = VoiceResponse()
    speech.say(response, language, speech.prompt(language, "connecting"))
    dial = Dial(
        action=f"{DIAL_RESULT}?consultant={consultant_id}",
        method="POST",
        timeout=timeout,
        caller_id=caller_id,
    )
    dial.client(
        client_identity,
        url=f"{ANSWERED}?{offer_query(call_sid, consultant_id)}",
        method="POST",
        status_callback=f"{LEG_STATUS}?{offer_query(call_sid, consultant_id)}",
        status_callback_event="answered completed",
        status_callback_method="POST",
    )
    response.append(dial)
    return response


def connect_consultant(routing: Routing, call_sid: str, consultant_id: int) -> VoiceResponse:
    """Ring the consultant the router chose for this caller."""
    engine, settings = routing.engine, routing.settings
    entry = engine.entry(call_sid)
    language = language_of(entry)
    if entry is not None and entry.state == EntryState.ENDED:
        return twiml.goodbye(language)
    if entry is None or entry.consultant_id != consultant_id:
        log.warning("call %s: offer to %s was taken back", call_sid, consultant_id)
        return twiml.enqueue(language, settings.queue_name, announce=None)
    consultant = db.session.get(Consultant, consultant_id)
    if consultant is None:
        raise LookupError(f"consultant {consultant_id} does not exist")
    engine.delivered(call_sid)
    return dial_consultant(
        language,
        call_sid=call_sid,
        consultant_id=consultant_id,
        client_identity=consultant.client_identity,
        timeout=settings.ring_timeout_seconds,
        caller_id=entry.caller_number,
    )


def dial_finished(
    routing: Routing, call_sid: str, consultant_id: int, dial_status: str
) -> VoiceResponse:
    """Close a conversation that ended, or give a caller whose consultant missed them their
    place back."""
    engine = routing.engine
    entry = engine.entry(call_sid)
    language = language_of(entry)
    if dial_status == "completed":
        engine.connected(call_sid, consultant_id)
        engine.close(call_sid, "answered")
        service.schedule_record(call_sid)
        return twiml.goodbye(language)
    if entry is not None and entry.state == EntryState.ENDED:
        return twiml.goodbye(language)
    if dial_status == "canceled":
        engine.withdraw_offer(call_sid, consultant_id)
        return twiml.empty()
    engine.return_offer(call_sid, consultant_id, requeue=True)
    return twiml.enqueue(language, routing.settings.queue_name, announce="consultant_missed")


def back_to_queue(_call_sid: str | None) -> VoiceResponse:
    """Put the caller back in the queue if connecting fails."""
    return twiml.enqueue(speech.DEFAULT_LANGUAGE, routing().settings.queue_name, announce="apology")


def offer() -> tuple[str, int]:
    """Read the call and the consultant a leg webhook is about from its URL."""
    return request.args["call"], int(request.args["consultant"])


@bp.post(CONNECT)
@twilio_webhook(fallback=back_to_queue)
def connect() -> VoiceResponse:
    """Ring the consultant chosen for this caller."""
    consultant_id = int(request.args["consultant"])
    return connect_consultant(routing(), request.form["CallSid"], consultant_id)


@bp.post(ANSWERED)
@twilio_webhook(fallback=lambda _sid: twiml.empty())
def answered() -> VoiceResponse:
    """The consultant's softphone picked up: note it, then let Twilio bridge the caller."""
    service.consultant_answered(routing(), *offer())
    return twiml.empty()


@bp.post(LEG_STATUS)
@twilio_webhook(fallback=lambda _sid: twiml.empty())
def leg_status() -> VoiceResponse:
    """Hear the consultant leg's progress: a softphone's answer is a person's."""
    if request.form.get("CallStatus", "") != "in-progress":
        return twiml.empty()
    call_sid, consultant_id = offer()
    consultant = db.session.get(Consultant, consultant_id)
    if consultant is not None and not consultant.phone:
        service.consultant_answered(routing(), call_sid, consultant_id)
    return twiml.empty()


@bp.post(DIAL_RESULT)
@twilio_webhook(fallback=back_to_queue)
def dial_result() -> VoiceResponse:
    """Handle the end of the consultant leg."""
    return dial_finished(
        routing(),
        request.form["CallSid"],
        int(request.args["consultant"]),
        request.form.get("DialCallStatus", "failed"),
    )


class DequeueRouter(Router):
    """The router as it delivered offers to callers before the conference room: it only takes
    the caller out of the queue, and the connect URL rings the consultant."""

    def deliver(self, assignment: Assignment) -> None:
        """Dequeue the caller to the old connect URL (callbacks go as the product sends them)."""
        if assignment.callback:
            super().deliver(assignment)
            return
        url = f"{self.settings.public_url}{CONNECT}?consultant={assignment.consultant_id}"
        try:
            self.telephony.dequeue_caller(assignment.queue_sid, assignment.call_sid, url)
            self.engine.delivered(assignment.call_sid)
        except Exception as exc:
            self.undeliverable(assignment, exc)
