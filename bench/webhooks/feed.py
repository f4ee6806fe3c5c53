"""A national-sized feed for the vacancy benchmark: offers and customers, inserted in bulk.

The offers look like a CBOP export: every voivodeship, the towns of the gazetteer, occupations
from the KZiS families (most coded, a tenth named only, so that the importer's classification
by name is exercised too), a few common occupations far more frequent than the rest, about one
in ten already expired. The customers are a register of a million jobseekers, of whom the
callers are a handful. Both go in with the driver's bulk paths: COPY on PostgreSQL, one
executemany per chunk on SQLite.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError

from knowledge.models import ranking_pay
from knowledge.occupations import families, family_of

VACANCY_COLUMNS = (
    "source", "external_id", "title", "occupation", "occupation_code", "occupation_family",
    "employer", "city", "county", "region_code", "office_code", "wage_min", "wage_max", "pay",
    "contract_type", "working_time", "posted_on", "expires_on", "description", "sms_summary",
    "last_imported_at",
)  # fmt: skip
CUSTOMER_COLUMNS = (
    "pesel", "first_name", "last_name", "phone", "preferred_language", "office_code",
    "address", "vulnerable", "action_plan_notes",
)  # fmt: skip
FIRST_NAMES = ["Anna", "Piotr", "Maria", "Krzysztof", "Olena", "Andrij", "Ion", "Elena", "Jan"]
LAST_NAMES = ["Nowak", "Kowalska", "Wiśniewski", "Bondarenko", "Popescu", "Zając", "Lewandowska"]
TITLE_TAILS = ["", " – praca od zaraz", " – umowa o pracę", " (zmiana dzienna)", " – pełny etat"]
CONTRACTS = ["umowa o pracę", "umowa zlecenie", "umowa na okres próbny"]
CHUNK = 20_000


def _towns(engine: Engine) -> list[tuple[str, str, str]]:
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT name, county, region_code FROM places"))
        return [(name, county, region) for name, county, region in rows]


def vacancy_rows(
    count: int, towns: Sequence[tuple[str, str, str]], seed: int = 14
) -> Iterator[tuple[Any, ...]]:
    """Yield count offers as rows in VACANCY_COLUMNS order, the same for the same seed."""
    rng = random.Random(seed)
    groups = list(families().values())
    # A few occupations fill most offers in a real feed (Zipf-like weights).
    weights = [1.0 / (rank + 1) for rank in range(len(groups))]
    rng.shuffle(weights)
    today = date.today()
    now = datetime.now(UTC)
    for number in range(count):
        group = rng.choices(groups, weights)[0]
        occupation = rng.choice(group.names)
        occupation = occupation[:1].upper() + occupation[1:]
        coded = rng.random() < 0.9
        code = group.code + f"{rng.randrange(1, 90):02d}" if coded else None
        city, county, region = rng.choice(towns)
        low = rng.randrange(4806, 9000, 50)
        high = low + rng.randrange(0, 2500, 50) if rng.random() < 0.8 else None
        posted = today - timedelta(days=rng.randrange(0, 60))
        expires = today + timedelta(days=rng.randrange(-20, 90))
        yield (
            "bench", f"BENCH-{number:07d}", occupation + rng.choice(TITLE_TAILS), occupation,
            code, family_of(occupation, code), f"Firma {number % 5000} sp. z o.o.", city, county,
            region, None, low, high, ranking_pay(low, high), rng.choice(CONTRACTS), "pełny etat",
            posted, expires, f"{occupation}, {city}. Oferta testowa.", f"{occupation}, {city}",
            now,
        )  # fmt: skip


def customer_rows(count: int, seed: int = 19524) -> Iterator[tuple[Any, ...]]:
    """Yield count jobseekers in CUSTOMER_COLUMNS order, each PESEL and number distinct."""
    rng = random.Random(seed)
    first_day = date(1955, 1, 1)
    for number in range(count):
        born = first_day + timedelta(days=number % 18_000)
        serial = number // 18_000
        digits = f"{born:%y%m%d}{serial:04d}"
        weights = (1, 3, 7, 9, 1, 3, 7, 9, 1, 3)
        check = (10 - sum(int(d) * w for d, w in zip(digits, weights, strict=True)) % 10) % 10
        yield (
            digits + str(check), rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES),
            f"+4870{number:07d}", rng.choice("plplplukro"), None, None, False, "",
        )  # fmt: skip


def insert_rows(
    engine: Engine, table: str, columns: Sequence[str], rows: Iterator[tuple[Any, ...]]
) -> int:
    """Insert rows in bulk with the driver's fastest path; return how many went in."""
    raw = engine.raw_connection()
    inserted = 0
    try:
        cursor = raw.cursor()
        names = ", ".join(columns)
        if engine.dialect.name == "postgresql":
            with cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:  # type: ignore[attr-defined]
                for row in rows:
                    copy.write_row(row)
                    inserted += 1
        else:
            marks = ", ".join("?" for _ in columns)
            chunk: list[tuple[Any, ...]] = []
            for row in rows:
                chunk.append(row)
                if len(chunk) == CHUNK:
                    cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", chunk)
                    inserted += len(chunk)
                    chunk = []
            if chunk:
                cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", chunk)
                inserted += len(chunk)
        raw.commit()
    finally:
        raw.close()
    return inserted


def fill(engine: Engine, vacancies: int, customers: int) -> dict[str, int]:
    """Replace the offers with a generated feed of vacancies and add customers to the register."""
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM vacancies"))
    towns = _towns(engine)
    counts = {
        "vacancies": insert_rows(
            engine, "vacancies", VACANCY_COLUMNS, vacancy_rows(vacancies, towns)
        ),
        "customers": insert_rows(engine, "customers", CUSTOMER_COLUMNS, customer_rows(customers)),
    }
    # As autovacuum would after an import: fresh statistics, and on PostgreSQL a visibility
    # map, without which counting cannot answer from the index alone.
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        if engine.dialect.name != "postgresql":
            connection.execute(text("ANALYZE"))
            return counts
        connection.execute(text("VACUUM ANALYZE vacancies, customers"))
        # Write the bulk load out now rather than in a checkpoint spread over the minutes
        # measured; that needs the pg_checkpoint role (PostgreSQL 15), else it is skipped.
        try:
            connection.execute(text("CHECKPOINT"))
        except DBAPIError:
            print("(no CHECKPOINT: grant pg_checkpoint to the bench's role for steadier figures)")
    return counts
