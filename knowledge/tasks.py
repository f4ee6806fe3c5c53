"""Background jobs of the knowledge package: importing vacancy and training feeds."""

from __future__ import annotations

import csv
import logging
from datetime import datetime
from pathlib import Path

from sqlalchemy import delete
from sqlalchemy.exc import DataError
from sqlalchemy.orm import Session

from hotline.db import db, utcnow
from knowledge.feeds import (
    FeedError,
    FeedRow,
    Gazetteer,
    RowProblem,
    check_training,
    check_vacancy,
    read_feed,
)
from knowledge.imports import SaveOutcome, gazetteer, save_training, save_vacancy
from knowledge.models import ImportKind, ImportRowError, ImportRun, ImportStatus, ImportTarget

log = logging.getLogger(__name__)

# Errors that a retry meets again: the file and the code are the same the next time.
CERTAIN_TO_REPEAT = (RecursionError, UnicodeError, csv.Error, DataError)

# Rows saved per transaction; each commit also publishes the run's progress to pollers.
BATCH_SIZE = 50


def run_import(run_id: int) -> dict[str, int]:
    """Import the file of an ImportRun; safe to run twice, and a finished run is left alone.

    A retried run starts over: its earlier row errors are dropped and rows already saved
    are matched again by (source, external_id), so nothing is duplicated. A file that
    cannot be read fails the run without a retry; anything unexpected fails it and
    re-raises, so RQ retries it; an error certain to repeat (a value no database column
    takes, nesting too deep to follow) fails it at once with the reason, without retries.
    """
    with db.transaction() as session:
        run = session.get(ImportRun, run_id)
        if run is None:
            log.warning("import %s: no such run", run_id)
            return {}
        if run.status == ImportStatus.DONE:
            log.info("import %s already done; nothing to do", run_id)
            return counts(run)
        run.status = ImportStatus.RUNNING.value
        run.started_at, run.finished_at, run.error, run.notice = utcnow(), None, None, None
        run.total_rows = run.processed_rows = run.failed_rows = 0
        run.imported = run.updated = run.unchanged = 0
        session.execute(delete(ImportRowError).where(ImportRowError.import_run_id == run_id))
        kind, target, path = ImportKind(run.kind), ImportTarget(run.target), Path(run.path)
        chosen_source = run.source
    try:
        return _import_rows(run_id, kind, target, path, chosen_source)
    except CERTAIN_TO_REPEAT as exc:
        db.session.rollback()
        log.warning("import %s failed for good: %s", run_id, type(exc).__name__)
        return finish(run_id, ImportStatus.FAILED, f"the file cannot be imported: {exc}")
    except Exception as exc:
        db.session.rollback()
        finish(run_id, ImportStatus.FAILED, f"unexpected error: {exc}")
        raise


def _import_rows(
    run_id: int, kind: ImportKind, target: ImportTarget, path: Path, chosen_source: str
) -> dict[str, int]:
    try:
        feed = read_feed(kind, target, path)
    except FeedError as exc:
        log.warning("import %s of %s failed: %s", run_id, path.name, exc)
        return finish(run_id, ImportStatus.FAILED, str(exc))
    source = (chosen_source or feed.source or path.stem)[:40]
    with db.transaction() as session:
        known = gazetteer(session)
        run = session.get(ImportRun, run_id)
        assert run is not None
        run.source, run.total_rows = source, len(feed.rows)
        if feed.converted_from:
            run.notice = (
                f"The file was in {feed.converted_from}, not UTF-8; it was converted. "
                "Check that Polish letters came out right."
            )
    seen: dict[tuple[str, str], int] = {}
    for start in range(0, len(feed.rows), BATCH_SIZE):
        batch = feed.rows[start : start + BATCH_SIZE]
        with db.transaction() as session:
            run = session.get(ImportRun, run_id)
            assert run is not None
            now = utcnow()
            for row in batch:
                try:
                    outcome = _import_row(session, row, target, known, source, seen, run_id, now)
                except RowProblem as problem:
                    session.add(
                        ImportRowError(
                            import_run_id=run_id,
                            row_number=row.number,
                            reason=str(problem),
                            raw_excerpt=row.excerpt,
                        )  # fmt: skip
                    )
                    run.failed_rows += 1
                else:
                    setattr(run, outcome.value, getattr(run, outcome.value) + 1)
                run.processed_rows += 1
            processed, total = run.processed_rows, run.total_rows
        log.info("import %s: processed %d/%d rows", run_id, processed, total)
    return finish(run_id, ImportStatus.DONE)


def _import_row(
    session: Session,
    row: FeedRow,
    target: ImportTarget,
    known: Gazetteer,
    source: str,
    seen: dict[tuple[str, str], int],
    run_id: int,
    now: datetime,
) -> SaveOutcome:
    if target == ImportTarget.VACANCIES:
        vacancy = check_vacancy(row, known, source)
        remember(seen, (vacancy.source, vacancy.external_id), row.number)
        return save_vacancy(session, vacancy, run_id, now)
    training = check_training(row, known, source)
    remember(seen, (training.source, training.external_id), row.number)
    return save_training(session, training, run_id, now)


def remember(seen: dict[tuple[str, str], int], key: tuple[str, str], row_number: int) -> None:
    """Note the row an offer came from, refusing an offer the file already had."""
    if key in seen:
        raise RowProblem([f"duplicate external_id {key[1]!r}, already in row {seen[key]}"])
    seen[key] = row_number


def finish(run_id: int, status: ImportStatus, error: str | None = None) -> dict[str, int]:
    """Mark a run done or failed and return its counts."""
    with db.transaction() as session:
        run = session.get(ImportRun, run_id)
        if run is None:
            return {}
        run.status, run.error, run.finished_at = status.value, error, utcnow()
        result = counts(run)
    log.info("import %s %s: %s", run_id, status.value, result)
    return result


def counts(run: ImportRun) -> dict[str, int]:
    """Return a run's row counts."""
    return {
        "total_rows": run.total_rows, "processed_rows": run.processed_rows,
        "imported": run.imported, "updated": run.updated, "unchanged": run.unchanged,
        "failed_rows": run.failed_rows,
    }  # fmt: skip
