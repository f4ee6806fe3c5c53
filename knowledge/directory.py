"""The office's directory of outside numbers: where a consultant may put a caller through to,
or whom they may bring into a call (a labour office, a partner institution, an interpreter,
a helpline). Every number is checked and kept in E.164 form, and only numbers of the countries
the centre allows (HOTLINE_OUTSIDE_COUNTRIES) are taken, typed or listed.
"""

from __future__ import annotations

from collections.abc import Sequence

import phonenumbers
from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.db import db, get_or_create
from knowledge.imports import read_data
from knowledge.models import DirectoryEntry


class DirectoryError(ValueError):
    """A number or directory entry that cannot be used, in words a consultant can read."""


def normalise_number(text: str, countries: Sequence[str]) -> str:
    """Return a phone number in E.164 form, if it is a real number of an allowed country.

    A national number is read as one of the first allowed country's; European harmonised
    short numbers such as 116 111 are taken as the short numbers they are.
    """
    countries = [code.upper() for code in countries]
    if not countries:
        raise DirectoryError("no country is allowed for outside numbers")
    cleaned = (text or "").strip()
    if not cleaned:
        raise DirectoryError("type a phone number")
    try:
        number = phonenumbers.parse(cleaned, countries[0])
    except phonenumbers.NumberParseException as exc:
        raise DirectoryError(f"{cleaned!r} is not a phone number") from exc
    region = phonenumbers.region_code_for_number(number)
    if region not in countries:
        allowed = ", ".join(countries)
        raise DirectoryError(f"{cleaned!r} is not a number in an allowed country ({allowed})")
    valid = phonenumbers.is_valid_number(number) or phonenumbers.is_valid_short_number(number)
    if not valid:
        raise DirectoryError(f"{cleaned!r} is not a valid number in {region}")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def directory(office_code: str | None = None) -> list[DirectoryEntry]:
    """Return the directory by name, with the given office's own lines first."""
    entries = list(db.session.scalars(select(DirectoryEntry).order_by(DirectoryEntry.name)))
    if office_code:
        entries.sort(key=lambda entry: entry.office_code != office_code)
    return entries


def directory_entry(entry_id: int) -> DirectoryEntry | None:
    """Return one directory entry."""
    return db.session.get(DirectoryEntry, entry_id)


def save_entry(
    name: str,
    number: str,
    countries: Sequence[str],
    *,
    description: str = "",
    office_code: str | None = None,
    source: str = "",
) -> DirectoryEntry:
    """Add an entry to the directory, or change the one of that name."""
    name = name.strip()
    if not name:
        raise DirectoryError("give the entry a name")
    checked = normalise_number(number, countries)
    with db.transaction() as session:
        entry, _created = get_or_create(
            session, DirectoryEntry, {"number": checked, "description": ""}, name=name
        )
        entry.number = checked
        entry.description = description.strip()
        entry.office_code = (office_code or "").strip() or None
        entry.source = source.strip()
    return entry


def remove_entry(name: str) -> bool:
    """Take an entry out of the directory; tell whether there was one."""
    with db.transaction() as session:
        entry = session.scalars(select(DirectoryEntry).where(DirectoryEntry.name == name)).first()
        if entry is None:
            return False
        session.delete(entry)
    return True


def load_directory(session: Session) -> int:
    """Create or update the directory entries shipped in directory.json (demo data)."""
    document = read_data("directory.json")
    count = 0
    for item in document["entries"]:
        entry, _created = get_or_create(
            session, DirectoryEntry, {"number": item["number"]}, name=item["name"]
        )
        entry.number = item["number"]
        entry.description = item.get("description", "")
        entry.office_code = item.get("office_code")
        entry.source = "; ".join(item.get("sources", []))
        count += 1
    return count
