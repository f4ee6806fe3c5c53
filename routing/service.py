"""What happens to a caller between asking for a person and hanging up."""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass

from sqlalchemy import select
from twilio.twiml.voice_response import VoiceResponse

from hotline import speech
from hotline.db import db
from hotline.jobs import jobs
from hotline.redis_client import redis_conn
from hotline.settings import Settings
from routing import twiml
from routing.engine import ConsultantState, EntryState, QueueEntry, RoutingEngine
from routing.models import Consultant

log = logging.getLogger(__name__)


def engine() -> RoutingEngine:
    """Return a routing engine on the shared Redis connection."""
    return RoutingEngine(redis_conn.raw)


@dataclass(frozen=True)
class WaitUpdate:
    """What the wait URL was told by Twilio."""

    call_sid: str
    queue_sid: str
    queue_time: int


def join_queue(settings: Settings, entry: QueueEntry) -> VoiceResponse:
    """Put a caller in the consultant queue, remembering who they are and why they call."""
    kept = engine().join(entry)
    log.info("call %s joins the queue (topic %s)", entry.call_sid, entry.topic)
    return twiml.enqueue(kept.language, settings.queue_name)


def waiting(settings: Settings, update: WaitUpdate) -> VoiceResponse:
    """Answer the wait URL: make the caller routable and tell them where they stand."""
    routing = engine()
    routing.mark_waiting(update.call_sid, update.queue_sid)
    entry = routing.entry(update.call_sid)
    language = speech.normalise_language(entry.get("language"))
    position, _size = routing.position(update.call_sid)
    seconds = routing.estimated_wait(position)
    minutes = max(1, math.ceil(seconds / 60)) if seconds < 3600 else None
    return twiml.wait_message(language, position, minutes, settings.wait_announce_seconds)


def queue_left(call_sid: str, result: str) -> VoiceResponse:
    """Handle the Enqueue action: a caller who hung up while waiting is abandoned."""
    routing = engine()
    entry = routing.entry(call_sid)
    language = speech.normalise_language(entry.get("language"))
    if result == "hangup":
        routing.finish(call_sid, "abandoned")
        return twiml.empty()
    if result in ("bridged", "bridging-in-process", "redirected"):
        return twiml.empty()
    log.warning("call %s left the queue with %s", call_sid, result)
    routing.finish(call_sid, "abandoned")
    return twiml.goodbye(language)


def connect_consultant(settings: Settings, call_sid: str, consultant_id: int) -> VoiceResponse:
    """Ring the consultant the router chose for this caller."""
    routing = engine()
    entry = routing.entry(call_sid)
    language = speech.normalise_language(entry.get("language"))
    consultant = db.session.get(Consultant, consultant_id)
    if consultant is None:
        raise LookupError(f"consultant {consultant_id} does not exist")
    return twiml.connect(
        language,
        client_identity=consultant.client_identity,
        number=consultant.phone,
        action=f"/routing/dial-result?consultant={consultant_id}",
        timeout=settings.ring_timeout_seconds,
        caller_id=entry.get("caller_number") or None,
    )


def dial_finished(
    settings: Settings, call_sid: str, consultant_id: int, dial_status: str
) -> VoiceResponse:
    """Handle the end of the consultant leg: wrap up, or give a missed call its place back."""
    routing = engine()
    entry = routing.entry(call_sid)
    language = speech.normalise_language(entry.get("language"))
    if dial_status == "completed":
        routing.finish(call_sid, "answered")
        schedule_record(call_sid)
        return twiml.goodbye(language)
    log.info("consultant %s missed call %s (%s)", consultant_id, call_sid, dial_status)
    routing.return_offer(call_sid, consultant_id)
    if entry.get("state") == EntryState.ENDED:
        return twiml.goodbye(language)
    return twiml.enqueue(language, settings.queue_name, announce="consultant_missed")


def call_ended(call_sid: str, caller_number: str, status: str) -> None:
    """Handle the status callback: close whatever is open for this call and persist it."""
    routing = engine()
    entry = routing.entry(call_sid)
    if entry and entry.get("state") != EntryState.ENDED:
        outcome = "answered" if entry.get("state") == EntryState.CONNECTED else "abandoned"
        routing.finish(call_sid, outcome)
    schedule_record(call_sid, caller_number=caller_number, status=status)


def schedule_record(call_sid: str, caller_number: str = "", status: str = "") -> None:
    """Persist the call's record in the background (repeats are harmless)."""
    from routing.tasks import record_call

    jobs.enqueue(record_call, call_sid, caller_number, status, job_id=f"record-call-{call_sid}")


def set_consultant_state(consultant: Consultant, state: ConsultantState, reason: str = "") -> None:
    """Change a consultant's state from the desk."""
    engine().set_state(consultant.id, state, reason=reason, name=consultant.name)


def consultant_by_login(login: str) -> Consultant | None:
    """Find a consultant by their login name."""
    return db.session.scalars(select(Consultant).where(Consultant.login == login)).first()
