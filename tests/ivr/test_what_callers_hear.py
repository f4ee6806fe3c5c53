"""What callers hear, placed as calls through the phone network emulator, in every language.

Each test dials the hotline as a caller would and reads back what the emulator heard said.
"""

from __future__ import annotations

import pytest

from hotline import speech
from tests.ivr.conftest import ANONYMOUS, CALLERS, SKIP_GREETING, Line

LANGUAGES = list(CALLERS)
# The key an anonymous caller presses during the greeting to hear a language.
LANGUAGE_KEYS = {"pl": "1", "en": "2", "uk": "3", "ro": "4"}
BAD_PESELS = ["85031212340#", "12345#", "85031212341#"]


def prompt(language: str, key: str, **values: object) -> str:
    return speech.prompt(language, key, **values)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_third_bad_pesel_is_called_invalid_and_a_consultant_is_offered(
    line: Line, language: str
):
    script = [{"press": LANGUAGE_KEYS[language]}, *({"press": p} for p in BAD_PESELS)]
    call = line.call(ANONYMOUS, [*script, {"silence": True}])
    after_third = call.turns()[4]
    assert prompt(language, "identify_invalid_final") in after_third
    assert prompt(language, "identify_help") in after_third
    assert prompt(language, "main_menu") not in after_third
    assert "enqueue" in call.kinds(), "silence after the offer puts the caller through"


@pytest.mark.parametrize("language", LANGUAGES)
def test_one_miss_in_each_of_three_menus_is_not_three_failures(closed_line: Line, language: str):
    script = [SKIP_GREETING, {"press": "7"}, {"press": "1"}, {"press": "7"}, {"press": "0"}]
    call = closed_line.call(CALLERS[language], [*script, {"press": "7"}])
    third_miss = call.turns()[-1]
    assert prompt(language, "not_understood") in third_miss
    assert prompt(language, "closed_options") in third_miss
    assert prompt(language, "offer_consultant") not in third_miss


@pytest.mark.parametrize("language", LANGUAGES)
def test_three_misses_in_one_menu_offer_a_consultant_in_words_that_read_well(
    line: Line, language: str
):
    call = line.call(CALLERS[language], [SKIP_GREETING, *[{"press": "7"}] * 3])
    offer = call.turns()[-1]
    assert prompt(language, "offer_consultant") in offer
    if language == "en":
        assert "Sorry, we are having trouble" in offer
