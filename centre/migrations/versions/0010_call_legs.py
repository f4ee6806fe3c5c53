"""Call control: each leg of a call, one contact per consultant, the outside-number directory

Revision ID: 0010_call_legs
Revises: 0006_advisor_callbacks
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010_call_legs"
down_revision = "0006_advisor_callbacks"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "call_legs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("call_sid", sa.String(length=34), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("consultant_id", sa.Integer(), nullable=True),
        sa.Column("party_number", sa.String(length=32), nullable=True),
        sa.Column("party_name", sa.String(length=120), nullable=True),
        sa.Column("transferred_by", sa.Integer(), nullable=True),
        sa.Column("handed_to", sa.String(length=120), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("talk_seconds", sa.Float(), nullable=True),
        sa.Column("hold_seconds", sa.Float(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_call_legs")),
        sa.UniqueConstraint("call_sid", "position", name=op.f("uq_call_legs_call_sid")),
    )
    with op.batch_alter_table("call_legs") as batch_op:
        batch_op.create_index(batch_op.f("ix_call_legs_call_sid"), ["call_sid"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_call_legs_consultant_id"), ["consultant_id"], unique=False
        )
    with op.batch_alter_table("call_records") as batch_op:
        batch_op.add_column(sa.Column("hold_seconds", sa.Float(), nullable=True))
        batch_op.add_column(
            sa.Column("transfers", sa.Integer(), nullable=False, server_default="0")
        )
    with op.batch_alter_table("contacts") as batch_op:
        batch_op.drop_constraint("uq_contacts_call_sid", type_="unique")
        batch_op.create_unique_constraint(
            batch_op.f("uq_contacts_call_sid"), ["call_sid", "consultant_id"]
        )
        batch_op.create_index(batch_op.f("ix_contacts_call_sid"), ["call_sid"], unique=False)
        batch_op.add_column(sa.Column("transferred_by_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_contacts_transferred_by_id_consultants"),
            "consultants",
            ["transferred_by_id"],
            ["id"],
        )
    op.create_table(
        "directory_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("number", sa.String(length=32), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("office_code", sa.String(length=32), nullable=True),
        sa.Column("source", sa.String(length=255), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_directory_entries")),
        sa.UniqueConstraint("name", name=op.f("uq_directory_entries_name")),
    )


def downgrade() -> None:
    """Revert this revision."""
    op.drop_table("directory_entries")
    with op.batch_alter_table("contacts") as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_contacts_transferred_by_id_consultants"), type_="foreignkey"
        )
        batch_op.drop_column("transferred_by_id")
        batch_op.drop_index(batch_op.f("ix_contacts_call_sid"))
        batch_op.drop_constraint(batch_op.f("uq_contacts_call_sid"), type_="unique")
        batch_op.create_unique_constraint("uq_contacts_call_sid", ["call_sid"])
    with op.batch_alter_table("call_records") as batch_op:
        batch_op.drop_column("transfers")
        batch_op.drop_column("hold_seconds")
    with op.batch_alter_table("call_legs") as batch_op:
        batch_op.drop_index(batch_op.f("ix_call_legs_consultant_id"))
        batch_op.drop_index(batch_op.f("ix_call_legs_call_sid"))
    op.drop_table("call_legs")
