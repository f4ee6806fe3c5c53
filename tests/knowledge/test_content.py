"""The shipped content: regions, offices, demo offers, FAQ and where each file comes from."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import func, select

from hotline.db import db
from hotline.speech import LANGUAGES
from knowledge import service
from knowledge.imports import DATA_DIR, load_demo_content
from knowledge.models import County, FaqEntry, Office, Place, Region, TrainingOffer, Vacancy

FAQ_TOPICS = {
    "benefit_documents", "benefit_claim", "where_to_register", "eures",
    "eures_benefit_abroad", "returning_from_abroad", "training_info",
}  # fmt: skip


def count(model: type) -> int:
    """Return how many rows a table holds."""
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def test_sixteen_regions_with_counties_and_places(content: dict[str, int]) -> None:
    regions = service.regions()
    assert len(regions) == 16 and count(County) == 380
    assert [r.code for r in regions] == [f"{n:02d}" for n in range(2, 33, 2)]
    for region in regions:
        counties = db.session.scalars(select(County).where(County.region_code == region.code))
        places = db.session.scalars(select(Place).where(Place.region_code == region.code)).all()
        assert all(c.teryt.startswith(region.code) for c in counties)
        assert len(places) >= 8, region.name
        assert region.capital in {p.name for p in places}
        assert all(region.name_in(lang) for lang in LANGUAGES)
    city_counties = db.session.scalar(select(func.count()).where(County.city_county))
    assert city_counties == 66


def test_every_place_names_a_county_of_its_region(content: dict[str, int]) -> None:
    counties = {(c.region_code, c.name) for c in db.session.scalars(select(County))}
    for place in db.session.scalars(select(Place)):
        assert (place.region_code, place.county) in counties, place.name


def test_offices_cover_every_region_and_keep_the_demo_codes(content: dict[str, int]) -> None:
    offices = db.session.scalars(select(Office)).all()
    assert {o.region_code for o in offices} == {r.code for r in service.regions()}
    assert {"WAW", "KRK", "BIA"} <= {o.code for o in offices}
    place_offices = {p.office_code for p in db.session.scalars(select(Place)) if p.office_code}
    assert place_offices == {o.code for o in offices}


DEMO_OFFICES = {
    "WAW": ("Urząd Pracy m.st. Warszawy (demo)", "ul. Grochowska 171B, 04-111 Warszawa"),
    "KRK": ("Grodzki Urząd Pracy w Krakowie (demo)", "ul. Józefińska 32, 30-529 Kraków"),
    "BIA": ("Powiatowy Urząd Pracy w Białymstoku (demo)", "ul. Pogodna 63/1, 15-365 Białystok"),
}


def test_the_offices_demo_customers_use_keep_their_details(content: dict[str, int]) -> None:
    from centre.demo import load_demo

    with db.transaction() as session:
        load_demo(session)
        load_demo_content(session)
    for code, (name, address) in DEMO_OFFICES.items():
        office = service.office(code)
        assert office is not None and (office.name, office.address) == (name, address)
        assert office.region_code is not None
    assert count(Office) == 16


def test_at_least_200_vacancies_current_in_every_region(content: dict[str, int]) -> None:
    assert content["vacancies"] == count(Vacancy) >= 200
    today = date.today()
    for region in service.regions():
        assert service.count_current_vacancies(region.code) >= 10, region.name
    expired = db.session.scalar(select(func.count()).where(Vacancy.expires_on < today))
    assert 0 < (expired or 0) < 20


def test_vacancies_are_a_plausible_mix(content: dict[str, int]) -> None:
    offers = db.session.scalars(select(Vacancy)).all()
    occupations = Counter(v.occupation for v in offers)
    for wanted in ("Spawacz metodą MAG", "Magazynier", "Kierowca kat. C+E", "Sprzedawca",
                   "Opiekunka osób starszych", "Pielęgniarka", "Programista", "Księgowa",
                   "Kucharz", "Elektryk"):  # fmt: skip
        assert occupations[wanted] > 0, wanted
    for offer in offers:
        assert offer.employer.endswith("(demo)") and offer.source == "demo"
        assert offer.posted_on <= offer.expires_on
        if offer.working_time and "etatu" not in offer.working_time and offer.wage_min:
            assert offer.wage_min >= 4806, offer.external_id
        assert 0 < len(offer.sms_summary) <= 300


def test_demo_dates_move_with_the_day_they_are_loaded(app: object) -> None:
    later = date.today() + timedelta(days=365)
    with db.transaction() as session:
        load_demo_content(session, later)
    for region in service.regions():
        assert service.count_current_vacancies(region.code, today=later) >= 10
        assert service.trainings(region.code, today=later)


def test_loading_twice_changes_nothing(content: dict[str, int]) -> None:
    before = {model: count(model) for model in (Region, County, Place, Office, Vacancy,
                                               TrainingOffer, FaqEntry)}  # fmt: skip
    with db.transaction() as session:
        again = load_demo_content(session)
    assert again == content
    assert {model: count(model) for model in before} == before


def test_about_40_trainings_across_regions(content: dict[str, int]) -> None:
    trainings = db.session.scalars(select(TrainingOffer)).all()
    assert 35 <= len(trainings) <= 50
    assert {t.region_code for t in trainings} == {r.code for r in service.regions()}
    assert all(t.starts_on <= t.ends_on and t.hours > 0 for t in trainings)


def test_every_faq_topic_in_every_language(content: dict[str, int]) -> None:
    entries = db.session.scalars(select(FaqEntry)).all()
    assert {(e.topic, e.language) for e in entries} == {
        (topic, lang) for topic in FAQ_TOPICS for lang in LANGUAGES
    }
    for entry in entries:
        assert entry.title and entry.body and entry.source
        assert entry.sms_body and len(entry.sms_body) <= 300, (entry.topic, entry.language)
        longest = max(len(sentence) for sentence in entry.body.split(". "))
        assert longest < 320, f"{entry.topic}/{entry.language}: a sentence too long to read out"


def data_files() -> list[Path]:
    """Return every content file shipped in knowledge/data."""
    return sorted(p for p in DATA_DIR.rglob("*") if p.is_file() and p.suffix != ".pyc")


def test_every_data_file_cites_its_sources() -> None:
    files = data_files()
    assert {p.name for p in files} >= {
        "regions.json", "offices.json", "faq.json", "vacancies.json", "trainings.json",
        "eligibility_rules.json", "make_demo_offers.py", "oferty.xml", "vacancies.csv",
    }  # fmt: skip
    for path in files:
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".json":
            document = json.loads(text)
            assert document.get("_about"), path.name
            cited = document.get("sources") or [
                s for entry in document.get("entries", []) for s in entry["sources"]
            ]
            assert cited or "invented" in document["_about"], path.name
        elif path.suffix == ".csv":
            assert "Sources:" in (path.parent / "README.md").read_text(encoding="utf-8")
        else:
            assert "http" in text or "Sources" in text, path.name


def test_the_demo_files_are_what_the_script_writes(tmp_path: Path, monkeypatch: object) -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location("make", DATA_DIR / "make_demo_offers.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    import random

    rng = random.Random(2026)
    written = json.loads((DATA_DIR / "vacancies.json").read_text(encoding="utf-8"))
    assert module.vacancies(rng) == written["vacancies"]
    assert (
        module.trainings(rng)
        == json.loads((DATA_DIR / "trainings.json").read_text(encoding="utf-8"))["trainings"]
    )
