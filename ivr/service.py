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
from hotline.redis_client import redis_conn
from hotline.settings import Settings
from ivr import alerts, flow, sms, understanding
from ivr.session import CallerSession, SessionStore
from knowledge import service as knowledge
from routing import service as routing
from routing import twiml as routing_twiml
from routing.engine import QueueEntry
from routing.extension import services as routing_services

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


def sessions() -> SessionStore:
    """Return the session store on the shared Redis connection."""
    return SessionStore(redis_conn.raw)


def p(session: CallerSession, key: str, /, **values: object) -> str:
    """Return a prompt in the caller's language."""
    return speech.prompt(session.language, key, **values)


# Arriving ----------------------------------------------------------------------------------


def start_call(settings: Settings, call_sid: str, caller_number: str) -> VoiceResponse:
    """Identify the caller by their number and greet them in their language."""
    session = CallerSession(call_sid=call_sid, caller_number=caller_number)
    customer = caller_by_phone(caller_number, settings.default_region)
    if customer is not None:
        identify(session, customer)
    sessions().save(session)
    log.info("call %s: customer %s", call_sid, session.customer_id or "unknown")
    return flow.greeting(session.language, session.first_name or None, first_step(session))


def identify(session: CallerSession, customer: CallerCard) -> None:
    """Take the caller's language, advisor and office from their customer record."""
    session.customer_id = customer.id
    session.first_name = customer.first_name
    session.language = speech.normalise_language(customer.preferred_language)
    session.advisor_id = customer.advisor_id
    session.office_code = customer.office_code or ""
    session.vulnerable = customer.vulnerable
    session.identified = True
    own_office = knowledge.office_card(customer.office_code)
    session.home_region = (own_office.region_code or "") if own_office else ""


def choose_language(settings: Settings, call_sid: str, digits: str) -> VoiceResponse:
    """Switch language if the caller pressed a language key, then carry on."""
    store = sessions()
    session = store.load(call_sid)
    if digits in flow.LANGUAGE_KEYS:
        session.language = flow.LANGUAGE_KEYS[digits]
        store.save(session)
    return begin(settings, session)


def first_step(session: CallerSession) -> str:
    """Return the page a caller starts on: their PESEL once if unknown, else the main menu."""
    return "menu" if session.identified or session.pesel_tries else "identify"


def begin(settings: Settings, session: CallerSession) -> VoiceResponse:
    """Read the caller their first page."""
    return go(settings, session, first_step(session))


def start(settings: Settings, call_sid: str) -> VoiceResponse:
    """Carry on after the greeting."""
    return begin(settings, sessions().load(call_sid))


# The step machine --------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """One page of the IVR."""

    prompt: Callable[[Settings, CallerSession, str | None], VoiceResponse]
    handle: Callable[[Settings, CallerSession, CallInput], VoiceResponse]
    navigation: bool = True


def go(
    settings: Settings, session: CallerSession, step: str, lead: str | None = None
) -> VoiceResponse:
    """Move the caller to a step and read it."""
    sessions().save(session)
    return STEPS[step].prompt(settings, session, lead)


def show(
    settings: Settings, call_sid: str, step: str, language: str | None = None
) -> VoiceResponse:
    """Read a step (a Redirect landed on it).

    A page that depends only on the language, reached by a URL that names it, is read
    without loading the session: the greeting leads to the first page that way.
    """
    if language in speech.LANGUAGES and step in LANGUAGE_PAGES:
        return LANGUAGE_PAGES[step](language, None)
    return go(settings, sessions().load(call_sid), step)


def receive(settings: Settings, call_sid: str, step: str, given: CallInput) -> VoiceResponse:
    """Act on what the caller keyed or said at a step."""
    session = sessions().load(call_sid)
    digits = given.digits.strip()
    if STEPS[step].navigation or len(digits) == 1:
        if digits == "*":
            if step == "eligibility" and not session_question_open(session):
                return restart_eligibility(settings, session)
            return go(settings, session, step)
        if digits == "9":
            session.failures = 0
            return go(settings, session, "menu")
        if digits == "0" and step != "offer":
            return to_consultant(settings, session)
    return STEPS[step].handle(settings, session, CallInput(digits, given.said.strip()))


def silence(settings: Settings, call_sid: str, step: str) -> VoiceResponse:
    """Re-prompt a silent caller; keep count so nobody loops for ever."""
    session = sessions().load(call_sid)
    if step == "identify":
        return go(settings, session, "menu", lead=p(session, "identify_gave_up"))
    if step == "offer":
        return to_consultant(settings, session)
    return failed(settings, session, step, "silence")


def failed(settings: Settings, session: CallerSession, step: str, why: str) -> VoiceResponse:
    """Count a failure and re-prompt, switching to keypad lists or offering a consultant."""
    session.failures += 1
    if session.failures >= MAX_FAILURES:
        log.info("call %s: %s failures, offering a consultant", session.call_sid, session.failures)
        return go(settings, session, "offer", lead=p(session, why))
    if step == "region" and session.failures >= SPEECH_FAILURES_BEFORE_LIST:
        session.list_page = 0
        return go(settings, session, "region_list", lead=p(session, why))
    return go(settings, session, step, lead=p(session, why))


# Identification ----------------------------------------------------------------------------


def identify_prompt(settings: Settings, session: CallerSession, lead: str | None) -> VoiceResponse:
    """Ask an unknown caller to key their PESEL, or hash to go on without."""
    return identify_page(session.language, lead)


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


def identify_handle(settings: Settings, session: CallerSession, given: CallInput) -> VoiceResponse:
    """Check the PESEL's checksum and look the caller up; three tries, then go on anonymously."""
    if not given.digits:
        return go(settings, session, "menu")
    session.pesel_tries += 1
    if not pesel_number.is_valid(given.digits):
        if session.pesel_tries >= 3:
            return go(settings, session, "menu", lead=p(session, "identify_gave_up"))
        return go(settings, session, "identify", lead=p(session, "identify_invalid"))
    customer = caller_by_pesel(given.digits)
    if customer is None:
        return go(settings, session, "menu", lead=p(session, "identify_not_found"))
    identify(session, customer)
    log.info("call %s identified by PESEL as customer %s", session.call_sid, customer.id)
    return go(
        settings, session, "menu", lead=p(session, "identify_ok", first_name=session.first_name)
    )


# Main menu ---------------------------------------------------------------------------------


def menu_prompt(settings: Settings, session: CallerSession, lead: str | None) -> VoiceResponse:
    """Read the main menu and listen for a key or a phrase."""
    return menu_page(session.language, lead)


def menu_page(language: str, lead: str | None) -> VoiceResponse:
    """Return the main menu in a language."""
    return flow.page(
        language,
        "menu",
        [lead or "", speech.prompt(language, "main_menu")],
        speech_input=True,
        hints=speech.menu_hints(language),
    )


def menu_handle(settings: Settings, session: CallerSession, given: CallInput) -> VoiceResponse:
    """Act on the caller's main-menu choice."""
    choice = given.digits or understanding.menu_option(session.language, given.said) or ""
    if choice == "0":
        return to_consultant(settings, session)
    if choice in MENU_TOPICS:
        session.topic = MENU_TOPICS[choice]
        return go(settings, session, "answer")
    if choice in ("2", "3"):
        session.purpose = "vacancies" if choice == "2" else "trainings"
        session.topic = session.purpose
        return go(
            settings, session, "region" if not session.region_code else next_after_region(session)
        )
    if choice == "5":
        session.topic = "eligibility"
        session.answers = {}
        return go(settings, session, "eligibility", lead=p(session, "eligibility_intro"))
    if choice == "6":
        session.topic = "job_alerts"
        session.purpose = "alerts"
        return go(settings, session, "alerts" if session.region_code else "region")
    if choice == "8":
        sessions().save(session)
        return flow.language_menu(session.language)
    return failed(settings, session, "menu", "not_understood")


def offer_prompt(settings: Settings, session: CallerSession, lead: str | None) -> VoiceResponse:
    """Offer a consultant after repeated failures; silence puts the caller through."""
    return flow.page(session.language, "offer", [lead or "", p(session, "offer_consultant")])


def offer_handle(settings: Settings, session: CallerSession, given: CallInput) -> VoiceResponse:
    """Put the caller through, or back to the menu with a clean slate."""
    if given.digits == "0":
        return to_consultant(settings, session)
    session.failures = 0
    return go(settings, session, "menu")


# FAQ answers -------------------------------------------------------------------------------


def answer_prompt(settings: Settings, session: CallerSession, lead: str | None) -> VoiceResponse:
    """Read the FAQ answer on the caller's topic, with their own office when known."""
    entry = knowledge.spoken_answer(session.topic, session.language)
    texts = [lead or ""]
    if entry is None:
        log.warning("call %s: no answer for %s", session.call_sid, session.topic)
        texts.append(p(session, "no_answer_yet"))
    elif lead is None:
        texts.append(entry.body)
        own_office = knowledge.office_card(session.office_code)
        if own_office is not None and session.topic in OFFICE_TOPICS:
            texts.append(
                p(
                    session,
                    "your_office",
                    name=own_office.name,
                    address=own_office.address,
                    hours=own_office.opening_hours,
                )
            )
    can_text = entry is not None and bool(entry.sms_body) and sms.can_text(session.caller_number)
    texts.append(p(session, "after_answer" if can_text else "after_answer_no_sms"))
    return flow.page(session.language, "answer", texts)


def answer_handle(settings: Settings, session: CallerSession, given: CallInput) -> VoiceResponse:
    """Send the answer by text on 1."""
    if given.digits == "1":
        entry = knowledge.spoken_answer(session.topic, session.language)
        if entry is not None and entry.sms_body and sms.can_text(session.caller_number):
            sms.send_faq(session, entry.topic, entry.sms_body)
            return go(settings, session, "answer", lead=p(session, "sms_queued"))
        return go(settings, session, "answer", lead=p(session, "sms_unavailable"))
    return failed(settings, session, "answer", "not_understood")


# Region ------------------------------------------------------------------------------------


def region_name(session: CallerSession, code: str) -> str:
    """Return a region's name in the caller's language."""
    region = knowledge.region(code)
    if region is None:
        return code
    return {"en": region.name_en, "uk": region.name_uk, "ro": region.name_ro}.get(
        session.language, region.name
    )


def next_after_region(session: CallerSession) -> str:
    """Return the step that follows choosing a region, by what the caller is after."""
    return {"vacancies": "occupation", "trainings": "trainings", "alerts": "alerts"}[
        session.purpose
    ]


def region_prompt(settings: Settings, session: CallerSession, lead: str | None) -> VoiceResponse:
    """Ask for a region or city by speech, offering the caller's own region on 1."""
    if session.home_region:
        ask = p(session, "region_prompt_known", region=region_name(session, session.home_region))
    else:
        ask = p(session, "region_prompt")
    return flow.page(
        session.language,
        "region",
        [lead or "", ask],
        speech_input=True,
        finish_on_key="",
        timeout=7,
    )


def region_handle(settings: Settings, session: CallerSession, given: CallInput) -> VoiceResponse:
    """Take the region from a key, a city or a region name."""
    if given.digits == "1" and session.home_region:
        return region_chosen(settings, session, session.home_region, "")
    if given.digits == "#":
        session.list_page = 0
        return go(settings, session, "region_list")
    if given.said:
        place = knowledge.find_place(given.said)
        if place is not None:
            return region_chosen(settings, session, place.region_code, place.name)
        region = knowledge.find_region(given.said)
        if region is not None:
            return region_chosen(settings, session, region.code, "")
        log.info("call %s: region not recognised", session.call_sid)
        return failed(settings, session, "region", "region_not_found")
    return failed(settings, session, "region", "not_understood")


def region_chosen(
    settings: Settings, session: CallerSession, code: str, place: str
) -> VoiceResponse:
    """Remember the region (and town), then go where the caller was heading."""
    session.region_code, session.place, session.offset = code, place, 0
    session.failures = 0
    name = region_name(session, code)
    said = (
        p(session, "place_chosen", place=place, region=name)
        if place
        else p(session, "region_chosen", region=name)
    )
    return go(settings, session, next_after_region(session), lead=said)


def region_list_prompt(
    settings: Settings, session: CallerSession, lead: str | None
) -> VoiceResponse:
    """Read eight regions with their keys; hash turns the page."""
    first = session.list_page * REGIONS_PER_PAGE
    texts = [lead or "", p(session, "region_list_intro")]
    for key in range(1, REGIONS_PER_PAGE + 1):
        region = knowledge.region_by_key(first + key)
        if region is not None:
            texts.append(
                p(session, "region_list_item", name=region_name(session, region.code), key=key)
            )
    texts.append(p(session, "region_list_more" if session.list_page == 0 else "region_list_back"))
    return flow.page(session.language, "region_list", texts, finish_on_key="")


def region_list_handle(
    settings: Settings, session: CallerSession, given: CallInput
) -> VoiceResponse:
    """Pick the region keyed on this page, or turn the page."""
    if given.digits == "#":
        session.list_page = 1 - session.list_page
        return go(settings, session, "region_list")
    if given.digits.isdigit() and 1 <= int(given.digits) <= REGIONS_PER_PAGE:
        region = knowledge.region_by_key(session.list_page * REGIONS_PER_PAGE + int(given.digits))
        if region is not None:
            return region_chosen(settings, session, region.code, "")
    return failed(settings, session, "region_list", "not_understood")


# Vacancies ---------------------------------------------------------------------------------


def occupation_prompt(
    settings: Settings, session: CallerSession, lead: str | None
) -> VoiceResponse:
    """Ask what work the caller looks for; hash means any."""
    return flow.page(
        session.language,
        "occupation",
        [lead or "", p(session, "occupation_prompt")],
        speech_input=True,
        finish_on_key="",
        timeout=7,
    )


def occupation_handle(
    settings: Settings, session: CallerSession, given: CallInput
) -> VoiceResponse:
    """Match the occupation among current vacancies, or read them all."""
    session.offset = 0
    if given.said:
        said = knowledge.polish_occupation(given.said, session.language)
        found = knowledge.find_occupation(said, session.region_code)
        if found is None:
            session.occupation = ""
            return go(settings, session, "vacancies", lead=p(session, "occupation_not_found"))
        session.occupation = found.name
        return go(
            settings,
            session,
            "vacancies",
            lead=p(session, "occupation_chosen", occupation=found.name),
        )
    if given.digits == "#":
        session.occupation = ""
        return go(settings, session, "vacancies")
    return failed(settings, session, "occupation", "not_understood")


def wage_text(session: CallerSession, low: int | None, high: int | None) -> str:
    """Say the pay range."""
    if low and high and high != low:
        return p(session, "wage_range", low=low, high=high)
    if low or high:
        return p(session, "wage_from", low=low or high)
    return p(session, "wage_unknown")


def vacancies_prompt(settings: Settings, session: CallerSession, lead: str | None) -> VoiceResponse:
    """Read three current offers from the caller's place in the list."""
    occupation = session.occupation or None
    found = knowledge.current_vacancies(session.region_code, occupation, session.offset, PAGE_SIZE)
    texts = [lead or ""]
    if session.offset == 0:
        count = knowledge.count_current_vacancies(session.region_code, occupation)
        if not found:
            texts.append(p(session, "vacancies_none"))
        else:
            texts.append(p(session, "vacancies_intro", count=count))
    if not found and session.offset:
        texts.append(p(session, "list_end"))
    for number, vacancy in enumerate(found, start=session.offset + 1):
        texts.append(
            p(
                session,
                "vacancy_item",
                number=number,
                title=vacancy.title,
                employer=vacancy.employer,
                city=vacancy.city,
                wage=wage_text(session, vacancy.wage_min, vacancy.wage_max),
            )
        )
    session.shown_ids = [vacancy.id for vacancy in found]
    texts.append(p(session, "vacancies_options"))
    sessions().save(session)
    return flow.page(session.language, "vacancies", texts)


def vacancies_handle(settings: Settings, session: CallerSession, given: CallInput) -> VoiceResponse:
    """Next page on 1, the shown offers by text on 2, another region on 3."""
    if given.digits == "1":
        total = knowledge.count_current_vacancies(session.region_code, session.occupation or None)
        if session.offset + PAGE_SIZE >= total:
            return go(settings, session, "vacancies", lead=p(session, "list_end"))
        session.offset += PAGE_SIZE
        return go(settings, session, "vacancies")
    if given.digits == "2":
        if session.shown_ids and sms.can_text(session.caller_number):
            sms.send_vacancies(session, session.shown_ids)
            lead = p(session, "sms_queued")
        else:
            lead = p(session, "sms_unavailable")
        return go_options(settings, session, "vacancies", lead)
    if given.digits == "3":
        session.purpose = "vacancies"
        return go(settings, session, "region")
    return failed(settings, session, "vacancies", "not_understood")


def go_options(settings: Settings, session: CallerSession, step: str, lead: str) -> VoiceResponse:
    """Confirm something and offer the step's options again without rereading the list."""
    sessions().save(session)
    options = "vacancies_options" if step == "vacancies" else "trainings_options"
    return flow.page(session.language, step, [lead, p(session, options)])


# Trainings ---------------------------------------------------------------------------------


def trainings_prompt(settings: Settings, session: CallerSession, lead: str | None) -> VoiceResponse:
    """Read three training offers open for sign-up in the caller's region."""
    found = knowledge.trainings(session.region_code, session.offset, PAGE_SIZE)
    texts = [lead or ""]
    if not found:
        texts.append(p(session, "trainings_none" if session.offset == 0 else "list_end"))
    elif session.offset == 0:
        count = knowledge.count_trainings(session.region_code)
        texts.append(p(session, "trainings_intro", count=count))
    for number, course in enumerate(found, start=session.offset + 1):
        texts.append(
            p(
                session,
                "training_item",
                number=number,
                title=course.title,
                provider=course.provider,
                city=course.city,
                starts=course.starts_on.strftime("%d.%m.%Y"),
                hours=course.hours,
            )
        )
    session.shown_ids = [course.id for course in found]
    texts.append(p(session, "trainings_options"))
    sessions().save(session)
    return flow.page(session.language, "trainings", texts)


def trainings_handle(settings: Settings, session: CallerSession, given: CallInput) -> VoiceResponse:
    """Next page on 1, by text on 2, another region on 3."""
    if given.digits == "1":
        if session.offset + PAGE_SIZE >= knowledge.count_trainings(session.region_code):
            return go(settings, session, "trainings", lead=p(session, "list_end"))
        session.offset += PAGE_SIZE
        return go(settings, session, "trainings")
    if given.digits == "2":
        if session.shown_ids and sms.can_text(session.caller_number):
            sms.send_trainings(session, session.shown_ids)
            return go_options(settings, session, "trainings", p(session, "sms_queued"))
        return go_options(settings, session, "trainings", p(session, "sms_unavailable"))
    if given.digits == "3":
        session.purpose = "trainings"
        return go(settings, session, "region")
    return failed(settings, session, "trainings", "not_understood")


# Eligibility pre-check ---------------------------------------------------------------------


def eligibility_prompt(
    settings: Settings, session: CallerSession, lead: str | None
) -> VoiceResponse:
    """Ask the next yes/no question, or read the indicative outcome."""
    rules = knowledge.eligibility_rules(session.language)
    question = rules.next_question(session.answers)
    texts = [lead or ""]
    if question is not None:
        texts += [question.text, p(session, "yes_no")]
        return flow.page(session.language, "eligibility", texts, speech_input=True)
    outcome = rules.decide(session.answers)
    texts += [p(session, "eligibility_result"), outcome.text if outcome else "", rules.disclaimer]
    texts.append(p(session, "eligibility_after"))
    return flow.page(session.language, "eligibility", texts)


def eligibility_handle(
    settings: Settings, session: CallerSession, given: CallInput
) -> VoiceResponse:
    """Record a yes or no and move on."""
    rules = knowledge.eligibility_rules(session.language)
    question = rules.next_question(session.answers)
    if question is None:
        return failed(settings, session, "eligibility", "not_understood")
    answer = (
        rules.answer(given.digits)
        if given.digits
        else understanding.yes_or_no(session.language, given.said)
    )
    if answer is None:
        return failed(settings, session, "eligibility", "not_understood")
    session.answers = {**session.answers, question.id: answer}
    return go(settings, session, "eligibility")


def session_question_open(session: CallerSession) -> bool:
    """Tell whether the pre-check still has a question for this caller."""
    return knowledge.eligibility_rules(session.language).next_question(session.answers) is not None


def restart_eligibility(settings: Settings, session: CallerSession) -> VoiceResponse:
    """Start the pre-check again (star after an outcome)."""
    session.answers = {}
    return go(settings, session, "eligibility", lead=p(session, "eligibility_intro"))


# Job alerts --------------------------------------------------------------------------------


def alerts_prompt(settings: Settings, session: CallerSession, lead: str | None) -> VoiceResponse:
    """Say whether alerts are on, and offer to switch them on or off."""
    if not sms.can_text(session.caller_number):
        return go(settings, session, "menu", lead=p(session, "sms_unavailable"))
    active = alerts.active_for(session.caller_number)
    if active is not None:
        part = (
            p(session, "occupation_part", occupation=active.occupation) if active.occupation else ""
        )
        text = p(
            session,
            "alerts_active",
            region=region_name(session, active.region_code),
            occupation_part=part,
        )
    else:
        part = (
            p(session, "occupation_part", occupation=session.occupation)
            if session.occupation
            else ""
        )
        text = p(
            session,
            "alerts_offer",
            region=region_name(session, session.region_code),
            occupation_part=part,
        )
    return flow.page(session.language, "alerts", [lead or "", text])


def alerts_handle(settings: Settings, session: CallerSession, given: CallInput) -> VoiceResponse:
    """Subscribe on 1, unsubscribe on 2, another region on 3."""
    if given.digits == "1" and session.region_code:
        alerts.subscribe(session)
        return go(settings, session, "menu", lead=p(session, "alerts_subscribed"))
    if given.digits == "2":
        alerts.unsubscribe(session.caller_number, by="keypad")
        return go(settings, session, "menu", lead=p(session, "alerts_unsubscribed"))
    if given.digits == "3":
        session.purpose = "alerts"
        return go(settings, session, "region")
    return failed(settings, session, "alerts", "not_understood")


# A consultant ------------------------------------------------------------------------------


def queue_entry(session: CallerSession, number: str) -> QueueEntry:
    """Describe the caller to routing: who they are, their advisor, language and topic."""
    return QueueEntry(
        call_sid=session.call_sid,
        caller_number=number,
        customer_id=session.customer_id,
        advisor_id=session.advisor_id,
        office=session.office_code or None,
        language=session.language,
        topic=session.topic,
        priority=1 if session.vulnerable else 0,
    )


def to_consultant(settings: Settings, session: CallerSession) -> VoiceResponse:
    """Queue the caller during opening hours; outside them offer a callback or voicemail."""
    if not routing_services().opening_hours.is_open(datetime.now(UTC)):
        return go(settings, session, "closed")
    return routing.join_queue(routing_services(), queue_entry(session, session.caller_number))


def closed_prompt(settings: Settings, session: CallerSession, lead: str | None) -> VoiceResponse:
    """Tell the caller consultants are away and offer a callback or a message."""
    return flow.page(
        session.language, "closed", [lead or "", p(session, "closed"), p(session, "closed_options")]
    )


def closed_handle(settings: Settings, session: CallerSession, given: CallInput) -> VoiceResponse:
    """Take a callback request on 1, a voicemail on 2."""
    if given.digits == "1":
        number = normalise_phone(session.caller_number, settings.default_region)
        if number is None:
            return go(settings, session, "closed", lead=p(session, "callback_no_number"))
        request_callback(session, number)
        return routing_twiml.goodbye(session.language, [p(session, "callback_requested")])
    if given.digits == "2":
        return flow.record_voicemail(session.language)
    return failed(settings, session, "closed", "not_understood")


def request_callback(session: CallerSession, number: str) -> None:
    """Ask routing to call the caller back when consultants are in."""
    routing.request_callback_later(routing_services(), queue_entry(session, number), number)


def voicemail_done(call_sid: str, recording_url: str) -> VoiceResponse:
    """Thank the caller for their message (or say none was recorded) and hang up."""
    session = sessions().load(call_sid)
    key = "voicemail_saved" if recording_url else "voicemail_empty"
    return routing_twiml.goodbye(session.language, [p(session, key)])


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
    session = sessions().load(call_sid)
    return flow.say_then(
        session.language, [p(session, "apology")], to_consultant(settings, session)
    )


def call_ended(call_sid: str, caller_number: str, status: str) -> None:
    """Close the call's queue state and persist its record."""
    log.info("call %s ended with status %s", call_sid, status)
    routing.call_ended(routing_services(), call_sid, caller_number, status)
