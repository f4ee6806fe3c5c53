"""What the IVR looks up: regions and places, occupations, vacancies, trainings."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from hotline.db import db
from knowledge import service
from knowledge.models import Vacancy

pytestmark = pytest.mark.usefixtures("content")


# Each table is checked in one test, so the demo content loads once per table.
PODLASKIE = [
    "podlaskie", "Podlaskie", "województwo podlaskie", "wojewodztwo podlaskie", "Podlasie",
    "Підляське воєводство", "Podlasia", "Białystok", "bialystok", "Białystock",
    "mieszkam w Białymstoku", "Suwałki",
]  # fmt: skip
REGIONS_SAID = {
    "dolnośląskie": "02", "Lower Silesia": "02", "kujawsko pomorskie": "04",
    "pomorskie": "22", "zachodniopomorskie": "32", "Pomorze Zachodnie": "32",
    "slaskie": "24", "Warsaw": "14", "Cracow": "12", "Łódź": "10",
    "Varmia și Mazuria": "28", "swietokrzyskie": "26", "Bielsko Biała": "24",
    "Zielona Gora": "08",
}  # fmt: skip
NONSENSE = ["", "xyzzy", "banana", "tak", "nie wiem", "hello there", "qwerty asdf"]
PLACES_SAID = {
    "Białystok": "Białystok", "bialystok": "Białystok", "Białystock": "Białystok",
    "Bielsko Biała": "Bielsko-Biała", "bielsko-biala": "Bielsko-Biała",
    "Biała Podlaska": "Biała Podlaska", "Kedzierzyn Kozle": "Kędzierzyn-Koźle",
    "Gorzów": "Gorzów Wielkopolski", "w Krakowie": "Kraków", "Варшава": "Warszawa",
    "Jastrzębie Zdrój": "Jastrzębie-Zdrój", "Wroclaw": "Wrocław",
}  # fmt: skip


def test_find_region_understands_many_ways_of_saying_podlaskie() -> None:
    found = {said: getattr(service.find_region(said), "code", None) for said in PODLASKIE}
    assert found == dict.fromkeys(PODLASKIE, "20")


def test_find_region_for_regions_and_cities() -> None:
    found = {said: getattr(service.find_region(said), "code", None) for said in REGIONS_SAID}
    assert found == REGIONS_SAID


def test_find_region_and_place_return_none_for_nonsense() -> None:
    assert [service.find_region(said) for said in NONSENSE] == [None] * len(NONSENSE)
    assert [service.find_place(said) for said in NONSENSE] == [None] * len(NONSENSE)


def test_find_place() -> None:
    found = {said: getattr(service.find_place(said), "name", None) for said in PLACES_SAID}
    assert found == PLACES_SAID


def test_find_place_knows_county_and_region() -> None:
    place = service.find_place("Łapy")
    assert place is not None
    assert (place.county, place.region_code, place.ascii_name) == ("białostocki", "20", "Lapy")


def test_find_place_within_a_region() -> None:
    assert service.find_place("Kraków", region_code="20") is None
    assert service.find_place("Łomża", region_code="20") is not None
    assert service.find_place("podlaskie") is None


def test_office_for_place_falls_back_to_the_region_office() -> None:
    own = service.find_place("Białystok")
    other = service.find_place("Suwałki")
    assert own is not None and other is not None
    assert service.office_for_place(own).code == "BIA"  # type: ignore[union-attr]
    assert service.office_for_place(other).code == "BIA"  # type: ignore[union-attr]


def test_region_by_key_follows_the_keypad_list() -> None:
    listed = service.regions()
    assert [region.keypad for region in listed] == list(range(1, 17))
    assert service.region_by_key(1).name == "dolnośląskie"  # type: ignore[union-attr]
    assert service.region_by_key("10").code == "20"  # type: ignore[union-attr]
    assert service.region_by_key(17) is None
    assert service.region_by_key("#") is None


def test_region_names_in_each_language() -> None:
    region = service.region("12")
    assert region is not None
    assert [region.name_in(lang) for lang in ("pl", "en", "uk", "ro", "de")] == [
        "małopolskie", "Lesser Poland", "Малопольське", "Polonia Mică", "małopolskie",
    ]  # fmt: skip


def test_an_occupation_is_chosen_as_its_kzis_family() -> None:
    welders = service.choose_occupation("spawacz")
    assert welders is not None and welders.families == ("7212",) and welders.name == "spawacz"
    assert service.choose_occupation("spawacza tig").families == ("7212",)  # type: ignore[union-attr]
    drivers = service.choose_occupation("kierowca")
    assert drivers is not None and {"8322", "8332"} <= set(drivers.families)
    lorry = service.choose_occupation("kierowca C E")
    assert lorry is not None and lorry.families == ("8332",)
    assert service.choose_occupation("magazynierka").families == ("4321",)  # type: ignore[union-attr]


def test_words_that_name_no_occupation_choose_nothing() -> None:
    said = ("asdfgh", "astronauta", "", "pracownik")
    assert [service.choose_occupation(words) for words in said] == [None] * 4


def test_a_family_reaches_every_title_in_it() -> None:
    """ "spawacz" finds the TIG and the MAG welding offers of the same region."""
    welding = service.current_vacancies("14", "spawacz", limit=50, only_matching=True)
    assert {v.occupation for v in welding} >= {"Spawacz metodą MAG", "Spawacz metodą TIG"}
    assert all(v.occupation_family == "7212" for v in welding)


def test_a_page_continues_after_the_last_offer_read() -> None:
    families = ("7212",)
    counts = service.vacancy_counts("24", families)
    assert 0 < counts.matching < counts.total
    read: list[tuple[int, bool]] = []
    after = None
    while True:
        page = service.vacancy_page("24", families, after, limit=3)
        read += [(listed.vacancy.id, listed.matching) for listed in page.offers]
        if page.more is None:
            break
        after = service.VacancyCursor.from_list(page.more.as_list())
    assert len(read) == counts.total == len({ident for ident, _ in read})
    flags = [matching for _, matching in read]
    assert flags == [True] * counts.matching + [False] * counts.others


def test_current_vacancies_leave_out_expired_offers() -> None:
    today = date.today()
    expired = db.session.scalars(
        select(Vacancy).where(Vacancy.region_code == "20", Vacancy.expires_on < today)
    ).all()
    assert expired, "the demo data has an expired offer in podlaskie"
    found = service.current_vacancies("20", limit=100)
    assert found and all(v.expires_on >= today for v in found)
    assert not {v.id for v in expired} & {v.id for v in found}
    assert service.count_current_vacancies("20") == len(found)


def test_an_offer_expiring_today_is_still_current() -> None:
    today = date.today()
    offer = service.current_vacancies("14", limit=1)[0]
    offer.expires_on = today
    db.session.commit()
    assert offer.id in {v.id for v in service.current_vacancies("14", limit=100)}
    later = service.current_vacancies("14", limit=100, today=today + timedelta(days=1))
    assert offer.id not in {v.id for v in later}


def test_current_vacancies_are_newest_first_and_page_by_offset() -> None:
    everything = service.current_vacancies("12", limit=100)
    posted = [v.posted_on for v in everything]
    assert posted == sorted(posted, reverse=True)
    pages = [service.current_vacancies("12", offset=n, limit=3) for n in range(0, 15, 3)]
    assert [v.id for page in pages for v in page] == [v.id for v in everything][:15]
    assert service.current_vacancies("12", offset=500) == []


def test_current_vacancies_put_the_asked_occupation_first() -> None:
    first_page = service.current_vacancies("24", occupation="spawacz", limit=3)
    matching = service.count_current_vacancies("24", occupation="spawacz")
    assert matching >= 1
    assert all("Spawacz" in v.occupation for v in first_page[:matching])
    assert len(first_page) == 3, "other offers fill the page after the matching ones"
    only = service.current_vacancies("24", occupation="spawacz", only_matching=True, limit=10)
    assert len(only) == matching and all("Spawacz" in v.occupation for v in only)
    assert service.current_vacancies("24", occupation="7212", only_matching=True, limit=10)


def test_matching_offers_are_ranked_by_date_then_pay() -> None:
    offers = service.current_vacancies("24", occupation="spawacz", only_matching=True, limit=10)
    for offer in offers:
        offer.posted_on = date.today()
    offers[0].wage_max, offers[0].wage_min = 5000, 4900
    offers[-1].wage_max = 15000
    db.session.commit()
    ranked = service.current_vacancies("24", occupation="spawacz", only_matching=True, limit=10)
    pays = [v.wage_max or v.wage_min or 0 for v in ranked]
    assert pays == sorted(pays, reverse=True) and pays[0] == 15000


def test_trainings_are_open_ones_soonest_first() -> None:
    today = date.today()
    for region in service.regions():
        found = service.trainings(region.code, limit=10)
        assert found, f"no open training in {region.name}"
        assert all(t.closes_on() >= today for t in found)
        assert [t.starts_on for t in found] == sorted(t.starts_on for t in found)
        assert service.count_trainings(region.code) == len(found)
        assert service.training(found[0].id) is found[0]


def test_trainings_leave_out_closed_registration() -> None:
    open_now = service.trainings("02", limit=10)
    later = service.trainings("02", limit=10, today=date.today() + timedelta(days=400))
    assert open_now and later == []


def test_trainings_put_a_topic_first() -> None:
    found = service.trainings("14", limit=10)
    topic = found[-1].title.split()[0]
    assert service.trainings("14", limit=1, topic=topic)[0].title.startswith(topic)


def test_faq_answer_falls_back_to_polish() -> None:
    answer = service.faq_answer("eures", "de")
    assert answer is not None and answer.language == "pl"
    assert service.faq_answer("benefit_claim", "uk").language == "uk"  # type: ignore[union-attr]


def test_an_occupation_named_exactly_leaves_out_its_relatives() -> None:
    for region in service.regions():
        found = service.current_vacancies(
            region.code, "Kierowca kat. C+E", only_matching=True, limit=50
        )
        assert found, region.name
        assert {v.occupation for v in found} == {"Kierowca kat. C+E"}


def _veterinary_offer() -> Vacancy:
    offer = Vacancy(
        source="test", external_id="VET-1", title="Weterynarz – lecznica dla zwierząt",
        occupation="Lekarz weterynarii", occupation_code="2250", employer="Lecznica Azor",
        city="Warszawa", region_code="14", wage_min=9000, wage_max=None,
        posted_on=date.today() - timedelta(days=30), expires_on=date.today() + timedelta(days=30),
    )  # fmt: skip
    db.session.add(offer)
    db.session.commit()
    return offer


def test_words_that_name_no_family_are_looked_for_in_the_titles() -> None:
    offer = _veterinary_offer()
    assert service.choose_occupation("weterynarz") is None
    terms = service.title_terms("szukam pracy jako weterynarz")
    counts = service.vacancy_counts("14", terms=terms)
    assert counts.matching == 1 and counts.total > 1
    page = service.vacancy_page("14", terms=terms, limit=3)
    assert page.offers[0].vacancy.id == offer.id and page.offers[0].matching
    assert not any(listed.matching for listed in page.offers[1:])
    alerted = service.current_vacancies("14", "weterynarz", only_matching=True, limit=10)
    assert alerted == [offer], "a job alert for such words gets the same offers"
    offer.title, offer.occupation = "Lekarz zwierząt", "Lekarz"
    db.session.commit()
    assert service.vacancy_counts("14", terms=terms).matching == 0, "the index follows edits"
    db.session.delete(offer)
    db.session.commit()
    assert service.vacancy_counts("14", terms=service.title_terms("lekarz")).matching == 0


def test_an_offer_without_a_code_joins_the_family_its_occupation_names() -> None:
    offer = Vacancy(
        source="test", external_id="WH-1", title="Pracownik magazynu – kompletacja zamówień",
        occupation="Pracownik magazynu", occupation_code=None, employer="Magazyny Centralne",
        city="Otwock", region_code="14", wage_min=5200, wage_max=5600,
        posted_on=date.today(), expires_on=date.today() + timedelta(days=30),
    )  # fmt: skip
    db.session.add(offer)
    db.session.commit()
    assert offer.occupation_family == "4321" and offer.pay == 5600
    warehouse = service.current_vacancies("14", "magazynier", limit=50, only_matching=True)
    assert offer in warehouse and {v.occupation for v in warehouse} >= {"Magazynier"}
