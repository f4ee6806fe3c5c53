"""Loading knowledge from the data files shipped with hotline."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from knowledge.models import FaqEntry

DATA_DIR = Path(__file__).parent / "data"


def import_faq(session: Session, path: Path = DATA_DIR / "faq.json") -> int:
    """Create or update FAQ entries from a JSON file; return how many were written."""
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
