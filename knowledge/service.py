"""Reading the knowledge base: what the IVR looks up while a caller waits.

Plain functions over the request's session; none needs Flask. Fuzzy matching of what a
caller said lives in knowledge.matching.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import cast

from rapidfuzz import fuzz
from sqlalchemy import Select, func, select

from hotline.db import db
from hotline.speech import DEFAULT_LANGUAGE
from knowledge.eligibility import EligibilityRules, load_rules
from knowledge.matching import (
    MIN_SCORE,
    Candidate,
    Match,
    best_match,
    candidates,
    occupation_score,
    plain,
)
from knowledge.models import FaqEntry, Office, Place, Region, TrainingOffer, Vacancy
from knowledge.office_hours import OpeningSpan, read_opening_hours


def faq_answer(topic: str, language: str) -> FaqEntry | None:
    """Return the answer on a topic in a language, falling back to Polish."""
    languages = [language, DEFAULT_LANGUAGE]
    query = select(FaqEntry).where(FaqEntry.topic == topic, FaqEntry.language.in_(languages))
    entries = {entry.language: entry for entry in db.session.scalars(query)}
    return entries.get(language) or entries.get(DEFAULT_LANGUAGE)


def office(code: str | None) -> Office | None:
    """Return the office with this code, if any."""
    if not code:
        return None
    return db.session.scalars(select(Office).where(Office.code == code)).first()


# What the IVR reads on every call changes rarely, so each process keeps a copy for a minute.
# It is content, not call state: a process that dies loses nothing.
CACHE_SECONDS = 60.0
_read_cache: dict[tuple[str, ...], tuple[float, object]] = {}


@dataclass(frozen=True)
class SpokenAnswer:
    """An FAQ answer as the IVR reads and texts it."""

    topic: str
    language: str
    body: str
    sms_body: str | None


@dataclass(frozen=True)
class OfficeCard:
    """What the IVR says about an office."""

    code: str
    name: str
    address: str
    opening_hours: str
    region_code: str | None
    # The hours read into days and times, so each language can say them; None if unclear.
    weekly_hours: tuple[OpeningSpan, ...] | None = None
    phone: str | None = None


def _cached(key: tuple[str, ...], load: Callable[[], object]) -> object:
    now = time.monotonic()
    hit = _read_cache.get(key)
    if hit is not None and hit[0] > now:
        return hit[1]
    value = load()
    _read_cache[key] = (now + CACHE_SECONDS, value)
    return value


def forget_cached() -> None:
    """Drop this process's copies (after an import, and between tests)."""
    _read_cache.clear()


def spoken_answer(topic: str, language: str) -> SpokenAnswer | None:
    """Return the answer on a topic as the IVR reads it, from the short-lived copy."""

    def load() -> SpokenAnswer | None:
        entry = faq_answer(topic, language)
        if entry is None:
            return None
        return SpokenAnswer(entry.topic, entry.language, entry.body, entry.sms_body)

    return cast("SpokenAnswer | None", _cached(("faq", topic, language), load))


def office_card(code: str | None) -> OfficeCard | None:
    """Return what the IVR says about an office, from the short-lived copy."""
    if not code:
        return None

    def load() -> OfficeCard | None:
        found = office(code)
        if found is None:
            return None
        return OfficeCard(
            found.code,
            found.name,
            found.address,
            found.opening_hours,
            found.region_code,
            read_opening_hours(found.opening_hours),
            found.phone,
        )

    return cast("OfficeCard | None", _cached(("office", code), load))


# Regions and places ---------------------------------------------------------------------


def region_office_card(region_code: str | None) -> OfficeCard | None:
    """Return the office that stands for a region (its first), from the short-lived copy."""
    if not region_code:
        return None

    def load() -> str:
        found = offices_in_region(region_code)
        return found[0].code if found else ""

    return office_card(cast("str", _cached(("region_office", region_code), load)))


def regions() -> list[Region]:
    """Return the regions in keypad order (1 to 16)."""
    return list(db.session.scalars(select(Region).order_by(Region.keypad)))


def region(code: str | None) -> Region | None:
    """Return the region with a TERYT code ("20"), if any."""
    if not code:
        return None
    return db.session.scalars(select(Region).where(Region.code == code)).first()


def region_by_key(key: int | str) -> Region | None:
    """Return the region a caller chose on the keypad list (1 to 16), if any."""
    try:
        number = int(key)
    except (TypeError, ValueError):
        return None
    return db.session.scalars(select(Region).where(Region.keypad == number)).first()


def find_region(text: str) -> Region | None:
    """Return the region a caller named, or the region of the place they named, else None.

    Matches "podlaskie", "województwo podlaskie", "Podlaskie Voivodeship", "Підляське",
    or a city in it ("Białystok", "bialystok", "Białystock"); a region name wins a tie.
    """
    pool: list[Candidate[str]] = []
    for item in regions():
        names = [item.name, item.name_en, item.name_uk, item.name_ro, *item.aliases]
        pool.extend(candidates(item.code, names))
    by_region = best_match(text, pool)
    by_place = _place_match(text, None)
    if by_place is not None and (by_region is None or by_place.score > by_region.score):
        return region(by_place.value.region_code)
    return region(by_region.value) if by_region else None


def find_place(text: str, region_code: str | None = None) -> Place | None:
    """Return the town or city a caller named ("Bielsko Biała", "bialystok"), or None."""
    match = _place_match(text, region_code)
    return match.value if match else None


def _place_match(text: str, region_code: str | None) -> Match[Place] | None:
    query = select(Place)
    if region_code:
        query = query.where(Place.region_code == region_code)
    pool: list[Candidate[Place]] = []
    for place in db.session.scalars(query):
        pool.extend(candidates(place, [place.name, place.ascii_name, *place.aliases]))
    return best_match(text, pool)


def offices_in_region(region_code: str) -> list[Office]:
    """Return the offices of a region, by code."""
    query = select(Office).where(Office.region_code == region_code).order_by(Office.code)
    return list(db.session.scalars(query))


def office_for_place(place: Place) -> Office | None:
    """Return the office serving a place: its own, or else the first of its region."""
    found = office(place.office_code)
    if found is not None:
        return found
    nearby = offices_in_region(place.region_code)
    return nearby[0] if nearby else None


# Vacancies -----------------------------------------------------------------------------


@dataclass(frozen=True)
class OccupationMatch:
    """The occupation a caller asked for, as vacancies name it, and its close relatives."""

    name: str
    code: str | None
    score: float
    related: tuple[str, ...]


def find_occupation(
    text: str, region_code: str | None = None, today: date | None = None
) -> OccupationMatch | None:
    """Return the occupation among current vacancies that best fits what a caller said.

    "spawacz" finds "Spawacz metodą MAG", and related lists the other welding
    occupations; nonsense returns None.
    """
    query = select(Vacancy.occupation, Vacancy.occupation_code).where(
        Vacancy.expires_on >= (today or date.today())
    )
    if region_code:
        query = query.where(Vacancy.region_code == region_code)
    known: dict[str, str | None] = {}
    for name, code in db.session.execute(query.distinct()):
        known.setdefault(name, code)
    scored = sorted(
        ((occupation_score(text, name), name) for name in known),
        key=lambda pair: (-pair[0], len(pair[1]), pair[1]),
    )
    if not scored or scored[0][0] < MIN_SCORE:
        return None
    best_score, best_name = scored[0]
    related = tuple(name for score, name in scored[1:] if score >= MIN_SCORE)
    return OccupationMatch(best_name, known[best_name], best_score, related)


def vacancy_matches(vacancy: Vacancy, occupation: str) -> bool:
    """Return whether a vacancy is for the occupation a caller asked about."""
    term = occupation.strip()
    if term.isdigit() and vacancy.occupation_code:
        return vacancy.occupation_code.startswith(term[:4])
    return (
        occupation_score(term, vacancy.occupation) >= MIN_SCORE
        or occupation_score(term, vacancy.title) >= MIN_SCORE
    )


def _current(region_code: str, today: date | None) -> Select[Vacancy]:
    return select(Vacancy).where(
        Vacancy.region_code == region_code, Vacancy.expires_on >= (today or date.today())
    )


def current_vacancies(
    region_code: str,
    occupation: str | None = None,
    offset: int = 0,
    limit: int = 3,
    today: date | None = None,
    only_matching: bool = False,
) -> list[Vacancy]:
    """Return a page of a region's current vacancies, best first.

    Best means: for the occupation asked about first (when one is given), then the most
    recently posted, then the highest pay (top of the range, or its bottom when there is
    no top). With only_matching, other occupations are left out.
    """
    pay = func.coalesce(Vacancy.wage_max, Vacancy.wage_min, 0)
    if not occupation:
        query = _current(region_code, today).order_by(
            Vacancy.posted_on.desc(), pay.desc(), Vacancy.id
        )
        return list(db.session.scalars(query.offset(offset).limit(limit)))
    found = list(db.session.scalars(_current(region_code, today)))
    ranked = sorted(
        ((vacancy_matches(v, occupation), v) for v in found),
        key=lambda pair: (
            not pair[0],
            -pair[1].posted_on.toordinal(),
            -(pair[1].wage_max or pair[1].wage_min or 0),
            pair[1].id,
        ),
    )
    chosen = [v for matches, v in ranked if matches or not only_matching]
    return chosen[offset : offset + limit]


def count_current_vacancies(
    region_code: str,
    occupation: str | None = None,
    today: date | None = None,
) -> int:
    """Return how many current vacancies a region has (for the occupation, if given)."""
    if not occupation:
        counted = select(func.count()).select_from(_current(region_code, today).subquery())
        return db.session.scalar(counted) or 0
    found = db.session.scalars(_current(region_code, today))
    return sum(1 for vacancy in found if vacancy_matches(vacancy, occupation))


def vacancy(vacancy_id: int) -> Vacancy | None:
    """Return a vacancy by id (for texting a caller the one they chose)."""
    return db.session.get(Vacancy, vacancy_id)


# Trainings -----------------------------------------------------------------------------


def trainings(
    region_code: str,
    offset: int = 0,
    limit: int = 3,
    today: date | None = None,
    topic: str | None = None,
) -> list[TrainingOffer]:
    """Return a page of a region's trainings still open for sign-up, soonest first.

    Open means the registration deadline (or, without one, the first day) is today or
    later. A topic ("spawanie", "język polski") puts matching titles first.
    """
    closes = func.coalesce(TrainingOffer.registration_deadline, TrainingOffer.starts_on)
    query = (
        select(TrainingOffer)
        .where(TrainingOffer.region_code == region_code, closes >= (today or date.today()))
        .order_by(TrainingOffer.starts_on, TrainingOffer.id)
    )
    if not topic:
        return list(db.session.scalars(query.offset(offset).limit(limit)))
    found = list(db.session.scalars(query))
    found.sort(key=lambda t: occupation_score(topic, t.title) < MIN_SCORE)
    return found[offset : offset + limit]


def count_trainings(region_code: str, today: date | None = None) -> int:
    """Return how many of a region's trainings are still open for sign-up."""
    closes = func.coalesce(TrainingOffer.registration_deadline, TrainingOffer.starts_on)
    query = select(func.count()).where(
        TrainingOffer.region_code == region_code, closes >= (today or date.today())
    )
    return db.session.scalar(query) or 0


def training(training_id: int) -> TrainingOffer | None:
    """Return a training offer by id (for texting a caller the one they chose)."""
    return db.session.get(TrainingOffer, training_id)


# Eligibility pre-check -----------------------------------------------------------------


def eligibility_rules(language: str) -> EligibilityRules:
    """Return the indicative eligibility questions and rules in a language (pl fallback)."""
    return load_rules(language)


# Occupations said in other languages ---------------------------------------------------


@cache
def _occupation_words() -> dict[str, dict[str, list[str]]]:
    with open(Path(__file__).parent / "data" / "occupation_words.json", encoding="utf-8") as handle:
        return dict(json.load(handle)["words"])


def polish_occupation(text: str, language: str) -> str:
    """Return the Polish term for an occupation said in English, Ukrainian or Romanian.

    The offers name occupations in Polish, so "зварювальник" or "sudor" becomes "spawacz";
    Polish, or words the table does not know, come back unchanged.
    """
    if language == DEFAULT_LANGUAGE or not text.strip():
        return text
    heard = plain(text)
    best, best_rank = text, (0.0, 0)
    for polish, by_language in _occupation_words().items():
        for word in by_language.get(language, []):
            score = fuzz.partial_ratio(plain(word), heard) if len(heard) >= 3 else 0.0
            # The longer of two equally good words is the more specific ("forklift driver").
            if (score, len(word)) > best_rank:
                best, best_rank = polish, (score, len(word))
    return best if best_rank[0] >= 85 else text
