"""The audit trail as a hash chain: verify finds the first broken link, erasure keeps it whole."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from sqlalchemy import select, text

from centre.cli import main
from customers.audit import ERASED, audit, erase_values, verify_chain
from customers.models import AuditEntry
from hotline.db import db
from tests.conftest import AUTH_TOKEN


@pytest.fixture
def environment(settings, phone_network) -> dict[str, str]:
    return {
        "DATABASE_URL": settings.database_url,
        "REDIS_URL": settings.redis_url or "",
        "TWILIO_API_URL": phone_network.url,
        "TWILIO_ACCOUNT_SID": phone_network.config.account_sid,
        "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
    }


def five_entries() -> list[int]:
    ids = []
    for number in range(5):
        with db.transaction():
            ids.append(audit(None, None, "record.view", {"grounds": "own", "n": number}).id)
    return ids


def tamper(statement: str, **values: object) -> None:
    """Change the table behind the application's back, as its owner could (on PostgreSQL,
    by switching the trigger off first: only a role that does not own the table is held by
    it for good)."""
    postgresql = db.session.get_bind().dialect.name == "postgresql"
    if postgresql:
        db.session.execute(text("ALTER TABLE audit_entries DISABLE TRIGGER USER"))
    db.session.execute(text(statement), values)
    if postgresql:
        db.session.execute(text("ALTER TABLE audit_entries ENABLE TRIGGER USER"))
    db.session.commit()
    db.session.expire_all()


def test_an_untouched_chain_verifies_and_each_entry_follows_the_one_before(app):
    ids = five_entries()
    report = verify_chain()
    assert report.intact and report.checked == 5 and report.first_id == ids[0]
    chain = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
    assert chain[0].prev_hash == ""
    links = zip(chain, chain[1:], strict=False)
    assert all(later.prev_hash == earlier.entry_hash for earlier, later in links)


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ("UPDATE audit_entries SET action = 'record.edit' WHERE id = :id", "contents"),
        ("UPDATE audit_entries SET changes = '{\"grounds\": \"call\", \"n\": 2}' WHERE id = :id",
         "values"),
        ("UPDATE audit_entries SET address = '10.0.0.1' WHERE id = :id", "contents"),
        ("UPDATE audit_entries SET reason = 'x' WHERE id = :id", "values"),
        ("DELETE FROM audit_entries WHERE id = :id", "does not follow"),
    ],
)  # fmt: skip
def test_verify_names_the_first_broken_link(app, change, problem):
    ids = five_entries()
    tamper(change, id=ids[2])
    report = verify_chain()
    assert not report.intact
    assert report.broken_at == (ids[3] if change.startswith("DELETE") else ids[2])
    assert problem in report.problem and report.checked == 2


def test_removing_the_first_entries_is_found_too(app):
    ids = five_entries()
    tamper("DELETE FROM audit_entries WHERE id = :id", id=ids[0])
    report = verify_chain()
    assert report.broken_at == ids[1] and "first entries were removed" in report.problem


def test_hotline_audit_verify_reports_the_break_and_fails(app, environment):
    ids = five_entries()
    runner = CliRunner()
    whole = runner.invoke(main, ["audit", "verify"], env=environment)
    assert whole.exit_code == 0 and "5 entries checked" in whole.output
    tamper("UPDATE audit_entries SET customer_id = NULL, action = 'login' WHERE id = :id",
           id=ids[1])  # fmt: skip
    broken = runner.invoke(main, ["audit", "verify"], env=environment)
    assert broken.exit_code == 1
    assert f"broken at entry {ids[1]}" in broken.output and "1 entries before it" in broken.output


def test_erasing_the_values_keeps_the_chain_whole_but_forging_them_does_not(app):
    ids = five_entries()
    with db.transaction():
        why = audit(None, None, "record.break_glass", {"n": 5}, reason="Jan Kowal rang us")
    with db.transaction() as session:
        erase_values(session.get(AuditEntry, ids[1]))
        erase_values(session.get(AuditEntry, why.id))
    erased = db.session.get(AuditEntry, ids[1])
    assert erased.changes == {"grounds": ERASED, "n": ERASED} and erased.values_salt is None
    assert db.session.get(AuditEntry, why.id).reason == ERASED
    assert verify_chain().intact
    tamper('UPDATE audit_entries SET changes = \'{"grounds": "forged"}\' WHERE id = :id', id=ids[1])
    report = verify_chain()
    assert report.broken_at == ids[1] and "after they were erased" in report.problem


def test_postgresql_refuses_to_change_or_delete_an_entry_but_lets_erasure_through(app):
    if db.session.get_bind().dialect.name != "postgresql":
        pytest.skip("the trigger is PostgreSQL's; SQLite relies on verify")
    ids = five_entries()
    for statement in (
        "UPDATE audit_entries SET action = 'x' WHERE id = :id",
        "DELETE FROM audit_entries WHERE id = :id",
    ):
        with pytest.raises(Exception, match="append-only"):
            db.session.execute(text(statement), {"id": ids[0]})
        db.session.rollback()
    with db.transaction() as session:
        erase_values(session.get(AuditEntry, ids[0]))
    assert verify_chain().intact
