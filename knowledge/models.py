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
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, validates

from hotline.db import Base, UtcDateTime, utcnow
from knowledge.occupations import family_of


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
    # The opening hours as said in each caller language other than Polish (opening_hours).
    opening_hours_by_language: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)

    def hours_in(self, language: str) -> str:
        """Return the opening hours in a caller's language, falling back to Polish."""
        return (self.opening_hours_by_language or {}).get(language) or self.opening_hours


class FaqStatus(StrEnum):
    """Where an FAQ text stands: callers hear only published texts."""

    DRAFT = "draft"
    PUBLISHED = "published"


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
    """One answer on one topic in one language.

    title, body, sms_body and source are what callers hear, once published. An editor's
    change waits in draft (the same fields, with who wrote it) until a reviewer publishes it,
    so the published text stays in use meanwhile.
    """

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
    status: Mapped[str] = mapped_column(String(16), default=FaqStatus.PUBLISHED)
    reviewed_by: Mapped[str | None] = mapped_column(String(120))
    draft: Mapped[dict[str, str] | None] = mapped_column(JSON)


class Vacancy(Base):
    """A job offer; current while expires_on is today or later.

    Wages are whole PLN, gross, per month. occupation_code holds a KZiS code (6 digits) or
    the ISCO-08 unit group it belongs to (its first 4 digits). occupation_family and pay are
    kept from those fields, so that the database can find and rank a region's offers on its
    indexes: the IVR reads a page of three out of a national feed of 100,000.
    """

    __tablename__ = "vacancies"
    __table_args__ = (
        UniqueConstraint("source", "external_id"),
        # Best first is newest, then best paid; expires_on rides along so that counting the
        # current offers reads the index alone.
        Index("ix_vacancies_region_rank", "region_code", "posted_on", "pay", "id", "expires_on"),
        Index(
            "ix_vacancies_region_family_rank",
            "region_code",
            "occupation_family",
            "posted_on",
            "pay",
            "id",
            "expires_on",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(40))
    external_id: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(200))
    occupation: Mapped[str] = mapped_column(String(160), index=True)
    occupation_code: Mapped[str | None] = mapped_column(String(6))
    occupation_family: Mapped[str | None] = mapped_column(String(4))
    employer: Mapped[str] = mapped_column(String(200))
    city: Mapped[str] = mapped_column(String(80))
    county: Mapped[str | None] = mapped_column(String(80))
    region_code: Mapped[str] = mapped_column(ForeignKey("regions.code"), index=True)
    office_code: Mapped[str | None] = mapped_column(String(32))
    # How to apply, as the feed gives it (a phone, an e-mail, "CV do..."); else the office's.
    contact: Mapped[str | None] = mapped_column(String(200))
    wage_min: Mapped[int | None] = mapped_column(Integer)
    wage_max: Mapped[int | None] = mapped_column(Integer)
    pay: Mapped[int] = mapped_column(Integer, default=0)
    contract_type: Mapped[str | None] = mapped_column(String(40))
    working_time: Mapped[str | None] = mapped_column(String(40))
    posted_on: Mapped[date] = mapped_column(Date)
    expires_on: Mapped[date] = mapped_column(Date, index=True)
    description: Mapped[str] = mapped_column(Text, default="")
    sms_summary: Mapped[str] = mapped_column(String(320), default="")
    last_imported_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    import_run_id: Mapped[int | None] = mapped_column(Integer)

    @validates("occupation", "occupation_code")
    def _keep_family(self, key: str, value: str | None) -> str | None:
        occupation = value if key == "occupation" else self.occupation
        code = value if key == "occupation_code" else self.occupation_code
        self.occupation_family = family_of(occupation or "", code)
        return value

    @validates("wage_min", "wage_max")
    def _keep_pay(self, key: str, value: int | None) -> int | None:
        low = value if key == "wage_min" else self.wage_min
        high = value if key == "wage_max" else self.wage_max
        self.pay = ranking_pay(low, high)
        return value

    def is_current(self, today: date) -> bool:
        """Return whether the offer can still be applied for on a day."""
        return self.expires_on >= today


# The trigram title index of migration 0007: an FTS5 table and its shadow tables on SQLite,
# a GIN index on PostgreSQL. No model describes them, so schema comparisons leave them out.
TITLE_SEARCH_NAMES = ("vacancies_search", "ix_vacancies_title_trgm")


def is_title_search(name: str | None) -> bool:
    """Return whether a database object is part of the trigram title index."""
    return bool(name) and str(name).startswith(TITLE_SEARCH_NAMES)


def ranking_pay(low: int | None, high: int | None) -> int:
    """Return the pay an offer is ranked by: the top of its range, else its bottom, else 0."""
    return high or low or 0


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
    # People and customers, imported by administrators (administration.tasks).
    CONSULTANTS = "consultants"
    CUSTOMERS = "customers"
    # Offices (administrators) and FAQ texts (content editors), as drafts.
    OFFICES = "offices"
    FAQ = "faq"


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
    # What the person who started it should know though nothing failed (a converted file).
    notice: Mapped[str | None] = mapped_column(Text)
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
