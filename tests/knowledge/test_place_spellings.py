"""Polish towns recognised as callers of other languages write and say them.

Every town in the gazetteer is written as the public transcription tables write it
(tests/knowledge/spellings.py), in Ukrainian, Russian and romanised Ukrainian, with soft
signs left out as people type, and in Ukrainian and Russian case forms. The recogniser sees
the towns' Polish names only (none of the aliases), so what it hears it hears by rule.
"""

from __future__ import annotations

import json
from collections import Counter

import pytest

from knowledge import service
from knowledge.imports import DATA_DIR
from knowledge.matching import MIN_SCORE, SHORT_NAME_SCORE
from knowledge.transliteration import PlaceSounds
from tests.knowledge.spellings import TRADITIONAL, spellings


def gazetteer_names() -> list[str]:
    with (DATA_DIR / "regions.json").open(encoding="utf-8") as handle:
        regions = json.load(handle)["regions"]
    return [place["name"] for region in regions for place in region["places"]]


def test_table_spellings_of_every_town_are_recognised_by_rule() -> None:
    names = gazetteer_names()
    sounds = PlaceSounds((ident, [name]) for ident, name in enumerate(names))
    heard, tried, wrong = Counter[str](), Counter[str](), []
    for ident, name in enumerate(names):
        for kind, text in spellings(name).items():
            tried[kind] += 1
            found = sounds.best(text, MIN_SCORE, SHORT_NAME_SCORE)
            if found is not None and found[0] == ident:
                heard[kind] += 1
            elif found is not None:
                wrong.append((text, name, names[found[0]]))
    rate = sum(heard.values()) / sum(tried.values())
    by_kind = ", ".join(f"{kind} {heard[kind]}/{tried[kind]}" for kind in tried)
    print(f"\nrecognised {sum(heard.values())} of {sum(tried.values())} spellings of "
          f"{len(names)} towns ({rate:.1%}): {by_kind}")  # fmt: skip
    assert len(names) >= 20 and sum(tried.values()) >= 50
    assert rate >= 0.98, by_kind
    assert wrong == [], "a spelling taken for another town"


@pytest.mark.usefixtures("content")
@pytest.mark.parametrize(
    ("said", "town"),
    [
        ("я живу у Кракові", "Kraków"),
        ("у Вроцлаві", "Wrocław"),
        ("з Гданська", "Gdańsk"),
        ("в Кракове", "Kraków"),
        ("Zheshuv", "Rzeszów"),
        ("Vrotslav", "Wrocław"),
        ("mieszkam w Bydgoszczy", "Bydgoszcz"),
        ("w Siedlcach", "Siedlce"),
        ("w Pile", "Piła"),
        ("w Ełku", "Ełk"),
        ("у Ченстохові", "Częstochowa"),
        ("Гожув-Великопольський", "Gorzów Wielkopolski"),
        ("у Зеленій Гурі", "Zielona Góra"),
    ],
)
def test_a_town_said_in_another_script_or_case_is_found(said: str, town: str) -> None:
    found = service.find_place(said)
    assert found is not None and found.name == town


@pytest.mark.usefixtures("content")
def test_traditional_names_no_table_writes_are_found_through_the_aliases() -> None:
    found = {town: service.find_place(name) for town, name in TRADITIONAL.items()}
    assert {town: place.name if place else None for town, place in found.items()} == {
        town: town for town in TRADITIONAL
    }
