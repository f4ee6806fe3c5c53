"""Turning what a caller said into a choice, with fuzzy matching for imperfect recognition."""

from __future__ import annotations

import unicodedata

from rapidfuzz import fuzz

from hotline import speech

MIN_SCORE = 80.0
WORD_SCORE = 80.0
YES_WORDS = {
    "pl": ("tak", "zgadza się", "owszem"),
    "en": ("yes", "yeah", "correct"),
    "uk": ("так", "да", "звісно"),
    "ro": ("da", "desigur", "corect"),
}
NO_WORDS = {
    "pl": ("nie", "nigdy"),
    "en": ("no", "nope", "not"),
    "uk": ("ні", "нет", "не"),
    "ro": ("nu", "niciodată"),
}


def plain(text: str) -> str:
    """Lower-case and strip accents, so "Zasiłek" and "zasilek" compare equal."""
    folded = text.lower().replace("ł", "l")
    decomposed = unicodedata.normalize("NFKD", folded)
    return "".join(char for char in decomposed if not unicodedata.combining(char)).strip()


def menu_option(language: str, said: str) -> str | None:
    """Return the main-menu key a spoken phrase asks for, or None if nothing fits well."""
    heard = plain(said)
    if not heard:
        return None
    best_key, best_score = None, 0.0
    for key, phrases in speech.keywords(language).items():
        for phrase in phrases:
            score = fuzz.partial_ratio(plain(phrase), heard) if len(heard) >= 3 else 0.0
            if score > best_score:
                best_key, best_score = key, score
    return best_key if best_score >= MIN_SCORE else None


def asks_for_consultant(said: str) -> bool:
    """Tell whether a caller asked for a person, in any of the IVR's languages."""
    return any(menu_option(language, said) == "0" for language in speech.LANGUAGES)


def topic_asked(language: str, said: str) -> str | None:
    """Return the FAQ topic a phrase said at the main menu asks for, if every word of it was said.

    Topics are narrower than the menu's keys ("where do I register" rather than
    "documents"), so a topic is taken only when each word of one of its phrases was heard
    (in any inflection close enough, "zasiłku" for "zasiłek"); otherwise the menu decides.
    """
    heard = plain(said).split()
    best_topic, best_length = None, 0
    for topic, phrases in speech.topic_keywords(language).items():
        for phrase in phrases:
            words = plain(phrase).split()
            if len(" ".join(words)) > best_length and all(
                any(fuzz.ratio(word, other) >= WORD_SCORE for other in heard) for word in words
            ):
                best_topic, best_length = topic, len(" ".join(words))
    return best_topic


def yes_or_no(language: str, said: str) -> bool | None:
    """Return True for a spoken yes, False for a no, None otherwise."""
    words = plain(said).split()
    if not words:
        return None
    if any(plain(w) in words for w in YES_WORDS.get(language, ())):
        return True
    if any(plain(w) in words for w in NO_WORDS.get(language, ())):
        return False
    return None
