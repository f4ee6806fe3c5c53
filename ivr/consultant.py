"""Handing the caller to a consultant: queued in opening hours, else a callback or voicemail."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import redis
from twilio.twiml.voice_response import VoiceResponse

from customers.service import normalise_phone
from hotline import speech
from hotline.settings import Settings
from ivr import flow
from ivr.journey import Journey
from ivr.steps import CallInput, GoTo, Shown, failed, heard, journeys, p
from routing import service as routing
from routing import twiml as routing_twiml
from routing.engine import QueueEntry
from routing.extension import services as routing_services

log = logging.getLogger(__name__)

# A silent caller out of hours hears the options twice, then may leave a message.
CLOSED_SILENCES = 2


def queue_entry(journey: Journey, number: str) -> QueueEntry:
    """Describe the caller to routing: who they are, their advisor, language and topic."""
    return QueueEntry(
        call_sid=journey.call_sid,
        caller_number=number,
        customer_id=journey.customer_id,
        identified_by=journey.identified_by if journey.customer_id else "",
        advisor_id=journey.advisor_id,
        office=journey.office_code or None,
        language=journey.language,
        topic=journey.topic,
        priority=1 if journey.vulnerable else 0,
    )


def to_consultant(settings: Settings, journey: Journey) -> Shown:
    """Queue the caller during opening hours; outside them offer a callback or voicemail.

    With the queue unavailable (Redis down) the caller is offered a callback or a voicemail
    too, both kept in the database, instead of being cut off.
    """
    if not routing_services().opening_hours.is_open(datetime.now(UTC)):
        return GoTo("closed")
    heard(journey, "consultant")
    try:
        return routing.join_queue(routing_services(), queue_entry(journey, journey.caller_number))
    except redis.RedisError as exc:
        log.warning("call %s: the queue is unavailable, offering a callback: %s",
                    journey.call_sid, exc)  # fmt: skip
        return GoTo("unrouted")


def unrouted_prompt(settings: Settings, journey: Journey, lead: str | None) -> VoiceResponse:
    """Say that nobody can be put through now; offer a callback or a message."""
    return flow.page(
        journey.language,
        "unrouted",
        [lead or "", p(journey, "unrouted"), p(journey, "closed_options")],
    )


def unrouted_handle(settings: Settings, journey: Journey, given: CallInput) -> Shown:
    """Take a callback request (kept in the database until the queue is back) on 1, a
    voicemail on 2."""
    if given.digits == "1":
        number = caller_number(settings, journey)
        if number is None:
            return GoTo("unrouted", lead=p(journey, "callback_no_number"))
        entry = queue_entry(journey, number)
        routing.request_callback_unrouted(routing_services(), entry, number)
        return routing_twiml.goodbye(journey.language, [p(journey, "callback_requested_soon")])
    if given.digits == "2":
        return voicemail(settings, journey)
    shown = failed(journey, "unrouted", "not_understood")
    return voicemail(settings, journey, shown.lead) if shown.step == "offer" else shown


def unrouted_silence(settings: Settings, journey: Journey) -> Shown:
    """Re-prompt a silent caller once, then offer a message (nobody can be put through)."""
    shown = failed(journey, "unrouted", "silence")
    if journey.failures < CLOSED_SILENCES and shown.step == "unrouted":
        return shown
    return voicemail(settings, journey, p(journey, "closed_voicemail"))


def offer_prompt(settings: Settings, journey: Journey, lead: str | None) -> VoiceResponse:
    """Offer a consultant after repeated failures; silence puts the caller through."""
    return flow.page(journey.language, "offer", [lead or "", p(journey, "offer_consultant")])


def offer_handle(settings: Settings, journey: Journey, given: CallInput) -> Shown:
    """Put the caller through, or back to the menu with a clean slate."""
    if given.digits == "0":
        return to_consultant(settings, journey)
    journey.failures = 0
    return GoTo("menu")


def closed_prompt(settings: Settings, journey: Journey, lead: str | None) -> VoiceResponse:
    """Say consultants are away and when they are back; offer a callback or a message."""
    return flow.page(
        journey.language,
        "closed",
        [lead or "", closed_words(journey), p(journey, "closed_options")],
    )


def closed_words(journey: Journey) -> str:
    """Say that consultants are away, and when they next answer (holidays skipped)."""
    now = datetime.now(UTC)
    opening = routing_services().opening_hours.next_opening(now)
    if opening is None:
        return p(journey, "closed")
    return p(journey, "closed_until", when=speech.when_open(journey.language, opening, now))


def closed_handle(settings: Settings, journey: Journey, given: CallInput) -> Shown:
    """Take a callback request on 1, a voicemail on 2."""
    if given.digits == "1":
        number = caller_number(settings, journey)
        if number is None:
            return GoTo("closed", lead=p(journey, "callback_no_number"))
        request_callback(journey, number)
        return routing_twiml.goodbye(journey.language, [p(journey, "callback_requested")])
    if given.digits == "2":
        return voicemail(settings, journey)
    shown = failed(journey, "closed", "not_understood")
    return voicemail(settings, journey, shown.lead) if shown.step == "offer" else shown


def closed_silence(settings: Settings, journey: Journey) -> Shown:
    """Re-prompt a silent caller once; then offer a message, after which the call ends.

    Consultants are away, so offering one again would loop a silent caller for ever.
    """
    shown = failed(journey, "closed", "silence")
    if journey.failures < CLOSED_SILENCES and shown.step == "closed":
        return shown
    return voicemail(settings, journey, p(journey, "closed_voicemail"))


def caller_number(settings: Settings, journey: Journey) -> str | None:
    """Return the caller's number in E.164 if the network gave one we can call back."""
    return normalise_phone(journey.caller_number, settings.default_region)


def voicemail(settings: Settings, journey: Journey, lead: str | None = None) -> VoiceResponse:
    """Record a message, asking for a number to call back only if the caller's is unknown."""
    journeys().save(journey)
    known = caller_number(settings, journey) is not None
    return flow.record_voicemail(journey.language, lead=lead, number_known=known)


def request_callback(journey: Journey, number: str) -> None:
    """Ask routing to call the caller back when consultants are in."""
    routing.request_callback_later(routing_services(), queue_entry(journey, number), number)


def voicemail_done(call_sid: str, recording_url: str) -> VoiceResponse:
    """Thank the caller for their message (or say none was recorded) and hang up."""
    journey = journeys().load(call_sid)
    key = "voicemail_saved" if recording_url else "voicemail_empty"
    return routing_twiml.goodbye(journey.language, [p(journey, key)])
