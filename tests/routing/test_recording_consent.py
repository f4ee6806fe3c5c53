"""The recording notice: heard in the caller's language before they queue, declined by key
where the queue's policy allows, and the caller's room recorded only after it."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from sqlalchemy import select

from hotline.db import db
from hotline.settings import Settings
from routing import consent, twiml
from routing.consent import RecordingDecision
from routing.models import CallRecord
from routing.tasks import record_call
from tests.twiml import parse, spoken, verbs

SID = "CA" + "7" * 32
CALLERS = {
    "pl": ("+48601000001", "pl-PL", "rozmowa z konsultantem jest nagrywana", "naciśnij 9"),
    "en": ("+447400123456", "en-GB", "your call with a consultant is recorded", "press 9"),
    "uk": ("+48601000003", "uk-UA", "розмова з консультантом записується", "натисніть 9"),
    "ro": ("+48601000004", "ro-RO", "apelul cu un consultant este înregistrat", "apăsați 9"),
}
DECLINED = {
    "pl": "nie będzie nagrywana",
    "en": "will not be recorded",
    "uk": "не записуватимуть",
    "ro": "nu va fi înregistrat",
}


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """A centre whose queue records calls, callers may decline with 9."""
    return settings.with_overrides(record_calls=True)


def caller(language: str) -> dict[str, str]:
    number = CALLERS[language][0]
    return {"CallSid": SID, "From": number, "To": "+48221952400", "CallStatus": "in-progress"}


def ask_for_a_person(twilio, language: str) -> ET.Element:  # type: ignore[no-untyped-def]
    """Call in, and press 0 during the greeting."""
    twilio.post("/ivr/incoming", caller(language))
    return parse(twilio.post("/ivr/language", {**caller(language), "Digits": "0"}).data)


def notice_gather(root: ET.Element) -> ET.Element:
    gather = root.find("Gather")
    assert gather is not None, verbs(root)
    return gather


@pytest.mark.parametrize("language", list(CALLERS))
def test_the_caller_hears_the_notice_in_their_language_before_the_queue(
    twilio, demo, redis_client, language
):
    _number, say_language, notice, decline = CALLERS[language]

    root = ask_for_a_person(twilio, language)

    gather = notice_gather(root)
    assert notice in spoken(root) and decline in spoken(root)
    assert {say.get("language") for say in gather.iter("Say")} == {say_language}
    assert gather.get("action") == "/routing/recording-consent"
    assert root.find("Enqueue") is None, "the caller queues only after the notice"
    assert root.find("Redirect").text == "/routing/recording-consent"


@pytest.mark.parametrize("language", list(CALLERS))
def test_pressing_9_declines_and_the_room_is_not_recorded(twilio, demo, redis_client, language):
    ask_for_a_person(twilio, language)

    root = parse(
        twilio.post("/routing/recording-consent", {**caller(language), "Digits": "9"}).data
    )

    assert DECLINED[language] in spoken(root)
    assert root.find("Enqueue") is not None
    assert consent.decision_of(redis_client, SID) == RecordingDecision.DECLINED


def test_silence_after_the_notice_queues_the_caller_and_their_room_records(
    twilio, demo, redis_client
):
    ask_for_a_person(twilio, "pl")

    queued = parse(twilio.post("/routing/recording-consent", caller("pl")).data)

    assert queued.find("Enqueue") is not None
    assert consent.decision_of(redis_client, SID) == RecordingDecision.NOTICE_GIVEN
    assert consent.recorded(redis_client, SID)


def test_a_late_key_does_not_change_an_answer_already_given(twilio, demo, redis_client):
    ask_for_a_person(twilio, "pl")
    twilio.post("/routing/recording-consent", caller("pl"))

    twilio.post("/routing/recording-consent", {**caller("pl"), "Digits": "9"})

    assert consent.decision_of(redis_client, SID) == RecordingDecision.NOTICE_GIVEN


def test_another_key_is_no_decline(twilio, demo, redis_client):
    ask_for_a_person(twilio, "pl")

    twilio.post("/routing/recording-consent", {**caller("pl"), "Digits": "5"})

    assert consent.decision_of(redis_client, SID) == RecordingDecision.NOTICE_GIVEN


def test_the_call_record_keeps_why_the_call_was_not_recorded(app, twilio, demo, redis_client):
    ask_for_a_person(twilio, "pl")
    twilio.post("/routing/recording-consent", {**caller("pl"), "Digits": "9"})
    twilio.post("/ivr/status", {**caller("pl"), "CallStatus": "completed"})

    with app.app_context():
        record_call(SID)
        record = db.session.scalars(select(CallRecord).where(CallRecord.call_sid == SID)).one()
    assert (record.recorded, record.recording_reason) == (False, "declined")


def test_the_room_of_a_caller_who_heard_the_notice_records_from_its_start():
    recorded = parse(str(twiml.caller_room("pl", SID, record=True))).find("Dial/Conference")
    plain = parse(str(twiml.caller_room("pl", SID))).find("Dial/Conference")

    assert recorded is not None and plain is not None
    assert recorded.get("record") == "record-from-start"
    assert recorded.get("recordingStatusCallback") == f"/recordings/status?kind=call&call={SID}"
    assert set(recorded.get("recordingStatusCallbackEvent", "").split()) == {
        "in-progress",
        "completed",
        "absent",
    }
    assert plain.get("record") is None and plain.get("recordingStatusCallback") is None
