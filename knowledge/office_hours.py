"""Reading an office's opening hours as offices publish them ("pon.–pt. 7:30–15:30").

Offices write their hours in Polish abbreviations. The IVR speaks them in the caller's
language, so they are read here into days and times once, and a text that cannot be read
is left as written.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import time

# The ways a Polish (or an English, as in HOTLINE_CONSULTANT_HOURS) day is written.
DAY_NAMES: tuple[tuple[str, ...], ...] = (
    ("pon", "pn", "pnd", "poniedzialek", "poniedzialku", "mon", "monday"),
    ("wt", "wto", "wtorek", "wtorku", "tue", "tuesday"),
    ("sr", "sro", "sroda", "srody", "srode", "wed", "wednesday"),
    ("czw", "cz", "czwartek", "czwartku", "thu", "thursday"),
    ("pt", "pia", "piat", "piatek", "piatku", "fri", "friday"),
    ("sob", "so", "sb", "sobota", "soboty", "sobote", "sat", "saturday"),
    ("nd", "ndz", "niedz", "n", "niedziela", "niedzieli", "niedziele", "sun", "sunday"),
)
DAY_INDEX = {name: index for index, names in enumerate(DAY_NAMES) for name in names}
DAY = r"([a-z]+)\.?"
CLOCK = r"(\d{1,2})[:.](\d{2})"
TO = r"\s*(?:-|do|to)\s*"
SPAN = re.compile(
    rf"^(?:od\s+)?{DAY}(?:{TO}{DAY})?\s*:?\s*(?:w\s+godz\w*\.?\s+|godz\.?\s+)?(?:od\s+)?"
    rf"{CLOCK}{TO}{CLOCK}$"
)


@dataclass(frozen=True)
class OpeningSpan:
    """Days of the week (0 is Monday, both ends included) and the hours they share."""

    first_day: int
    last_day: int
    opens: time
    closes: time


def normalise(text: str) -> str:
    """Lower-case, drop accents, and write every dash as a hyphen."""
    folded = text.lower().replace("ł", "l")
    decomposed = unicodedata.normalize("NFKD", folded)
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    bare = re.sub(r"[\u2010-\u2015\u2212]", "-", bare)
    return " ".join(bare.split())


def read_opening_hours(text: str) -> tuple[OpeningSpan, ...] | None:
    """Return the days and hours a published text gives, or None if any part is unclear."""
    spans: list[OpeningSpan] = []
    for part in filter(None, (part.strip() for part in re.split(r"[;,]", normalise(text)))):
        match = SPAN.match(part)
        if match is None:
            return None
        first, last = match[1], match[2] or match[1]
        if first not in DAY_INDEX or last not in DAY_INDEX:
            return None
        numbers = [int(match[group]) for group in range(3, 7)]
        if numbers[0] > 23 or numbers[2] > 24 or numbers[1] > 59 or numbers[3] > 59:
            return None
        opens = time(numbers[0], numbers[1])
        closes = time(0) if numbers[2] == 24 else time(numbers[2], numbers[3])
        spans.append(OpeningSpan(DAY_INDEX[first], DAY_INDEX[last], opens, closes))
    return tuple(spans) or None
