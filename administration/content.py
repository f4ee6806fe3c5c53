"""Offices and FAQ texts from a CSV row or the command line, checked by the desk editor's own
rules (knowledge.editor), their problems in the reader's words.

A row names its record by its key (an office's code; an FAQ text's topic and language) and
changes only the columns it has. An FAQ text is saved as a draft, never published: callers go
on hearing the published text until another editor reviews the draft on the desk.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from flask_babel import get_locale
from flask_babel import gettext as _

from administration.fields import FieldErrors
from hotline.speech import LANGUAGES
from knowledge import editor
from knowledge.models import FaqEntry, Office

OTHER_LANGUAGES = tuple(language for language in LANGUAGES if language != "pl")
# The columns of an office file: opening_hours is said in Polish, opening_hours_en and the
# others in the other caller languages.
OFFICE_FIELDS = (
    "code", "name", "address", "phone", "opening_hours",
    *(f"opening_hours_{language}" for language in OTHER_LANGUAGES), "region", "city",
)  # fmt: skip
FAQ_FIELDS = ("topic", "language", "title", "body", "sms_body", "source")


def problem_texts(problems: Iterable[editor.Problem]) -> list[str]:
    """Return the editor's problems in the reader's words, languages named."""
    return [problem_text(problem) for problem in problems]


def problem_text(problem: editor.Problem) -> str:
    """Return one of the editor's problems in the reader's words."""
    values: dict[str, object] = {}
    for name, value in problem.values.items():
        if isinstance(value, editor.Problem):
            value = problem_text(value)
        elif name == "language" and isinstance(value, str):
            locale = get_locale()
            value = locale.languages.get(value, value) if locale else value
        values[name] = value
    return str(_(problem.message, **values))


def cell(given: Mapping[str, str], name: str) -> str:
    """Return a cell's text, stripped (a spreadsheet pads cells)."""
    return str(given.get(name) or "").strip()


def office_by_code(code: str) -> Office | None:
    """Return the office with this code, if the code is one an office may have."""
    if not re.fullmatch(editor.OFFICE_CODE_PATTERN, code):
        return None
    return next((office for office in editor.offices() if office.code == code), None)


def office_details(given: Mapping[str, str]) -> tuple[editor.OfficeDetails, Office | None]:
    """Return an office as a row gives it, over what the office already has, and the office
    (None for a new one)."""
    code = cell(given, "code").upper()
    existing = office_by_code(code)

    def value(name: str, current: str | None) -> str:
        return cell(given, name) if name in given else (current or "")

    hours = dict(existing.opening_hours_by_language or {}) if existing else {}
    for language in OTHER_LANGUAGES:
        if f"opening_hours_{language}" in given:
            hours[language] = cell(given, f"opening_hours_{language}")
    details = editor.OfficeDetails(
        code=code,
        name=value("name", existing.name if existing else None),
        address=value("address", existing.address if existing else None),
        phone=value("phone", existing.phone if existing else None) or None,
        opening_hours=value("opening_hours", existing.opening_hours if existing else None),
        hours_by_language=hours,
        region_code=cell(given, "region") if "region" in given else None,
        city=cell(given, "city") if "city" in given else None,
    )
    return details, existing


def office_state(office: Office) -> tuple[object, ...]:
    """Return what an office tells callers, to see whether a save changed it."""
    return (
        office.name, office.address, office.phone, office.opening_hours,
        dict(office.opening_hours_by_language or {}), office.region_code, office.city,
    )  # fmt: skip


def save_office(given: Mapping[str, str]) -> str:
    """Create or update an office from a row; return imported, updated or unchanged, or raise
    FieldErrors with the editor's reasons."""
    details, existing = office_details(given)
    before = office_state(existing) if existing else None
    try:
        saved = editor.save_office(details)
    except editor.EditError as exc:
        raise FieldErrors(problem_texts(exc.reasons)) from exc
    if before is None:
        return "imported"
    return "unchanged" if office_state(saved) == before else "updated"


def current_text(entry: FaqEntry) -> editor.FaqText:
    """Return an FAQ text as an editor would change it next: its draft, or else what callers
    hear."""
    if entry.draft:
        draft = entry.draft
        return editor.FaqText(
            draft.get("title", ""), draft.get("body", ""), draft.get("sms_body", ""),
            draft.get("source", ""),
        )  # fmt: skip
    return editor.FaqText(entry.title, entry.body, entry.sms_body or "", entry.source)


def faq_entry_of(topic: str, language: str) -> FaqEntry | None:
    """Return the FAQ text of a topic and language, if both are ones a text may have."""
    if not re.fullmatch(editor.TOPIC_PATTERN, topic) or language not in LANGUAGES:
        return None
    return editor.faq_entry(topic, language)


def save_faq_draft(given: Mapping[str, str], editor_name: str) -> str:
    """Keep a row's FAQ text as a draft (its columns over the text's draft or published text);
    return imported (a text new to the FAQ), updated or unchanged, or raise FieldErrors with
    the editor's reasons."""
    topic, language = cell(given, "topic").lower(), cell(given, "language").lower()
    existing = faq_entry_of(topic, language)
    current = current_text(existing) if existing else editor.FaqText("", "", "", "")
    text = editor.FaqText(
        **{
            name: cell(given, name) if name in given else getattr(current, name)
            for name in ("title", "body", "sms_body", "source")
        }
    )
    if existing is not None and text == current:
        return "unchanged"
    try:
        editor.save_draft(topic, language, text, editor_name)
    except editor.EditError as exc:
        raise FieldErrors(problem_texts(exc.reasons)) from exc
    return "imported" if existing is None else "updated"
