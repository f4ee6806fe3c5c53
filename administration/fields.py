"""Reading the text fields of a form or a CSV row into checked values, collecting every reason.

A field that is absent was not sent and is left as it is (missing is not empty); a field sent
empty clears what may be cleared. Limits are the columns' own, so a value is refused alike on
SQLite and PostgreSQL, and so are NUL and other control characters.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime

from flask_babel import LazyString
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from hotline.outbound import CONTROL

TRUE_WORDS = {"1", "true", "yes", "tak", "y", "t", "on"}
FALSE_WORDS = {"0", "false", "no", "nie", "n", "f", "off", ""}
DATE_FORMATS = ("%Y-%m-%d", "%d.%m.%Y")
# The fields of the forms and the columns of the CSV files (and the attributes they set), as
# the reasons and the "Saved" message name them.
FIELD_NAMES: dict[str, LazyString] = {
    "login": _l("login"),
    "name": _l("name"),
    "office": _l("office"),
    "office_code": _l("office"),
    "languages": _l("languages"),
    "topics": _l("topics"),
    "phone": _l("phone"),
    "roles": _l("roles"),
    "active": _l("active"),
    "pesel": _l("PESEL"),
    "first_name": _l("first name"),
    "last_name": _l("last name"),
    "language": _l("language"),
    "preferred_language": _l("language"),
    "registration_status": _l("registration status"),
    "registered_on": _l("registered on"),
    "deregistered_on": _l("deregistered on"),
    "advisor": _l("advisor"),
    "advisor_id": _l("advisor"),
    "address": _l("address"),
    "vulnerable": _l("vulnerable"),
    "safeguarding": _l("safeguarding concern"),
}


def field_name(name: str) -> str:
    """Return a field's name as the reader calls it (an unknown one as words)."""
    known = FIELD_NAMES.get(name)
    return str(known) if known is not None else name.replace("_", " ")


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
            self.reasons.append(_("%(field)s is missing", field=field_name(name)))
        if len(value) > limit:
            self.reasons.append(
                _(
                    "%(field)s is longer than %(limit)s characters",
                    field=field_name(name),
                    limit=limit,
                )
            )
        if CONTROL.search(value):
            self.reasons.append(_("%(field)s holds control characters", field=field_name(name)))
        return value

    def key(self, name: str, limit: int) -> str:
        """Return a field that names another record (a login, an office code) to look up, or
        "" when the value was refused: nothing is looked up with it."""
        before = len(self.reasons)
        value = self.text(name, limit)
        return value if len(self.reasons) == before else ""

    def words(self, name: str, allowed: tuple[str, ...] | None = None) -> list[str]:
        """Return a list given as "pl, en" (commas, semicolons or spaces), checked if told."""
        raw = self.text(name, 500)
        items = [item.lower() for item in re.split(r"[,;\s]+", raw) if item]
        if allowed is not None:
            unknown = [item for item in items if item not in allowed]
            if unknown:
                self.reasons.append(
                    _(
                        "%(field)s: unknown %(unknown)s (known: %(known)s)",
                        field=field_name(name),
                        unknown=", ".join(unknown),
                        known=", ".join(allowed),
                    )  # fmt: skip
                )
                items = [item for item in items if item in allowed]
        return list(dict.fromkeys(items))

    def flag(self, name: str) -> bool:
        """Return a yes/no field (yes/no, tak/nie, true/false, 1/0, a ticked box)."""
        raw = self.text(name, 10).lower()
        if raw in TRUE_WORDS:
            return True
        if raw not in FALSE_WORDS:
            self.reasons.append(
                _("%(field)s must be yes or no, not '%(value)s'", field=field_name(name), value=raw)
            )
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
        self.reasons.append(
            _(
                "%(field)s is not a date: '%(value)s' (use YYYY-MM-DD)",
                field=field_name(name),
                value=raw,
            )
        )
        return None

    def check(self) -> None:
        """Raise FieldErrors if any field was wrong."""
        if self.reasons:
            raise FieldErrors(self.reasons)
