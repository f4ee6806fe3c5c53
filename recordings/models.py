"""Recordings made on the hotline: voicemail and, with consent, calls."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from hotline.db import Base, UtcDateTime, utcnow


class Recording(Base):
    """A recording Twilio holds, and what we know of it."""

    __tablename__ = "recordings"

    id: Mapped[int] = mapped_column(primary_key=True)
    recording_sid: Mapped[str] = mapped_column(String(34), unique=True)
    call_sid: Mapped[str] = mapped_column(String(34), index=True)
    kind: Mapped[str] = mapped_column(String(16), default="voicemail")
    url: Mapped[str] = mapped_column(String(512))
    duration_seconds: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default="in-progress")
    # The language the caller used, as the call's TwiML told the callback (None: not known).
    language: Mapped[str | None] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    # What Twilio's transcription of a voicemail says, and how it went ("completed" or
    # "failed"; None while none has come).
    transcript: Mapped[str | None] = mapped_column(Text)
    transcript_status: Mapped[str | None] = mapped_column(String(16))
    # A voicemail is handled once a consultant has listened and acted on it.
    handled_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    handled_by: Mapped[int | None] = mapped_column(Integer)
    # A consultant call's recording (kind "call"): its room, and its channels (2: the caller
    # on the first, everyone else on the second).
    conference_sid: Mapped[str | None] = mapped_column(String(34))
    channels: Mapped[int | None] = mapped_column(Integer)
    # The audio as stored here (the store's key), checked by size and SHA-256 when stored.
    stored_key: Mapped[str | None] = mapped_column(String(255))
    size_bytes: Mapped[int | None] = mapped_column(BigInteger)
    sha256: Mapped[str | None] = mapped_column(String(64))
    stored_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # When the copy at the phone network was deleted (after storing, if the office enables it).
    network_deleted_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
