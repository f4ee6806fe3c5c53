"""Vacancies and trainings in the caller's region: read three at a time, texted on request."""

from __future__ import annotations

from twilio.twiml.voice_response import VoiceResponse

from hotline.settings import Settings
from ivr import applying, flow
from ivr.journey import Journey
from ivr.steps import CallInput, GoTo, Shown, failed, heard, journeys, p
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
    """Choose the occupation families the caller's words name, or read every offer."""
    journey.offset, journey.page_from, journey.vacancy_counts = 0, [], []
    journey.occupation, journey.occupation_families, journey.occupation_terms = "", [], []
    journey.occupation_said = ""
    if given.said:
        said = knowledge.polish_occupation(given.said, journey.language)
        if said != given.said:
            journey.occupation_said = knowledge.without_filler(given.said)
        choice = knowledge.choose_occupation(said)
        if choice is not None:
            journey.occupation, journey.occupation_families = choice.name, list(choice.families)
            return GoTo("vacancies")
        terms = knowledge.title_terms(said)
        if terms and knowledge.vacancy_counts(journey.region_code, terms=terms).matching:
            journey.occupation = knowledge.without_filler(said)
            journey.occupation_terms = list(terms)
            return GoTo("vacancies")
        return GoTo("vacancies", lead=p(journey, "occupation_not_found"))
    if given.digits == "#":
        return GoTo("vacancies")
    return failed(journey, "occupation", "not_understood")


def wage_text(journey: Journey, low: int | None, high: int | None) -> str:
    """Say the pay range."""
    if low and high and high != low:
        return p(journey, "wage_range", low=low, high=high)
    if low or high:
        return p(journey, "wage_from", low=low or high)
    return p(journey, "wage_unknown")


def vacancies_intro(journey: Journey, counts: knowledge.VacancyCounts) -> str:
    """Say how many offers the list holds, for the occupation asked about when there is one."""
    if not counts.total:
        return p(journey, "vacancies_none")
    if not journey.occupation:
        return p(journey, "vacancies_intro", count=counts.total)
    occupation = journey.occupation_said or journey.occupation
    if not counts.matching:
        return p(journey, "vacancies_none_for_occupation", occupation=occupation)
    return p(journey, "vacancies_for_occupation", occupation=occupation, count=counts.matching)


def vacancies_prompt(settings: Settings, journey: Journey, lead: str | None) -> VoiceResponse:
    """Read the next three offers: the occupation asked about first, then, said so, the rest."""
    families, terms = tuple(journey.occupation_families), tuple(journey.occupation_terms)
    after = knowledge.VacancyCursor.from_list(journey.page_from)
    page = knowledge.vacancy_page(journey.region_code, families, after, PAGE_SIZE, terms=terms)
    texts = [lead or ""]
    if after is None or len(journey.vacancy_counts) != 2:
        counts = knowledge.vacancy_counts(journey.region_code, families, terms=terms)
        journey.vacancy_counts = [counts.matching, counts.total]
    counts = knowledge.VacancyCounts(*journey.vacancy_counts)
    if after is None:
        texts.append(vacancies_intro(journey, counts))
        heard(
            journey,
            "vacancies",
            region=journey.region_code,
            occupation=journey.occupation,
            count=counts.matching if journey.occupation else counts.total,
        )
    previous_matched = after.matching if after is not None else True
    for number, listed in enumerate(page.offers, start=journey.offset + 1):
        if (families or terms) and previous_matched and not listed.matching:
            texts.append(p(journey, "vacancies_other_jobs", count=counts.others))
        previous_matched = listed.matching
        vacancy = listed.vacancy
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
    shown = [
        (number, listed.vacancy) for number, listed in enumerate(page.offers, journey.offset + 1)
    ]
    texts += applying.offices_to_apply(journey, shown)
    journey.shown_ids = [listed.vacancy.id for listed in page.offers]
    journey.page_next = page.more.as_list() if page.more else []
    texts.append(p(journey, vacancies_options(journey)))
    journeys().save(journey)
    return flow.page(journey.language, "vacancies", texts)


def vacancies_options(journey: Journey) -> str:
    """Return the options after a page of offers: "next offers" only while some are left."""
    return "vacancies_options" if journey.page_next else "vacancies_options_last"


def vacancies_handle(settings: Settings, journey: Journey, given: CallInput) -> Shown:
    """Next page on 1, the shown offers by text on 2, another region on 3."""
    if given.digits == "1":
        if not journey.page_next:
            return go_options(journey, "vacancies", p(journey, "vacancies_end"))
        journey.offset += len(journey.shown_ids)
        journey.page_from = journey.page_next
        return GoTo("vacancies")
    if given.digits == "2":
        if journey.shown_ids and sms.can_text(journey.caller_number):
            sms.send_vacancies(
                journey.caller_number,
                journey.language,
                call_sid=journey.call_sid,
                vacancy_ids=journey.shown_ids,
            )
            heard(journey, "sms", what="vacancies", count=len(journey.shown_ids))
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
        options = vacancies_options(journey)
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
    if journey.offset == 0:
        heard(journey, "trainings", region=journey.region_code, count=count)
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
            heard(journey, "sms", what="trainings", count=len(journey.shown_ids))
            return go_options(journey, "trainings", p(journey, "sms_queued"))
        return go_options(journey, "trainings", p(journey, "sms_unavailable"))
    if given.digits == "3":
        journey.purpose = "trainings"
        return GoTo("region")
    if given.digits == "4":
        journey.topic, journey.part = "training_info", 0
        return GoTo("answer")
    return failed(journey, "trainings", "not_understood")
