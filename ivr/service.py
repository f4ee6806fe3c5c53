"""The IVR's decisions: who is calling, what they chose, and where the call goes next."""

from __future__ import annotations

import logging
import unicodedata

from twilio.twiml.voice_response import VoiceResponse

from customers.service import find_by_phone
from hotline import speech
from hotline.redis_client import redis_conn
from hotline.settings import Settings
from ivr import flow
from ivr.session import CallerSession, SessionStore
from knowledge.service import faq_answer, office
from routing import service as routing
from routing.engine import QueueEntry

log = logging.getLogger(__name__)

MAX_FAILURES = 3
TOPICS = {"1": "benefit_documents"}
SPOKEN_CHOICES = {
    "1": ("dokument", "zasilek", "document", "benefit", "документ", "допомог", "acte", "indemniz"),
    "0": ("konsultant", "czlowiek", "consultant", "person", "консультант", "operator"),
}


def sessions() -> SessionStore:
    """Return the session store on the shared Redis connection."""
    return SessionStore(redis_conn.raw)


def start_call(settings: Settings, call_sid: str, caller_number: str) -> VoiceResponse:
    """Identify the caller by their number and greet them in their language."""
    store = sessions()
    session = CallerSession(call_sid=call_sid, caller_number=caller_number)
    customer = find_by_phone(caller_number, settings.default_region)
    if customer is not None:
        session.customer_id = customer.id
        session.first_name = customer.first_name
        session.language = speech.normalise_language(customer.preferred_language)
        session.advisor_id = customer.advisor_id
        session.office_code = customer.office_code or ""
        session.vulnerable = customer.vulnerable
    store.save(session)
    log.info("call %s from %s: customer %s", call_sid, caller_number, session.customer_id)
    return flow.greeting(session.language, session.first_name or None)


def choose_language(call_sid: str, digits: str) -> VoiceResponse:
    """Switch language if the caller pressed a language key, then read the menu."""
    store = sessions()
    session = store.load(call_sid)
    if digits in flow.LANGUAGE_KEYS:
        session.language = flow.LANGUAGE_KEYS[digits]
        store.save(session)
    return flow.main_menu(session.language)


def main_menu(call_sid: str) -> VoiceResponse:
    """Read the main menu in the caller's language."""
    return flow.main_menu(sessions().load(call_sid).language)


def _plain(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.lower().replace("ł", "l"))
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def spoken_choice(text: str) -> str | None:
    """Map a spoken phrase to a menu key."""
    plain = _plain(text)
    for key, stems in SPOKEN_CHOICES.items():
        if any(_plain(stem) in plain for stem in stems):
            return key
    return None


def menu_choice(settings: Settings, call_sid: str, digits: str, spoken: str) -> VoiceResponse:
    """Act on the caller's main-menu choice."""
    store = sessions()
    session = store.load(call_sid)
    choice = digits or (spoken_choice(spoken) if spoken else None)
    if choice in TOPICS:
        session.topic = TOPICS[choice]
        session.failures = 0
        store.save(session)
        return read_answer(session)
    if choice == "0":
        return to_consultant(settings, session)
    if choice == "8":
        return flow.language_menu(session.language)
    if choice in ("*", "9"):
        return flow.main_menu(session.language)
    return _failed(settings, store, session, "not_understood", flow.main_menu)


def menu_silence(settings: Settings, call_sid: str) -> VoiceResponse:
    """Re-prompt a silent caller; after repeated failures offer a consultant."""
    store = sessions()
    return _failed(settings, store, store.load(call_sid), "silence", flow.main_menu)


def read_answer(session: CallerSession, lead: str | None = None) -> VoiceResponse:
    """Read the FAQ answer on the caller's topic, with their own office when known."""
    entry = faq_answer(session.topic, session.language)
    if entry is None:
        log.warning("call %s: no answer for %s", session.call_sid, session.topic)
        return flow.answer(session.language, session.topic, None, lead="no_answer_yet")
    text = entry.body
    own_office = office(session.office_code)
    if own_office is not None:
        text += " " + speech.prompt(
            session.language,
            "your_office",
            name=own_office.name,
            address=own_office.address,
            hours=own_office.opening_hours,
        )
    return flow.answer(session.language, session.topic, text, lead=lead)


def answer_choice(settings: Settings, call_sid: str, topic: str, digits: str) -> VoiceResponse:
    """Act on a key pressed after an answer: repeat, main menu or consultant."""
    store = sessions()
    session = store.load(call_sid)
    session.topic = topic
    if digits == "*":
        return read_answer(session)
    if digits == "9":
        session.failures = 0
        store.save(session)
        return flow.main_menu(session.language)
    if digits == "0":
        return to_consultant(settings, session)
    return _failed(
        settings,
        store,
        session,
        "not_understood",
        lambda lang, lead: flow.answer(lang, topic, None, lead),
    )


def answer_silence(settings: Settings, call_sid: str, topic: str) -> VoiceResponse:
    """Re-read the options after an answer to a silent caller."""
    store = sessions()
    session = store.load(call_sid)
    return _failed(
        settings, store, session, "silence", lambda lang, lead: flow.answer(lang, topic, None, lead)
    )


def _failed(settings, store, session, lead, again):  # type: ignore[no-untyped-def]
    session.failures += 1
    store.save(session)
    if session.failures >= MAX_FAILURES:
        log.info("call %s: %s failures, offering a consultant", session.call_sid, session.failures)
        return to_consultant(settings, session)
    return again(session.language, lead)


def to_consultant(settings: Settings, session: CallerSession) -> VoiceResponse:
    """Queue the caller for a consultant with what the IVR knows about them."""
    entry = QueueEntry(
        call_sid=session.call_sid,
        caller_number=session.caller_number,
        customer_id=session.customer_id,
        advisor_id=session.advisor_id,
        office=session.office_code or None,
        language=session.language,
        topic=session.topic,
        priority=1 if session.vulnerable else 0,
    )
    return routing.join_queue(settings, entry)


def apology_then_consultant(settings: Settings, call_sid: str | None) -> VoiceResponse:
    """The IVR's fallback: apologise and put the caller through to a person."""
    if not call_sid:
        raise ValueError("no CallSid to queue")
    session = sessions().load(call_sid)
    response = VoiceResponse()
    speech.say(response, session.language, speech.prompt(session.language, "apology"))
    queued = to_consultant(settings, session)
    for verb in queued.verbs:
        response.append(verb)
    return response


def call_ended(call_sid: str, caller_number: str, status: str) -> None:
    """Close the call's queue state and persist its record."""
    log.info("call %s ended with status %s", call_sid, status)
    routing.call_ended(call_sid, caller_number, status)
