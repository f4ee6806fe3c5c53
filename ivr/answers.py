"""The FAQ answers read to the caller (benefit documents, EURES), and texted on request."""

from __future__ import annotations

import logging
from datetime import time

from twilio.twiml.voice_response import VoiceResponse

from hotline import speech
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
                    hours=office_hours(journey.language, own_office),
                )
            )
    can_text = entry is not None and bool(entry.sms_body) and sms.can_text(journey.caller_number)
    texts.append(p(journey, "after_answer" if can_text else "after_answer_no_sms"))
    return flow.page(journey.language, "answer", texts)


def office_hours(language: str, office: knowledge.OfficeCard) -> str:
    """Say an office's opening hours in the caller's language ("Monday to Friday, 8:00 to 16:00").

    Hours the office wrote in a way that cannot be read are said as written.
    """
    if not office.weekly_hours:
        return office.opening_hours
    return "; ".join(
        f"{days(language, span.first_day, span.last_day)}, "
        + speech.prompt(language, "clock_range", opens=clock(span.opens), closes=clock(span.closes))
        for span in office.weekly_hours
    )


def days(language: str, first: int, last: int) -> str:
    """Say a run of weekdays: "od poniedziałku do piątku", or one day, "w sobotę"."""
    if first == last:
        return speech.prompt(language, f"on_weekday_{first}")
    return (
        speech.prompt(language, f"weekday_from_{first}")
        + " "
        + speech.prompt(language, f"weekday_to_{last}")
    )


def clock(moment: time) -> str:
    """Say a time of day as "7:30"."""
    return f"{moment.hour}:{moment.minute:02d}" if moment != time(0) else "24:00"


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
