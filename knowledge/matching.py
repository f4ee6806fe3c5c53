"""Matching what a caller said, or a feed wrote, to names we know.

Speech recognition hands us lower-case, accent-less, sometimes misspelt text with filler
words around the name ("mieszkam w bialymstoku"). Every name is reduced to the same plain
form before comparing, and the caller's words are tried in short windows, so the name can
be found inside a sentence.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Generic, TypeVar

from rapidfuzz import fuzz

T = TypeVar("T")

# Letters that Unicode does not decompose into a base letter plus an accent.
_PLAIN_LETTERS = str.maketrans({"ł": "l", "Ł": "L", "ß": "ss", "ı": "i", "ø": "o", "đ": "d"})

# Words that surround a place name in speech and carry no meaning for the match.
_FILLER_TEXT = """
    w we z ze do na od ku i o u a the in of at from near to my is i'm im am live living
    mieszkam jestem mieszkamy miasto miasta miejscowość wieś gmina gminie powiat powiatu
    powiecie województwo województwa województwie woj region regionie okolice okolicach
    pod blisko city town voivodeship province county district
    в у з із до на я живу місто міста область воєводство район
    la din județul orașul locuiesc sunt voievodatul voievodat regiunea
    proszę please dziękuję thanks hmm eee yyy no tak
    praca pracy pracę jako szukam zawód job jobs work as looking for робота роботу роботи
    працювати шукаю lucru muncă caut ca post
"""

MIN_SCORE = 82.0
SHORT_NAME_SCORE = 92.0


def plain(text: str) -> str:
    """Return text lower-cased, without accents, with hyphens and punctuation as spaces."""
    text = text.translate(_PLAIN_LETTERS)
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    stripped = stripped.lower().translate(_PLAIN_LETTERS)
    stripped = re.sub(r"[^\w\s']", " ", stripped)
    return " ".join(stripped.replace("_", " ").split())


FILLER_WORDS = frozenset(plain(word) for word in _FILLER_TEXT.split())


def ascii_name(name: str) -> str:
    """Return a name without Polish letters, keeping its capitals ("Łódź" -> "Lodz")."""
    text = name.translate(_PLAIN_LETTERS)
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def meaningful_words(text: str) -> list[str]:
    """Return the plain words of text that are not filler."""
    return [word for word in plain(text).split() if word not in FILLER_WORDS]


def windows(words: list[str], longest: int = 4) -> Iterable[str]:
    """Yield every run of 1 to longest consecutive words, longest runs first."""
    for size in range(min(longest, len(words)), 0, -1):
        for start in range(len(words) - size + 1):
            yield " ".join(words[start : start + size])


@dataclass(frozen=True)
class Candidate(Generic[T]):
    """A name (already plain) that stands for a value."""

    key: str
    value: T


@dataclass(frozen=True)
class Match(Generic[T]):
    """The best candidate for a text, with its score (0-100)."""

    value: T
    key: str
    score: float


def candidates(value: T, names: Iterable[str]) -> list[Candidate[T]]:
    """Return one candidate per distinct plain form of names."""
    keys = {plain(name) for name in names if name and plain(name)}
    return [Candidate(key, value) for key in sorted(keys)]


def best_match(
    text: str, pool: list[Candidate[T]], min_score: float = MIN_SCORE
) -> Match[T] | None:
    """Return the candidate closest to some run of words in text, or None below min_score.

    Longer runs win ties, so "kujawsko pomorskie" beats "pomorskie" inside it. Short names
    need a closer match, because two short words are similar by chance.
    """
    words = meaningful_words(text)
    if not words or not pool:
        return None
    best: tuple[float, int, Match[T]] | None = None
    for window in windows(words):
        if len(window) < 3:
            continue
        for candidate in pool:
            score = fuzz.ratio(window, candidate.key)
            needed = SHORT_NAME_SCORE if len(candidate.key) <= 5 else min_score
            if score < needed:
                continue
            rank = (score, len(window))
            if best is None or rank > best[:2]:
                best = (score, len(window), Match(candidate.value, candidate.key, score))
    return best[2] if best else None


def occupation_score(text: str, occupation: str) -> float:
    """Score how well a spoken job name fits an occupation, 0 to 100.

    Every word the caller said must be found in the occupation's name, so "spawacz" fits
    "Spawacz metodą MAG" and "kierowca C E" fits "Kierowca kat. C+E", while "Kierowca kat.
    C+E" does not fit "Kierowca kat. B - kurier". Short words ("mag", "c") must be exact;
    longer ones may be misspelt or carry another Polish ending. A name said almost exactly
    as written also fits.
    """
    return occupation_fit(" ".join(meaningful_words(text)), plain(occupation))


def occupation_fit(query: str, target: str) -> float:
    """Score a caller's words against an occupation's name, both already plain, 0 to 100."""
    if not query or not target:
        return 0.0
    if query == target:
        return 100.0
    target_words = target.split()
    covered = min(max(word_score(word, other) for other in target_words) for word in query.split())
    whole = fuzz.ratio(query, target)
    return max(covered, whole if whole >= 90 else 0.0)


def word_score(said: str, written: str) -> float:
    """Score one spoken word against one word of a name."""
    if said == written:
        return 100.0
    if len(said) < 4 or len(written) < 4:
        return 0.0
    score = fuzz.ratio(said, written)
    return max(score, 90.0) if shares_stem(said, written) else score


def shares_stem(first: str, second: str) -> bool:
    """Return whether two words differ only in a short Polish ending ("kucharz", "kucharka").

    The common start must cover more than 80% of the shorter word, so "kierowca" and
    "kierownik" stay apart.
    """
    shorter = min(len(first), len(second))
    common = 0
    while common < shorter and first[common] == second[common]:
        common += 1
    return common >= 6 and common / shorter > 0.8
