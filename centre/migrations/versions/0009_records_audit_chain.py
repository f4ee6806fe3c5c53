"""Records: a folded name to search by, break-glass openings, and the audit trail as a hash chain

Revision ID: 0009_records_audit_chain
Revises: 0008_retention
"""

from __future__ import annotations

import secrets
from types import SimpleNamespace

import sqlalchemy as sa
from alembic import op

from customers.audit import link_hash, values_hash
from customers.names import search_name
from hotline.db import UtcDateTime

revision = "0009_records_audit_chain"
down_revision = "0008_retention"
branch_labels = None
depends_on = None

# PostgreSQL refuses any change to the trail but an erasure's (values and reason blanked, salt
# dropped, nothing else touched), and any deletion but the retention purge's (SET LOCAL
# hotline.audit_purge = 'on'). TRUNCATE is refused outright.
GUARD = """
CREATE OR REPLACE FUNCTION audit_entries_append_only() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    IF coalesce(current_setting('hotline.audit_purge', true), '') = 'on' THEN
      RETURN OLD;
    END IF;
    RAISE EXCEPTION 'the audit trail is append-only: DELETE refused';
  END IF;
  IF TG_OP = 'UPDATE' AND OLD.values_salt IS NOT NULL AND NEW.values_salt IS NULL
     AND (NEW.id, NEW.at, NEW.consultant_id, NEW.customer_id, NEW.action,
          NEW.address, NEW.values_hash, NEW.prev_hash, NEW.entry_hash)
         IS NOT DISTINCT FROM
         (OLD.id, OLD.at, OLD.consultant_id, OLD.customer_id, OLD.action,
          OLD.address, OLD.values_hash, OLD.prev_hash, OLD.entry_hash) THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'the audit trail is append-only: % refused', TG_OP;
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_entries_append_only BEFORE UPDATE OR DELETE ON audit_entries
  FOR EACH ROW EXECUTE FUNCTION audit_entries_append_only();
CREATE TRIGGER audit_entries_no_truncate BEFORE TRUNCATE ON audit_entries
  FOR EACH STATEMENT EXECUTE FUNCTION audit_entries_append_only();
"""


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("customers") as batch_op:
        batch_op.add_column(
            sa.Column("search_name", sa.String(length=161), nullable=False, server_default="")
        )
        batch_op.create_index(batch_op.f("ix_customers_search_name"), ["search_name"])
    with op.batch_alter_table("audit_entries") as batch_op:
        batch_op.add_column(sa.Column("reason", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("address", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("values_salt", sa.String(length=32), nullable=True))
        for name in ("values_hash", "prev_hash", "entry_hash"):
            batch_op.add_column(
                sa.Column(name, sa.String(length=64), nullable=False, server_default="")
            )
        batch_op.create_index(batch_op.f("ix_audit_entries_consultant_id"), ["consultant_id"])
        batch_op.create_index(batch_op.f("ix_audit_entries_action"), ["action"])
    op.create_table(
        "break_glass",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("consultant_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["consultant_id"],
            ["consultants.id"],
            name=op.f("fk_break_glass_consultant_id_consultants"),
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_break_glass_customer_id_customers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_break_glass")),
    )
    with op.batch_alter_table("break_glass") as batch_op:
        batch_op.create_index(batch_op.f("ix_break_glass_at"), ["at"])
        batch_op.create_index(batch_op.f("ix_break_glass_consultant_id"), ["consultant_id"])
        batch_op.create_index(batch_op.f("ix_break_glass_customer_id"), ["customer_id"])
    fill_in()
    if op.get_bind().dialect.name == "postgresql":
        op.execute(GUARD)


CUSTOMERS = sa.table(
    "customers",
    sa.column("id", sa.Integer()),
    sa.column("first_name", sa.String()),
    sa.column("last_name", sa.String()),
    sa.column("search_name", sa.String()),
)
ENTRIES = sa.table(
    "audit_entries",
    sa.column("id", sa.Integer()),
    sa.column("at", UtcDateTime()),
    sa.column("consultant_id", sa.Integer()),
    sa.column("customer_id", sa.Integer()),
    sa.column("action", sa.String()),
    sa.column("changes", sa.JSON()),
    sa.column("reason", sa.Text()),
    sa.column("address", sa.String()),
    sa.column("values_salt", sa.String()),
    sa.column("values_hash", sa.String()),
    sa.column("prev_hash", sa.String()),
    sa.column("entry_hash", sa.String()),
)


def fill_in() -> None:
    """Fold the names of the customers there are, and chain the entries there are, in order."""
    connection = op.get_bind()
    for row in connection.execute(sa.select(CUSTOMERS)).all():
        connection.execute(
            CUSTOMERS.update()
            .where(CUSTOMERS.c.id == row.id)
            .values(search_name=search_name(row.first_name, row.last_name))
        )
    previous = ""
    for row in connection.execute(sa.select(ENTRIES).order_by(ENTRIES.c.id)).all():
        salt = secrets.token_hex(16)
        entry = SimpleNamespace(**row._asdict())
        entry.values_salt = salt
        entry.values_hash = values_hash(salt, row.changes or {}, row.reason)
        entry.prev_hash = previous
        entry.entry_hash = link_hash(entry)  # type: ignore[arg-type]
        connection.execute(
            ENTRIES.update()
            .where(ENTRIES.c.id == row.id)
            .values(
                values_salt=salt,
                values_hash=entry.values_hash,
                prev_hash=previous,
                entry_hash=entry.entry_hash,
            )
        )
        previous = entry.entry_hash


def downgrade() -> None:
    """Revert this revision."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_entries_no_truncate ON audit_entries")
        op.execute("DROP TRIGGER IF EXISTS audit_entries_append_only ON audit_entries")
        op.execute("DROP FUNCTION IF EXISTS audit_entries_append_only()")
    op.drop_table("break_glass")
    with op.batch_alter_table("audit_entries") as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_entries_action"))
        batch_op.drop_index(batch_op.f("ix_audit_entries_consultant_id"))
        for name in ("entry_hash", "prev_hash", "values_hash", "values_salt", "address", "reason"):
            batch_op.drop_column(name)
    op.drop_index(op.f("ix_customers_search_name"), table_name="customers")
    # Not a batch (which rebuilds the table): other tables' foreign keys point at customers.
    op.execute("ALTER TABLE customers DROP COLUMN search_name")
