"""Occupation families: the KZiS / ISCO-08 unit groups that callers' words and offers belong to.

A caller who says "spawacz" wants the MIG, MAG and TIG welding offers alike, and one who says
"magazynier" wants the warehouse offers whatever their exact title. So a caller's words are
matched, fuzzily, against the small set of occupation names in
knowledge/data/occupation_families.json, never against the offers themselves; the offers
carry their family (the first four digits of their occupation code) in an indexed column, and
the database does the rest.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

from knowledge.matching import MIN_SCORE, meaningful_words, occupation_fit, plain

DATA = Path(__file__).parent / "data" / "occupation_families.json"

# Families whose best name scores within this many points of the best family's are asked for
# too: "kierowca" is a car, a bus and a lorry driver alike.
TIE_POINTS = 3.0
# Words that fit more families than this ("pracownik") name no occupation in particular.
MOST_FAMILIES = 4


@dataclass(frozen=True)
class Family:
    """One unit group: its four-digit code, its name, and the occupation names within it."""

    code: str
    name: str
    names: tuple[str, ...]


@dataclass(frozen=True)
class OccupationChoice:
    """The families a caller asked for, and the occupation name that fitted their words best."""

    name: str
    families: tuple[str, ...]
    score: float


@cache
def families() -> dict[str, Family]:
    """Return the families in the data file, by code."""
    with DATA.open(encoding="utf-8") as handle:
        entries = json.load(handle)["families"]
    return {
        entry["code"]: Family(entry["code"], entry["name"], tuple(entry["names"]))
        for entry in entries
    }


@cache
def _names() -> tuple[tuple[str, str, str], ...]:
    """Return (plain name, name, family code) for every name of every family."""
    found: list[tuple[str, str, str]] = []
    for family in families().values():
        for name in (*family.names, family.name):
            found.append((plain(name), name, family.code))
    return tuple(found)


def _best_per_family(query: str, both_ways: bool) -> dict[str, tuple[float, int, str]]:
    """Return each family's best (score, closeness, name) for the query.

    Between names that fit equally, a caller's words are closest to the name of about their
    length ("spawacz" rather than "spawacz ręczny łukowy"); an offer's occupation, when it is
    classified both ways, to the longest, most specific name it contains.
    """
    best: dict[str, tuple[float, int, str]] = {}
    for key, name, code in _names():
        score = occupation_fit(query, key)
        if both_ways:
            score = max(score, occupation_fit(key, query))
        closeness = len(key) if both_ways else -abs(len(key) - len(query))
        rank = (score, closeness, name)
        if rank > best.get(code, (0.0, -1000, "")):
            best[code] = rank
    return best


@lru_cache(maxsize=4096)
def choose(text: str) -> OccupationChoice | None:
    """Return the families a caller's words name, or None for words that name no occupation.

    "spawacz", "spawacza" and "spawacz tig" all choose welders (7212); "kierowca" chooses car,
    bus and lorry drivers; a code ("7212" or "721204") chooses its unit group.
    """
    term = text.strip()
    if term.isdigit() and len(term) in (4, 6):
        family = families().get(term[:4])
        return OccupationChoice(family.name if family else term[:4], (term[:4],), 100.0)
    query = " ".join(meaningful_words(term))
    if not query:
        return None
    best = _best_per_family(query, both_ways=False)
    if not best:
        return None
    top_score, _, top_name = max(best.values())
    if top_score < MIN_SCORE:
        return None
    chosen = sorted(
        (code for code, (score, _, _) in best.items() if score >= top_score - TIE_POINTS),
        key=lambda code: (-best[code][0], code),
    )
    if len(chosen) > MOST_FAMILIES:
        return None
    return OccupationChoice(top_name, tuple(chosen), top_score)


@lru_cache(maxsize=65536)
def family_of(occupation: str, code: str | None = None) -> str | None:
    """Return the family an offer belongs to: its code's unit group, or the best-fitting one.

    An offer coded "721204" is a welder's (7212) whatever its title says. An offer without a
    code goes to the family with a name that fits its occupation best either way round
    ("Spawacz konstrukcji stalowych" has "spawacz" in it), or to none.
    """
    if code and code[:4].isdigit() and len(code) >= 4:
        return code[:4]
    query = " ".join(meaningful_words(occupation))
    if not query:
        return None
    best = _best_per_family(query, both_ways=True)
    if not best:
        return None
    code_found, (score, _, _) = max(best.items(), key=lambda item: item[1])
    return code_found if score >= MIN_SCORE else None
