"""What the IVR reads out: regions and places, offices, vacancies, trainings, FAQ answers.

Also the bookkeeping of vacancy and training imports, so a CLI or a desk page can follow them.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from hotline.db import Base, UtcDateTime, utcnow


class Region(Base):
    """A voivodeship (województwo), keyed by its two-digit TERYT code."""

    __tablename__ = "regions"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(2), unique=True)
    name: Mapped[str] = mapped_column(String(40))
    name_en: Mapped[str] = mapped_column(String(60))
    name_uk: Mapped[str] = mapped_column(String(60))
    name_ro: Mapped[str] = mapped_column(String(60))
    keypad: Mapped[int] = mapped_column(Integer, unique=True)
    capital: Mapped[str] = mapped_column(String(60))
    aliases: Mapped[list[str]] = mapped_column(JSON, default=list)

    def name_in(self, language: str) -> str:
        """Return the region's name in a language, falling back to Polish."""
        return {"en": self.name_en, "uk": self.name_uk, "ro": self.name_ro}.get(language, self.name)


class County(Base):
    """A county (powiat), either a land county or a city with county rights."""

    __tablename__ = "counties"
    __table_args__ = (UniqueConstraint("region_code", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    teryt: Mapped[str] = mapped_column(String(4), unique=True)
    name: Mapped[str] = mapped_column(String(80))
    region_code: Mapped[str] = mapped_column(ForeignKey("regions.code"), index=True)
    city_county: Mapped[bool] = mapped_column(Boolean, default=False)


class Place(Base):
    """A town or city a caller may name, with the county and region it lies in."""

    __tablename__ = "places"
    __table_args__ = (UniqueConstraint("region_code", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    ascii_name: Mapped[str] = mapped_column(String(80), index=True)
    county: Mapped[str] = mapped_column(String(80))
    region_code: Mapped[str] = mapped_column(ForeignKey("regions.code"), index=True)
    office_code: Mapped[str | None] = mapped_column(String(32))
    is_capital: Mapped[bool] = mapped_column(Boolean, default=False)
    aliases: Mapped[list[str]] = mapped_column(JSON, default=list)


class Office(Base):
    """A labour office (powiatowy urząd pracy) with its address and opening hours."""

    __tablename__ = "offices"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(160))
    address: Mapped[str] = mapped_column(String(255))
    opening_hours: Mapped[str] = mapped_column(String(160))
    phone: Mapped[str | None] = mapped_column(String(32))
    region_code: Mapped[str | None] = mapped_column(ForeignKey("regions.code"), index=True)
    county: Mapped[str | None] = mapped_column(String(80))
    city: Mapped[str | None] = mapped_column(String(80))


class DirectoryEntry(Base):
    """An outside number consultants may put a caller through to, or bring into a call: a
    labour office, a partner institution, an interpreter, a helpline."""

    __tablename__ = "directory_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    number: Mapped[str] = mapped_column(String(32))  # E.164, checked when saved
    description: Mapped[str] = mapped_column(Text, default="")
    # A labour office's own line: offered first for that office's customers.
    office_code: Mapped[str | None] = mapped_column(String(32))
    source: Mapped[str] = mapped_column(String(255), default="")  # where the number is published


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


class Vacancy(Base):
    """A job offer; current while expires_on is today or later.

    Wages are whole PLN, gross, per month. occupation_code holds a KZiS code (6 digits) or
    the ISCO-08 unit group it belongs to (its first 4 digits).
    """

    __tablename__ = "vacancies"
    __table_args__ = (UniqueConstraint("source", "external_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(40))
    external_id: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(200))
    occupation: Mapped[str] = mapped_column(String(160), index=True)
    occupation_code: Mapped[str | None] = mapped_column(String(6))
    employer: Mapped[str] = mapped_column(String(200))
    city: Mapped[str] = mapped_column(String(80))
    county: Mapped[str | None] = mapped_column(String(80))
    region_code: Mapped[str] = mapped_column(ForeignKey("regions.code"), index=True)
    office_code: Mapped[str | None] = mapped_column(String(32))
    # How to apply, as the feed gives it (a phone, an e-mail, "CV do..."); else the office's.
    contact: Mapped[str | None] = mapped_column(String(200))
    wage_min: Mapped[int | None] = mapped_column(Integer)
    wage_max: Mapped[int | None] = mapped_column(Integer)
    contract_type: Mapped[str | None] = mapped_column(String(40))
    working_time: Mapped[str | None] = mapped_column(String(40))
    posted_on: Mapped[date] = mapped_column(Date)
    expires_on: Mapped[date] = mapped_column(Date, index=True)
    description: Mapped[str] = mapped_column(Text, default="")
    sms_summary: Mapped[str] = mapped_column(String(320), default="")
    last_imported_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    import_run_id: Mapped[int | None] = mapped_column(Integer)

    def is_current(self, today: date) -> bool:
        """Return whether the offer can still be applied for on a day."""
        return self.expires_on >= today


class TrainingOffer(Base):
    """A course a jobseeker can be referred to; open while registration has not closed."""

    __tablename__ = "training_offers"
    __table_args__ = (UniqueConstraint("source", "external_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(40))
    external_id: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(200))
    provider: Mapped[str] = mapped_column(String(200))
    region_code: Mapped[str] = mapped_column(ForeignKey("regions.code"), index=True)
    city: Mapped[str] = mapped_column(String(80))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    registration_deadline: Mapped[date | None] = mapped_column(Date)
    hours: Mapped[int] = mapped_column(Integer)
    cost_pln: Mapped[int | None] = mapped_column(Integer)
    funded: Mapped[bool] = mapped_column(Boolean, default=False)
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    description: Mapped[str] = mapped_column(Text, default="")
    sms_summary: Mapped[str] = mapped_column(String(320), default="")
    last_imported_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    import_run_id: Mapped[int | None] = mapped_column(Integer)

    def closes_on(self) -> date:
        """Return the last day one can sign up: the deadline, or else the first day."""
        return self.registration_deadline or self.starts_on


class ImportKind(StrEnum):
    """The file format of an import."""

    CSV = "csv"
    JSON = "json"
    XML = "xml"


class ImportTarget(StrEnum):
    """What an import brings in."""

    VACANCIES = "vacancies"
    TRAININGS = "trainings"


class ImportStatus(StrEnum):
    """Where an import run stands."""

    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class ImportRun(Base):
    """One import of a file, with the counts a progress bar polls while it runs."""

    __tablename__ = "import_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(8))
    target: Mapped[str] = mapped_column(String(16), default=ImportTarget.VACANCIES)
    source: Mapped[str] = mapped_column(String(40))
    path: Mapped[str] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(16), default=ImportStatus.QUEUED, index=True)
    total_rows: Mapped[int] = mapped_column(Integer, default=0)
    processed_rows: Mapped[int] = mapped_column(Integer, default=0)
    imported: Mapped[int] = mapped_column(Integer, default=0)
    updated: Mapped[int] = mapped_column(Integer, default=0)
    unchanged: Mapped[int] = mapped_column(Integer, default=0)
    failed_rows: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)
    started_by: Mapped[str] = mapped_column(String(80), default="")
    job_id: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, index=True)
    started_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class ImportRowError(Base):
    """A row an import skipped, and why.

    row_number is the line a spreadsheet shows for CSV (the header is line 1) and the
    1-based position of the record for JSON and XML.
    """

    __tablename__ = "import_row_errors"

    id: Mapped[int] = mapped_column(primary_key=True)
    import_run_id: Mapped[int] = mapped_column(
        ForeignKey("import_runs.id", ondelete="CASCADE"), index=True
    )
    row_number: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text)
    raw_excerpt: Mapped[str] = mapped_column(Text, default="")
