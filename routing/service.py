"""What happens to a caller between asking for a person and hanging up."""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass, replace
from functools import lru_cache

from flask import current_app, has_app_context
from twilio.twiml.voice_response import VoiceResponse

from consultants.models import Consultant
from hotline import speech
from hotline.db import db
from hotline.jobs import jobs
from hotline.redis_client import redis_conn
from hotline.settings import Settings
from routing import callbacks, keys, twiml
from routing.engine import ConsultantProfile, QueueEntry, RoutingEngine
from routing.live import ADVISOR_BUSY_STATES, ConsultantState, EntryState, LiveEntry
from routing.models import CallbackStatus
from routing.policy import RoutingPolicy, parse_policies

log = logging.getLogger(__name__)

CALLBACK_DIAL_SECONDS = 30
ADVISOR_OFFER = "advisor_callback_offer"
# How soon advisors usually call back is said only while it is a figure worth saying.
USUAL_CALLBACK_MINUTES = (2, 19)
# The keys a waiting caller may press, and the offers that let them.
KEY_OFFERS = {
    "1": ("callback_offer", "max_wait_offer"),
    "2": ("max_wait_offer", "voicemail_offer"),
    "3": ("advisor_callback_offer",),
}


@lru_cache(maxsize=8)
def _policies(
    advisor: int, office: int, language: int, configured: str
) -> tuple[RoutingPolicy, dict[str, RoutingPolicy]]:
    default = RoutingPolicy(float(advisor), float(office), float(language))
    return default, parse_policies(configured, default)


def engine_for(settings: Settings) -> RoutingEngine:
    """Return a routing engine on the shared Redis connection, configured by settings."""
    default, policies = _policies(
        settings.tier_advisor_seconds,
        settings.tier_office_seconds,
        settings.tier_language_seconds,
        settings.queue_policies,
    )
    return RoutingEngine(
        redis_conn.raw,
        policy=default,
        policies=policies,
        wrap_up_seconds=float(settings.wrap_up_seconds),
        rejoin_seconds=settings.rejoin_minutes * 60.0,
    )


def engine() -> RoutingEngine:
    """Return a routing engine on the shared Redis connection (the app's settings if any)."""
    if has_app_context():
        return engine_for(current_app.extensions["hotline.settings"])
    return RoutingEngine(redis_conn.raw)


@dataclass(frozen=True)
class WaitUpdate:
    """What the wait URL was told by Twilio."""

    call_sid: str
    queue_sid: str
    queue_time: int


def join_queue(settings: Settings, entry: QueueEntry) -> VoiceResponse:
    """Put a caller in the consultant queue, remembering who they are and why they call."""
    if not entry.queue:
        entry = replace(entry, queue=settings.queue_name)
    kept = engine_for(settings).join(entry)
    log.info("call %s joins the queue (topic %s)", entry.call_sid, entry.topic)
    return twiml.enqueue(kept.language, settings.queue_name)


def waiting(settings: Settings, update: WaitUpdate) -> VoiceResponse:
    """Answer the wait URL: make the caller routable and tell them where they stand."""
    routing = engine_for(settings)
    routing.mark_waiting(update.call_sid, update.queue_sid)
    entry = routing.entry(update.call_sid)
    language = language_of(entry)
    offers = wait_offers(settings, routing, entry)
    position, _size = routing.position(update.call_sid)
    seconds = routing.estimate(update.call_sid, position)
    # Nobody staffed, or over an hour: no figure is promised, the caller is asked to hold.
    minutes = max(1, math.ceil(seconds / 60)) if seconds < 3600 else None
    return twiml.wait_message(
        language,
        position,
        minutes,
        settings.wait_announce_seconds,
        offers=offers,
        callback_minutes=usual_callback_minutes(routing) if ADVISOR_OFFER in offers else None,
        hold_music_url=settings.hold_music_url,
    )


def language_of(entry: LiveEntry | None) -> str:
    """Return the language a queued caller hears (Polish for an unknown call)."""
    return speech.normalise_language(entry.language if entry else None)


def caller_language(call_sid: str) -> str:
    """Return the language a queued caller hears."""
    return language_of(engine().entry(call_sid))


def wait_offers(
    settings: Settings, routing: RoutingEngine, entry: LiveEntry | None
) -> tuple[str, ...]:
    """Choose what a waiting caller may press: 1 a callback, 2 (past the maximum wait)
    voicemail, 3 a callback from their own advisor while the advisor is at work but busy."""
    if entry is None:
        return ()
    now = routing.clock()
    waited = now - (entry.queued_at or now)
    has_number = bool(entry.caller_number)
    offers: tuple[str, ...] = ()
    if has_number and advisor_busy(routing, entry.advisor_id, entry.queue):
        offers = (ADVISOR_OFFER,)
    if waited >= settings.max_wait_seconds:
        offers += ("max_wait_offer",) if has_number else ("voicemail_offer",)
    elif has_number:
        offers += ("callback_offer",)
    return offers


def usual_callback_minutes(routing: RoutingEngine) -> int | None:
    """Return how soon advisors usually call back, in the whole minutes said to the caller;
    None before it has been measured, or while it is not a figure worth saying."""
    usual = routing.usual_advisor_callback()
    if usual is None:
        return None
    low, high = USUAL_CALLBACK_MINUTES
    minutes = max(low, math.ceil(usual / 60))
    return minutes if minutes <= high else None


def advisor_busy(routing: RoutingEngine, advisor_id: int | None, queue: str) -> bool:
    """Tell whether the caller has an advisor at work who cannot take them now (on a call, in
    wrap-up, on a break or not ready), and the queue lets callers ask that advisor for a
    callback."""
    if advisor_id is None or routing.policy_for(queue).advisor_callback_seconds <= 0:
        return False
    return routing.consultant(advisor_id).state in ADVISOR_BUSY_STATES


def wait_key(settings: Settings, call_sid: str, digits: str) -> VoiceResponse:
    """Act on a key pressed while waiting: 1 asks for a callback, 2 (past the maximum) voicemail,
    3 a callback from the caller's own advisor.

    This document runs inside the wait, so anything but a Hangup or Leave keeps the caller in
    the queue: an unknown key just lets the wait URL run again.
    """
    routing = engine_for(settings)
    entry = routing.entry(call_sid)
    language = language_of(entry)
    offers = wait_offers(settings, routing, entry)
    offered = digits in KEY_OFFERS and bool(set(KEY_OFFERS[digits]) & set(offers))
    if entry is not None and offered and digits in ("1", "3"):
        number = entry.caller_number or ""
        for_advisor = digits == "3"
        hold = routing.policy_for(entry.queue).advisor_callback_seconds
        kept = routing.request_callback(call_sid, number, advisor_hold=hold if for_advisor else 0)
        if kept:
            callbacks.record_request(_known(routing, call_sid), number, routing.clock())
            log.info(
                "call %s: callback requested%s, place kept",
                call_sid,
                " from the advisor" if for_advisor else "",
            )
        confirmation = "advisor_callback_confirmed" if for_advisor else "callback_confirmed"
        return twiml.callback_confirmed(language, confirmation) if kept else twiml.empty()
    if offered and digits == "2":
        leaving = routing.mark_voicemail(call_sid)
        if leaving:
            log.info("call %s: leaving the queue for voicemail", call_sid)
        return twiml.leave_queue() if leaving else twiml.empty()
    return twiml.empty()


def queue_left(call_sid: str, result: str, settings: Settings | None = None) -> VoiceResponse:
    """Handle the Enqueue action: a caller who hung up while waiting is abandoned.

    A caller who asked for a callback hangs up too, but keeps their place; one who chose
    voicemail left the queue to record it.
    """
    routing = engine_for(settings) if settings else engine()
    entry = routing.entry(call_sid)
    language = language_of(entry)
    if entry is not None and entry.callback and result in ("hangup", "leave"):
        return twiml.empty()
    if result == "leave" and entry is not None and entry.voicemail:
        routing.close(call_sid, "voicemail")
        max_seconds = settings.voicemail_max_seconds if settings else 120
        return twiml.voicemail(language, max_seconds)
    if result == "hangup":
        routing.close(call_sid, "abandoned")
        return twiml.empty()
    if result in ("bridged", "bridging-in-process", "redirected"):
        return twiml.empty()
    log.warning("call %s left the queue with %s", call_sid, result)
    routing.close(call_sid, "abandoned")
    return twiml.goodbye(language)


def connect_consultant(settings: Settings, call_sid: str, consultant_id: int) -> VoiceResponse:
    """Ring the consultant the router chose for this caller."""
    routing = engine_for(settings)
    entry = routing.entry(call_sid)
    language = language_of(entry)
    if entry is not None and entry.state == EntryState.ENDED:
        return twiml.goodbye(language)
    if entry is None or entry.consultant_id != consultant_id:
        log.warning(
            "call %s: offer to %s was taken back; back to the queue", call_sid, consultant_id
        )
        return twiml.enqueue(language, settings.queue_name, announce=None)
    consultant = db.session.get(Consultant, consultant_id)
    if consultant is None:
        raise LookupError(f"consultant {consultant_id} does not exist")
    routing.delivered(call_sid)
    return twiml.connect(
        language,
        client_identity=consultant.client_identity,
        number=consultant.phone,
        action=f"/routing/dial-result?consultant={consultant_id}",
        timeout=settings.ring_timeout_seconds,
        caller_id=entry.caller_number,
    )


def dial_finished(
    settings: Settings, call_sid: str, consultant_id: int, dial_status: str
) -> VoiceResponse:
    """Handle the end of the consultant leg: wrap up, or give a missed call its place back."""
    routing = engine_for(settings)
    entry = routing.entry(call_sid)
    language = language_of(entry)
    if dial_status == "completed":
        routing.connected(call_sid, consultant_id)
        routing.close(call_sid, "answered")
        schedule_record(call_sid)
        return twiml.goodbye(language)
    if entry is not None and entry.state == EntryState.ENDED:
        return twiml.goodbye(language)
    if dial_status == "canceled":
        routing.withdraw_offer(call_sid, consultant_id)
        return twiml.empty()
    log.info("consultant %s missed call %s (%s)", consultant_id, call_sid, dial_status)
    routing.return_offer(call_sid, consultant_id, requeue=True)
    return twiml.enqueue(language, settings.queue_name, announce="consultant_missed")


def call_ended(call_sid: str, caller_number: str, status: str) -> None:
    """Handle the status callback: close whatever is open for this call and persist it."""
    routing = engine()
    entry = routing.entry(call_sid)
    if entry is not None and entry.state != EntryState.ENDED and not entry.callback:
        outcome = "answered" if entry.state == EntryState.CONNECTED else "abandoned"
        routing.close(call_sid, outcome)
    schedule_record(call_sid, caller_number=caller_number, status=status)


def schedule_record(call_sid: str, caller_number: str = "", status: str = "") -> None:
    """Persist the call's record in the background (repeats are harmless)."""
    job_id = f"record-call-{call_sid}"
    jobs.enqueue("routing.tasks.record_call", call_sid, caller_number, status, job_id=job_id)


def set_consultant_state(consultant: Consultant, state: ConsultantState, reason: str = "") -> None:
    """Change a consultant's state from the desk, mirroring what routing needs into Redis."""
    engine().set_state(consultant.id, state, reason=reason, profile=consultant_profile(consultant))


def consultant_profile(consultant: Consultant) -> ConsultantProfile:
    """Return what routing needs to know about a consultant."""
    return ConsultantProfile(
        consultant_id=consultant.id,
        name=consultant.name,
        office=consultant.office_code,
        languages=tuple(consultant.languages or ("pl",)),
        topics=tuple(consultant.topics or ()),
        address=consultant.phone or f"client:{consultant.client_identity}",
    )


# Callbacks: the router rings the consultant's desk, and these webhooks take it from there.


def attempts_made(entry: LiveEntry) -> int:
    """Return how many times the customer of a callback has been dialled (1 if never counted)."""
    return 1 if entry.callback_attempts is None else entry.callback_attempts


def _known(routing: RoutingEngine, call_sid: str) -> LiveEntry:
    """Return the entry of a call routing has just changed, so it exists."""
    entry = routing.entry(call_sid)
    if entry is None:
        raise LookupError(f"call {call_sid} has no queue entry")
    return entry


def callback_connect(
    settings: Settings, call_sid: str, consultant_id: int, leg_sid: str
) -> VoiceResponse:
    """The consultant answered a callback: count the attempt and dial the customer."""
    routing = engine_for(settings)
    entry = routing.entry(call_sid)
    held = entry is not None and entry.consultant_id == consultant_id
    if entry is None or not held or entry.state not in (EntryState.OFFERED, EntryState.CONNECTED):
        log.info("call %s: callback no longer held by %s", call_sid, consultant_id)
        return twiml.consultant_message("callback_taken")
    if entry.state == EntryState.OFFERED:
        routing.connected(call_sid, consultant_id)
        attempt = routing.callback_attempt(call_sid)
    else:
        attempt = attempts_made(entry)
    callbacks.attempt_started(call_sid, attempt, consultant_id, leg_sid, routing.clock())
    result_url = (
        f"/routing/callback/result?call={call_sid}&consultant={consultant_id}&attempt={attempt}"
    )
    return twiml.callback_dial(
        entry.callback_number or entry.caller_number or "",
        action=result_url,
        timeout=CALLBACK_DIAL_SECONDS,
        caller_id=settings.hotline_number,
    )


def callback_result(
    settings: Settings, call_sid: str, consultant_id: int, attempt: int, dial_status: str
) -> VoiceResponse:
    """The customer leg of a callback ended: done, or try again later, or give up."""
    routing = engine_for(settings)
    entry = routing.entry(call_sid)
    if entry is None or (entry.callback_attempts or 0) != attempt:
        return twiml.empty()
    live = entry.state == EntryState.CONNECTED and entry.consultant_id == consultant_id
    rescheduled = entry.state == EntryState.SCHEDULED
    if not (live or rescheduled):
        return twiml.empty()
    if dial_status == "completed":
        routing.close(call_sid, "callback")
        callbacks.attempt_finished(call_sid, attempt, "answered", CallbackStatus.COMPLETED, None)
        schedule_record(call_sid)
        return twiml.empty()
    if rescheduled:
        return twiml.empty()
    rules = callbacks.CallbackRules.from_settings(settings)
    if attempt >= rules.max_attempts:
        routing.redis.hset(keys.entry(call_sid), "callback_status", "failed")
        routing.close(call_sid, "callback")
        callbacks.attempt_finished(call_sid, attempt, dial_status, CallbackStatus.FAILED, None)
        schedule_record(call_sid)
        log.warning("call %s: callback given up after %s attempts", call_sid, attempt)
    else:
        due = rules.next_attempt(routing.clock())
        routing.reschedule_callback(call_sid, due)
        callbacks.attempt_finished(call_sid, attempt, dial_status, CallbackStatus.PENDING, due)
    return twiml.consultant_message("callback_no_answer")


def callback_leg_ended(
    settings: Settings, call_sid: str, consultant_id: int, call_status: str
) -> None:
    """The consultant's leg of a callback ended: a missed ring returns the callback."""
    routing = engine_for(settings)
    entry = routing.entry(call_sid)
    if entry is None or entry.consultant_id != consultant_id:
        return
    if entry.state == EntryState.OFFERED and call_status != "completed":
        log.info("consultant %s missed callback %s (%s)", consultant_id, call_sid, call_status)
        routing.return_offer(call_sid, consultant_id)
    elif entry.state == EntryState.CONNECTED:
        # The customer leg never reported back: try again rather than lose the request.
        callback_result(settings, call_sid, consultant_id, attempts_made(entry), "unknown")


def request_callback_later(entry: QueueEntry, number: str) -> bool:
    """Take a callback request from a caller who cannot wait (say, the centre is closed).

    The request joins the queue as a callback at once, so when consultants log in it comes
    first in its tier, and it is stored in the database like any callback request.
    """
    routing = engine()
    if not entry.queue and has_app_context():
        entry = replace(entry, queue=current_app.extensions["hotline.settings"].queue_name)
    routing.join(entry)
    if not routing.request_callback(entry.call_sid, number):
        refused = routing.entry(entry.call_sid)
        log.warning(
            "call %s: callback request refused (state %s)",
            entry.call_sid,
            refused.state if refused else None,
        )
        return False
    callbacks.record_request(_known(routing, entry.call_sid), number, routing.clock())
    log.info("call %s: callback requested outside the queue", entry.call_sid)
    return True


def restore_callbacks(settings: Settings) -> int:
    """Put back pending callbacks whose Redis entry was lost (the database keeps them)."""
    return callbacks.restore(engine_for(settings))
