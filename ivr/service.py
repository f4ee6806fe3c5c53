"""The IVR's entry and its step machine: who is calling, the main menu, where the call goes next.

Each page of the menu is a *step* with three entry points: ``prompt`` reads it, ``handle``
acts on a key or phrase, and silence re-prompts. Keys that mean the same everywhere are
handled once, before a step sees the input: ``*`` repeats, ``9`` returns to the main menu and
``0`` asks for a consultant. Three failures on one menu bring an offer of a consultant.

A step gives back TwiML to play, or a ``GoTo`` naming the step to read next; ``go`` reads it.
The branches of the main menu live in their own modules: ``answers`` (FAQ), ``regions`` and
``offers`` (vacancies and trainings), ``eligibility``, ``job_alerts`` and ``consultant``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import redis
from stdnum.pl import pesel as pesel_number
from twilio.twiml.voice_response import VoiceResponse

from customers.service import CallerCard, caller_by_pesel, caller_by_phone
from hotline import speech
from hotline.settings import Settings
from hotline.telephony import FINAL_CALL_STATUSES
from ivr import answers, consultant, eligibility, flow, job_alerts, offers, regions, understanding
from ivr.journey import Journey, OutageMemory, forget_stored
from ivr.steps import CallInput, GoTo, Shown, Step, failed, heard, journeys, p
from knowledge import service as knowledge
from routing import service as routing
from routing.extension import services as routing_services

log = logging.getLogger(__name__)

MENU_TOPICS = {"1": "benefit_documents", "4": "eures"}
MAX_PESEL_TRIES = 3


# Arriving ----------------------------------------------------------------------------------


def start_call(settings: Settings, call_sid: str, caller_number: str) -> VoiceResponse:
    """Identify the caller by their number and greet them in their language."""
    journey = Journey(call_sid=call_sid, caller_number=caller_number)
    customer = caller_by_phone(caller_number, settings.default_region)
    if customer is not None:
        identify(journey, customer, by="phone")
    journeys().save(journey)
    log.info("call %s: customer %s", call_sid, journey.customer_id or "unknown")
    return flow.greeting(journey.language, journey.first_name or None, first_step(journey))


def identify(journey: Journey, customer: CallerCard, by: str) -> None:
    """Take the caller's language, advisor and office from their customer record.

    Only a caller known by their number is greeted by name: a PESEL can be keyed in by
    anyone who knows it, and hearing whose it is would tell them.
    """
    journey.customer_id = customer.id
    journey.identified_by = by
    journey.first_name = customer.first_name if by == "phone" else ""
    journey.language = speech.normalise_language(customer.preferred_language)
    journey.advisor_id = customer.advisor_id
    journey.office_code = customer.office_code or ""
    journey.vulnerable = customer.vulnerable
    journey.identified = True
    heard(journey, "identified", by=by)
    own_office = knowledge.office_card(customer.office_code)
    journey.home_region = (own_office.region_code or "") if own_office else ""


def choose_language(
    settings: Settings, call_sid: str, digits: str, said: str = ""
) -> VoiceResponse:
    """Switch language if the caller pressed a language key, then carry on; 0, or asking for
    a person, goes to a consultant."""
    store = journeys()
    journey = store.load(call_sid)
    if digits == "0" or (not digits and understanding.asks_for_consultant(said)):
        return follow(settings, journey, consultant.to_consultant(settings, journey))
    if digits in flow.LANGUAGE_KEYS:
        journey.language = flow.LANGUAGE_KEYS[digits]
        store.save(journey)
    return begin(settings, journey)


def first_step(journey: Journey) -> str:
    """Return the page a caller starts on: their PESEL once if unknown, else the main menu."""
    return "menu" if journey.identified or journey.pesel_tries else "identify"


def begin(settings: Settings, journey: Journey) -> VoiceResponse:
    """Read the caller their first page."""
    return go(settings, journey, first_step(journey))


def start(settings: Settings, call_sid: str) -> VoiceResponse:
    """Carry on after the greeting."""
    return begin(settings, journeys().load(call_sid))


# The step machine --------------------------------------------------------------------------


def go(settings: Settings, journey: Journey, step: str, lead: str | None = None) -> VoiceResponse:
    """Move the caller to a step and read it; a menu the caller moves on to counts afresh."""
    if step != journey.failure_step:
        journey.failure_step, journey.failures = step, 0
    journeys().save(journey)
    return follow(settings, journey, STEPS[step].prompt(settings, journey, lead))


def follow(settings: Settings, journey: Journey, shown: Shown) -> VoiceResponse:
    """Return the TwiML a step gave, or read the step it sent the caller to."""
    if isinstance(shown, GoTo):
        return go(settings, journey, shown.step, shown.lead)
    return shown


def show(
    settings: Settings, call_sid: str, step: str, language: str | None = None
) -> VoiceResponse:
    """Read a step (a Redirect landed on it).

    A page that depends only on the language, reached by a URL that names it, is read
    without loading the journey: the greeting leads to the first page that way.
    """
    if language in speech.LANGUAGES and step in LANGUAGE_PAGES:
        return LANGUAGE_PAGES[step](language, None)
    return go(settings, journeys().load(call_sid), step)


def receive(settings: Settings, call_sid: str, step: str, given: CallInput) -> VoiceResponse:
    """Act on what the caller keyed or said at a step."""
    journey = journeys().load(call_sid)
    digits = given.digits.strip()
    if STEPS[step].navigation or len(digits) == 1:
        if digits == "*":
            if step == "eligibility" and not eligibility.question_open(journey):
                return follow(settings, journey, eligibility.restart(journey))
            if step == "answer":
                return follow(settings, journey, answers.answer_repeat(journey))
            return go(settings, journey, step)
        if digits == "9":
            journey.failures = 0
            return go(settings, journey, "menu")
        if digits == "0" and step != "offer":
            return follow(settings, journey, consultant.to_consultant(settings, journey))
    handled = STEPS[step].handle(settings, journey, CallInput(digits, given.said.strip()))
    return follow(settings, journey, handled)


def silence(settings: Settings, call_sid: str, step: str) -> VoiceResponse:
    """Re-prompt a silent caller; keep count so nobody loops for ever."""
    journey = journeys().load(call_sid)
    if step == "identify":
        return go(settings, journey, "menu", lead=p(journey, "identify_gave_up"))
    if step in ("offer", "identify_help"):
        return follow(settings, journey, consultant.to_consultant(settings, journey))
    if step == "closed":
        return follow(settings, journey, consultant.closed_silence(settings, journey))
    if step == "unrouted":
        return follow(settings, journey, consultant.unrouted_silence(settings, journey))
    if step == "answer":
        return follow(settings, journey, answers.answer_silence(journey))
    return follow(settings, journey, failed(journey, step, "silence"))


# Identification ----------------------------------------------------------------------------


def identify_prompt(settings: Settings, journey: Journey, lead: str | None) -> VoiceResponse:
    """Ask an unknown caller to key their PESEL, or hash to go on without."""
    return identify_page(journey.language, lead)


def identify_page(language: str, lead: str | None) -> VoiceResponse:
    """Return the PESEL page in a language."""
    return flow.page(
        language,
        "identify",
        [lead or "", speech.prompt(language, "identify_prompt")],
        num_digits=None,
        finish_on_key="#",
        timeout=10,
    )


def identify_handle(settings: Settings, journey: Journey, given: CallInput) -> Shown:
    """Check the PESEL's checksum and look the caller up; after three tries offer a consultant."""
    if not given.digits:
        return GoTo("menu")
    journey.pesel_tries += 1
    if not pesel_number.is_valid(given.digits):
        if journey.pesel_tries >= MAX_PESEL_TRIES:
            log.info(
                "call %s: %s invalid PESELs, offering a consultant",
                journey.call_sid,
                journey.pesel_tries,
            )
            heard(journey, "pesel_invalid", tries=journey.pesel_tries)
            return GoTo("identify_help", lead=p(journey, "identify_invalid_final"))
        return GoTo("identify", lead=p(journey, "identify_invalid"))
    customer = caller_by_pesel(given.digits)
    if customer is None:
        heard(journey, "pesel_unknown")
        return GoTo("menu", lead=p(journey, "identify_not_found"))
    identify(journey, customer, by="pesel")
    log.info("call %s identified by PESEL as customer %s", journey.call_sid, customer.id)
    return GoTo("menu", lead=p(journey, "identify_ok_unnamed"))


def identify_help_prompt(settings: Settings, journey: Journey, lead: str | None) -> VoiceResponse:
    """Offer a consultant to a caller whose PESEL failed three times, or to go on without."""
    return flow.page(journey.language, "identify_help", [lead or "", p(journey, "identify_help")])


def identify_help_handle(settings: Settings, journey: Journey, given: CallInput) -> Shown:
    """Go on without identification (0 and 9 are handled everywhere; silence puts through)."""
    return GoTo("menu", lead=p(journey, "identify_gave_up"))


# Main menu ---------------------------------------------------------------------------------


def menu_prompt(settings: Settings, journey: Journey, lead: str | None) -> VoiceResponse:
    """Read the main menu and listen for a key or a phrase."""
    return menu_page(journey.language, lead)


def menu_page(language: str, lead: str | None) -> VoiceResponse:
    """Return the main menu in a language."""
    return flow.page(
        language,
        "menu",
        [lead or "", speech.prompt(language, "main_menu")],
        speech_input=True,
        hints=speech.menu_hints(language),
    )


def menu_handle(settings: Settings, journey: Journey, given: CallInput) -> Shown:
    """Act on the caller's main-menu choice; a town said there means vacancies in it."""
    choice = given.digits or understanding.menu_option(journey.language, given.said) or ""
    topic = understanding.topic_asked(journey.language, given.said) if given.said else None
    if topic is not None and not given.digits:
        return answers.choose(journey, topic)
    if given.said and not given.digits and choice in ("", "2"):
        there = offers_there(journey, given.said)
        if there is not None:
            return there
    if choice == "0":
        return consultant.to_consultant(settings, journey)
    if choice in MENU_TOPICS:
        return answers.choose(journey, MENU_TOPICS[choice])
    if choice in ("2", "3"):
        journey.purpose = "vacancies" if choice == "2" else "trainings"
        journey.topic = journey.purpose
        return GoTo("region" if not journey.region_code else regions.next_after_region(journey))
    if choice == "5":
        journey.topic = "eligibility"
        journey.answers = {}
        return GoTo("eligibility", lead=eligibility.introduction(journey))
    if choice == "6":
        journey.topic = "job_alerts"
        journey.purpose = "alerts"
        return GoTo("alerts" if journey.region_code else "region")
    if choice == "8":
        journeys().save(journey)
        return flow.language_menu(journey.language)
    return failed(journey, "menu", "not_understood")


def offers_there(journey: Journey, said: str) -> GoTo | None:
    """Take a town or region said at the main menu as a wish to hear the vacancies there."""
    place = knowledge.find_place(said)
    region = None if place is not None else knowledge.find_region(said)
    if place is None and region is None:
        return None
    journey.purpose = journey.topic = "vacancies"
    if place is not None:
        chosen = regions.region_chosen(journey, place.region_code, place.name)
    else:
        assert region is not None
        chosen = regions.region_chosen(journey, region.code, "")
    log.info("call %s: a place said at the main menu, reading vacancies", journey.call_sid)
    return GoTo(chosen.step, lead=f"{p(journey, 'vacancies_there')} {chosen.lead}")


STEPS: dict[str, Step] = {
    "identify": Step(identify_prompt, identify_handle, navigation=False),
    "identify_help": Step(identify_help_prompt, identify_help_handle),
    "menu": Step(menu_prompt, menu_handle),
    "offer": Step(consultant.offer_prompt, consultant.offer_handle),
    "answer": Step(answers.answer_prompt, answers.answer_handle),
    "region": Step(regions.region_prompt, regions.region_handle),
    "region_list": Step(regions.region_list_prompt, regions.region_list_handle),
    "occupation": Step(offers.occupation_prompt, offers.occupation_handle),
    "vacancies": Step(offers.vacancies_prompt, offers.vacancies_handle),
    "trainings": Step(offers.trainings_prompt, offers.trainings_handle),
    "eligibility": Step(eligibility.eligibility_prompt, eligibility.eligibility_handle),
    "alerts": Step(job_alerts.alerts_prompt, job_alerts.alerts_handle),
    "closed": Step(consultant.closed_prompt, consultant.closed_handle),
    "unrouted": Step(consultant.unrouted_prompt, consultant.unrouted_handle),
}

# Pages that are the same for everyone who speaks a language: a caller's first pages.
LANGUAGE_PAGES: dict[str, Callable[[str, str | None], VoiceResponse]] = {
    "identify": identify_page,
    "menu": menu_page,
}


# Leaving -----------------------------------------------------------------------------------


def apology_then_consultant(settings: Settings, call_sid: str | None) -> VoiceResponse:
    """The IVR's fallback: apologise and put the caller through to a person."""
    if not call_sid:
        raise ValueError("no CallSid to queue")
    journey = journeys().load(call_sid)
    then = follow(settings, journey, consultant.to_consultant(settings, journey))
    return flow.say_then(journey.language, [p(journey, "apology")], then)


def recover_call(
    settings: Settings, call_sid: str, caller_number: str, error_code: str
) -> VoiceResponse:
    """Take a call a failure of the centre broke into (the number's fallback URL): note it,
    apologise and put the caller through to a person with their journey, which is kept in
    Redis or the database, so their language, identity and topic go with them."""
    journey = journeys().load(call_sid)
    journey.caller_number = journey.caller_number or caller_number
    journey.cut_off = error_code or "unknown"
    log.warning("call %s: a request failed (error %s); putting the caller through",
                call_sid, journey.cut_off)  # fmt: skip
    if not journey.identified:
        try:
            customer = caller_by_phone(journey.caller_number, settings.default_region)
        except Exception:
            log.exception("call %s: could not look the caller up after the failure", call_sid)
            customer = None
        if customer is not None:
            identify(journey, customer, by="phone")
    journeys().save(journey)
    then = follow(settings, journey, consultant.to_consultant(settings, journey))
    journeys().save(journey)
    return flow.say_then(journey.language, [p(journey, "apology")], then)


def call_ended(call_sid: str, caller_number: str, status: str) -> None:
    """Close the call's queue state and persist its record, once the call has ended.

    A report of a call still going (ringing, in-progress) changes nothing: a waiting caller
    keeps their place.
    """
    if status not in FINAL_CALL_STATUSES:
        log.info("call %s reported %s; still going", call_sid, status or "no status")
        return
    log.info("call %s ended with status %s", call_sid, status)
    cut_off = bool(journeys().load(call_sid).cut_off)
    if OutageMemory.recent():
        forget_stored(call_sid)
    try:
        routing.call_ended(routing_services(), call_sid, caller_number, status, cut_off)
    except redis.RedisError as exc:
        log.warning("call %s: Redis unavailable, recording the call directly: %s", call_sid, exc)
        routing.record_unqueued_call(call_sid, caller_number, cut_off)
