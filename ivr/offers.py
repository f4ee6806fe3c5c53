"""Vacancies and trainings in the caller's region: read three at a time, texted on request."""

from __future__ import annotations

from twilio.twiml.voice_response import VoiceResponse

from hotline.settings import Settings
from ivr import applying, flow
from ivr.journey import Journey
from ivr.steps import CallInput, GoTo, Shown, failed, journeys, p
from knowledge import service as knowledge
from messaging import sms

PAGE_SIZE = 3


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


def occupation_handle(settings: Settings, journey: Journey, given: CallInput) -> Shown:
    """Match the occupation among current vacancies, or read them all."""
    journey.offset = 0
    if given.said:
        said = knowledge.polish_occupation(given.said, journey.language)
        found = knowledge.find_occupation(said, journey.region_code)
        if found is None:
            journey.occupation = ""
            return GoTo("vacancies", lead=p(journey, "occupation_not_found"))
        journey.occupation = found.name
        return GoTo(
            "vacancies",
            lead=p(journey, "occupation_chosen", occupation=found.name),
        )
    if given.digits == "#":
        journey.occupation = ""
        return GoTo("vacancies")
    return failed(journey, "occupation", "not_understood")


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
        texts.append(applying.offer_reference(journey, vacancy))
    texts += applying.offices_to_apply(journey, list(enumerate(found, start=journey.offset + 1)))
    journey.shown_ids = [vacancy.id for vacancy in found]
    texts.append(p(journey, "vacancies_options"))
    journeys().save(journey)
    return flow.page(journey.language, "vacancies", texts)


def vacancies_handle(settings: Settings, journey: Journey, given: CallInput) -> Shown:
    """Next page on 1, the shown offers by text on 2, another region on 3."""
    if given.digits == "1":
        total = knowledge.count_current_vacancies(journey.region_code, journey.occupation or None)
        if journey.offset + PAGE_SIZE >= total:
            return GoTo("vacancies", lead=p(journey, "list_end"))
        journey.offset += PAGE_SIZE
        return GoTo("vacancies")
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
        return go_options(journey, "vacancies", lead)
    if given.digits == "3":
        journey.purpose = "vacancies"
        return GoTo("region")
    return failed(journey, "vacancies", "not_understood")


def go_options(journey: Journey, step: str, lead: str) -> VoiceResponse:
    """Confirm something and offer the step's options again without rereading the list."""
    journeys().save(journey)
    if step == "vacancies":
        options = "vacancies_options"
    else:
        more = journey.offset + PAGE_SIZE < knowledge.count_trainings(journey.region_code)
        options = "trainings_options" if more else "trainings_options_last"
    return flow.page(journey.language, step, [lead, p(journey, options)])


def trainings_prompt(settings: Settings, journey: Journey, lead: str | None) -> VoiceResponse:
    """Read three training offers open for sign-up in the caller's region."""
    found = knowledge.trainings(journey.region_code, journey.offset, PAGE_SIZE)
    count = knowledge.count_trainings(journey.region_code)
    texts = [lead or ""]
    if not found:
        texts.append(p(journey, "trainings_none" if journey.offset == 0 else "trainings_list_end"))
    elif journey.offset == 0:
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
    more = journey.offset + PAGE_SIZE < count
    texts.append(p(journey, "trainings_options" if more else "trainings_options_last"))
    journeys().save(journey)
    return flow.page(journey.language, "trainings", texts)


def trainings_handle(settings: Settings, journey: Journey, given: CallInput) -> Shown:
    """Next page on 1, by text on 2, another region on 3, how courses are funded on 4."""
    if given.digits == "1":
        if journey.offset + PAGE_SIZE >= knowledge.count_trainings(journey.region_code):
            return go_options(journey, "trainings", p(journey, "trainings_list_end"))
        journey.offset += PAGE_SIZE
        return GoTo("trainings")
    if given.digits == "2":
        if journey.shown_ids and sms.can_text(journey.caller_number):
            sms.send_trainings(
                journey.caller_number,
                journey.language,
                call_sid=journey.call_sid,
                training_ids=journey.shown_ids,
            )
            return go_options(journey, "trainings", p(journey, "sms_queued"))
        return go_options(journey, "trainings", p(journey, "sms_unavailable"))
    if given.digits == "3":
        journey.purpose = "trainings"
        return GoTo("region")
    if given.digits == "4":
        journey.topic, journey.part = "training_info", 0
        return GoTo("answer")
    return failed(journey, "trainings", "not_understood")
