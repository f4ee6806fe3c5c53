"""Background jobs of administration: importing people, customers, offices and FAQ texts from
CSV."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from flask_babel import force_locale, ngettext
from flask_babel import gettext as _
from sqlalchemy import delete

from administration import content, people, register
from administration.fields import FieldErrors, Fields
from administration.imports import AdminRow, read_rows
from consultants.models import Consultant
from hotline.db import db, utcnow
from knowledge import editor
from knowledge.feeds import FeedError
from knowledge.models import ImportRowError, ImportRun, ImportStatus, ImportTarget
from knowledge.tasks import counts, finish
from routing.extension import services as routing_services

log = logging.getLogger(__name__)

BATCH_SIZE = 50
# Who reads the reasons of an import the command line started: its own language is English.
COMMAND_LINE_LANGUAGE = "en"


def reader_language(actor_id: int | None) -> str:
    """Return the language the import's starter reads the desk in (Polish unless they chose
    otherwise; English for the command line)."""
    if actor_id is None:
        return COMMAND_LINE_LANGUAGE
    person = db.session.get(Consultant, actor_id)
    return (person.desk_language if person else None) or "pl"


def run_admin_import(run_id: int, actor_id: int | None) -> dict[str, int]:
    """Import a file of people, customers, offices or FAQ texts, its reasons written in the
    language of whoever started it; safe to run twice (rows match by their key, so a second
    run changes nothing), and a finished run is left alone. A file that cannot be read fails
    at once with the reason; anything unexpected is re-raised for RQ to retry."""
    with force_locale(reader_language(actor_id)):
        return _run(run_id, actor_id)


def _run(run_id: int, actor_id: int | None) -> dict[str, int]:
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
        target, path, started_by = run.target, Path(run.path), run.started_by
    try:
        table = read_rows(target, path.read_bytes())
    except (FeedError, OSError) as exc:
        return finish(run_id, ImportStatus.FAILED, str(exc))
    try:
        author = draft_author(actor_id, started_by)
        return _import(run_id, target, table.rows, table.converted_from, actor_id, author)
    except Exception as exc:
        db.session.rollback()
        finish(
            run_id, ImportStatus.FAILED, _("unexpected error: %(kind)s", kind=type(exc).__name__)
        )
        raise


def draft_author(actor_id: int | None, started_by: str) -> str:
    """Return whom an imported FAQ draft names as its author: the person who started the
    import on the desk, or the command line's user (so that another editor reviews it)."""
    person = db.session.get(Consultant, actor_id) if actor_id is not None else None
    return person.name if person else started_by


def _import(
    run_id: int,
    target: str,
    rows: list[AdminRow],
    converted: str | None,
    actor_id: int | None,
    author: str,
) -> dict[str, int]:
    new_accounts = drafts = 0
    with db.transaction() as session:
        run = session.get(ImportRun, run_id)
        assert run is not None
        run.total_rows = len(rows)
        if converted:
            run.notice = _(
                "The file was in %(encoding)s, not UTF-8; it was converted.", encoding=converted
            )
    seen: dict[str, int] = {}
    for start in range(0, len(rows), BATCH_SIZE):
        for row in rows[start : start + BATCH_SIZE]:
            try:
                outcome = import_row(target, row, seen, actor_id, author)
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
            drafts += outcome != "unchanged" and target == ImportTarget.FAQ
            with db.transaction() as session:
                run = session.get(ImportRun, run_id)
                assert run is not None
                setattr(run, outcome, getattr(run, outcome) + 1)
                run.processed_rows += 1
    if new_accounts:
        with db.transaction() as session:
            run = session.get(ImportRun, run_id)
            assert run is not None
            note = ngettext(
                "%(num)d new account has no password yet: give the person a one-time password "
                "from their page under People.",
                "%(num)d new accounts have no password yet: give each person a one-time password "
                "from their page under People.",
                new_accounts,
            )
            run.notice = f"{run.notice} {note}" if run.notice else note
    if target == ImportTarget.FAQ:
        with db.transaction() as session:
            run = session.get(ImportRun, run_id)
            assert run is not None
            note = faq_notice(drafts)
            run.notice = f"{run.notice} {note}" if run.notice else note
    return finish(run_id, ImportStatus.DONE)


# How many of the completeness check's findings an import's notice names before it counts the
# rest (the FAQ page lists them all).
NOTICE_FINDINGS = 5


def faq_notice(drafts: int) -> str:
    """Say how many texts now wait for review, and what the FAQ still lacks for callers."""
    parts = []
    if drafts:
        parts.append(
            ngettext(
                "%(num)d text waits as a draft: another editor reviews and publishes it on the "
                "FAQ page; callers hear the published text until then.",
                "%(num)d texts wait as drafts: another editor reviews and publishes each on the "
                "FAQ page; callers hear the published texts until then.",
                drafts,
            )
        )
    findings = content.problem_texts(editor.completeness())
    if findings:
        shown = "; ".join(findings[:NOTICE_FINDINGS])
        rest = len(findings) - NOTICE_FINDINGS
        if rest > 0:
            shown += " " + ngettext("(and %(num)d more)", "(and %(num)d more)", rest)
        parts.append(_("What callers would miss: %(findings)s.", findings=shown))
    else:
        parts.append(_("Every topic is published in every language."))
    return " ".join(parts)


def import_row(
    target: str, row: AdminRow, seen: dict[str, int], actor_id: int | None, author: str
) -> str:
    """Create or update the record of one row (an FAQ text as a draft by author); return
    imported, updated or unchanged."""
    cells: dict[str, Any] = dict(row.cells)
    if "_cells" in cells:
        raise FieldErrors([cells.pop("_cells")])
    if target == ImportTarget.OFFICES:
        remember(seen, content.cell(cells, "code").upper(), row.number)
        return content.save_office(cells)
    if target == ImportTarget.FAQ:
        topic, language = content.cell(cells, "topic"), content.cell(cells, "language")
        remember(seen, f"{topic}/{language}".lower(), row.number)
        return content.save_faq_draft(cells, author)
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
        raise FieldErrors([_("the PESEL is missing")])
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
        raise FieldErrors([_("the same record is already in row %(row)s", row=seen[key])])
    seen[key] = row_number
