"""The caller's journey through the IVR, kept in Redis so any web process can answer.

While Redis is down the journey is kept in the database instead (``StoredJourney``), so a
caller goes on through the menu, the answers and the vacancies without losing their place.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass, field, fields
from datetime import timedelta

import redis
from sqlalchemy import delete, select
from sqlalchemy.exc import SQLAlchemyError

from hotline.db import db, utcnow
from hotline.speech import DEFAULT_LANGUAGE
from ivr.models import StoredJourney

log = logging.getLogger(__name__)

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
    # The error Twilio reported when a failure of the centre sent this call to the number's
    # fallback URL ("" while none did): such a call that never reaches the queue failed.
    cut_off: str = ""
    # How the journey looked in Redis when loaded, so an unchanged one is not written back.
    stored: str | None = field(default=None, repr=False, compare=False)


FIELD_NAMES = tuple(f.name for f in fields(Journey) if f.name not in ("call_sid", "stored"))


# After this process last failed to reach Redis, it looks for journeys kept in the database
# for this long: they are newer than what Redis held before the outage.
OUTAGE_MEMORY_SECONDS = 15 * 60


class OutageMemory:
    """When this process last found Redis unreachable (a hint, not state: the scheduler's
    upkeep moves journeys left in the database back into Redis whatever a process knows)."""

    last_failure: float | None = None

    @classmethod
    def failed(cls) -> None:
        """Note that Redis failed just now."""
        cls.last_failure = time.monotonic()

    @classmethod
    def recent(cls) -> bool:
        """Tell whether Redis failed here lately."""
        last = cls.last_failure
        return last is not None and time.monotonic() - last < OUTAGE_MEMORY_SECONDS


class JourneyStore:
    """Loads and saves callers' journeys in Redis, one JSON document per call, and in the
    database while Redis cannot be reached."""

    def __init__(self, client: redis.Redis) -> None:
        self.redis = client

    @staticmethod
    def encode(journey: Journey) -> str:
        """Return the journey as the JSON stored in Redis."""
        return json.dumps({name: getattr(journey, name) for name in FIELD_NAMES})

    def load(self, call_sid: str) -> Journey:
        """Return the journey of a call (a fresh one if neither store has it)."""
        try:
            raw: bytes | str | None = self.redis.get(KEY.format(call_sid))
        except redis.RedisError as exc:
            OutageMemory.failed()
            log.warning("call %s: Redis unavailable, journey read from the database: %s",
                        call_sid, exc)  # fmt: skip
            raw = stored_document(call_sid)
        else:
            if OutageMemory.recent():
                raw = stored_document(call_sid, quietly=True) or raw
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
        try:
            self.redis.set(KEY.format(journey.call_sid), document, ex=TTL_SECONDS)
        except redis.RedisError as exc:
            OutageMemory.failed()
            log.warning("call %s: Redis unavailable, journey kept in the database: %s",
                        journey.call_sid, exc)  # fmt: skip
            store_document(journey.call_sid, document)
        else:
            if OutageMemory.recent():
                forget_stored(journey.call_sid)
        journey.stored = document


def stored_document(call_sid: str, quietly: bool = False) -> str | None:
    """Return a journey kept in the database, if any; quietly: None when the database
    cannot be read either (Redis has the journey, only perhaps an older one)."""
    try:
        found = db.session.get(StoredJourney, call_sid)
    except SQLAlchemyError as exc:
        if not quietly:
            raise
        db.session.rollback()
        log.warning("call %s: could not look for a journey kept in the database: %s",
                    call_sid, exc)  # fmt: skip
        return None
    return found.document if found is not None else None


def store_document(call_sid: str, document: str) -> None:
    """Keep a journey in the database (Redis is down)."""
    with db.transaction() as session:
        row = session.get(StoredJourney, call_sid)
        if row is None:
            session.add(StoredJourney(call_sid=call_sid, document=document))
        else:
            row.document, row.saved_at = document, utcnow()


def forget_stored(call_sid: str) -> None:
    """Delete a call's journey from the database, if it is there: Redis holds the newer one,
    or the call ended. A database that cannot do it now only leaves the row to the upkeep."""
    try:
        if db.session.get(StoredJourney, call_sid) is None:
            return
        with db.transaction() as session:
            session.execute(delete(StoredJourney).where(StoredJourney.call_sid == call_sid))
    except SQLAlchemyError as exc:
        db.session.rollback()
        log.warning("call %s: the journey kept in the database stays there for now: %s",
                    call_sid, exc)  # fmt: skip


def move_stored_to_redis(client: redis.Redis, older_than_seconds: float = 0.0) -> int:
    """Copy journeys kept in the database during an outage back into Redis, newest wins,
    and delete them; drop any older than a journey lives. Return how many moved."""
    cutoff = utcnow() - timedelta(seconds=TTL_SECONDS)
    moved = 0
    with db.transaction() as session:
        session.execute(delete(StoredJourney).where(StoredJourney.saved_at < cutoff))
        rows = list(session.scalars(select(StoredJourney)))
        settled = utcnow() - timedelta(seconds=older_than_seconds)
        for row in rows:
            if row.saved_at > settled:
                continue
            client.set(KEY.format(row.call_sid), row.document, ex=TTL_SECONDS)
            session.delete(row)
            moved += 1
    return moved
