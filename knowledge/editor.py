"""Editing what callers hear: FAQ texts in four languages, drafted then published by a reviewer,
and the offices' details.

A content editor's change to an FAQ text waits as a draft beside the published text, which
callers go on hearing until a reviewer publishes the draft: the reviewer's name and the day
become the text's reviewed_by and last_reviewed. A text is checked before it is saved as a
draft and again before it is published: lengths, control characters, links only to allowed
domains (hotline.outbound), and a source. The completeness check (every topic in every caller
language, each with a title, a body, a source and a text message short enough) runs on the
editor's page, as the catalogue's test runs on the shipped files.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

import phonenumbers
from sqlalchemy import select

from hotline.db import db, utcnow
from hotline.outbound import CONTROL, link_host, outbound
from hotline.speech import LANGUAGES
from knowledge.models import FaqEntry, FaqStatus, Office, Region
from knowledge.service import forget_cached

log = logging.getLogger(__name__)

TITLE_LIMIT = 160
BODY_LIMIT = 3000
SMS_LIMIT = 300
# Several public sources, each with its address, are usual for one answer (returning from
# abroad cites five).
SOURCE_LIMIT = 3000
# A sentence longer than this is too long to follow when read out.
SPOKEN_SENTENCE_LIMIT = 320
TOPIC_PATTERN = r"[a-z][a-z0-9_]{1,39}"
OFFICE_CODE_PATTERN = r"[A-Z0-9_-]{2,32}"


def N_(message: str) -> str:
    """Mark a message for the desk's catalogue (pybabel finds N_); the desk translates it
    where it shows it, so that this module needs no Flask."""
    return message


@dataclass(frozen=True)
class Problem:
    """Why a text or an office may not reach callers: an English message with its values
    (%(name)s), which the desk shows in the reader's language."""

    message: str
    values: Mapping[str, object] = field(default_factory=dict)

    def __str__(self) -> str:
        return self.message % dict(self.values) if self.values else self.message


# A field left empty, named as the editor's form names it.
MISSING = {
    "title": N_("title is missing"),
    "body": N_("body is missing"),
    "source": N_("source is missing"),
    "name": N_("name is missing"),
    "address": N_("address is missing"),
    "opening hours": N_("opening hours is missing"),
}


# A field of a text or an office, as the reasons name it.
FIELD_LABELS = {
    "title": N_("title"),
    "body": N_("body"),
    "text message": N_("text message"),
    "source": N_("source"),
    "name": N_("office name"),
    "address": N_("address"),
    "opening hours": N_("opening hours"),
}


def content_problems(
    field: str | Problem, text: str, limit: int, *, links: bool = True
) -> list[Problem]:
    """Return why a text meant for callers cannot be used: too long, control characters, or
    (when links count) links outside the domains the office allows."""
    named = field if isinstance(field, Problem) else Problem(FIELD_LABELS[field])
    problems = []
    if len(text) > limit:
        problems.append(Problem(N_("%(field)s is longer than %(limit)s characters"),
                                {"field": named, "limit": limit}))  # fmt: skip
    if CONTROL.search(text):
        problems.append(Problem(N_("%(field)s holds control characters"), {"field": named}))
    foreign = outbound.current().foreign_links(text) if links else []
    if foreign:
        hosts = ", ".join(sorted({link_host(link) or link for link in foreign}))
        problems.append(Problem(N_("%(field)s links outside the allowed domains (%(hosts)s)"),
                                {"field": named, "hosts": hosts}))  # fmt: skip
    return problems


class EditError(ValueError):
    """A text or an office that cannot be saved, with every reason."""

    def __init__(self, reasons: list[Problem]) -> None:
        super().__init__("; ".join(str(reason) for reason in reasons))
        self.reasons = reasons


@dataclass(frozen=True)
class FaqText:
    """One FAQ text as an editor writes it."""

    title: str
    body: str
    sms_body: str
    source: str

    def as_dict(self) -> dict[str, str]:
        """Return the text as the draft column keeps it."""
        return {
            "title": self.title,
            "body": self.body,
            "sms_body": self.sms_body,
            "source": self.source,
        }


def text_problems(text: FaqText) -> list[Problem]:
    """Return why a text may not reach callers (empty: it may)."""
    problems = []
    for name, value, limit, required in (
        ("title", text.title, TITLE_LIMIT, True),
        ("body", text.body, BODY_LIMIT, True),
        ("text message", text.sms_body, SMS_LIMIT, False),
        ("source", text.source, SOURCE_LIMIT, True),
    ):
        if required and not value.strip():
            problems.append(Problem(MISSING[name]))
        # The source names where the answer rests (a statute, an office's page): any link.
        problems += content_problems(name, value, limit, links=name != "source")
    longest = max((len(sentence) for sentence in text.body.split(". ")), default=0)
    if longest > SPOKEN_SENTENCE_LIMIT:
        problems.append(Problem(N_("a sentence of the body is longer than %(limit)s characters"),
                                {"limit": SPOKEN_SENTENCE_LIMIT}))  # fmt: skip
    return problems


def faq_entries() -> list[FaqEntry]:
    """Return every FAQ text by topic and language."""
    query = select(FaqEntry).order_by(FaqEntry.topic, FaqEntry.language)
    return list(db.session.scalars(query))


def faq_entry(topic: str, language: str) -> FaqEntry | None:
    """Return the FAQ text of a topic in a language."""
    query = select(FaqEntry).where(FaqEntry.topic == topic, FaqEntry.language == language)
    return db.session.scalars(query).first()


def save_draft(topic: str, language: str, text: FaqText, editor: str) -> FaqEntry:
    """Keep an editor's text as the draft of a topic in a language; callers still hear the
    published text (a new topic or language is heard by nobody until published)."""
    reasons = []
    if not re.fullmatch(TOPIC_PATTERN, topic):
        reasons.append(Problem(N_("a topic is a short name of small letters, digits and _")))
    if language not in LANGUAGES:
        reasons.append(Problem(N_("the language must be one of %(languages)s"),
                               {"languages": ", ".join(LANGUAGES)}))  # fmt: skip
    reasons.extend(text_problems(text))
    if reasons:
        raise EditError(reasons)
    with db.transaction() as session:
        entry = faq_entry(topic, language)
        if entry is None:
            entry = FaqEntry(
                topic=topic, language=language, title="", body="", sms_body=None, source="",
                last_reviewed=date.today(), status=FaqStatus.DRAFT.value,
            )  # fmt: skip
            session.add(entry)
        entry.draft = {
            **text.as_dict(),
            "edited_by": editor[:120],
            "edited_at": utcnow().isoformat(),
        }
    log.info("FAQ %s/%s: draft saved by %s", topic, language, editor)
    return entry


def publish(topic: str, language: str, reviewer: str) -> FaqEntry:
    """Publish a topic's draft in a language, as checked by a reviewer; callers hear it now.

    The reviewer may not be the draft's own author: a second pair of eyes is the point."""
    entry = faq_entry(topic, language)
    if entry is None or not entry.draft:
        raise EditError([Problem(N_("there is no draft to publish"))])
    draft = entry.draft
    if draft.get("edited_by") == reviewer:
        raise EditError([Problem(N_("another editor must review and publish your own draft"))])
    text = FaqText(draft["title"], draft["body"], draft.get("sms_body", ""), draft["source"])
    problems = text_problems(text)
    if problems:
        raise EditError(problems)
    with db.transaction():
        entry.title, entry.body = text.title, text.body
        entry.sms_body, entry.source = text.sms_body or None, text.source
        entry.status, entry.reviewed_by = FaqStatus.PUBLISHED.value, reviewer[:120]
        entry.last_reviewed, entry.draft = date.today(), None
    forget_cached()
    log.info("FAQ %s/%s: published, reviewed by %s", topic, language, reviewer)
    return entry


def completeness() -> list[Problem]:
    """Return what the FAQ lacks for callers: a topic missing or unpublished in a language, or
    a published text that would not pass the checks (empty: complete)."""
    entries = faq_entries()
    topics = sorted({entry.topic for entry in entries})
    found = {(entry.topic, entry.language): entry for entry in entries}
    problems = []
    for topic in topics:
        for language in LANGUAGES:
            entry = found.get((topic, language))
            where = {"topic": topic, "language": language}
            if entry is None:
                problems.append(Problem(N_("%(topic)s: no text in %(language)s"), where))
            elif entry.status != FaqStatus.PUBLISHED:
                problems.append(
                    Problem(N_("%(topic)s: the %(language)s text is not published yet"), where)
                )
            else:
                published = FaqText(entry.title, entry.body, entry.sms_body or "", entry.source)
                problems += [
                    Problem(N_("%(topic)s/%(language)s: %(problem)s"), {**where, "problem": p})
                    for p in text_problems(published)
                ]
                if not entry.sms_body:
                    problems.append(
                        Problem(N_("%(topic)s/%(language)s: no text message to send"), where)
                    )
    return problems


# Offices ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class OfficeDetails:
    """An office as an administrator writes it."""

    code: str
    name: str
    address: str
    phone: str | None
    opening_hours: str
    hours_by_language: dict[str, str]
    region_code: str | None
    city: str | None


def office_problems(details: OfficeDetails) -> list[Problem]:
    """Return why an office's details cannot be saved (empty: they can)."""
    problems = []
    if not re.fullmatch(OFFICE_CODE_PATTERN, details.code):
        problems.append(Problem(N_("the code is 2 to 32 capital letters, digits, - or _")))
    for name, value, limit in (
        ("name", details.name, 160),
        ("address", details.address, 255),
        ("opening hours", details.opening_hours, 160),
    ):
        if not value.strip():
            problems.append(Problem(MISSING[name]))
        problems += content_problems(name, value, limit)
    for language, hours in details.hours_by_language.items():
        if language not in LANGUAGES:
            problems.append(Problem(N_("opening hours in an unknown language '%(language)s'"),
                                    {"language": language}))  # fmt: skip
        field = Problem(N_("opening hours (%(language)s)"), {"language": language})
        problems += content_problems(field, hours, 160)
    if details.phone and office_phone(details.phone) is None:
        problems.append(Problem(N_("'%(number)s' is not a valid phone number"),
                                {"number": details.phone}))  # fmt: skip
    if details.region_code and not known_region(details.region_code):
        problems.append(Problem(N_("no region has the code '%(code)s'"),
                                {"code": details.region_code}))  # fmt: skip
    return problems


def known_region(code: str) -> bool:
    """Tell whether a voivodeship has this two-digit TERYT code."""
    if not re.fullmatch(r"[0-9]{2}", code):
        return False
    return db.session.scalars(select(Region.code).where(Region.code == code)).first() is not None


def office_phone(raw: str) -> str | None:
    """Return an office's phone number in E.164 form, or None if it is not one."""
    try:
        parsed = phonenumbers.parse(raw, "PL")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(parsed):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def offices() -> list[Office]:
    """Return every office by code."""
    return list(db.session.scalars(select(Office).order_by(Office.code)))


def save_office(details: OfficeDetails) -> Office:
    """Create or update the office with this code; callers hear the change within a minute."""
    problems = office_problems(details)
    if problems:
        raise EditError(problems)
    with db.transaction() as session:
        office = session.scalars(select(Office).where(Office.code == details.code)).first()
        if office is None:
            office = Office(code=details.code)
            session.add(office)
        office.name, office.address = details.name.strip(), details.address.strip()
        office.phone = office_phone(details.phone) if details.phone else None
        office.opening_hours = details.opening_hours.strip()
        office.opening_hours_by_language = {
            language: hours.strip()
            for language, hours in details.hours_by_language.items()
            if hours.strip()
        }
        if details.region_code is not None:
            office.region_code = details.region_code or None
        if details.city is not None:
            office.city = details.city or None
    forget_cached()
    return office
