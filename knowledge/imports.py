"""Putting knowledge into the database: shipped data files, and imports of vacancy feeds.

Shipped data (regions, offices, FAQ, demo vacancies and trainings) loads synchronously with
load_demo_content(). Feeds a consultant brings (CSV, JSON, XML) go through start_import(),
which records an ImportRun and hands the work to the RQ job knowledge.tasks.run_import;
import_status() reports how far it got.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.db import db, utcnow
from hotline.jobs import jobs
from knowledge.feeds import (
    FeedRow,
    Gazetteer,
    RowProblem,
    TrainingRecord,
    VacancyRecord,
    check_training,
    check_vacancy,
)
from knowledge.matching import ascii_name
from knowledge.models import (
    County,
    FaqEntry,
    ImportKind,
    ImportRowError,
    ImportRun,
    ImportStatus,
    ImportTarget,
    Office,
    Place,
    Region,
    TrainingOffer,
    Vacancy,
)
from knowledge.service import forget_cached

log = logging.getLogger(__name__)

DATA_DIR = Path(__file__).parent / "data"
DEMO_SOURCE = "demo"
# What the offer imports bring in (people and customers come through administration).
OFFER_TARGETS = (ImportTarget.VACANCIES.value, ImportTarget.TRAININGS.value)


class ImportRequestError(ValueError):
    """An import cannot be started as asked (unknown format, missing file, ...)."""


class SaveOutcome(StrEnum):
    """What saving one checked row did."""

    IMPORTED = "imported"
    UPDATED = "updated"
    UNCHANGED = "unchanged"


def read_data(name: str) -> Any:
    """Return a JSON document shipped in knowledge/data."""
    with open(DATA_DIR / name, encoding="utf-8") as handle:
        return json.load(handle)


# FAQ -----------------------------------------------------------------------------------


def import_faq(session: Session, path: Path = DATA_DIR / "faq.json") -> int:
    """Create or update FAQ entries from a JSON file; return how many were written."""
    forget_cached()
    with open(path, encoding="utf-8") as handle:
        document = json.load(handle)
    written = 0
    for item in document["entries"]:
        source = "; ".join(item.get("sources", []))
        reviewed = date.fromisoformat(item["last_reviewed"])
        for language, text in item["text"].items():
            query = select(FaqEntry).where(
                FaqEntry.topic == item["topic"], FaqEntry.language == language
            )
            entry = session.scalars(query).first()
            if entry is None:
                entry = FaqEntry(topic=item["topic"], language=language)
                session.add(entry)
            entry.title = text["title"]
            entry.body = text["body"]
            entry.sms_body = text.get("sms")
            entry.source = source
            entry.last_reviewed = reviewed
            written += 1
    return written


# Regions, places and offices -----------------------------------------------------------


def load_regions(session: Session) -> dict[str, int]:
    """Create or update the 16 regions with their counties and places from regions.json."""
    document = read_data("regions.json")
    counts = {"regions": 0, "counties": 0, "places": 0}
    for item in document["regions"]:
        region = session.scalars(select(Region).where(Region.code == item["code"])).first()
        if region is None:
            region = Region(code=item["code"])
            session.add(region)
        region.name = item["name"]
        region.name_en, region.name_uk, region.name_ro = (
            item["name_en"], item["name_uk"], item["name_ro"]
        )  # fmt: skip
        region.keypad = item["keypad"]
        region.capital = item["capital"]
        region.aliases = list(item.get("aliases", []))
        counts["regions"] += 1
    session.flush()
    for item in document["regions"]:
        counts["counties"] += load_counties(session, item["code"], item["counties"])
        counts["places"] += load_places(session, item["code"], item["capital"], item["places"])
    session.flush()
    return counts


def load_counties(session: Session, region_code: str, entries: list[str]) -> int:
    """Create or update a region's counties, given as "TERYT name" (cities capitalised)."""
    query = select(County).where(County.teryt.startswith(region_code))
    existing = {county.teryt: county for county in session.scalars(query)}
    for entry in entries:
        teryt, name = entry.split(" ", 1)
        county = existing.get(teryt)
        if county is None:
            county = County(teryt=teryt)
            session.add(county)
        county.name = name
        county.region_code = region_code
        county.city_county = name[0].isupper()
    return len(entries)


def load_places(
    session: Session, region_code: str, capital: str, entries: list[dict[str, Any]]
) -> int:
    """Create or update a region's places."""
    query = select(Place).where(Place.region_code == region_code)
    existing = {place.name: place for place in session.scalars(query)}
    for entry in entries:
        place = existing.get(entry["name"])
        if place is None:
            place = Place(name=entry["name"], region_code=region_code)
            session.add(place)
        place.ascii_name = ascii_name(entry["name"])
        place.county = entry["county"]
        place.office_code = entry.get("office")
        place.is_capital = entry["name"] == capital
        place.aliases = list(entry.get("aliases", []))
    return len(entries)


def load_offices(session: Session) -> int:
    """Create or update the offices listed in offices.json (one or more per region)."""
    forget_cached()
    document = read_data("offices.json")
    for item in document["offices"]:
        office = session.scalars(select(Office).where(Office.code == item["code"])).first()
        if office is None:
            office = Office(code=item["code"])
            session.add(office)
        office.name = item["name"]
        office.address = item["address"]
        office.opening_hours = item["opening_hours"]
        office.phone = item.get("phone")
        office.region_code = item["region_code"]
        office.county = item["county"]
        office.city = item["city"]
    session.flush()
    return len(document["offices"])


def gazetteer(session: Session) -> Gazetteer:
    """Return the regions, counties and places known to the database, for checking rows."""
    known = Gazetteer()
    for region in session.scalars(select(Region)):
        names = [region.name, region.name_en, region.name_uk, region.name_ro, *region.aliases]
        known.add_region(region.code, names)
    for county in session.scalars(select(County)):
        known.add_county(county.region_code, county.name)
    for place in session.scalars(select(Place)):
        known.add_place(place.region_code, place.name)
    return known


# Saving checked rows -------------------------------------------------------------------


def save_vacancy(
    session: Session, record: VacancyRecord, run_id: int | None, now: datetime
) -> SaveOutcome:
    """Create or update the vacancy with the record's (source, external_id)."""
    query = select(Vacancy).where(
        Vacancy.source == record.source, Vacancy.external_id == record.external_id
    )
    return _save(session, Vacancy, session.scalars(query).first(), asdict(record), run_id, now)


def save_training(
    session: Session, record: TrainingRecord, run_id: int | None, now: datetime
) -> SaveOutcome:
    """Create or update the training offer with the record's (source, external_id)."""
    query = select(TrainingOffer).where(
        TrainingOffer.source == record.source, TrainingOffer.external_id == record.external_id
    )
    found = session.scalars(query).first()
    return _save(session, TrainingOffer, found, asdict(record), run_id, now)


def _save(
    session: Session,
    model: type[Vacancy] | type[TrainingOffer],
    found: Vacancy | TrainingOffer | None,
    values: dict[str, Any],
    run_id: int | None,
    now: datetime,
) -> SaveOutcome:
    if found is None:
        session.add(model(**values, last_imported_at=now, import_run_id=run_id))
        return SaveOutcome.IMPORTED
    changed = any(getattr(found, name) != value for name, value in values.items())
    for name, value in values.items():
        setattr(found, name, value)
    found.last_imported_at = now
    found.import_run_id = run_id
    return SaveOutcome.UPDATED if changed else SaveOutcome.UNCHANGED


# Demo content --------------------------------------------------------------------------


def shift_dates(fields: dict[str, Any], names: Iterable[str], days: int) -> dict[str, Any]:
    """Return fields with each named ISO date moved by a number of days."""
    moved = dict(fields)
    for name in names:
        if moved.get(name):
            moved[name] = (date.fromisoformat(moved[name]) + timedelta(days=days)).isoformat()
    return moved


def load_demo_offers(session: Session, target: ImportTarget, today: date | None = None) -> int:
    """Load the demo vacancies or trainings, moving their dates so they stay current.

    The files are written relative to their "reference_date": loading on a later day moves
    every date forward by the same number of days, so what was current then is current
    now and the few expired offers stay expired.
    """
    name = "vacancies.json" if target == ImportTarget.VACANCIES else "trainings.json"
    document = read_data(name)
    days = ((today or date.today()) - date.fromisoformat(document["reference_date"])).days
    date_fields = ("posted_on", "expires_on", "starts_on", "ends_on", "registration_deadline")
    known = gazetteer(session)
    now = utcnow()
    problems = []
    for number, item in enumerate(document[target.value], start=1):
        row = FeedRow(number, shift_dates(item, date_fields, days), "")
        try:
            if target == ImportTarget.VACANCIES:
                save_vacancy(session, check_vacancy(row, known, DEMO_SOURCE), None, now)
            else:
                save_training(session, check_training(row, known, DEMO_SOURCE), None, now)
        except RowProblem as problem:
            problems.append(f"{name} record {number}: {problem}")
    if problems:
        raise ValueError("demo data is broken: " + " | ".join(problems))
    session.flush()
    return len(document[target.value])


def load_demo_content(session: Session, today: date | None = None) -> dict[str, int]:
    """Load regions with counties and places, offices, every FAQ topic, demo offers.

    Safe to run again: every record is matched by its natural key and updated in place.
    """
    counts = load_regions(session)
    counts["offices"] = load_offices(session)
    counts["faq"] = import_faq(session)
    counts["vacancies"] = load_demo_offers(session, ImportTarget.VACANCIES, today)
    counts["trainings"] = load_demo_offers(session, ImportTarget.TRAININGS, today)
    return counts


# Import runs ---------------------------------------------------------------------------


def start_import(
    kind: str,
    path: str | Path,
    started_by: str = "",
    *,
    target: str = ImportTarget.VACANCIES,
    source: str | None = None,
) -> ImportRun:
    """Record an import of a file and enqueue the job that runs it; return the run.

    kind is csv, json or xml; target is vacancies or trainings (XML carries vacancies
    only). source names the system the offers come from: rows are matched to earlier
    imports by (source, external_id). Without it, the file's own declaration is used,
    and then the file name.
    """
    try:
        import_kind, import_target = ImportKind(kind.lower()), ImportTarget(target)
    except ValueError as exc:
        raise ImportRequestError(f"unknown import format or target: {kind!r}, {target!r}") from exc
    if import_target.value not in OFFER_TARGETS:
        raise ImportRequestError(f"{target!r} is not an offer feed (vacancies or trainings)")
    if import_kind == ImportKind.XML and import_target != ImportTarget.VACANCIES:
        raise ImportRequestError("the XML feed carries vacancies only")
    file = Path(path).resolve()
    if not file.is_file():
        raise ImportRequestError(f"no such file: {file}")
    with db.transaction() as session:
        run = ImportRun(
            kind=import_kind.value, target=import_target.value, source=(source or "")[:40],
            path=str(file), status=ImportStatus.QUEUED.value, started_by=started_by[:80],
        )  # fmt: skip
        session.add(run)
        session.flush()
        run.job_id = f"knowledge-import-{run.id}"
        run_id, job_id = run.id, run.job_id
    log.info("import %s of %s (%s) queued by %s", run_id, file.name, kind, started_by or "-")
    jobs.enqueue("knowledge.tasks.run_import", run_id, job_id=job_id, queue="imports")
    found = db.session.get(ImportRun, run_id)
    assert found is not None
    db.session.refresh(found)
    return found


@dataclass(frozen=True)
class RowErrorView:
    """A skipped row as a status page shows it."""

    row_number: int
    reason: str
    raw_excerpt: str


@dataclass(frozen=True)
class ImportProgress:
    """A snapshot of an import run for a progress bar or a status page."""

    run_id: int
    kind: str
    target: str
    source: str
    file_name: str
    status: str
    total_rows: int
    processed_rows: int
    imported: int
    updated: int
    unchanged: int
    failed_rows: int
    error: str | None
    notice: str | None
    started_by: str
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    errors: tuple[RowErrorView, ...]

    @property
    def finished(self) -> bool:
        """Return whether the run has stopped, done or failed."""
        return self.status in (ImportStatus.DONE, ImportStatus.FAILED)

    @property
    def percent(self) -> int:
        """Return how much of the file has been processed, 0 to 100."""
        if self.status == ImportStatus.DONE:
            return 100
        return 0 if not self.total_rows else min(100, 100 * self.processed_rows // self.total_rows)

    def as_dict(self) -> dict[str, Any]:
        """Return the snapshot as JSON-ready values."""
        values = asdict(self)
        for name in ("created_at", "started_at", "finished_at"):
            values[name] = values[name].isoformat() if values[name] else None
        values["errors"] = [asdict(error) for error in self.errors]
        values["finished"], values["percent"] = self.finished, self.percent
        return values


def import_status(run_id: int, max_errors: int = 100) -> ImportProgress | None:
    """Return the progress of an import run and its first skipped rows, or None."""
    run = db.session.get(ImportRun, run_id)
    if run is None:
        return None
    db.session.refresh(run)
    query = (
        select(ImportRowError)
        .where(ImportRowError.import_run_id == run_id)
        .order_by(ImportRowError.row_number)
        .limit(max_errors)
    )
    errors = tuple(
        RowErrorView(e.row_number, e.reason, e.raw_excerpt) for e in db.session.scalars(query)
    )
    return ImportProgress(
        run_id=run.id, kind=run.kind, target=run.target, source=run.source,
        file_name=Path(run.path).name, status=run.status, total_rows=run.total_rows,
        processed_rows=run.processed_rows, imported=run.imported, updated=run.updated,
        unchanged=run.unchanged, failed_rows=run.failed_rows, error=run.error,
        notice=run.notice, started_by=run.started_by, created_at=run.created_at,
        started_at=run.started_at, finished_at=run.finished_at, errors=errors,
    )  # fmt: skip


def recent_imports(limit: int = 20, targets: Iterable[str] = OFFER_TARGETS) -> list[ImportRun]:
    """Return the latest import runs of these targets (offers by default), newest first."""
    query = (
        select(ImportRun)
        .where(ImportRun.target.in_(list(targets)))
        .order_by(ImportRun.created_at.desc(), ImportRun.id.desc())
    )
    return list(db.session.scalars(query.limit(limit)))
