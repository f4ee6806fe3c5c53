"""The job alerts page: switch the daily text of new vacancies on or off by keypad."""

from __future__ import annotations

from hotline.settings import Settings
from ivr import flow
from ivr.journey import Journey
from ivr.regions import region_name
from ivr.steps import CallInput, GoTo, Shown, failed, heard, p
from messaging import alerts, sms


def alerts_prompt(settings: Settings, journey: Journey, lead: str | None) -> Shown:
    """Say whether alerts are on, and offer to switch them on or off."""
    if not sms.can_text(journey.caller_number):
        return GoTo("menu", lead=p(journey, "sms_unavailable"))
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


def alerts_handle(settings: Settings, journey: Journey, given: CallInput) -> Shown:
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
        heard(journey, "job_alert", region=journey.region_code, occupation=journey.occupation)
        return GoTo("menu", lead=p(journey, "alerts_subscribed"))
    if given.digits == "2":
        alerts.unsubscribe(journey.caller_number, by="keypad")
        return GoTo("menu", lead=p(journey, "alerts_unsubscribed"))
    if given.digits == "3":
        journey.purpose = "alerts"
        return GoTo("region")
    return failed(journey, "alerts", "not_understood")
