"""Background jobs of administration: importing people and customers from CSV."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from sqlalchemy import delete

from administration import people, register
from administration.fields import FieldErrors, Fields
from administration.imports import AdminRow, read_rows
from hotline.db import db, utcnow
from knowledge.feeds import FeedError
from knowledge.models import ImportRowError, ImportRun, ImportStatus, ImportTarget
from knowledge.tasks import counts, finish
from routing.extension import services as routing_services

log = logging.getLogger(__name__)

BATCH_SIZE = 50


def run_admin_import(run_id: int, actor_id: int | None) -> dict[str, int]:
    """Import a people or customer file; safe to run twice (rows match by login or PESEL,
    so a second run changes nothing), and a finished run is left alone. A file that cannot be
    read fails at once with the reason; anything unexpected is re-raised for RQ to retry."""
    with db.transaction() as session:
        run = session.get(ImportRun, run_id)
        if run is None:
            return {}
        if run.status == ImportStatus.DONE:
            return counts(run)
        run.status, run.started_at, run.finished_at = ImportStatus.RUNNING.value, utcnow(), None
        run.error = run.notice = None
        run.total_rows = run.processed_rows = run.failed_rows = 0
        run.imported = run.updated = run.unchanged = 0
        session.execute(delete(ImportRowError).where(ImportRowError.import_run_id == run_id))
        target, path = run.target, Path(run.path)
    try:
        table = read_rows(target, path.read_bytes())
    except (FeedError, OSError) as exc:
        return finish(run_id, ImportStatus.FAILED, str(exc))
    try:
        return _import(run_id, target, table.rows, table.converted_from, actor_id)
    except Exception as exc:
        db.session.rollback()
        finish(run_id, ImportStatus.FAILED, f"unexpected error: {type(exc).__name__}")
        raise


def _import(
    run_id: int, target: str, rows: list[AdminRow], converted: str | None, actor_id: int | None
) -> dict[str, int]:
    new_accounts = 0
    with db.transaction() as session:
        run = session.get(ImportRun, run_id)
        assert run is not None
        run.total_rows = len(rows)
        if converted:
            run.notice = f"The file was in {converted}, not UTF-8; it was converted."
    seen: dict[str, int] = {}
    for start in range(0, len(rows), BATCH_SIZE):
        for row in rows[start : start + BATCH_SIZE]:
            try:
                outcome = import_row(target, row, seen, actor_id)
            except FieldErrors as problem:
                db.session.rollback()
                with db.transaction() as session:
                    session.add(ImportRowError(
                        import_run_id=run_id, row_number=row.number, reason=str(problem),
                        raw_excerpt=row.excerpt,
                    ))  # fmt: skip
                    run = session.get(ImportRun, run_id)
                    assert run is not None
                    run.failed_rows += 1
                    run.processed_rows += 1
                continue
            new_accounts += outcome == "imported" and target == ImportTarget.CONSULTANTS
            with db.transaction() as session:
                run = session.get(ImportRun, run_id)
                assert run is not None
                setattr(run, outcome, getattr(run, outcome) + 1)
                run.processed_rows += 1
    if new_accounts:
        with db.transaction() as session:
            run = session.get(ImportRun, run_id)
            assert run is not None
            note = (
                f"{new_accounts} new account(s) have no password yet: give each person a "
                "one-time password from their page under People."
            )
            run.notice = f"{run.notice} {note}" if run.notice else note
    return finish(run_id, ImportStatus.DONE)


def import_row(target: str, row: AdminRow, seen: dict[str, int], actor_id: int | None) -> str:
    """Create or update the record of one row; return imported, updated or unchanged."""
    cells: dict[str, Any] = dict(row.cells)
    if "_cells" in cells:
        raise FieldErrors([cells.pop("_cells")])
    if target == ImportTarget.CONSULTANTS:
        key = str(cells.get("login", "")).strip().lower()
        remember(seen, key, row.number)
        person = people.by_login(key) if key else None
        values = people.read_person(cells, person)
        if person is None:
            people.create_person(values, actor_id)
            return "imported"
        changed = people.update_person(person, values, actor_id, routing_services().engine)
        return "updated" if changed else "unchanged"
    pesel_field = Fields({"pesel": str(cells.get("pesel", ""))})
    key = register.checked_pesel(pesel_field) or ""
    pesel_field.check()
    if not key:
        raise FieldErrors(["the PESEL is missing"])
    remember(seen, key, row.number)
    customer = register.by_pesel(key)
    values = register.read_customer(cells, customer)
    if customer is None:
        register.create_customer(values, actor_id)
        return "imported"
    return "updated" if register.update_customer(customer, values, actor_id) else "unchanged"


def remember(seen: dict[str, int], key: str, row_number: int) -> None:
    """Refuse a record the file already had in an earlier row."""
    if key and key in seen:
        raise FieldErrors([f"the same record is already in row {seen[key]}"])
    seen[key] = row_number
