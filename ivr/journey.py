"""The caller's journey through the IVR, kept in Redis so any web process can answer."""

from __future__ import annotations

import json
from dataclasses import dataclass, field, fields

import redis

from hotline.speech import DEFAULT_LANGUAGE

# The key and the JSON fields are what calls in progress hold: keep them across deploys.
KEY = "ivr:call:{}"
TTL_SECONDS = 6 * 3600


@dataclass
class Journey:
    """One caller's progress through the IVR: who they are, where they are, what they chose."""

    call_sid: str
    caller_number: str = ""
    language: str = DEFAULT_LANGUAGE
    customer_id: int | None = None
    first_name: str = ""
    advisor_id: int | None = None
    office_code: str = ""
    home_region: str = ""
    vulnerable: bool = False
    identified: bool = False
    # How: "phone" (the caller's number) or "pesel" (keyed in); "" while unknown.
    identified_by: str = ""
    pesel_tries: int = 0
    topic: str = "general"
    purpose: str = "vacancies"
    failures: int = 0
    # The menu the failures were counted on: another menu starts a fresh count.
    failure_step: str = ""
    region_code: str = ""
    place: str = ""
    occupation: str = ""
    occupation_families: list[str] = field(default_factory=list)
    # The occupation in the caller's own words, when they named it in another language.
    occupation_said: str = ""
    # Words to find in offers' titles when what was said names no occupation family.
    occupation_terms: list[str] = field(default_factory=list)
    offset: int = 0
    # Which part of a long FAQ answer is being read.
    part: int = 0
    list_page: int = 0
    shown_ids: list[int] = field(default_factory=list)
    answers: dict[str, bool] = field(default_factory=dict)
    # Where the page of offers being read starts and where the next one would (a cursor of
    # knowledge.service.VacancyCursor, empty for the first page or for none), and how many
    # offers the list holds: [for the occupation asked about, in all].
    page_from: list[object] = field(default_factory=list)
    page_next: list[object] = field(default_factory=list)
    vacancy_counts: list[int] = field(default_factory=list)
    # How the journey looked in Redis when loaded, so an unchanged one is not written back.
    stored: str | None = field(default=None, repr=False, compare=False)


FIELD_NAMES = tuple(f.name for f in fields(Journey) if f.name not in ("call_sid", "stored"))


class JourneyStore:
    """Loads and saves callers' journeys in Redis, one JSON document per call."""

    def __init__(self, client: redis.Redis) -> None:
        self.redis = client

    @staticmethod
    def encode(journey: Journey) -> str:
        """Return the journey as the JSON stored in Redis."""
        return json.dumps({name: getattr(journey, name) for name in FIELD_NAMES})

    def load(self, call_sid: str) -> Journey:
        """Return the journey of a call (a fresh one if Redis has none)."""
        raw = self.redis.get(KEY.format(call_sid))
        journey = Journey(call_sid=call_sid)
        if not raw:
            return journey
        values = json.loads(raw)
        for name in FIELD_NAMES:
            if name in values:
                setattr(journey, name, values[name])
        # Redis holds what encode() wrote, so the raw text tells whether the journey changed.
        journey.stored = raw.decode() if isinstance(raw, bytes) else str(raw)
        return journey

    def save(self, journey: Journey) -> None:
        """Store the journey if it changed, refreshing its expiry."""
        document = self.encode(journey)
        if document == journey.stored:
            return
        journey.stored = document
        self.redis.set(KEY.format(journey.call_sid), document, ex=TTL_SECONDS)
