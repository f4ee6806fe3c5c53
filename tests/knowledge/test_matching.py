"""Normalising and fuzzy-matching what callers say, without a database."""

from __future__ import annotations

import pytest

from knowledge.matching import (
    ascii_name,
    best_match,
    candidates,
    meaningful_words,
    occupation_score,
    plain,
    shares_stem,
)


def test_plain_drops_accents_case_and_hyphens() -> None:
    assert plain("Bielsko-Biała") == "bielsko biala"
    assert plain("  ŁÓDŹ!  ") == "lodz"
    assert plain("Zielona Góra") == "zielona gora"


def test_ascii_name_keeps_capitals() -> None:
    assert ascii_name("Łódź") == "Lodz"
    assert ascii_name("Świętokrzyskie") == "Swietokrzyskie"


def test_filler_words_are_dropped_in_every_language() -> None:
    assert meaningful_words("mieszkam w województwie podlaskim") == ["podlaskim"]
    assert meaningful_words("I live in Warsaw please") == ["warsaw"]
    assert meaningful_words("я живу в Білосток") == ["білосток"]


POOL = (
    candidates("24", ["śląskie", "Śląsk"])
    + candidates("02", ["dolnośląskie", "Dolny Śląsk"])
    + candidates("04", ["kujawsko-pomorskie"])
    + candidates("22", ["pomorskie", "Pomorze"])
)


@pytest.mark.parametrize(
    ("said", "expected"),
    [
        ("dolnośląskie", "02"),
        ("dolny śląsk", "02"),
        ("slaskie", "24"),
        ("kujawsko pomorskie", "04"),
        ("województwo pomorskie", "22"),
        ("pomorskiee", "22"),
    ],
)
def test_best_match_prefers_the_longest_close_name(said: str, expected: str) -> None:
    match = best_match(said, POOL)
    assert match is not None and match.value == expected


@pytest.mark.parametrize("said", ["", "tak", "xyz", "banana split", "dzień dobry"])
def test_best_match_refuses_nonsense(said: str) -> None:
    assert best_match(said, POOL) is None


def test_short_names_need_a_close_match() -> None:
    pool = candidates("Koło", ["Koło"]) + candidates("Nysa", ["Nysa"])
    assert best_match("kolo", pool) is not None
    assert best_match("kot", pool) is None
    assert best_match("nysa", pool) is not None


@pytest.mark.parametrize(
    ("said", "occupation"),
    [
        ("spawacz", "Spawacz metodą MAG"),
        ("spawacza", "Spawacz metodą TIG"),
        ("kucharka", "Kucharz"),
        ("magazynierka", "Magazynier"),
        ("kierowca", "Kierowca kat. C+E"),
        ("pielegniarka", "Pielęgniarka"),
        ("kierowca C E", "Kierowca kat. C+E"),
        ("szukam pracy jako spawacz", "Spawacz MAG"),
        ("spawacz metoda mak", "Spawacz metodą MAG"),
    ],
)
def test_occupation_score_accepts_forms_of_the_same_job(said: str, occupation: str) -> None:
    assert occupation_score(said, occupation) >= 82


@pytest.mark.parametrize(
    ("said", "occupation"),
    [
        ("kierowca", "Kierownik sklepu"),
        ("Kierowca kat. C+E", "Kierowca kat. B – kurier"),
        ("Spawacz metodą MAG", "Spawacz metodą TIG"),
        ("banan", "Magazynier"),
        ("xyz", "Kucharz"),
        ("praca", "Kucharz"),
    ],
)
def test_occupation_score_keeps_different_jobs_apart(said: str, occupation: str) -> None:
    assert occupation_score(said, occupation) < 82


def test_shares_stem() -> None:
    assert shares_stem("ksiegowa", "ksiegowy")
    assert not shares_stem("kierowca", "kierownik")
