"""An occupation search, heard through the emulator: the count, then the offers it counted.

Callers in each language ask for welders in mazowieckie, where the demo feed has a MAG and a
TIG welding offer among offers for other jobs, and page through to the end.
"""

from __future__ import annotations

import re

import pytest

from tests.ivr import calls
from tests.ivr.calls import Heard, Phone

phone = calls.phone

# caller, what they say for "welder", and how their language says what the test listens for
CALLERS = {
    "pl": ("+48601000001", "spawacz", {
        "intro": r"Ofert dla zawodu spawacz: (\d+)\.", "offer": r"Oferta (\d+): ([^.]+)\.",
        "others": "Dalej oferty dla innych zawodów, razem", "end": "To już wszystkie oferty.",
        "next": "Następne oferty: 1",
    }),
    "en": ("+447400123456", "welder", {
        "intro": r"Offers for welder: (\d+)\.", "offer": r"Offer (\d+): ([^.]+)\.",
        "others": "Next, offers for other jobs", "end": "Those are all the offers.",
        "next": "Next offers: 1",
    }),
    "uk": ("+48601000003", "зварювальник", {
        "intro": r"Вакансій за професією зварювальник: (\d+)\.", "offer": r"Вакансія (\d+): ([^.]+)\.",
        "others": "Далі вакансії за іншими професіями", "end": "Це всі вакансії.",
        "next": "Наступні вакансії — 1",
    }),
    "ro": ("+48601000004", "sudor", {
        "intro": r"Oferte pentru meseria sudor: (\d+)\.", "offer": r"Oferta (\d+): ([^.]+)\.",
        "others": "Urmează oferte pentru alte meserii", "end": "Acestea au fost toate ofertele.",
        "next": "Ofertele următoare: 1",
    }),
}  # fmt: skip
PAGES = 6  # mazowieckie's 14 current demo offers take five pages of three; the sixth is the end


def offers_heard(heard: Heard, pattern: str, first_step: int) -> list[tuple[int, str, int]]:
    """Return (number, title, step) of every offer read from first_step on."""
    found = []
    for step in range(first_step, len(heard.steps)):
        for text in heard.steps[step]:
            for number, title in re.findall(pattern, text):
                found.append((int(number), title, step))
    return found


@pytest.mark.parametrize("language", list(CALLERS))
def test_the_count_heard_is_the_offers_read_for_the_occupation_then_others_are_announced(
    phone: Phone, language: str
) -> None:
    number, welder, words = CALLERS[language]
    script = [{"silence": True}, {"press": "2"}, {"say": "mazowieckie"}, {"say": welder}]
    heard = phone.call(number, [*script, *[{"press": "1"}] * PAGES])
    first_page = heard.after(4)
    counted = re.search(words["intro"], first_page)
    assert counted, first_page
    offers = offers_heard(heard, words["offer"], 4)
    welding = [title for _, title, _ in offers[: int(counted.group(1))]]
    assert welding and all("Spawacz" in title for title in welding), offers
    assert any("TIG" in title for title in welding) and any("MAG" in title for title in welding)
    others = [title for _, title, _ in offers[len(welding) :]]
    assert others and not any("Spawacz" in title for title in others)
    assert heard.whole.count(words["others"]) == 1
    said_before_others = heard.whole.split(words["others"])[0]
    assert all(title in said_before_others for title in welding)
    assert not any(title in said_before_others for title in others)


@pytest.mark.parametrize("language", list(CALLERS))
def test_next_page_at_the_end_says_so_and_reads_nothing_again(phone: Phone, language: str) -> None:
    number, welder, words = CALLERS[language]
    script = [{"silence": True}, {"press": "2"}, {"say": "mazowieckie"}, {"say": welder}]
    heard = phone.call(number, [*script, *[{"press": "1"}] * PAGES])
    offers = offers_heard(heard, words["offer"], 4)
    numbers = [offer_number for offer_number, _, _ in offers]
    assert numbers == list(range(1, len(numbers) + 1)), "each offer read once, in order"
    last_page = max(step for _, _, step in offers)
    assert words["next"] not in heard.after(last_page), "no next page is offered after the last"
    end = heard.after(last_page + 1)
    assert words["end"] in end
    assert not re.search(words["offer"], end), "the end reads no offer again"


NO_FAMILY = {
    "pl": r"Ofert dla zawodu weterynarz: 1\.", "en": r"Offers for weterynarz: 1\.",
    "uk": r"Вакансій за професією weterynarz: 1\.", "ro": r"Oferte pentru meseria weterynarz: 1\.",
}  # fmt: skip


@pytest.mark.parametrize("language", list(CALLERS))
def test_an_occupation_no_family_names_is_found_in_the_offers_titles(
    phone: Phone, language: str
) -> None:
    from datetime import date, timedelta

    from hotline.db import db
    from knowledge.models import Vacancy

    db.session.add(
        Vacancy(
            source="test",
            external_id="VET-1",
            title="Weterynarz – lecznica dla zwierząt",
            occupation="Lekarz weterynarii",
            occupation_code="2250",
            employer="Lecznica Azor",
            city="Warszawa",
            region_code="14",
            wage_min=9000,
            posted_on=date.today() - timedelta(days=30),
            expires_on=date.today() + timedelta(days=30),
        )  # fmt: skip
    )
    db.session.commit()
    number, _, words = CALLERS[language]
    script = [{"silence": True}, {"press": "2"}, {"say": "mazowieckie"}, {"say": "weterynarz"}]
    first_page = phone.call(number, script).after(4)
    assert re.search(NO_FAMILY[language], first_page), first_page
    offers = re.findall(words["offer"], first_page)
    assert offers[0][1].startswith("Weterynarz")
    assert words["others"] in first_page
