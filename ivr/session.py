"""What the IVR remembers about a live call, kept in Redis so any web process can answer."""

from __future__ import annotations

import json
from dataclasses import dataclass, field, fields

import redis

KEY = "ivr:call:{}"
TTL_SECONDS = 6 * 3600


@dataclass
class CallerSession:
    """One caller's progress through the IVR."""

    call_sid: str
    caller_number: str = ""
    language: str = "pl"
    customer_id: int | None = None
    first_name: str = ""
    advisor_id: int | None = None
    office_code: str = ""
    home_region: str = ""
    vulnerable: bool = False
    identified: bool = False
    pesel_tries: int = 0
    topic: str = "general"
    purpose: str = "vacancies"
    failures: int = 0
    region_code: str = ""
    place: str = ""
    occupation: str = ""
    offset: int = 0
    list_page: int = 0
    shown_ids: list[int] = field(default_factory=list)
    answers: dict[str, bool] = field(default_factory=dict)
    # How the session looked in Redis when loaded, so an unchanged one is not written back.
    stored: str | None = field(default=None, repr=False, compare=False)


FIELD_NAMES = tuple(f.name for f in fields(CallerSession) if f.name not in ("call_sid", "stored"))


class SessionStore:
    """Loads and saves caller sessions in Redis, one JSON document per call."""

    def __init__(self, client: redis.Redis) -> None:
        self.redis = client

    @staticmethod
    def encode(session: CallerSession) -> str:
        """Return the session as the JSON stored in Redis."""
        return json.dumps({name: getattr(session, name) for name in FIELD_NAMES})

    def load(self, call_sid: str) -> CallerSession:
        """Return the session of a call (a fresh one if Redis has none)."""
        raw = self.redis.get(KEY.format(call_sid))
        session = CallerSession(call_sid=call_sid)
        if not raw:
            return session
        values = json.loads(raw)
        for name in FIELD_NAMES:
            if name in values:
                setattr(session, name, values[name])
        # Redis holds what encode() wrote, so the raw text tells whether the session changed.
        session.stored = raw.decode() if isinstance(raw, bytes) else str(raw)
        return session

    def save(self, session: CallerSession) -> None:
        """Store the session if it changed, refreshing its expiry."""
        document = self.encode(session)
        if document == session.stored:
            return
        session.stored = document
        self.redis.set(KEY.format(session.call_sid), document, ex=TTL_SECONDS)
