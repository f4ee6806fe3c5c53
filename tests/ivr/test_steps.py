"""A step says where the caller goes next; failures are counted the same on every page."""

from __future__ import annotations

from hotline import speech
from ivr.journey import Journey
from ivr.steps import GoTo, failed

SID = "CA" + "6" * 32


def test_failures_reprompt_then_the_region_list_then_a_consultant_is_offered():
    journey = Journey(call_sid=SID)
    assert failed(journey, "region", "silence") == GoTo("region", speech.prompt("pl", "silence"))
    assert failed(journey, "region", "not_understood").step == "region_list"
    assert journey.list_page == 0
    assert failed(journey, "menu", "not_understood").step == "menu"
    assert failed(journey, "menu", "silence").step == "menu"
    offer = failed(journey, "menu", "not_understood")
    assert offer == GoTo("offer", speech.prompt("pl", "not_understood"))
    assert journey.failures == 3


def test_failures_are_counted_per_menu():
    journey = Journey(call_sid=SID)
    for step in ("menu", "answer", "closed"):
        assert failed(journey, step, "not_understood").step == step
    assert journey.failures == 1


def test_a_failure_is_said_in_the_callers_language():
    journey = Journey(call_sid=SID, language="en")
    assert failed(journey, "menu", "silence").lead == speech.prompt("en", "silence")
