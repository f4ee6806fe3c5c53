"""What the IVR reads out: FAQ answers and the offices callers are sent to."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hotline.db import Base


class Office(Base):
    """A labour office (powiatowy urząd pracy) with its address and opening hours."""

    __tablename__ = "offices"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(160))
    address: Mapped[str] = mapped_column(String(255))
    opening_hours: Mapped[str] = mapped_column(String(160))
    phone: Mapped[str | None] = mapped_column(String(32))


class FaqEntry(Base):
    """One answer on one topic in one language."""

    __tablename__ = "faq_entries"
    __table_args__ = (UniqueConstraint("topic", "language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    topic: Mapped[str] = mapped_column(String(40), index=True)
    language: Mapped[str] = mapped_column(String(2))
    title: Mapped[str] = mapped_column(String(160))
    body: Mapped[str] = mapped_column(Text)
    sms_body: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str] = mapped_column(Text, default="")
    last_reviewed: Mapped[date] = mapped_column(Date)
