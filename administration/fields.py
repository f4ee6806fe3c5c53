"""Reading the text fields of a form or a CSV row into checked values, collecting every reason.

A field that is absent was not sent and is left as it is (missing is not empty); a field sent
empty clears what may be cleared. Limits are the columns' own, so a value is refused alike on
SQLite and PostgreSQL, and so are NUL and other control characters.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime

from hotline.outbound import CONTROL

TRUE_WORDS = {"1", "true", "yes", "tak", "y", "t", "on"}
FALSE_WORDS = {"0", "false", "no", "nie", "n", "f", "off", ""}
DATE_FORMATS = ("%Y-%m-%d", "%d.%m.%Y")


class FieldErrors(ValueError):
    """Values that cannot be saved, with every reason."""

    def __init__(self, reasons: list[str]) -> None:
        super().__init__("; ".join(reasons))
        self.reasons = reasons


class Fields:
    """The fields given (a form's or a row's), read one by one into checked values."""

    def __init__(self, given: Mapping[str, str]) -> None:
        self.given = {key.strip().lower(): value for key, value in given.items() if key}
        self.reasons: list[str] = []

    def has(self, name: str) -> bool:
        """Tell whether a field was given at all."""
        return name in self.given

    def text(self, name: str, limit: int, required: bool = False) -> str:
        """Return a field's stripped text, noting it missing, too long or with control keys."""
        value = str(self.given.get(name) or "").strip()
        if required and not value:
            self.reasons.append(f"{name.replace('_', ' ')} is missing")
        if len(value) > limit:
            self.reasons.append(f"{name.replace('_', ' ')} is longer than {limit} characters")
        if CONTROL.search(value):
            self.reasons.append(f"{name.replace('_', ' ')} holds control characters")
        return value

    def words(self, name: str, allowed: tuple[str, ...] | None = None) -> list[str]:
        """Return a list given as "pl, en" (commas, semicolons or spaces), checked if told."""
        raw = self.text(name, 500)
        items = [item.lower() for item in re.split(r"[,;\s]+", raw) if item]
        if allowed is not None:
            unknown = [item for item in items if item not in allowed]
            if unknown:
                self.reasons.append(
                    f"{name.replace('_', ' ')}: unknown {', '.join(unknown)} "
                    f"(known: {', '.join(allowed)})"
                )
                items = [item for item in items if item in allowed]
        return list(dict.fromkeys(items))

    def flag(self, name: str) -> bool:
        """Return a yes/no field (yes/no, tak/nie, true/false, 1/0, a ticked box)."""
        raw = self.text(name, 10).lower()
        if raw in TRUE_WORDS:
            return True
        if raw not in FALSE_WORDS:
            self.reasons.append(f"{name.replace('_', ' ')} must be yes or no, not {raw!r}")
        return False

    def day(self, name: str) -> date | None:
        """Return a date written as YYYY-MM-DD or DD.MM.YYYY, or None when empty."""
        raw = self.text(name, 20)
        if not raw:
            return None
        for pattern in DATE_FORMATS:
            try:
                return datetime.strptime(raw, pattern).date()
            except ValueError:
                continue
        self.reasons.append(f"{name.replace('_', ' ')} is not a date: {raw!r} (use YYYY-MM-DD)")
        return None

    def check(self) -> None:
        """Raise FieldErrors if any field was wrong."""
        if self.reasons:
            raise FieldErrors(self.reasons)
