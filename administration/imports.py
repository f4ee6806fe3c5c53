"""CSV imports of people and customers, run as RQ jobs with progress and each bad row's reason.

A row is matched to an existing record by login (people) or PESEL (customers) and updates it
with the columns the file has (a column the file lacks changes nothing); otherwise it creates
one. New accounts get no password a person knows: an administrator hands each a one-time
password from the person's page. The runs are the knowledge package's ImportRun rows, with
targets of their own.
"""

from __future__ import annotations

import csv
import io
import logging
from dataclasses import dataclass
from pathlib import Path

from administration.people import PERSON_FIELDS
from administration.register import CUSTOMER_FIELDS
from hotline.db import db
from hotline.jobs import jobs
from knowledge.feeds import FeedError, decode, excerpt
from knowledge.imports import ImportRequestError
from knowledge.models import ImportKind, ImportRun, ImportStatus, ImportTarget

log = logging.getLogger(__name__)

ADMIN_TARGETS = (ImportTarget.CONSULTANTS.value, ImportTarget.CUSTOMERS.value)
KEY_COLUMN = {ImportTarget.CONSULTANTS.value: "login", ImportTarget.CUSTOMERS.value: "pesel"}
COLUMNS = {
    ImportTarget.CONSULTANTS.value: PERSON_FIELDS,
    ImportTarget.CUSTOMERS.value: CUSTOMER_FIELDS,
}


@dataclass(frozen=True)
class AdminRow:
    """One row of a people or customer file: its line, its cells by column, an excerpt."""

    number: int
    cells: dict[str, str]
    excerpt: str


@dataclass(frozen=True)
class AdminFile:
    """The rows of a file, and the encoding it was converted from (if not UTF-8)."""

    rows: list[AdminRow]
    converted_from: str | None


def read_rows(target: str, data: bytes) -> AdminFile:
    """Read a CSV with a header row (commas or semicolons); raise FeedError when the file
    itself is unusable: not text, no key column, unknown columns, a cell past the csv limit."""
    decoded = decode(data)
    text = decoded.text
    if not text.strip():
        raise FeedError("the file is empty")
    first = text.splitlines()[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = [cell.strip().lower().replace(" ", "_") for cell in next(reader)]
        key = KEY_COLUMN[target]
        if key not in header:
            raise FeedError(f"the header row lacks the column {key}")
        unknown = [name for name in header if name not in COLUMNS[target]]
        if unknown:
            known = ", ".join(COLUMNS[target])
            raise FeedError(f"unknown column(s): {', '.join(unknown)} (known: {known})")
        rows = []
        line = reader.line_num
        for cells in reader:
            number, line = line + 1, reader.line_num
            if not any(cell.strip() for cell in cells):
                continue
            values = dict(zip(header, cells, strict=False))
            if len(cells) != len(header):
                values["_cells"] = f"{len(cells)} cells under {len(header)} columns"
            rows.append(AdminRow(number, values, excerpt(delimiter.join(redacted(header, cells)))))
    except csv.Error as exc:
        raise FeedError(f"the CSV cannot be read at line {reader.line_num}: {exc}") from exc
    return AdminFile(rows, decoded.converted_from)


def redacted(header: list[str], cells: list[str]) -> list[str]:
    """Return a row's cells for the status page with the PESEL masked: the page shows why a
    row failed, not whose it was."""
    shown = []
    for name, cell in zip(header, cells, strict=False):
        shown.append(cell[:6] + "*****" if name == "pesel" and cell else cell)
    return shown + cells[len(header) :]


def start_admin_import(
    target: str, path: str | Path, actor_id: int | None, started_by: str
) -> ImportRun:
    """Record an import of people or customers and enqueue its job; return the run."""
    if target not in ADMIN_TARGETS:
        raise ImportRequestError(f"unknown import target {target!r} (consultants or customers)")
    file = Path(path).resolve()
    if not file.is_file():
        raise ImportRequestError(f"no such file: {file}")
    if file.suffix.lower() != ".csv":
        raise ImportRequestError("people and customers come as a .csv file")
    with db.transaction() as session:
        run = ImportRun(
            kind=ImportKind.CSV.value, target=target, source=file.stem[:40], path=str(file),
            status=ImportStatus.QUEUED.value, started_by=started_by[:80],
        )  # fmt: skip
        session.add(run)
        session.flush()
        run.job_id = f"admin-import-{run.id}"
        run_id, job_id = run.id, run.job_id
    log.info("import %s of %s queued by %s", run_id, target, started_by or "-")
    jobs.enqueue(
        "administration.tasks.run_admin_import", run_id, actor_id, job_id=job_id, queue="imports"
    )
    found = db.session.get(ImportRun, run_id)
    assert found is not None
    db.session.refresh(found)
    return found
