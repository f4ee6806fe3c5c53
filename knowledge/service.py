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
from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    column,
    func,
    literal,
    not_,
    or_,
    select,
    tuple_,
)
from sqlalchemy import text as sa_text

from hotline.db import db
from hotline.speech import DEFAULT_LANGUAGE
from knowledge import occupations
from knowledge.eligibility import EligibilityRules, load_rules
from knowledge.matching import (
    FILLER_WORDS,
    MIN_SCORE,
    SHORT_NAME_SCORE,
    Candidate,
    Match,
    best_match,
    candidates,
    occupation_score,
    plain,
)
from knowledge.models import FaqEntry, FaqStatus, Office, Place, Region, TrainingOffer, Vacancy
from knowledge.occupations import OccupationChoice
from knowledge.office_hours import OpeningSpan, read_opening_hours
from knowledge.transliteration import PlaceSounds


def faq_answer(topic: str, language: str) -> FaqEntry | None:
    """Return the published answer on a topic in a language, falling back to Polish.

    A text still in draft (never published) is not there for callers."""
    languages = [language, DEFAULT_LANGUAGE]
    query = select(FaqEntry).where(
        FaqEntry.topic == topic,
        FaqEntry.language.in_(languages),
        FaqEntry.status == FaqStatus.PUBLISHED,
    )
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
    # The opening hours as said in the other caller languages (Polish is opening_hours).
    hours_by_language: tuple[tuple[str, str], ...] = ()

    def hours_in(self, language: str) -> str:
        """Return the opening hours in a caller's language, falling back to Polish."""
        return dict(self.hours_by_language).get(language) or self.opening_hours


# The gazetteer changes only when its data is loaded again, and building its match tables
# takes tens of milliseconds: a copy of them lives for an hour.
GAZETTEER_CACHE_SECONDS = 3600.0


def _cached(
    key: tuple[str, ...], load: Callable[[], object], seconds: float = CACHE_SECONDS
) -> object:
    now = time.monotonic()
    hit = _read_cache.get(key)
    if hit is not None and hit[0] > now:
        return hit[1]
    value = load()
    _read_cache[key] = (now + seconds, value)
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
            tuple(sorted((found.opening_hours_by_language or {}).items())),
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
    spelt = best_match(text, place_spellings(region_code))
    heard = place_sounds(region_code).best(text, MIN_SCORE, SHORT_NAME_SCORE)
    if heard is None and spelt is None:
        return None
    if heard is None or (spelt is not None and spelt.score >= heard[1]):
        ident, score = cast("Match[int]", spelt).value, cast("Match[int]", spelt).score
    else:
        ident, score = heard
    found = db.session.get(Place, ident)
    return Match(found, found.name, score) if found is not None else None


def place_spellings(region_code: str | None = None) -> list[Candidate[int]]:
    """Return the places' (of a region's) names and aliases as plain spellings, by place id."""

    def load() -> list[Candidate[int]]:
        query = select(Place.id, Place.name, Place.ascii_name, Place.aliases)
        if region_code:
            query = query.where(Place.region_code == region_code)
        pool: list[Candidate[int]] = []
        for ident, name, ascii_name, aliases in db.session.execute(query):
            pool.extend(candidates(ident, [name, ascii_name, *(aliases or [])]))
        return pool

    key = ("place_spellings", region_code or "")
    return cast("list[Candidate[int]]", _cached(key, load, GAZETTEER_CACHE_SECONDS))


def place_sounds(region_code: str | None = None) -> PlaceSounds:
    """Return the sound keys of the places (of a region), from the short-lived copy.

    They let a place be heard in another script or case ("у Кракові", "Vrotslav") when its
    spelling does not match; see knowledge.transliteration.
    """

    def load() -> PlaceSounds:
        query = select(Place.id, Place.name, Place.aliases)
        if region_code:
            query = query.where(Place.region_code == region_code)
        return PlaceSounds(
            (ident, [name, *(aliases or [])]) for ident, name, aliases in db.session.execute(query)
        )

    key = ("place_sounds", region_code or "")
    return cast("PlaceSounds", _cached(key, load, GAZETTEER_CACHE_SECONDS))


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
#
# A national feed holds some 100,000 offers, and Twilio waits for a page at most 15 s. So the
# database finds and ranks a region's offers on its indexes (knowledge.models.Vacancy), a page
# continues from where the last one ended instead of counting past the offers already read,
# and fuzzy matching runs only over the occupation names of knowledge.occupations.


def choose_occupation(text: str) -> OccupationChoice | None:
    """Return the occupation families a caller's words name ("spawacz": welders), or None."""
    return occupations.choose(text)


@dataclass(frozen=True)
class VacancyCursor:
    """Where a page of offers ended: the next page starts after this offer."""

    matching: bool
    posted_on: date
    pay: int
    id: int

    def as_list(self) -> list[object]:
        """Return the cursor as JSON can keep it (in a caller's journey)."""
        return [self.matching, self.posted_on.isoformat(), self.pay, self.id]

    @classmethod
    def from_list(cls, values: list[object] | None) -> VacancyCursor | None:
        """Return the cursor as_list wrote, or None for none."""
        if not values:
            return None
        matching, posted_on, pay, ident = (str(value) for value in values)
        return cls(matching == "True", date.fromisoformat(posted_on), int(pay), int(ident))


@dataclass(frozen=True)
class ListedVacancy:
    """An offer on a page, and whether it is for an occupation the caller asked about."""

    vacancy: Vacancy
    matching: bool


@dataclass(frozen=True)
class VacancyPage:
    """A page of offers, best first, and where the next page starts (None: none is left)."""

    offers: list[ListedVacancy]
    more: VacancyCursor | None


@dataclass(frozen=True)
class VacancyCounts:
    """How many current offers a region has, and how many of them are for the families."""

    matching: int
    total: int

    @property
    def others(self) -> int:
        """Return how many current offers are for other occupations."""
        return self.total - self.matching


def _ranked(region_code: str, today: date, after: VacancyCursor | None) -> Select[Vacancy]:
    query = select(Vacancy).where(Vacancy.region_code == region_code, Vacancy.expires_on >= today)
    if after is not None:
        query = query.where(
            tuple_(Vacancy.posted_on, Vacancy.pay, Vacancy.id)
            < tuple_(literal(after.posted_on), literal(after.pay), literal(after.id))
        )
    return query.order_by(Vacancy.posted_on.desc(), Vacancy.pay.desc(), Vacancy.id.desc())


def without_filler(text: str) -> str:
    """Return what a caller said without the words around a name ("szukam pracy jako ...")."""
    return " ".join(word for word in text.split() if plain(word) not in FILLER_WORDS)


def title_terms(text: str) -> tuple[str, ...]:
    """Return the words of what a caller said to look for in offers' titles, cut to stems.

    For words that name no occupation family ("weterynarz", "fotowoltaika"): each word of
    four letters or more, without its last letters, so that "fotowoltaika" finds
    "fotowoltaicznych"; at most three words.
    """
    words = [word for word in plain(text).split() if len(word) >= 4 and word.isalpha()]
    words = [word for word in words if word not in FILLER_WORDS][:3]
    return tuple(word if len(word) <= 5 else word[: max(5, len(word) - 3)] for word in words)


def _wanted(
    families: tuple[str, ...], terms: tuple[str, ...]
) -> tuple[ColumnElement[bool], ColumnElement[bool]] | None:
    """Return the condition an offer asked about meets, and the one the others meet."""
    if families:
        family = Vacancy.occupation_family
        return family.in_(families), or_(family.not_in(families), family.is_(None))
    if not terms:
        return None
    if db.session.get_bind().dialect.name == "sqlite":
        # The trigram index of migration 0007 (FTS5), kept by triggers; it finds substrings.
        query = " AND ".join('"' + term.replace('"', "") + '"' for term in terms)
        found = sa_text(
            "SELECT rowid FROM vacancies_search WHERE vacancies_search MATCH :query"
        ).bindparams(query=query)
        matching = Vacancy.id.in_(found.columns(column("rowid")))
        return matching, ~matching
    # On PostgreSQL the trigram GIN index (pg_trgm) serves ILIKE, where it is installed.
    each = [
        or_(Vacancy.title.ilike(f"%{term}%"), Vacancy.occupation.ilike(f"%{term}%"))
        for term in terms
    ]
    return and_(*each), not_(and_(*each))


def vacancy_page(
    region_code: str,
    families: tuple[str, ...] = (),
    after: VacancyCursor | None = None,
    limit: int = 3,
    today: date | None = None,
    only_matching: bool = False,
    terms: tuple[str, ...] = (),
) -> VacancyPage:
    """Return the page of a region's current offers that follows after, best first.

    Best means: for the families asked about first (or, without families, with the title
    terms in them), then the most recently posted, then the highest pay (top of the range,
    or its bottom when there is no top). With only_matching, other offers are left out.
    """
    day = today or date.today()
    wanted = _wanted(families, terms)
    found: list[ListedVacancy] = []
    if wanted is not None and (after is None or after.matching):
        matching = _ranked(region_code, day, after).where(wanted[0])
        found += [ListedVacancy(v, True) for v in db.session.scalars(matching.limit(limit + 1))]
    if not (wanted is not None and only_matching) and len(found) <= limit:
        others = _ranked(region_code, day, after if after and not after.matching else None)
        if wanted is not None:
            others = others.where(wanted[1])
        rows = db.session.scalars(others.limit(limit + 1 - len(found)))
        found += [ListedVacancy(v, False) for v in rows]
    page = found[:limit]
    if len(found) <= limit:
        return VacancyPage(page, None)
    last, offer = page[-1], page[-1].vacancy
    return VacancyPage(page, VacancyCursor(last.matching, offer.posted_on, offer.pay, offer.id))


def vacancy_counts(
    region_code: str,
    families: tuple[str, ...] = (),
    today: date | None = None,
    terms: tuple[str, ...] = (),
) -> VacancyCounts:
    """Return how many current offers a region has, and how many are the ones asked about."""
    day = today or date.today()
    current = select(func.count(Vacancy.id)).where(
        Vacancy.region_code == region_code, Vacancy.expires_on >= day
    )
    total = db.session.scalar(current) or 0
    wanted = _wanted(families, terms)
    if wanted is None:
        return VacancyCounts(0, total)
    matching = db.session.scalar(current.where(wanted[0])) or 0
    return VacancyCounts(matching, total)


def _families_for(occupation: str | None) -> tuple[str, ...]:
    if not occupation:
        return ()
    choice = occupations.choose(occupation)
    return choice.families if choice else ()


def current_vacancies(
    region_code: str,
    occupation: str | None = None,
    offset: int = 0,
    limit: int = 3,
    today: date | None = None,
    only_matching: bool = False,
) -> list[Vacancy]:
    """Return offset and limit of a region's current offers, ranked as vacancy_page ranks them.

    occupation is what a caller said or subscribed to ("spawacz", or a code "7212"); words
    that name no family are looked for in the titles ("weterynarz").
    """
    families = _families_for(occupation)
    terms = title_terms(occupation) if occupation and not families else ()
    if occupation and only_matching and not (families or terms):
        return []
    page = vacancy_page(region_code, families, None, offset + limit, today, only_matching, terms)
    return [listed.vacancy for listed in page.offers[offset:]]


def count_current_vacancies(
    region_code: str,
    occupation: str | None = None,
    today: date | None = None,
) -> int:
    """Return how many current vacancies a region has (for the occupation, if given)."""
    if not occupation:
        return vacancy_counts(region_code, (), today).total
    families = _families_for(occupation)
    terms = title_terms(occupation) if not families else ()
    if not (families or terms):
        return 0
    return vacancy_counts(region_code, families, today, terms).matching


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
