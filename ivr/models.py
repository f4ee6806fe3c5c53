"""Callers' journeys kept in the database while Redis cannot keep them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from hotline.db import Base, UtcDateTime, utcnow


class StoredJourney(Base):
    """A caller's journey (ivr.journey's JSON) written while Redis was down.

    A row is newer than the call's copy in Redis: the first save to Redis after the outage
    deletes it, and the scheduler's upkeep moves what is left back into Redis once it is up.
    """

    __tablename__ = "ivr_journeys"

    call_sid: Mapped[str] = mapped_column(String(34), primary_key=True)
    document: Mapped[str] = mapped_column(Text)
    saved_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, index=True)
