"""Every main-menu path in every language, as scripted calls through the emulator."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import Centre, wait_for

pytestmark = [pytest.mark.slow, pytest.mark.e2e]

CALLERS = {
    "pl": ("+48601000001", "pl-PL"),
    "en": ("+447400123456", "en-GB"),
    "uk": ("+48601000003", "uk-UA"),
    "ro": ("+48601000004", "ro-RO"),
}
SKIP_GREETING = {"silence": True}
PATHS = {
    "documents": [{"press": "1"}, {"press": "1"}],
    "vacancies": [{"press": "2"}, {"press": "1"}, {"press": "#"}, {"press": "1"}, {"press": "2"}],
    "trainings": [{"press": "3"}, {"say": "Kraków"}, {"press": "2"}],
    "eures": [{"press": "4"}],
    "eligibility": [{"press": "5"}] + [{"press": "1"}] * 8,
    "alerts": [{"press": "6"}, {"press": "1"}, {"press": "1"}],
    "consultant": [{"press": "0"}, {"wait": 100}, {"hangup": True}],
}
SMS_PATHS = {"documents", "vacancies", "trainings", "alerts"}


def says(call: dict) -> list[dict]:
    return [event for event in call["events"] if event["kind"] == "say"]


@pytest.mark.parametrize("language", list(CALLERS))
@pytest.mark.parametrize("path", list(PATHS))
def test_menu_path_in_language(centre: Centre, language: str, path: str):
    number, say_language = CALLERS[language]
    before = len(centre.messages_to(number))
    call = centre.run_call(number, [SKIP_GREETING, *PATHS[path]])
    assert not [e for e in call["events"] if e["kind"] == "error"], call["events"]
    spoken = says(call)
    after_greeting = [e for e in spoken if e.get("language") == say_language]
    assert len(after_greeting) >= 3, f"{path} in {language} was not spoken in {say_language}"
    foreign = {e.get("language") for e in spoken[6:]} - {say_language}
    assert not foreign, f"{path} in {language} also spoke {foreign}"
    if path == "consultant":
        assert any(e["kind"] == "enqueue" for e in call["events"])
    if path in SMS_PATHS:
        wait_for(
            lambda: len(centre.messages_to(number)) > before,
            what=f"a text message for {path} in {language}",
        )
