"""CSV imports of people, customers, offices and FAQ texts, run as RQ jobs with progress and
each bad row's reason.

A row is matched to an existing record by login (people), PESEL (customers), code (offices) or
topic and language (FAQ texts) and updates it with the columns the file has (a column the file
lacks changes nothing); otherwise it creates one. New accounts get no password a person knows:
an administrator hands each a one-time password from the person's page. An FAQ text comes in
as a draft, which another editor reviews and publishes on the desk: an import never changes
what callers hear. The runs are the knowledge package's ImportRun rows, with targets of their
own.
"""

from __future__ import annotations

import csv
import io
import logging
from dataclasses import dataclass
from pathlib import Path

from flask_babel import gettext as _

from administration.content import FAQ_FIELDS, OFFICE_FIELDS
from administration.people import PERSON_FIELDS
from administration.register import CUSTOMER_FIELDS
from hotline.db import db
from hotline.jobs import jobs
from knowledge.feeds import FeedError, decode, excerpt
from knowledge.imports import ImportRequestError
from knowledge.models import ImportKind, ImportRun, ImportStatus, ImportTarget

log = logging.getLogger(__name__)

# What an administrator imports on the Administration pages, and a content editor on the FAQ
# page; the command line imports either.
ADMIN_TARGETS = (
    ImportTarget.CONSULTANTS.value, ImportTarget.CUSTOMERS.value, ImportTarget.OFFICES.value,
)  # fmt: skip
FAQ_TARGETS = (ImportTarget.FAQ.value,)
ALL_TARGETS = ADMIN_TARGETS + FAQ_TARGETS
# The columns that find a row's record (each must be in the file), and every column known.
KEY_COLUMNS: dict[str, tuple[str, ...]] = {
    ImportTarget.CONSULTANTS.value: ("login",),
    ImportTarget.CUSTOMERS.value: ("pesel",),
    ImportTarget.OFFICES.value: ("code",),
    ImportTarget.FAQ.value: ("topic", "language"),
}
COLUMNS: dict[str, tuple[str, ...]] = {
    ImportTarget.CONSULTANTS.value: PERSON_FIELDS,
    ImportTarget.CUSTOMERS.value: CUSTOMER_FIELDS,
    ImportTarget.OFFICES.value: OFFICE_FIELDS,
    ImportTarget.FAQ.value: FAQ_FIELDS,
}


@dataclass(frozen=True)
class AdminRow:
    """One row of an administration file: its line, its cells by column, an excerpt."""

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
        raise FeedError(_("the file is empty"))
    first = text.splitlines()[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = [cell.strip().lower().replace(" ", "_") for cell in next(reader)]
        for key in KEY_COLUMNS[target]:
            if key not in header:
                raise FeedError(_("the header row lacks the column %(column)s", column=key))
        unknown = [name for name in header if name not in COLUMNS[target]]
        if unknown:
            known = ", ".join(COLUMNS[target])
            raise FeedError(
                _(
                    "unknown columns: %(columns)s (known: %(known)s)",
                    columns=", ".join(unknown),
                    known=known,
                )
            )
        rows = []
        line = reader.line_num
        for cells in reader:
            number, line = line + 1, reader.line_num
            if not any(cell.strip() for cell in cells):
                continue
            values = dict(zip(header, cells, strict=False))
            if len(cells) != len(header):
                values["_cells"] = _(
                    "%(cells)s cells under %(columns)s columns",
                    cells=len(cells),
                    columns=len(header),
                )
            rows.append(AdminRow(number, values, excerpt(delimiter.join(redacted(header, cells)))))
    except csv.Error as exc:
        raise FeedError(
            _(
                "the CSV cannot be read at line %(line)s: %(reason)s",
                line=reader.line_num,
                reason=exc,
            )
        ) from exc
    return AdminFile(rows, decoded.converted_from)


def redacted(header: list[str], cells: list[str]) -> list[str]:
    """Return a row's cells for the status page with the PESEL masked: the page shows why a
    row failed, not whose it was."""
    shown = []
    for name, cell in zip(header, cells, strict=False):
        shown.append(cell[:6] + "*****" if name == "pesel" and cell else cell)
    return shown + cells[len(header) :]


def start_admin_import(
    target: str,
    path: str | Path,
    actor_id: int | None,
    started_by: str,
    allowed: tuple[str, ...] = ALL_TARGETS,
) -> ImportRun:
    """Record an import of people, customers, offices or FAQ texts (those allowed where it is
    started) and enqueue its job; return the run."""
    if target not in allowed:
        raise ImportRequestError(
            _(
                "unknown import target '%(target)s' (%(known)s)",
                target=target,
                known=", ".join(allowed),
            )
        )
    file = Path(path).resolve()
    if not file.is_file():
        raise ImportRequestError(_("no such file: %(file)s", file=file))
    if file.suffix.lower() != ".csv":
        raise ImportRequestError(_("an administration import comes as a .csv file"))
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
