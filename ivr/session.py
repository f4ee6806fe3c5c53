"""What the IVR remembers about a live call, kept in Redis so any web process can answer."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields

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
    vulnerable: bool = False
    topic: str = "general"
    failures: int = 0


class SessionStore:
    """Loads and saves caller sessions in Redis."""

    def __init__(self, client: redis.Redis) -> None:
        self.redis = client

    def load(self, call_sid: str) -> CallerSession:
        """Return the session of a call (a fresh one if Redis has none)."""
        raw = self.redis.hgetall(KEY.format(call_sid))
        if not raw:
            return CallerSession(call_sid=call_sid)
        values = {
            (k.decode() if isinstance(k, bytes) else k): (v.decode() if isinstance(v, bytes) else v)
            for k, v in raw.items()
        }
        session = CallerSession(call_sid=call_sid)
        for item in fields(CallerSession):
            text = values.get(item.name)
            if text is None or item.name == "call_sid":
                continue
            if item.name in ("customer_id", "advisor_id"):
                setattr(session, item.name, int(text) if text else None)
            elif item.name == "failures":
                setattr(session, item.name, int(text or 0))
            elif item.name == "vulnerable":
                setattr(session, item.name, text == "1")
            else:
                setattr(session, item.name, text)
        return session

    def save(self, session: CallerSession) -> None:
        """Store the session, refreshing its expiry."""
        mapping: dict[str, str] = {}
        for name, value in asdict(session).items():
            if isinstance(value, bool):
                mapping[name] = "1" if value else "0"
            else:
                mapping[name] = "" if value is None else str(value)
        key = KEY.format(session.call_sid)
        pipe = self.redis.pipeline(transaction=False)
        pipe.hset(key, mapping=mapping)
        pipe.expire(key, TTL_SECONDS)
        pipe.execute()
