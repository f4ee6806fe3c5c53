"""Names folded for search: lower case and without diacritics, the same on every database."""

from __future__ import annotations

import unicodedata

# Letters that Unicode does not decompose into a base letter and a mark.
PLAIN_LETTERS = str.maketrans(
    {"ł": "l", "đ": "d", "ø": "o", "ħ": "h", "ı": "i", "ß": "ss", "æ": "ae", "œ": "oe"}
)


def fold(text: str) -> str:
    """Return text as search compares it: lower case, no diacritics, single spaces."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(bare.translate(PLAIN_LETTERS).split())


def search_name(first_name: str | None, last_name: str | None) -> str:
    """Return the folded name a customer is found by."""
    return fold(f"{first_name or ''} {last_name or ''}")
