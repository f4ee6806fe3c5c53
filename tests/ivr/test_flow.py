from __future__ import annotations

import pytest
from twilio.twiml.voice_response import Hangup

from ivr import flow
from tests.twiml import parse, spoken, verbs


def test_a_page_is_built_once_and_shared_between_callers():
    first = flow.page("en", "menu", ["", "Press 1."], speech_input=True, hints="documents")
    again = flow.page("en", "menu", ["Press 1."], speech_input=True, hints="documents")
    assert again is first
    root = parse(str(first).encode())
    assert verbs(root) == ["Gather", "Redirect"]
    assert spoken(root) == "Press 1."
    assert root.find("Gather").get("hints") == "documents"


def test_pages_that_differ_in_any_option_are_not_shared():
    keypad = flow.page("en", "menu", ["Press 1."])
    spoken_too = flow.page("en", "menu", ["Press 1."], speech_input=True)
    assert keypad is not spoken_too
    assert parse(str(keypad).encode()).find("Gather").get("input") == "dtmf"
    assert parse(str(spoken_too).encode()).find("Gather").get("input") == "dtmf speech"


def test_a_shared_page_refuses_changes():
    shared = flow.page("pl", "offer", ["Naciśnij 0."])
    with pytest.raises(TypeError):
        shared.append(Hangup())
    with pytest.raises(TypeError):
        shared.hangup()


def test_a_shared_page_can_follow_other_words():
    shared = flow.page("pl", "closed", ["Zamknięte."])
    combined = flow.say_then("pl", ["Przepraszamy."], shared)
    root = parse(str(combined).encode())
    assert verbs(root) == ["Say", "Gather", "Redirect"]
    assert "Przepraszamy." in spoken(root)
