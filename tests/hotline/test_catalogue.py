from __future__ import annotations

import string

import pytest

from hotline import speech


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("language", speech.LANGUAGES)
def test_every_prompt_exists_in_every_language(language):
    polish = speech.catalogue("pl")
    missing = sorted(set(polish) - set(speech.catalogue(language)))
    extra = sorted(set(speech.catalogue(language)) - set(polish))
    assert not missing, f"{language} lacks {missing}"
    assert not extra, f"{language} has prompts Polish lacks: {extra}"


@pytest.mark.parametrize("language", speech.LANGUAGES)
def test_translations_keep_the_same_placeholders_and_are_not_empty(language):
    for key, polish in speech.catalogue("pl").items():
        text = speech.catalogue(language)[key]
        assert text.strip(), f"{language}:{key} is empty"
        assert placeholders(text) == placeholders(polish), f"{language}:{key}"


@pytest.mark.parametrize("language", speech.LANGUAGES)
def test_every_language_has_a_voice_and_menu_keywords(language):
    voice = speech.voice(language)
    assert voice.say_language.startswith(language if language != "uk" else "uk-")
    assert voice.speech_language
    assert set(speech.keywords(language)) == {"0", "1", "2", "3", "4", "5", "6"}


def test_voice_is_configurable_per_language(monkeypatch):
    speech.voice.cache_clear()
    monkeypatch.setenv("HOTLINE_VOICE_RO", "Google.ro-RO-Standard-A")
    try:
        assert speech.voice("ro").voice == "Google.ro-RO-Standard-A"
    finally:
        speech.voice.cache_clear()
