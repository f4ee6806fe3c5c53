"""What the IVR remembers about a live call, kept in Redis so any web process can answer."""

from __future__ import annotations

import json
from dataclasses import dataclass, field, fields
from typing import Any, cast

import redis

KEY = "ivr:call:{}"
TTL_SECONDS = 6 * 3600
NUMBERS = {"customer_id", "advisor_id", "failures", "pesel_tries", "offset", "list_page"}
FLAGS = {"vulnerable", "identified"}
LISTS = {"shown_ids"}
MAPS = {"answers"}


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
    step: str = "menu"
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
    stored: dict[str, str] | None = field(default=None, repr=False, compare=False)


FIELD_NAMES = tuple(f.name for f in fields(CallerSession) if f.name != "stored")


class SessionStore:
    """Loads and saves caller sessions in Redis."""

    def __init__(self, client: redis.Redis) -> None:
        self.redis = client

    @staticmethod
    def encode(session: CallerSession) -> dict[str, str]:
        """Return the session as the strings stored in Redis."""
        mapping: dict[str, str] = {}
        for name in FIELD_NAMES:
            value = getattr(session, name)
            if isinstance(value, bool):
                mapping[name] = "1" if value else "0"
            elif isinstance(value, list | dict):
                mapping[name] = json.dumps(value)
            else:
                mapping[name] = "" if value is None else str(value)
        return mapping

    def load(self, call_sid: str) -> CallerSession:
        """Return the session of a call (a fresh one if Redis has none)."""
        raw = self.redis.hgetall(KEY.format(call_sid))
        session = CallerSession(call_sid=call_sid)
        if not raw:
            return session
        values = {
            (k.decode() if isinstance(k, bytes) else k): (v.decode() if isinstance(v, bytes) else v)
            for k, v in raw.items()
        }
        for item in fields(CallerSession):
            text = values.get(item.name)
            if text is None or item.name in ("call_sid", "stored"):
                continue
            if item.name in NUMBERS:
                value: object = (
                    int(text)
                    if text
                    else (0 if item.name not in {"customer_id", "advisor_id"} else None)
                )
            elif item.name in FLAGS:
                value = text == "1"
            elif item.name in LISTS:
                value = json.loads(text) if text else []
            elif item.name in MAPS:
                value = json.loads(text) if text else {}
            else:
                value = text
            setattr(session, item.name, value)
        session.stored = self.encode(session)
        return session

    def save(self, session: CallerSession) -> None:
        """Store the session, refreshing its expiry."""
        mapping = self.encode(session)
        if mapping == session.stored:
            return
        session.stored = mapping
        key = KEY.format(session.call_sid)
        pipe = self.redis.pipeline(transaction=False)
        pipe.hset(key, mapping=cast("dict[Any, Any]", mapping))
        pipe.expire(key, TTL_SECONDS)
        pipe.execute()
