"""What happens to a caller between asking for a person and hanging up.

Every webhook function takes the process's ``Routing`` (the engine, consultant hours and
callback rules, built once by ``build_routing``); none reaches for the app or a global.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass, replace

import redis
from sqlalchemy import select
from twilio.twiml.voice_response import VoiceResponse

from consultants.models import Consultant
from hotline import speech
from hotline.db import db, utcnow
from hotline.hours import OpeningHours
from hotline.jobs import jobs
from hotline.settings import Settings
from hotline.speech import DEFAULT_LANGUAGE
from hotline.telephony import FINAL_CALL_STATUSES, TelephonyError, telephony
from routing import callbacks, consent, keys, legs, twiml, urls
from routing.callbacks import CallbackRules
from routing.consent import RecordingDecision
from routing.engine import ConsultantProfile, LegEnd, QueueEntry, RoutingEngine
from routing.legs import Leg
from routing.live import (
    ADVISOR_BUSY_STATES,
    WITH_THE_CALLER_STATES,
    Answer,
    ConsultantState,
    EntryState,
    LiveEntry,
)
from routing.models import CallbackRequest, CallbackStatus, CallOutcome, CallRecord
from routing.policy import RoutingPolicy, parse_policies
from routing.signals import consultant_picked_up

log = logging.getLogger(__name__)

# How often a caller whose wait URL failed goes back in the queue before hearing goodbye.
MAX_WAIT_FAILURES = 3
# A caller who hangs up this soon after the consultant's answer, their room never started,
# never spoke with them: the call was abandoned.
NEVER_MET_SECONDS = 10.0
CALLBACK_DIAL_SECONDS = 30
ADVISOR_OFFER = "advisor_callback_offer"
# How soon advisors usually call back is said only while it is a figure worth saying.
USUAL_CALLBACK_MINUTES = (2, 19)
# The keys a waiting caller may press, and the offers that let them.
KEY_OFFERS = {
    "1": ("callback_offer", "max_wait_offer", "unstaffed_offer"),
    "2": ("max_wait_offer", "voicemail_offer", "unstaffed_offer", "unstaffed_voicemail_offer"),
    "3": ("advisor_callback_offer",),
}


@dataclass(frozen=True)
class Routing:
    """What routing works with, built once per process from its settings."""

    settings: Settings
    engine: RoutingEngine
    opening_hours: OpeningHours  # when consultants answer
    callback_rules: CallbackRules


def build_routing(settings: Settings, client: redis.Redis) -> Routing:
    """Build the engine, consultant hours and callback rules from settings, on this Redis.

    The composition roots call it once per process (create_app, and the router and worker
    commands), so a wrong queue policy or hours setting stops the start instead of a call.
    """
    default = RoutingPolicy(
        float(settings.tier_advisor_seconds),
        float(settings.tier_office_seconds),
        float(settings.tier_language_seconds),
        record_calls=settings.record_calls,
        caller_may_decline=settings.recording_decline,
    )
    rules = CallbackRules.from_settings(settings)
    engine = RoutingEngine(
        client,
        policy=default,
        policies=parse_policies(settings.queue_policies, default),
        wrap_up_seconds=float(settings.wrap_up_seconds),
        rejoin_seconds=settings.rejoin_minutes * 60.0,
        callback_opening=rules.opening_at_or_after,
    )
    hours = OpeningHours.for_consultants(settings)
    return Routing(settings, engine, hours, rules)


@dataclass(frozen=True)
class WaitUpdate:
    """What the wait URL was told by Twilio."""

    call_sid: str
    queue_sid: str
    queue_time: int


def join_queue(routing: Routing, entry: QueueEntry) -> VoiceResponse:
    """Put a caller in the consultant queue, remembering who they are and why they call."""
    queue_name = routing.settings.queue_name
    if not entry.queue:
        entry = replace(entry, queue=queue_name)
    kept = routing.engine.join(entry)
    log.info("call %s joins the queue (topic %s)", entry.call_sid, entry.topic)
    policy = routing.engine.policy_for(entry.queue)
    client = routing.engine.redis
    if not policy.record_calls:
        consent.decide(client, entry.call_sid, RecordingDecision.QUEUE_NOT_RECORDED)
    elif consent.decision_of(client, entry.call_sid) is None:
        key = routing.settings.recording_decline_key if policy.caller_may_decline else None
        return twiml.recording_notice(kept.language, key)
    return enqueue_joining(routing, kept.language)


def enqueue_joining(routing: Routing, language: str, preface: str = "") -> VoiceResponse:
    """Put a caller who has just asked for a person into the Twilio queue."""
    # With nobody at work, the wait's first words say so instead of "putting you through".
    announce = "queue_joining" if routing.engine.staffed_count() else None
    response = twiml.enqueue(language, routing.settings.queue_name, announce=announce)
    if preface:
        said = VoiceResponse()
        speech.say(said, language, preface)
        for verb in response.verbs:
            said.append(verb)
        return said
    return response


def recording_consent(routing: Routing, call_sid: str, digits: str) -> VoiceResponse:
    """Take the caller's answer to the recording notice, then put them in the queue.

    The decline key declines only where the queue's policy lets callers decline; any other
    key, or none, leaves the notice given. A repeated request keeps the first answer.
    """
    entry = routing.engine.entry(call_sid)
    language = language_of(entry)
    policy = routing.engine.policy_for(entry.queue if entry else routing.settings.queue_name)
    declines = policy.caller_may_decline and digits == routing.settings.recording_decline_key
    wanted = RecordingDecision.DECLINED if declines else RecordingDecision.NOTICE_GIVEN
    kept = consent.decide(routing.engine.redis, call_sid, wanted)
    log.info("call %s: recording %s", call_sid, kept.value)
    if entry is not None and entry.state == EntryState.ENDED:
        return twiml.goodbye(language)
    if kept == RecordingDecision.DECLINED:
        return enqueue_joining(routing, language, speech.prompt(language, "recording_declined"))
    return enqueue_joining(routing, language)


def waiting(routing: Routing, update: WaitUpdate) -> VoiceResponse:
    """Answer the wait URL: make the caller routable and tell them where they stand."""
    engine, settings = routing.engine, routing.settings
    engine.mark_waiting(update.call_sid, update.queue_sid)
    entry = engine.entry(update.call_sid)
    language = language_of(entry)
    offers = wait_offers(routing, entry)
    position, _size = engine.position(update.call_sid)
    seconds = engine.estimate(update.call_sid, position)
    # Nobody staffed, or over an hour: no figure is promised, the caller is asked to hold.
    minutes = max(1, math.ceil(seconds / 60)) if seconds < 3600 else None
    return twiml.wait_message(
        language,
        position,
        minutes,
        settings.wait_announce_seconds,
        offers=offers,
        callback_minutes=usual_callback_minutes(engine) if ADVISOR_OFFER in offers else None,
        hold_music_url=settings.hold_music_url,
    )


def language_of(entry: LiveEntry | None) -> str:
    """Return the language a queued caller hears (Polish for an unknown call)."""
    return speech.normalise_language(entry.language if entry else None)


def caller_language(routing: Routing, call_sid: str) -> str:
    """Return the language a queued caller hears."""
    return language_of(routing.engine.entry(call_sid))


def wait_offers(routing: Routing, entry: LiveEntry | None) -> tuple[str, ...]:
    """Choose what a waiting caller may press: 1 a callback, 2 (past the maximum wait)
    voicemail, 3 a callback from their own advisor while the advisor is at work but busy.

    With nobody at work (logged out, on a break or not ready) no wait can be promised, so the
    caller is told so at once and may ask for a callback (1) or leave a message (2) without
    waiting out the maximum.
    """
    if entry is None:
        return ()
    now = routing.engine.clock()
    waited = now - (entry.queued_at or now)
    has_number = bool(entry.caller_number)
    offers: tuple[str, ...] = ()
    # A transferred call's advisor_id names the colleague it waits for, not the caller's own.
    own_advisor = entry.advisor_id if not entry.transfers else None
    if has_number and advisor_busy(routing.engine, own_advisor, entry.queue, entry.call_sid):
        offers = (ADVISOR_OFFER,)
    if routing.engine.staffed_count() == 0:
        offers += ("unstaffed_offer",) if has_number else ("unstaffed_voicemail_offer",)
    elif waited >= routing.settings.max_wait_seconds:
        offers += ("max_wait_offer",) if has_number else ("voicemail_offer",)
    elif has_number:
        offers += ("callback_offer",)
    return offers


def usual_callback_minutes(engine: RoutingEngine) -> int | None:
    """Return how soon advisors usually call back, in the whole minutes said to the caller;
    None before it has been measured, or while it is not a figure worth saying."""
    usual = engine.usual_advisor_callback()
    if usual is None:
        return None
    low, high = USUAL_CALLBACK_MINUTES
    minutes = max(low, math.ceil(usual / 60))
    return minutes if minutes <= high else None


def advisor_busy(
    engine: RoutingEngine, advisor_id: int | None, queue: str, call_sid: str = ""
) -> bool:
    """Tell whether the caller has an advisor at work who cannot take them now (on someone
    else's call, in wrap-up, on a break or not ready), and the queue lets callers ask that
    advisor for a callback.

    An advisor whose phone rings with this very call (call_sid), or who has just answered it,
    is busy with nobody else: the caller is being put through to them, not kept waiting.
    """
    if advisor_id is None or engine.policy_for(queue).advisor_callback_seconds <= 0:
        return False
    advisor = engine.consultant(advisor_id)
    if call_sid and advisor.call_sid == call_sid and advisor.state in WITH_THE_CALLER_STATES:
        return False
    return advisor.state in ADVISOR_BUSY_STATES


def wait_key(routing: Routing, call_sid: str, digits: str) -> VoiceResponse:
    """Act on a key pressed while waiting: 1 asks for a callback, 2 (past the maximum) voicemail,
    3 a callback from the caller's own advisor.

    This document runs inside the wait, so anything but a Hangup or Leave keeps the caller in
    the queue: an unknown key just lets the wait URL run again.
    """
    engine = routing.engine
    entry = engine.entry(call_sid)
    language = language_of(entry)
    offers = wait_offers(routing, entry)
    offered = digits in KEY_OFFERS and bool(set(KEY_OFFERS[digits]) & set(offers))
    if entry is not None and offered and digits in ("1", "3"):
        number = entry.caller_number or ""
        for_advisor = digits == "3"
        hold = engine.policy_for(entry.queue).advisor_callback_seconds
        due = routing.callback_rules.first_attempt(engine.clock())
        kept = engine.request_callback(
            call_sid, number, advisor_hold=hold if for_advisor else 0, not_before=due
        )
        if kept:
            callbacks.record_request(_known(engine, call_sid), number, due)
            log.info(
                "call %s: callback requested%s, place kept",
                call_sid,
                " from the advisor" if for_advisor else "",
            )
        confirmation = "advisor_callback_confirmed" if for_advisor else "callback_confirmed"
        return twiml.callback_confirmed(language, confirmation) if kept else twiml.empty()
    if offered and digits == "2":
        leaving = engine.mark_voicemail(call_sid)
        if leaving:
            log.info("call %s: leaving the queue for voicemail", call_sid)
        return twiml.leave_queue() if leaving else twiml.empty()
    return twiml.empty()


def queue_left(routing: Routing, call_sid: str, result: str) -> VoiceResponse:
    """Handle the Enqueue action: a caller who hung up while waiting is abandoned.

    Twilio reports "error" when the wait URL failed; the caller then goes back in the queue
    (a few times at most, so that a wait URL that always fails does not loop forever).

    A caller who asked for a callback hangs up too, but keeps their place; one who chose
    voicemail left the queue to record it.
    """
    engine = routing.engine
    entry = engine.entry(call_sid)
    language = language_of(entry)
    if entry is not None and entry.callback and result in ("hangup", "leave"):
        return twiml.empty()
    if result == "leave" and entry is not None and entry.voicemail:
        engine.close(call_sid, "voicemail")
        return twiml.voicemail(
            language,
            routing.settings.voicemail_max_seconds,
            number_known=bool(entry.caller_number),
        )
    if result == "hangup":
        engine.close(call_sid, unserved_outcome(entry))
        return twiml.empty()
    if result in ("bridged", "bridging-in-process", "redirected"):
        return twiml.empty()
    # The wait URL failed under the caller (a web process died mid-request): they go back in,
    # keeping their place, unless it keeps failing.
    ended = entry is not None and entry.state == EntryState.ENDED
    if result == "error" and not ended and engine.wait_failed(call_sid) <= MAX_WAIT_FAILURES:
        log.warning("call %s: the wait failed; back in the queue", call_sid)
        return twiml.enqueue(language, routing.settings.queue_name, announce=None)
    log.warning("call %s left the queue with %s", call_sid, result)
    engine.close(call_sid, unserved_outcome(entry))
    return twiml.goodbye(language)


def unserved_outcome(entry: LiveEntry | None) -> str:
    """Return how a call that ends while not connected ended: abandoned, unless a consultant
    had already spoken with the caller (who hung up while being transferred, say)."""
    return "answered" if entry is not None and entry.answered_at else "abandoned"


def connect_consultant(routing: Routing, call_sid: str, consultant_id: int) -> VoiceResponse:
    """Bring the caller into their call's room while the chosen consultant is rung."""
    entry = routing.engine.entry(call_sid)
    language = language_of(entry)
    if entry is not None and entry.state == EntryState.ENDED:
        return twiml.goodbye(language)
    if entry is None or entry.consultant_id != consultant_id:
        log.warning(
            "call %s: offer to %s was taken back; back to the queue", call_sid, consultant_id
        )
        return twiml.enqueue(language, routing.settings.queue_name, announce=None)
    return twiml.caller_room(
        language,
        call_sid,
        music=bool(routing.settings.hold_music_url),
        record=consent.recorded(routing.engine.redis, call_sid),
    )


def is_desk_phone(address: str | None) -> bool:
    """Tell whether a consultant's address is a phone number rather than a softphone."""
    return bool(address) and not str(address).startswith("client:")


def consultant_joining(routing: Routing, call_sid: str, consultant_id: int) -> VoiceResponse:
    """The consultant's phone was answered: a softphone joins the caller's room at once, and a
    desk phone is screened first, since its voicemail box may be what answered."""
    engine = routing.engine
    entry = engine.entry(call_sid)
    if (
        entry is None
        or entry.consultant_id != consultant_id
        or entry.state
        not in (
            EntryState.OFFERED,
            EntryState.CONNECTED,
        )
    ):
        log.info("call %s: no longer offered to %s", call_sid, consultant_id)
        return twiml.consultant_message("call_gone")
    if is_desk_phone(engine.consultant(consultant_id).address):
        return twiml.screen(call_sid, consultant_id)
    if consultant_answered(routing, call_sid, consultant_id):
        return twiml.consultant_room(call_sid, consultant_id)
    return twiml.consultant_message("call_gone")


def consultant_answered(routing: Routing, call_sid: str, consultant_id: int) -> bool:
    """Note that the network says the consultant picked up the caller offered to them.

    It runs once per answer however often Twilio reports it (the call's url and its answered
    event both say so, in either order, and either may be repeated).
    """
    engine = routing.engine
    answer = engine.connected(call_sid, consultant_id)
    if answer == Answer.NOT_THEIRS:
        log.info("call %s: answer by %s came too late; the offer was gone", call_sid, consultant_id)
        return False
    entry = engine.entry(call_sid) if answer == Answer.NOW else None
    if entry is not None:
        log.info("call %s: consultant %s answered", call_sid, consultant_id)
        if not entry.callback:
            kind = "transfer" if entry.transfers else "queue"
            leg = Leg(0, kind, engine.clock(), consultant_id, transferred_by=entry.transferred_by)
            legs.start_leg(engine.redis, call_sid, leg)
        consultant_picked_up.send(entry, consultant_id=consultant_id)
    return True


def screened(routing: Routing, call_sid: str, consultant_id: int, digits: str) -> VoiceResponse:
    """Bring the desk phone into the room if the person who answered pressed 1; otherwise
    hang it up, and the caller goes back to their place."""
    if digits == "1" and consultant_answered(routing, call_sid, consultant_id):
        return twiml.consultant_room(call_sid, consultant_id)
    return twiml.screen_declined()


def leg_progress(
    routing: Routing, call_sid: str, consultant_id: int, leg_sid: str, status: str
) -> None:
    """Hear the progress of the consultant's call (its CallStatus).

    A softphone's answer is a person's, a second witness beside the join; a desk phone's
    answer may be its voicemail box, so only its screening counts. A call that ends unanswered
    gives the caller their place back; one that ends after the conversation closes it.
    """
    engine = routing.engine
    if status == "in-progress":
        if not is_desk_phone(engine.consultant(consultant_id).address):
            consultant_answered(routing, call_sid, consultant_id)
        return
    if status not in FINAL_CALL_STATUSES:
        return
    entry = engine.entry(call_sid)
    if entry is None or entry.consultant_id != consultant_id:
        return
    if entry.consultant_leg and leg_sid and entry.consultant_leg != leg_sid:
        return  # an earlier ring of the same consultant, reported late
    if entry.state == EntryState.OFFERED:
        log.info("consultant %s missed call %s (%s)", consultant_id, call_sid, status)
        if engine.return_offer(call_sid, consultant_id, requeue=True):
            bring_back(routing, call_sid)
    elif entry.state == EntryState.CONNECTED and engine.close(call_sid, "answered"):
        schedule_record(call_sid)


def bring_back(routing: Routing, call_sid: str, path: str = urls.REQUEUE) -> None:
    """Move a caller from their room back to their place in the queue, by the webhook at path
    (it says why they are back)."""
    try:
        telephony.current().redirect_call(call_sid, routing.settings.public_url + path)
    except TelephonyError as exc:
        # Gone (their hang-up closes the call) or the network is down (the router's
        # reconciliation finds them); either way they are not lost.
        log.warning("call %s: could not bring the caller back to the queue: %s", call_sid, exc)


def requeued(routing: Routing, call_sid: str) -> VoiceResponse:
    """Put a caller whose consultant did not answer back in the queue, where they were."""
    return back_in_queue(routing, call_sid, "consultant_missed")


def back_in_queue(routing: Routing, call_sid: str, announce: str) -> VoiceResponse:
    """Put a caller back in the queue, where they were, saying why (a caller who has hung up
    meanwhile hears goodbye instead)."""
    entry = routing.engine.entry(call_sid)
    language = language_of(entry)
    if entry is not None and entry.state == EntryState.ENDED:
        return twiml.goodbye(language)
    return twiml.enqueue(language, routing.settings.queue_name, announce=announce)


def room_left(routing: Routing, call_sid: str) -> VoiceResponse:
    """The caller's room ended (the consultant hung up): close the call and say goodbye.

    A caller who leaves the room before anyone answered goes back to the queue instead.
    """
    engine = routing.engine
    entry = engine.entry(call_sid)
    language = language_of(entry)
    if entry is None or entry.state in (EntryState.ENDED, EntryState.CONNECTED):
        if entry is not None and engine.close(call_sid, "answered"):
            schedule_record(call_sid)
        return twiml.goodbye(language)
    log.warning("call %s left its room unanswered (%s); back to the queue", call_sid, entry.state)
    return twiml.enqueue(language, routing.settings.queue_name, announce=None)


def call_ended(
    routing: Routing, call_sid: str, caller_number: str, status: str, cut_off: bool = False
) -> None:
    """Handle the status callback: close whatever is open for this call and persist it
    (cut_off: a failure of the centre broke into the call, so one that never reached the
    queue failed rather than being served by the IVR)."""
    entry = routing.engine.entry(call_sid)
    if entry is not None and entry.state != EntryState.ENDED and not entry.callback:
        connected = entry.state == EntryState.CONNECTED
        outcome = "answered" if connected else unserved_outcome(entry)
        if connected and never_met(routing, entry):
            log.info("call %s: the caller hung up as the consultant answered", call_sid)
            outcome = "abandoned"
        routing.engine.close(call_sid, outcome)
        if entry.state == EntryState.OFFERED and entry.consultant_leg:
            stop_ringing(entry.consultant_leg)
    schedule_record(call_sid, caller_number=caller_number, status=status, cut_off=cut_off)


def never_met(routing: Routing, entry: LiveEntry) -> bool:
    """Tell whether a caller whose consultant answered hung up before they met: the room
    never started (its start, reported by the room, is when the consultant joins the caller
    in it), moments after the answer, with no consultant before (a transfer)."""
    if entry.transfers or entry.answered_at is None:
        return False
    if routing.engine.clock() - entry.answered_at > NEVER_MET_SECONDS:
        return False  # a conversation, whose room's start was lost (with a replaced Redis)
    return not routing.engine.redis.hget(keys.room(entry.call_sid), "met")


def stop_ringing(leg_sid: str) -> None:
    """Stop a consultant's phone ringing for a caller who is gone."""
    try:
        telephony.current().end_call(leg_sid)
    except TelephonyError as exc:
        log.warning("could not stop consultant call %s ringing: %s", leg_sid, exc)


def record_unqueued_call(call_sid: str, caller_number: str, cut_off: bool = False) -> None:
    """Record a call that ended while Redis was down: it never reached the queue, so it was
    served by the IVR, unless the caller asked for a callback (kept in the database) or a
    failure of the centre cut it off."""
    with db.transaction() as session:
        record = session.scalars(select(CallRecord).where(CallRecord.call_sid == call_sid)).first()
        if record is None:
            record = CallRecord(call_sid=call_sid, caller_number=caller_number or None)
            session.add(record)
        asked = session.scalars(
            select(CallbackRequest.id).where(CallbackRequest.call_sid == call_sid)
        ).first()
        if asked is not None:
            record.outcome = CallOutcome.CALLBACK
        else:
            record.outcome = CallOutcome.FAILED if cut_off else CallOutcome.SELF_SERVICE
        record.ended_at = record.ended_at or utcnow()


def schedule_record(
    call_sid: str, caller_number: str = "", status: str = "", cut_off: bool = False
) -> None:
    """Persist the call's record in the background (repeats are harmless)."""
    job_id = f"record-call-{call_sid}"
    jobs.enqueue(
        "routing.tasks.record_call", call_sid, caller_number, status, cut_off, job_id=job_id
    )


def set_consultant_state(
    engine: RoutingEngine, consultant: Consultant, state: ConsultantState, reason: str = ""
) -> None:
    """Change a consultant's state from the desk, mirroring what routing needs into Redis."""
    engine.set_state(consultant.id, state, reason=reason, profile=consultant_profile(consultant))


def consultant_at_desk(engine: RoutingEngine, consultant: Consultant, signed_in: bool) -> None:
    """Note that a consultant uses the desk (or has signed out), so that the board can say who
    is signed in, Offline ones too; one never seen before is made known to routing first."""
    if signed_in and engine.consultant(consultant.id).name is None:
        engine.register_consultant(consultant_profile(consultant))
    engine.at_desk(consultant.id, signed_in)


def consultant_profile(consultant: Consultant) -> ConsultantProfile:
    """Return what routing needs to know about a consultant."""
    return ConsultantProfile(
        consultant_id=consultant.id,
        name=consultant.name,
        office=consultant.office_code,
        languages=tuple(consultant.languages or (DEFAULT_LANGUAGE,)),
        topics=tuple(consultant.topics or ()),
        address=consultant.phone or f"client:{consultant.client_identity}",
    )


# Callbacks: the router rings the consultant's desk, and these webhooks take it from there.


def attempts_made(entry: LiveEntry) -> int:
    """Return how many times the customer of a callback has been dialled (1 if never counted)."""
    return 1 if entry.callback_attempts is None else entry.callback_attempts


def _known(engine: RoutingEngine, call_sid: str) -> LiveEntry:
    """Return the entry of a call routing has just changed, so it exists."""
    entry = engine.entry(call_sid)
    if entry is None:
        raise LookupError(f"call {call_sid} has no queue entry")
    return entry


def callback_connect(
    routing: Routing, call_sid: str, consultant_id: int, leg_sid: str
) -> VoiceResponse:
    """The consultant answered a callback: count the attempt and dial the customer."""
    engine = routing.engine
    entry = engine.entry(call_sid)
    held = entry is not None and entry.consultant_id == consultant_id
    if entry is None or not held or entry.state not in (EntryState.OFFERED, EntryState.CONNECTED):
        log.info("call %s: callback no longer held by %s", call_sid, consultant_id)
        return twiml.consultant_message("callback_taken")
    if entry.state == EntryState.OFFERED:
        consultant_answered(routing, call_sid, consultant_id)
        attempt = engine.callback_attempt(call_sid)
    else:
        attempt = attempts_made(entry)
    callbacks.attempt_started(call_sid, attempt, consultant_id, leg_sid, engine.clock())
    return twiml.callback_dial(
        entry.callback_number or entry.caller_number or "",
        action=urls.callback_result(call_sid, consultant_id, attempt),
        timeout=CALLBACK_DIAL_SECONDS,
        caller_id=routing.settings.hotline_number,
    )


def callback_result(
    routing: Routing,
    call_sid: str,
    consultant_id: int,
    attempt: int,
    dial_status: str,
    leg_sid: str = "",
) -> VoiceResponse:
    """The customer leg of a callback ended: done, or try again later, or give up.

    An attempt that missed the customer leaves its consultant on the call until their own leg
    (leg_sid, the call this result came on) ends, since they are still hearing so.
    """
    engine = routing.engine
    entry = engine.entry(call_sid)
    if entry is None or (entry.callback_attempts or 0) != attempt:
        return twiml.empty()
    live = entry.state == EntryState.CONNECTED and entry.consultant_id == consultant_id
    rescheduled = entry.state == EntryState.SCHEDULED
    if dial_status == "completed" and (live or rescheduled):
        engine.close(call_sid, "callback")
        callbacks.attempt_finished(call_sid, attempt, "answered", CallbackStatus.COMPLETED, None)
        schedule_record(call_sid)
        return twiml.empty()
    if not live:
        return twiml.empty()
    rules = routing.callback_rules
    if attempt >= rules.max_attempts:
        if engine.callback_unreached(call_sid, consultant_id, None, leg_sid):
            callbacks.attempt_finished(call_sid, attempt, dial_status, CallbackStatus.FAILED, None)
            schedule_record(call_sid)
            log.warning("call %s: callback given up after %s attempts", call_sid, attempt)
    else:
        due = rules.next_attempt(engine.clock())
        if engine.callback_unreached(call_sid, consultant_id, due, leg_sid):
            callbacks.attempt_finished(call_sid, attempt, dial_status, CallbackStatus.PENDING, due)
    return twiml.consultant_message("callback_no_answer")


def callback_leg_ended(
    routing: Routing, call_sid: str, consultant_id: int, call_status: str, leg_sid: str = ""
) -> None:
    """The consultant's leg of a callback ended: a missed ring returns the callback, and a
    consultant kept on the call after missing the customer is free.

    Its report may come late, twice, or before the attempt's result; the result then frees
    the consultant (or sends them to wrap up) as soon as it comes.
    """
    engine = routing.engine
    entry = engine.entry(call_sid) or LiveEntry(call_sid)
    if entry.state == EntryState.OFFERED and entry.consultant_id == consultant_id:
        if call_status != "completed":
            log.info("consultant %s missed callback %s (%s)", consultant_id, call_sid, call_status)
            engine.return_offer(call_sid, consultant_id)
        return
    ended = engine.callback_leg_ended(call_sid, consultant_id, leg_sid)
    if ended == LegEnd.RELEASED:
        log.info("call %s: consultant %s off the callback's line", call_sid, consultant_id)


def callback_leg_lost(
    routing: Routing, call_sid: str, consultant_id: int, leg_sid: str, dial_status: str = "unknown"
) -> None:
    """The network says a consultant's leg of a callback is over but its reports never came:
    free the consultant, and settle an attempt whose result was lost too by what the network
    says of the customer's call (dial_status), or retry it (or give up) when it cannot say."""
    callback_leg_ended(routing, call_sid, consultant_id, "completed", leg_sid)
    entry = routing.engine.entry(call_sid)
    if entry is not None and entry.state == EntryState.CONNECTED:
        log.warning("call %s: the callback attempt's result never came (%s)", call_sid, dial_status)
        attempt = attempts_made(entry)
        callback_result(routing, call_sid, consultant_id, attempt, dial_status, leg_sid)


def request_callback_later(routing: Routing, entry: QueueEntry, number: str) -> bool:
    """Take a callback request from a caller who cannot wait (say, the centre is closed).

    The request joins the queue as a callback at once, so when consultants log in it comes
    first in its tier, and it is stored in the database like any callback request. Asked for
    outside callback hours, its first attempt waits until they begin.
    """
    engine = routing.engine
    if not entry.queue:
        entry = replace(entry, queue=routing.settings.queue_name)
    engine.join(entry)
    due = routing.callback_rules.first_attempt(engine.clock())
    if not engine.request_callback(entry.call_sid, number, not_before=due):
        refused = engine.entry(entry.call_sid)
        log.warning(
            "call %s: callback request refused (state %s)",
            entry.call_sid,
            refused.state if refused else None,
        )
        return False
    callbacks.record_request(_known(engine, entry.call_sid), number, due)
    log.info("call %s: callback requested outside the queue", entry.call_sid)
    return True


def request_callback_unrouted(routing: Routing, entry: QueueEntry, number: str) -> bool:
    """Take a callback request while the queue (Redis) is down: it is kept in the database
    only, and the router puts it in the queue from there as soon as Redis is back."""
    now = time.time()
    entry = replace(entry, queue=entry.queue or routing.settings.queue_name, queued_at=now)
    due = routing.callback_rules.first_attempt(now)
    return callbacks.record_unrouted_request(entry, number, now, due)


def restore_callbacks(routing: Routing) -> int:
    """Put back pending callbacks whose Redis entry was lost (the database keeps them)."""
    return callbacks.restore(routing.engine)
