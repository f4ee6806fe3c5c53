"""How to apply for the vacancies a caller hears: the offer number, and whom to contact.

An offer whose feed gives a contact is read with it; the others send the caller, offer
number in hand, to the labour office that published them (or their region's office).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Protocol

from ivr.journey import Journey
from ivr.steps import p
from knowledge import service as knowledge


class Vacancy(Protocol):
    """What applying needs of an offer, whichever way the offer list was read."""

    external_id: str
    contact: str | None
    office_code: str | None
    region_code: str


def spoken_reference(reference: str) -> str:
    """Make an offer number easy to say and note down: "KRK/2026/1101" as "K R K, 2026, 1101"."""
    pieces = [piece for piece in re.split(r"[^0-9A-Za-z]+", reference) if piece]
    said = [" ".join(piece) if piece.isalpha() and len(piece) <= 4 else piece for piece in pieces]
    return ", ".join(said) or reference


def offer_reference(journey: Journey, vacancy: Vacancy) -> str:
    """Say an offer's number, and its own contact when the feed gives one."""
    text = p(journey, "vacancy_reference", reference=spoken_reference(vacancy.external_id))
    if vacancy.contact:
        text += " " + p(journey, "vacancy_contact", contact=vacancy.contact)
    return text


def office_of(vacancy: Vacancy) -> knowledge.OfficeCard | None:
    """Return the office a caller applies through for an offer without a contact."""
    return knowledge.office_card(vacancy.office_code) or knowledge.region_office_card(
        vacancy.region_code
    )


def offices_to_apply(journey: Journey, shown: Sequence[tuple[int, Vacancy]]) -> list[str]:
    """Say once per office where to apply for the numbered offers that give no contact."""
    by_office: dict[str, tuple[knowledge.OfficeCard, list[int]]] = {}
    for number, vacancy in shown:
        office = None if vacancy.contact else office_of(vacancy)
        if office is not None:
            by_office.setdefault(office.code, (office, []))[1].append(number)
    needs_numbers = len(by_office) > 1 or any(v.contact for _, v in shown)
    said = []
    for office, numbers in by_office.values():
        phone = " " + p(journey, "office_phone", phone=office.phone) if office.phone else ""
        if needs_numbers:
            listed = ", ".join(str(number) for number in numbers)
            text = p(
                journey,
                "vacancy_apply_office_for",
                numbers=listed,
                office=office.name,
                address=office.address,
            )
        else:
            text = p(journey, "vacancy_apply_office", office=office.name, address=office.address)
        said.append(text + phone)
    return said
