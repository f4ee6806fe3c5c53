"""Choosing a region: by a spoken city or region name, the caller's own on 1, or a keyed list."""

from __future__ import annotations

import logging

from twilio.twiml.voice_response import VoiceResponse

from hotline.settings import Settings
from ivr import flow
from ivr.journey import Journey
from ivr.steps import CallInput, GoTo, Shown, failed, heard, p
from knowledge import service as knowledge

log = logging.getLogger(__name__)

REGIONS_PER_PAGE = 8


def region_name(journey: Journey, code: str) -> str:
    """Return a region's name in the caller's language."""
    region = knowledge.region(code)
    return region.name_in(journey.language) if region is not None else code


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


def region_handle(settings: Settings, journey: Journey, given: CallInput) -> Shown:
    """Take the region from a key, a city or a region name."""
    if given.digits == "1" and journey.home_region:
        return region_chosen(journey, journey.home_region, "")
    if given.digits == "#":
        journey.list_page = 0
        return GoTo("region_list")
    if given.said:
        place = knowledge.find_place(given.said)
        if place is not None:
            return region_chosen(journey, place.region_code, place.name)
        region = knowledge.find_region(given.said)
        if region is not None:
            return region_chosen(journey, region.code, "")
        log.info("call %s: region not recognised", journey.call_sid)
        return failed(journey, "region", "region_not_found")
    return failed(journey, "region", "not_understood")


def region_chosen(journey: Journey, code: str, place: str) -> GoTo:
    """Remember the region (and town), then go where the caller was heading."""
    journey.region_code, journey.place, journey.offset = code, place, 0
    journey.failures = 0
    heard(journey, "region", region=code, place=place)
    name = region_name(journey, code)
    said = (
        p(journey, "place_chosen", place=place, region=name)
        if place
        else p(journey, "region_chosen", region=name)
    )
    return GoTo(next_after_region(journey), lead=said)


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


def region_list_handle(settings: Settings, journey: Journey, given: CallInput) -> Shown:
    """Pick the region keyed on this page, or turn the page."""
    if given.digits == "#":
        journey.list_page = 1 - journey.list_page
        return GoTo("region_list")
    if given.digits.isdigit() and 1 <= int(given.digits) <= REGIONS_PER_PAGE:
        region = knowledge.region_by_key(journey.list_page * REGIONS_PER_PAGE + int(given.digits))
        if region is not None:
            return region_chosen(journey, region.code, "")
    return failed(journey, "region_list", "not_understood")
