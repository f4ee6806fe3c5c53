"""The one way to write: transactions that nest, and a get-or-create that survives a race."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy import event, func, insert, select

from consultants.models import Consultant
from hotline.db import db, get_or_create

PERSON = {"name": "Ewa Zielińska", "password_hash": "x"}


def count(login: str) -> int:
    """Count consultants with this login, in a fresh session."""
    db.session.remove()
    return int(db.session.scalar(select(func.count()).where(Consultant.login == login)) or 0)


def test_get_or_create_creates_once_then_finds(app: Flask) -> None:
    with db.transaction() as session:
        first, created = get_or_create(session, Consultant, PERSON, login="ewa")
    with db.transaction() as session:
        again, created_again = get_or_create(session, Consultant, PERSON, login="ewa")
    assert (created, created_again) == (True, False)
    assert again.id == first.id
    assert count("ewa") == 1


def test_get_or_create_that_loses_a_race_returns_the_winners_row_and_its_transaction_goes_on(
    app: Flask,
) -> None:
    assert db.engine is not None
    raced: list[bool] = []

    def create_behind_its_back(conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        # Right after the lookup found nothing, another process creates the same consultant.
        if (
            not raced
            and statement.lstrip().upper().startswith("SELECT")
            and "consultants" in statement
        ):
            raced.append(True)
            with db.engine.begin() as other:  # type: ignore[union-attr]
                other.execute(
                    insert(Consultant).values(login="ewa", **PERSON, languages=[], topics=[])
                )

    event.listen(db.engine, "after_cursor_execute", create_behind_its_back)
    try:
        with db.transaction() as session:
            found, created = get_or_create(session, Consultant, PERSON, login="ewa")
            session.add(Consultant(login="own-work", **PERSON))
    finally:
        event.remove(db.engine, "after_cursor_execute", create_behind_its_back)
    assert raced
    assert created is False
    assert found.login == "ewa"
    assert count("ewa") == 1
    assert count("own-work") == 1


def test_a_nested_transaction_commits_only_with_the_outermost(app: Flask) -> None:
    with pytest.raises(RuntimeError), db.transaction() as outer:
        with db.transaction() as inner:
            assert inner is outer
            inner.add(Consultant(login="nested", **PERSON))
        raise RuntimeError("the outer work fails after the inner block ended")
    assert count("nested") == 0
    with db.transaction(), db.transaction() as inner:
        inner.add(Consultant(login="nested", **PERSON))
    assert count("nested") == 1
