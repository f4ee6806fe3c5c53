"""The office's directory of outside numbers: checked, normalised, and only allowed countries."""

from __future__ import annotations

import pytest
from flask import Flask

from hotline.db import db
from knowledge.directory import (
    DirectoryError,
    directory,
    load_directory,
    normalise_number,
    remove_entry,
    save_entry,
)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("22 578 47 00", "+48225784700"),
        ("+48 601-234-567", "+48601234567"),
        ("116 111", "+48116111"),  # the EU harmonised helpline, a short number
        ("0040 21 234 5678", "+40212345678"),
    ],
)
def test_numbers_are_kept_in_e164(typed: str, expected: str) -> None:
    assert normalise_number(typed, ["PL", "RO"]) == expected


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("", "type a phone number"),
        ("call me", "not a phone number"),
        ("+380 44 123 4567", "not a number in an allowed country (PL)"),
        ("+48 12", "not a valid number in PL"),
    ],
)
def test_a_number_that_cannot_be_used_is_refused_in_words(typed: str, reason: str) -> None:
    with pytest.raises(DirectoryError, match=reason.replace("(", r"\(").replace(")", r"\)")):
        normalise_number(typed, ["PL"])


def test_entries_are_saved_checked_and_the_callers_office_comes_first(app: Flask) -> None:
    with db.transaction() as session:
        assert load_directory(session) == 4
    save_entry("PUP Kraków", "12 688 23 00", ["PL"], office_code="KRK", description="Kraków")
    with pytest.raises(DirectoryError):
        save_entry("Somewhere", "+1 202 555 0100", ["PL"])
    names = [entry.name for entry in directory("KRK")]
    assert names[0] == "PUP Kraków" and len(names) == 5
    assert next(e for e in directory() if e.name == "PUP Kraków").number == "+48126882300"
    save_entry("PUP Kraków", "+48 12 688 23 01", ["PL"], office_code="KRK")
    assert [e.number for e in directory() if e.name == "PUP Kraków"] == ["+48126882301"]
    assert remove_entry("PUP Kraków") and not remove_entry("PUP Kraków")
    assert all(entry.source for entry in directory()), (
        "every shipped number says where it is published"
    )
