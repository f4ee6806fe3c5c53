"""Reading the knowledge base: FAQ answers and offices."""

from __future__ import annotations

from sqlalchemy import select

from hotline.db import db
from knowledge.models import FaqEntry, Office


def faq_answer(topic: str, language: str) -> FaqEntry | None:
    """Return the answer on a topic in a language, falling back to Polish."""
    query = select(FaqEntry).where(FaqEntry.topic == topic, FaqEntry.language.in_([language, "pl"]))
    entries = {entry.language: entry for entry in db.session.scalars(query)}
    return entries.get(language) or entries.get("pl")


def office(code: str | None) -> Office | None:
    """Return the office with this code, if any."""
    if not code:
        return None
    return db.session.scalars(select(Office).where(Office.code == code)).first()
