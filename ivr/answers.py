"""The FAQ answers read to the caller (benefit documents, EURES...), and texted on request.

A long answer is read in parts of a few sentences: the caller may skip a part (hash),
hear it again (star) or have the whole answer texted (1) while it is read, and a part
ends into the next when the caller says nothing. Related answers are offered at the end
of each, on keys that stay the same within their group.
"""

from __future__ import annotations

import logging
import re
from datetime import time
from functools import lru_cache

from twilio.twiml.voice_response import VoiceResponse

from hotline import speech
from hotline.settings import Settings
from ivr import flow
from ivr.journey import Journey
from ivr.steps import CallInput, GoTo, Shown, failed, heard, p
from knowledge import service as knowledge
from messaging import sms

log = logging.getLogger(__name__)

OFFICE_TOPICS = {"benefit_documents", "where_to_register", "benefit_claim"}
# Answers that belong together, each on the key it has on the others' pages.
TOPIC_GROUPS = (
    {"benefit_claim": "2", "where_to_register": "3", "benefit_documents": "4"},
    {"eures_benefit_abroad": "2", "returning_from_abroad": "3", "eures": "4"},
)
# About 20 seconds of speech: long enough for a thought, short enough to skip.
PART_CHARACTERS = 300
# A part waits this long for a key before the next part is read.
PART_PAUSE_SECONDS = 2
SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


@lru_cache(maxsize=256)
def parts_of(body: str, limit: int = PART_CHARACTERS) -> tuple[str, ...]:
    """Split an answer at sentence ends into parts of about limit characters (one if short)."""
    parts: list[str] = []
    for sentence in SENTENCE_END.split(body.strip()):
        if parts and len(parts[-1]) + 1 + len(sentence) <= limit:
            parts[-1] = f"{parts[-1]} {sentence}"
        else:
            parts.append(sentence)
    if len(parts) > 1 and len(parts[-1]) < limit // 3:
        # A short tail joins the part before it rather than standing alone.
        parts[-2:] = [f"{parts[-2]} {parts[-1]}"]
    return tuple(parts) or (body,)


def related(topic: str) -> list[tuple[str, str]]:
    """Return the other answers of a topic's group as (key, topic), in key order."""
    for group in TOPIC_GROUPS:
        if topic in group:
            return sorted((key, other) for other, key in group.items() if other != topic)
    return []


def choose(journey: Journey, topic: str) -> GoTo:
    """Start reading an answer from its first part."""
    journey.topic, journey.part = topic, 0
    heard(journey, "answer", topic=topic)
    return GoTo("answer")


def answer_prompt(settings: Settings, journey: Journey, lead: str | None) -> VoiceResponse:
    """Read the current part of the answer; after the last, the caller's office and options."""
    entry = knowledge.spoken_answer(journey.topic, journey.language)
    texts = [lead or ""]
    if entry is None:
        log.warning("call %s: no answer for %s", journey.call_sid, journey.topic)
        texts.append(p(journey, "no_answer_yet"))
        texts.append(p(journey, "after_answer_no_sms"))
        return flow.page(journey.language, "answer", texts)
    can_text = bool(entry.sms_body) and sms.can_text(journey.caller_number)
    parts = parts_of(entry.body)
    part = min(journey.part, len(parts) - 1)
    last = part == len(parts) - 1
    if len(parts) > 1 and part == 0 and lead is None:
        intro = "answer_parts_intro" if can_text else "answer_parts_intro_no_sms"
        texts.append(p(journey, intro, count=len(parts)))
    if len(parts) > 1 and (lead is None or not last):
        texts.append(p(journey, "answer_part", number=part + 1))
    if lead is None or not last:
        texts.append(parts[part])
    if not last:
        return flow.page(
            journey.language, "answer", texts, finish_on_key="", timeout=PART_PAUSE_SECONDS
        )
    if lead is None:
        texts.append(office_words(journey))
    texts += [p(journey, f"topic_offer_{other}", key=key) for key, other in related(journey.topic)]
    texts.append(p(journey, "after_answer" if can_text else "after_answer_no_sms"))
    return flow.page(journey.language, "answer", texts, finish_on_key="")


def office_words(journey: Journey) -> str:
    """Name the caller's own office, on topics where they need it."""
    own_office = knowledge.office_card(journey.office_code)
    if own_office is None or journey.topic not in OFFICE_TOPICS:
        return ""
    return p(
        journey,
        "your_office",
        name=own_office.name,
        address=own_office.address,
        hours=office_hours(journey.language, own_office),
    )


def answer_silence(journey: Journey) -> GoTo:
    """Read the next part when the caller lets a part end; after the last, re-prompt."""
    entry = knowledge.spoken_answer(journey.topic, journey.language)
    if entry is not None and journey.part < len(parts_of(entry.body)) - 1:
        journey.part += 1
        return GoTo("answer")
    return failed(journey, "answer", "silence")


def answer_repeat(journey: Journey) -> GoTo:
    """Repeat the part being read; at the end, the whole answer from its start."""
    entry = knowledge.spoken_answer(journey.topic, journey.language)
    if entry is not None and journey.part >= len(parts_of(entry.body)) - 1:
        journey.part = 0
    return GoTo("answer")


def office_hours(language: str, office: knowledge.OfficeCard) -> str:
    """Say an office's opening hours in the caller's language ("Monday to Friday, 8:00 to 16:00").

    Hours the office wrote itself in that language (the administration's offices page) come
    first; hours the office wrote in a way that cannot be read are said as written.
    """
    own = dict(office.hours_by_language).get(language)
    if own:
        return own
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
    """Text the answer on 1, skip a part on hash, or move to a related answer on its key."""
    entry = knowledge.spoken_answer(journey.topic, journey.language)
    if given.digits == "1":
        if entry is not None and entry.sms_body and sms.can_text(journey.caller_number):
            sms.send_faq(
                journey.caller_number,
                journey.language,
                call_sid=journey.call_sid,
                topic=entry.topic,
                body=entry.sms_body,
            )
            heard(journey, "sms", what="answer", topic=entry.topic)
            return GoTo("answer", lead=p(journey, "sms_queued"))
        return GoTo("answer", lead=p(journey, "sms_unavailable"))
    if given.digits == "#" and entry and journey.part < len(parts_of(entry.body)) - 1:
        journey.part += 1
        return GoTo("answer")
    for key, topic in related(journey.topic):
        if given.digits == key:
            return choose(journey, topic)
    return failed(journey, "answer", "not_understood")
