"""Demo data: consultants with logins, customers with their advisors, offices and the FAQ."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from consultants.models import Consultant
from customers.models import Customer
from hotline.access import Role
from hotline.db import get_or_create
from knowledge.directory import load_directory
from knowledge.imports import import_faq, load_demo_content, load_offices, load_regions

DEMO_PASSWORD = "demo1234"
# The demo's callers have Polish and British numbers; a demo centre may text both (a real
# centre's default, HOTLINE_SMS_COUNTRIES, is Poland only).
DEMO_SMS_COUNTRIES = "PL,GB"


@dataclass(frozen=True)
class DemoConsultant:
    """A consultant account for trying the desk."""

    login: str
    name: str
    office: str
    languages: tuple[str, ...]
    roles: tuple[Role, ...]


# Anna leads the Warsaw team: she answers calls, supervises and keeps the offers up to date.
# Mihai answers calls and administers the centre's people, customers and offices.
CONSULTANTS = [
    DemoConsultant(
        "anna", "Anna Nowak", "WAW", ("pl", "en"),
        (Role.CONSULTANT, Role.SUPERVISOR, Role.CONTENT_EDITOR),
    ),
    DemoConsultant("piotr", "Piotr Kowalski", "KRK", ("pl",), (Role.CONSULTANT,)),
    DemoConsultant("olena", "Olena Shevchenko", "WAW", ("pl", "uk"), (Role.CONSULTANT,)),
    DemoConsultant(
        "mihai", "Mihai Ionescu", "BIA", ("pl", "ro", "en"),
        (Role.CONSULTANT, Role.ADMINISTRATOR),
    ),
]  # fmt: skip

# (first, last, birth-date part of PESEL, serial, phone, language, advisor login, office,
#  vulnerable, address)
CUSTOMERS = [
    ("Jan", "Wiśniewski", "850312", "1234", "+48601000001", "pl", "anna", "WAW", False,
     "ul. Targowa 12/4, 03-731 Warszawa"),
    ("Maria", "Zielińska", "920706", "5678", "+48601000002", "pl", "piotr", "KRK", True,
     "os. Centrum A 3/15, 31-923 Kraków"),
    ("Oksana", "Bondarenko", "880215", "2468", "+48601000003", "uk", "olena", "WAW", False,
     "ul. Kondratowicza 20/8, 03-285 Warszawa"),
    ("Ion", "Popescu", "790923", "1357", "+48601000004", "ro", "mihai", "BIA", False,
     "ul. Lipowa 5/2, 15-424 Białystok"),
    ("Emma", "Clarke", "900101", "9753", "+447400123456", "en", "anna", "WAW", False,
     "ul. Marszałkowska 100/1, 00-026 Warszawa"),
]  # fmt: skip


def pesel(birth: str, serial: str) -> str:
    """Complete a PESEL with its check digit."""
    digits = birth + serial
    weights = (1, 3, 7, 9, 1, 3, 7, 9, 1, 3)
    total = sum(int(d) * w for d, w in zip(digits, weights, strict=True))
    return digits + str((10 - total % 10) % 10)


def load_demo(session: Session, content: bool = True) -> dict[str, int]:
    """Create or refresh the demo records; running it again changes nothing new.

    Without content, only regions, offices and FAQ answers are loaded (quick, for tests);
    with it, the demo vacancies and training offers too.
    """
    if content:
        counts = load_demo_content(session)
    else:
        counts = load_regions(session)
        counts["offices"] = load_offices(session)
        counts["faq"] = import_faq(session)
    counts["directory"] = load_directory(session)
    consultants: dict[str, Consultant] = {}
    for person in CONSULTANTS:
        found, _created = get_or_create(
            session,
            Consultant,
            {"password_hash": generate_password_hash(DEMO_PASSWORD), "name": person.name},
            login=person.login,
        )
        found.name = person.name
        found.office_code = person.office
        found.languages = list(person.languages)
        found.topics = []
        found.roles = [role.value for role in person.roles]
        found.active = True
        consultants[person.login] = found
    session.flush()
    for row in CUSTOMERS:
        first, last, birth, serial, phone, language, advisor, office_code, vulnerable, address = row
        number = pesel(birth, serial)
        customer, _created = get_or_create(
            session,
            Customer,
            {"first_name": first, "last_name": last, "phone": phone, "address": address},
            pesel=number,
        )
        customer.preferred_language = language
        customer.advisor_id = consultants[advisor].id
        customer.office_code = office_code
        customer.vulnerable = vulnerable
    session.flush()
    return {**counts, "consultants": len(CONSULTANTS), "customers": len(CUSTOMERS)}
