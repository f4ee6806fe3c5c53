"""The FAQ answers read to the caller (benefit documents, EURES), and texted on request."""

from __future__ import annotations

import logging

from twilio.twiml.voice_response import VoiceResponse

from hotline.settings import Settings
from ivr import flow
from ivr.journey import Journey
from ivr.steps import CallInput, GoTo, Shown, failed, p
from knowledge import service as knowledge
from messaging import sms

log = logging.getLogger(__name__)

OFFICE_TOPICS = {"benefit_documents", "where_to_register", "benefit_claim"}


def answer_prompt(settings: Settings, journey: Journey, lead: str | None) -> VoiceResponse:
    """Read the FAQ answer on the caller's topic, with their own office when known."""
    entry = knowledge.spoken_answer(journey.topic, journey.language)
    texts = [lead or ""]
    if entry is None:
        log.warning("call %s: no answer for %s", journey.call_sid, journey.topic)
        texts.append(p(journey, "no_answer_yet"))
    elif lead is None:
        texts.append(entry.body)
        own_office = knowledge.office_card(journey.office_code)
        if own_office is not None and journey.topic in OFFICE_TOPICS:
            texts.append(
                p(
                    journey,
                    "your_office",
                    name=own_office.name,
                    address=own_office.address,
                    hours=own_office.hours_in(journey.language),
                )
            )
    can_text = entry is not None and bool(entry.sms_body) and sms.can_text(journey.caller_number)
    texts.append(p(journey, "after_answer" if can_text else "after_answer_no_sms"))
    return flow.page(journey.language, "answer", texts)


def answer_handle(settings: Settings, journey: Journey, given: CallInput) -> Shown:
    """Send the answer by text on 1."""
    if given.digits == "1":
        entry = knowledge.spoken_answer(journey.topic, journey.language)
        if entry is not None and entry.sms_body and sms.can_text(journey.caller_number):
            sms.send_faq(
                journey.caller_number,
                journey.language,
                call_sid=journey.call_sid,
                topic=entry.topic,
                body=entry.sms_body,
            )
            return GoTo("answer", lead=p(journey, "sms_queued"))
        return GoTo("answer", lead=p(journey, "sms_unavailable"))
    return failed(journey, "answer", "not_understood")
