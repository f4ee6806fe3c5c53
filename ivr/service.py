"""The IVR's decisions: who is calling, what they chose, and where the call goes next.

Each page of the menu is a *step* with three entry points: ``prompt`` reads it, ``handle``
acts on a key or phrase, and silence re-prompts. Keys that mean the same everywhere are
handled once, before a step sees the input: ``*`` repeats, ``9`` returns to the main menu and
``0`` asks for a consultant. Three failures in a call bring an offer of a consultant.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from stdnum.pl import pesel as pesel_number
from twilio.twiml.voice_response import VoiceResponse

from customers.service import CallerCard, caller_by_pesel, caller_by_phone, normalise_phone
from hotline import speech
from hotline.hours import OpeningHours
from hotline.redis_client import redis_conn
from hotline.settings import Settings
from ivr import flow, understanding
from ivr.journey import Journey, JourneyStore
from knowledge import service as knowledge
from messaging import alerts, sms
from routing import service as routing
from routing import twiml as routing_twiml
from routing.engine import QueueEntry

log = logging.getLogger(__name__)

MAX_FAILURES = 3
SPEECH_FAILURES_BEFORE_LIST = 2
PAGE_SIZE = 3
REGIONS_PER_PAGE = 8
MENU_TOPICS = {"1": "benefit_documents", "4": "eures"}
OFFICE_TOPICS = {"benefit_documents", "where_to_register", "benefit_claim"}


@dataclass(frozen=True)
class CallInput:
    """What the caller gave at a Gather."""

    digits: str = ""
    said: str = ""


def journeys() -> JourneyStore:
    """Return the journey store on the shared Redis connection."""
    return JourneyStore(redis_conn.raw)


def opening_hours(settings: Settings) -> OpeningHours:
    """Return when consultants answer, from settings."""
    return OpeningHours.parse(
        settings.consultant_hours,
        settings.timezone,
        settings.holiday_country,
        settings.closed_days,
    )


def p(journey: Journey, key: str, /, **values: object) -> str:
    """Return a prompt in the caller's language."""
    return speech.prompt(journey.language, key, **values)


# Arriving ----------------------------------------------------------------------------------


def start_call(settings: Settings, call_sid: str, caller_number: str) -> VoiceResponse:
    """Identify the caller by their number and greet them in their language."""
    journey = Journey(call_sid=call_sid, caller_number=caller_number)
    customer = caller_by_phone(caller_number, settings.default_region)
    if customer is not None:
        identify(journey, customer)
    journeys().save(journey)
    log.info("call %s: customer %s", call_sid, journey.customer_id or "unknown")
    return flow.greeting(journey.language, journey.first_name or None, first_step(journey))


def identify(journey: Journey, customer: CallerCard) -> None:
    """Take the caller's language, advisor and office from their customer record."""
    journey.customer_id = customer.id
    journey.first_name = customer.first_name
    journey.language = speech.normalise_language(customer.preferred_language)
    journey.advisor_id = customer.advisor_id
    journey.office_code = customer.office_code or ""
    journey.vulnerable = customer.vulnerable
    journey.identified = True
    own_office = knowledge.office_card(customer.office_code)
    journey.home_region = (own_office.region_code or "") if own_office else ""


def choose_language(settings: Settings, call_sid: str, digits: str) -> VoiceResponse:
    """Switch language if the caller pressed a language key, then carry on."""
    store = journeys()
    journey = store.load(call_sid)
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


@dataclass(frozen=True)
class Step:
    """One page of the IVR."""

    prompt: Callable[[Settings, Journey, str | None], VoiceResponse]
    handle: Callable[[Settings, Journey, CallInput], VoiceResponse]
    navigation: bool = True


def go(settings: Settings, journey: Journey, step: str, lead: str | None = None) -> VoiceResponse:
    """Move the caller to a step and read it."""
    journeys().save(journey)
    return STEPS[step].prompt(settings, journey, lead)


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
            if step == "eligibility" and not eligibility_question_open(journey):
                return restart_eligibility(settings, journey)
            return go(settings, journey, step)
        if digits == "9":
            journey.failures = 0
            return go(settings, journey, "menu")
        if digits == "0" and step != "offer":
            return to_consultant(settings, journey)
    return STEPS[step].handle(settings, journey, CallInput(digits, given.said.strip()))


def silence(settings: Settings, call_sid: str, step: str) -> VoiceResponse:
    """Re-prompt a silent caller; keep count so nobody loops for ever."""
    journey = journeys().load(call_sid)
    if step == "identify":
        return go(settings, journey, "menu", lead=p(journey, "identify_gave_up"))
    if step == "offer":
        return to_consultant(settings, journey)
    return failed(settings, journey, step, "silence")


def failed(settings: Settings, journey: Journey, step: str, why: str) -> VoiceResponse:
    """Count a failure and re-prompt, switching to keypad lists or offering a consultant."""
    journey.failures += 1
    if journey.failures >= MAX_FAILURES:
        log.info("call %s: %s failures, offering a consultant", journey.call_sid, journey.failures)
        return go(settings, journey, "offer", lead=p(journey, why))
    if step == "region" and journey.failures >= SPEECH_FAILURES_BEFORE_LIST:
        journey.list_page = 0
        return go(settings, journey, "region_list", lead=p(journey, why))
    return go(settings, journey, step, lead=p(journey, why))


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


def identify_handle(settings: Settings, journey: Journey, given: CallInput) -> VoiceResponse:
    """Check the PESEL's checksum and look the caller up; three tries, then go on anonymously."""
    if not given.digits:
        return go(settings, journey, "menu")
    journey.pesel_tries += 1
    if not pesel_number.is_valid(given.digits):
        if journey.pesel_tries >= 3:
            return go(settings, journey, "menu", lead=p(journey, "identify_gave_up"))
        return go(settings, journey, "identify", lead=p(journey, "identify_invalid"))
    customer = caller_by_pesel(given.digits)
    if customer is None:
        return go(settings, journey, "menu", lead=p(journey, "identify_not_found"))
    identify(journey, customer)
    log.info("call %s identified by PESEL as customer %s", journey.call_sid, customer.id)
    return go(
        settings, journey, "menu", lead=p(journey, "identify_ok", first_name=journey.first_name)
    )


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


def menu_handle(settings: Settings, journey: Journey, given: CallInput) -> VoiceResponse:
    """Act on the caller's main-menu choice."""
    choice = given.digits or understanding.menu_option(journey.language, given.said) or ""
    if choice == "0":
        return to_consultant(settings, journey)
    if choice in MENU_TOPICS:
        journey.topic = MENU_TOPICS[choice]
        return go(settings, journey, "answer")
    if choice in ("2", "3"):
        journey.purpose = "vacancies" if choice == "2" else "trainings"
        journey.topic = journey.purpose
        return go(
            settings, journey, "region" if not journey.region_code else next_after_region(journey)
        )
    if choice == "5":
        journey.topic = "eligibility"
        journey.answers = {}
        return go(settings, journey, "eligibility", lead=p(journey, "eligibility_intro"))
    if choice == "6":
        journey.topic = "job_alerts"
        journey.purpose = "alerts"
        return go(settings, journey, "alerts" if journey.region_code else "region")
    if choice == "8":
        journeys().save(journey)
        return flow.language_menu(journey.language)
    return failed(settings, journey, "menu", "not_understood")


def offer_prompt(settings: Settings, journey: Journey, lead: str | None) -> VoiceResponse:
    """Offer a consultant after repeated failures; silence puts the caller through."""
    return flow.page(journey.language, "offer", [lead or "", p(journey, "offer_consultant")])


def offer_handle(settings: Settings, journey: Journey, given: CallInput) -> VoiceResponse:
    """Put the caller through, or back to the menu with a clean slate."""
    if given.digits == "0":
        return to_consultant(settings, journey)
    journey.failures = 0
    return go(settings, journey, "menu")


# FAQ answers -------------------------------------------------------------------------------


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
                    hours=own_office.opening_hours,
                )
            )
    can_text = entry is not None and bool(entry.sms_body) and sms.can_text(journey.caller_number)
    texts.append(p(journey, "after_answer" if can_text else "after_answer_no_sms"))
    return flow.page(journey.language, "answer", texts)


def answer_handle(settings: Settings, journey: Journey, given: CallInput) -> VoiceResponse:
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
            return go(settings, journey, "answer", lead=p(journey, "sms_queued"))
        return go(settings, journey, "answer", lead=p(journey, "sms_unavailable"))
    return failed(settings, journey, "answer", "not_understood")


# Region ------------------------------------------------------------------------------------


def region_name(journey: Journey, code: str) -> str:
    """Return a region's name in the caller's language."""
    region = knowledge.region(code)
    if region is None:
        return code
    return {"en": region.name_en, "uk": region.name_uk, "ro": region.name_ro}.get(
        journey.language, region.name
    )


def next_after_region(journey: Journey) -> str:
    """Return the step that follows choosing a region, by what the caller is after."""
    return {"vacancies": "occupation", "trainings": "trainings", "alerts": "alerts"}[
        journey.purpose
    ]


def region_prompt(settings: Settings, journey: Journey, lead: str | None) -> VoiceResponse:
    """Ask for a region or city by speech, offering the caller's own region on 1."""
    if journey.home_region:
        ask = p(journey, "region_prompt_known", region=region_name(journey, journey.home_region))
    else:
        ask = p(journey, "region_prompt")
    return flow.page(
        journey.language,
        "region",
        [lead or "", ask],
        speech_input=True,
        finish_on_key="",
        timeout=7,
    )


def region_handle(settings: Settings, journey: Journey, given: CallInput) -> VoiceResponse:
    """Take the region from a key, a city or a region name."""
    if given.digits == "1" and journey.home_region:
        return region_chosen(settings, journey, journey.home_region, "")
    if given.digits == "#":
        journey.list_page = 0
        return go(settings, journey, "region_list")
    if given.said:
        place = knowledge.find_place(given.said)
        if place is not None:
            return region_chosen(settings, journey, place.region_code, place.name)
        region = knowledge.find_region(given.said)
        if region is not None:
            return region_chosen(settings, journey, region.code, "")
        log.info("call %s: region not recognised", journey.call_sid)
        return failed(settings, journey, "region", "region_not_found")
    return failed(settings, journey, "region", "not_understood")


def region_chosen(settings: Settings, journey: Journey, code: str, place: str) -> VoiceResponse:
    """Remember the region (and town), then go where the caller was heading."""
    journey.region_code, journey.place, journey.offset = code, place, 0
    journey.failures = 0
    name = region_name(journey, code)
    said = (
        p(journey, "place_chosen", place=place, region=name)
        if place
        else p(journey, "region_chosen", region=name)
    )
    return go(settings, journey, next_after_region(journey), lead=said)


def region_list_prompt(settings: Settings, journey: Journey, lead: str | None) -> VoiceResponse:
    """Read eight regions with their keys; hash turns the page."""
    first = journey.list_page * REGIONS_PER_PAGE
    texts = [lead or "", p(journey, "region_list_intro")]
    for key in range(1, REGIONS_PER_PAGE + 1):
        region = knowledge.region_by_key(first + key)
        if region is not None:
            texts.append(
                p(journey, "region_list_item", name=region_name(journey, region.code), key=key)
            )
    texts.append(p(journey, "region_list_more" if journey.list_page == 0 else "region_list_back"))
    return flow.page(journey.language, "region_list", texts, finish_on_key="")


def region_list_handle(settings: Settings, journey: Journey, given: CallInput) -> VoiceResponse:
    """Pick the region keyed on this page, or turn the page."""
    if given.digits == "#":
        journey.list_page = 1 - journey.list_page
        return go(settings, journey, "region_list")
    if given.digits.isdigit() and 1 <= int(given.digits) <= REGIONS_PER_PAGE:
        region = knowledge.region_by_key(journey.list_page * REGIONS_PER_PAGE + int(given.digits))
        if region is not None:
            return region_chosen(settings, journey, region.code, "")
    return failed(settings, journey, "region_list", "not_understood")


# Vacancies ---------------------------------------------------------------------------------


def occupation_prompt(settings: Settings, journey: Journey, lead: str | None) -> VoiceResponse:
    """Ask what work the caller looks for; hash means any."""
    return flow.page(
        journey.language,
        "occupation",
        [lead or "", p(journey, "occupation_prompt")],
        speech_input=True,
        finish_on_key="",
        timeout=7,
    )


def occupation_handle(settings: Settings, journey: Journey, given: CallInput) -> VoiceResponse:
    """Match the occupation among current vacancies, or read them all."""
    journey.offset = 0
    if given.said:
        said = knowledge.polish_occupation(given.said, journey.language)
        found = knowledge.find_occupation(said, journey.region_code)
        if found is None:
            journey.occupation = ""
            return go(settings, journey, "vacancies", lead=p(journey, "occupation_not_found"))
        journey.occupation = found.name
        return go(
            settings,
            journey,
            "vacancies",
            lead=p(journey, "occupation_chosen", occupation=found.name),
        )
    if given.digits == "#":
        journey.occupation = ""
        return go(settings, journey, "vacancies")
    return failed(settings, journey, "occupation", "not_understood")


def wage_text(journey: Journey, low: int | None, high: int | None) -> str:
    """Say the pay range."""
    if low and high and high != low:
        return p(journey, "wage_range", low=low, high=high)
    if low or high:
        return p(journey, "wage_from", low=low or high)
    return p(journey, "wage_unknown")


def vacancies_prompt(settings: Settings, journey: Journey, lead: str | None) -> VoiceResponse:
    """Read three current offers from the caller's place in the list."""
    occupation = journey.occupation or None
    found = knowledge.current_vacancies(journey.region_code, occupation, journey.offset, PAGE_SIZE)
    texts = [lead or ""]
    if journey.offset == 0:
        count = knowledge.count_current_vacancies(journey.region_code, occupation)
        if not found:
            texts.append(p(journey, "vacancies_none"))
        else:
            texts.append(p(journey, "vacancies_intro", count=count))
    if not found and journey.offset:
        texts.append(p(journey, "list_end"))
    for number, vacancy in enumerate(found, start=journey.offset + 1):
        texts.append(
            p(
                journey,
                "vacancy_item",
                number=number,
                title=vacancy.title,
                employer=vacancy.employer,
                city=vacancy.city,
                wage=wage_text(journey, vacancy.wage_min, vacancy.wage_max),
            )
        )
    journey.shown_ids = [vacancy.id for vacancy in found]
    texts.append(p(journey, "vacancies_options"))
    journeys().save(journey)
    return flow.page(journey.language, "vacancies", texts)


def vacancies_handle(settings: Settings, journey: Journey, given: CallInput) -> VoiceResponse:
    """Next page on 1, the shown offers by text on 2, another region on 3."""
    if given.digits == "1":
        total = knowledge.count_current_vacancies(journey.region_code, journey.occupation or None)
        if journey.offset + PAGE_SIZE >= total:
            return go(settings, journey, "vacancies", lead=p(journey, "list_end"))
        journey.offset += PAGE_SIZE
        return go(settings, journey, "vacancies")
    if given.digits == "2":
        if journey.shown_ids and sms.can_text(journey.caller_number):
            sms.send_vacancies(
                journey.caller_number,
                journey.language,
                call_sid=journey.call_sid,
                vacancy_ids=journey.shown_ids,
            )
            lead = p(journey, "sms_queued")
        else:
            lead = p(journey, "sms_unavailable")
        return go_options(settings, journey, "vacancies", lead)
    if given.digits == "3":
        journey.purpose = "vacancies"
        return go(settings, journey, "region")
    return failed(settings, journey, "vacancies", "not_understood")


def go_options(settings: Settings, journey: Journey, step: str, lead: str) -> VoiceResponse:
    """Confirm something and offer the step's options again without rereading the list."""
    journeys().save(journey)
    options = "vacancies_options" if step == "vacancies" else "trainings_options"
    return flow.page(journey.language, step, [lead, p(journey, options)])


# Trainings ---------------------------------------------------------------------------------


def trainings_prompt(settings: Settings, journey: Journey, lead: str | None) -> VoiceResponse:
    """Read three training offers open for sign-up in the caller's region."""
    found = knowledge.trainings(journey.region_code, journey.offset, PAGE_SIZE)
    texts = [lead or ""]
    if not found:
        texts.append(p(journey, "trainings_none" if journey.offset == 0 else "list_end"))
    elif journey.offset == 0:
        count = knowledge.count_trainings(journey.region_code)
        texts.append(p(journey, "trainings_intro", count=count))
    for number, course in enumerate(found, start=journey.offset + 1):
        texts.append(
            p(
                journey,
                "training_item",
                number=number,
                title=course.title,
                provider=course.provider,
                city=course.city,
                starts=course.starts_on.strftime("%d.%m.%Y"),
                hours=course.hours,
            )
        )
    journey.shown_ids = [course.id for course in found]
    texts.append(p(journey, "trainings_options"))
    journeys().save(journey)
    return flow.page(journey.language, "trainings", texts)


def trainings_handle(settings: Settings, journey: Journey, given: CallInput) -> VoiceResponse:
    """Next page on 1, by text on 2, another region on 3."""
    if given.digits == "1":
        if journey.offset + PAGE_SIZE >= knowledge.count_trainings(journey.region_code):
            return go(settings, journey, "trainings", lead=p(journey, "list_end"))
        journey.offset += PAGE_SIZE
        return go(settings, journey, "trainings")
    if given.digits == "2":
        if journey.shown_ids and sms.can_text(journey.caller_number):
            sms.send_trainings(
                journey.caller_number,
                journey.language,
                call_sid=journey.call_sid,
                training_ids=journey.shown_ids,
            )
            return go_options(settings, journey, "trainings", p(journey, "sms_queued"))
        return go_options(settings, journey, "trainings", p(journey, "sms_unavailable"))
    if given.digits == "3":
        journey.purpose = "trainings"
        return go(settings, journey, "region")
    return failed(settings, journey, "trainings", "not_understood")


# Eligibility pre-check ---------------------------------------------------------------------


def eligibility_prompt(settings: Settings, journey: Journey, lead: str | None) -> VoiceResponse:
    """Ask the next yes/no question, or read the indicative outcome."""
    rules = knowledge.eligibility_rules(journey.language)
    question = rules.next_question(journey.answers)
    texts = [lead or ""]
    if question is not None:
        texts += [question.text, p(journey, "yes_no")]
        return flow.page(journey.language, "eligibility", texts, speech_input=True)
    outcome = rules.decide(journey.answers)
    texts += [p(journey, "eligibility_result"), outcome.text if outcome else "", rules.disclaimer]
    texts.append(p(journey, "eligibility_after"))
    return flow.page(journey.language, "eligibility", texts)


def eligibility_handle(settings: Settings, journey: Journey, given: CallInput) -> VoiceResponse:
    """Record a yes or no and move on."""
    rules = knowledge.eligibility_rules(journey.language)
    question = rules.next_question(journey.answers)
    if question is None:
        return failed(settings, journey, "eligibility", "not_understood")
    answer = (
        rules.answer(given.digits)
        if given.digits
        else understanding.yes_or_no(journey.language, given.said)
    )
    if answer is None:
        return failed(settings, journey, "eligibility", "not_understood")
    journey.answers = {**journey.answers, question.id: answer}
    return go(settings, journey, "eligibility")


def eligibility_question_open(journey: Journey) -> bool:
    """Tell whether the pre-check still has a question for this caller."""
    return knowledge.eligibility_rules(journey.language).next_question(journey.answers) is not None


def restart_eligibility(settings: Settings, journey: Journey) -> VoiceResponse:
    """Start the pre-check again (star after an outcome)."""
    journey.answers = {}
    return go(settings, journey, "eligibility", lead=p(journey, "eligibility_intro"))


# Job alerts --------------------------------------------------------------------------------


def alerts_prompt(settings: Settings, journey: Journey, lead: str | None) -> VoiceResponse:
    """Say whether alerts are on, and offer to switch them on or off."""
    if not sms.can_text(journey.caller_number):
        return go(settings, journey, "menu", lead=p(journey, "sms_unavailable"))
    active = alerts.active_for(journey.caller_number)
    if active is not None:
        part = (
            p(journey, "occupation_part", occupation=active.occupation) if active.occupation else ""
        )
        text = p(
            journey,
            "alerts_active",
            region=region_name(journey, active.region_code),
            occupation_part=part,
        )
    else:
        part = (
            p(journey, "occupation_part", occupation=journey.occupation)
            if journey.occupation
            else ""
        )
        text = p(
            journey,
            "alerts_offer",
            region=region_name(journey, journey.region_code),
            occupation_part=part,
        )
    return flow.page(journey.language, "alerts", [lead or "", text])


def alerts_handle(settings: Settings, journey: Journey, given: CallInput) -> VoiceResponse:
    """Subscribe on 1, unsubscribe on 2, another region on 3."""
    if given.digits == "1" and journey.region_code:
        alerts.subscribe(
            journey.caller_number,
            journey.language,
            region_code=journey.region_code,
            occupation=journey.occupation,
            customer_id=journey.customer_id,
            call_sid=journey.call_sid,
        )
        return go(settings, journey, "menu", lead=p(journey, "alerts_subscribed"))
    if given.digits == "2":
        alerts.unsubscribe(journey.caller_number, by="keypad")
        return go(settings, journey, "menu", lead=p(journey, "alerts_unsubscribed"))
    if given.digits == "3":
        journey.purpose = "alerts"
        return go(settings, journey, "region")
    return failed(settings, journey, "alerts", "not_understood")


# A consultant ------------------------------------------------------------------------------


def queue_entry(journey: Journey, number: str) -> QueueEntry:
    """Describe the caller to routing: who they are, their advisor, language and topic."""
    return QueueEntry(
        call_sid=journey.call_sid,
        caller_number=number,
        customer_id=journey.customer_id,
        advisor_id=journey.advisor_id,
        office=journey.office_code or None,
        language=journey.language,
        topic=journey.topic,
        priority=1 if journey.vulnerable else 0,
    )


def to_consultant(settings: Settings, journey: Journey) -> VoiceResponse:
    """Queue the caller during opening hours; outside them offer a callback or voicemail."""
    if not opening_hours(settings).is_open(datetime.now(UTC)):
        return go(settings, journey, "closed")
    return routing.join_queue(settings, queue_entry(journey, journey.caller_number))


def closed_prompt(settings: Settings, journey: Journey, lead: str | None) -> VoiceResponse:
    """Tell the caller consultants are away and offer a callback or a message."""
    return flow.page(
        journey.language, "closed", [lead or "", p(journey, "closed"), p(journey, "closed_options")]
    )


def closed_handle(settings: Settings, journey: Journey, given: CallInput) -> VoiceResponse:
    """Take a callback request on 1, a voicemail on 2."""
    if given.digits == "1":
        number = normalise_phone(journey.caller_number, settings.default_region)
        if number is None:
            return go(settings, journey, "closed", lead=p(journey, "callback_no_number"))
        request_callback(journey, number)
        return routing_twiml.goodbye(journey.language, [p(journey, "callback_requested")])
    if given.digits == "2":
        return flow.record_voicemail(journey.language)
    return failed(settings, journey, "closed", "not_understood")


def request_callback(journey: Journey, number: str) -> None:
    """Ask routing to call the caller back when consultants are in."""
    routing.request_callback_later(queue_entry(journey, number), number)


def voicemail_done(call_sid: str, recording_url: str) -> VoiceResponse:
    """Thank the caller for their message (or say none was recorded) and hang up."""
    journey = journeys().load(call_sid)
    key = "voicemail_saved" if recording_url else "voicemail_empty"
    return routing_twiml.goodbye(journey.language, [p(journey, key)])


STEPS: dict[str, Step] = {
    "identify": Step(identify_prompt, identify_handle, navigation=False),
    "menu": Step(menu_prompt, menu_handle),
    "offer": Step(offer_prompt, offer_handle),
    "answer": Step(answer_prompt, answer_handle),
    "region": Step(region_prompt, region_handle),
    "region_list": Step(region_list_prompt, region_list_handle),
    "occupation": Step(occupation_prompt, occupation_handle),
    "vacancies": Step(vacancies_prompt, vacancies_handle),
    "trainings": Step(trainings_prompt, trainings_handle),
    "eligibility": Step(eligibility_prompt, eligibility_handle),
    "alerts": Step(alerts_prompt, alerts_handle),
    "closed": Step(closed_prompt, closed_handle),
}

# Pages that are the same for everyone who speaks a language: a caller's first pages.
LANGUAGE_PAGES: dict[str, Callable[[str, str | None], VoiceResponse]] = {
    "identify": identify_page,
    "menu": menu_page,
}


def apology_then_consultant(settings: Settings, call_sid: str | None) -> VoiceResponse:
    """The IVR's fallback: apologise and put the caller through to a person."""
    if not call_sid:
        raise ValueError("no CallSid to queue")
    journey = journeys().load(call_sid)
    return flow.say_then(
        journey.language, [p(journey, "apology")], to_consultant(settings, journey)
    )


def call_ended(call_sid: str, caller_number: str, status: str) -> None:
    """Close the call's queue state and persist its record."""
    log.info("call %s ended with status %s", call_sid, status)
    routing.call_ended(call_sid, caller_number, status)
