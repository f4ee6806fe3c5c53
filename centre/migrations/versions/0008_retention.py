"""Retention: the caller's language on recordings, legal holds and the purge's reports

Revision ID: 0008_retention
Revises: 0005_voicemail_handled
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_retention"
down_revision = "0005_voicemail_handled"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("recordings") as batch_op:
        batch_op.add_column(sa.Column("language", sa.String(length=8), nullable=True))
    op.create_table(
        "legal_holds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("placed_by", sa.Integer(), nullable=True),
        sa.Column("placed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("released_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("released_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_legal_holds_customer_id_customers")
        ),
        sa.ForeignKeyConstraint(
            ["placed_by"], ["consultants.id"], name=op.f("fk_legal_holds_placed_by_consultants")
        ),
        sa.ForeignKeyConstraint(
            ["released_by"],
            ["consultants.id"],
            name=op.f("fk_legal_holds_released_by_consultants"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_legal_holds")),
    )
    with op.batch_alter_table("legal_holds") as batch_op:
        batch_op.create_index(batch_op.f("ix_legal_holds_customer_id"), ["customer_id"])
    op.create_table(
        "retention_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("dry_run", sa.Boolean(), nullable=False),
        sa.Column("as_of", sa.DateTime(timezone=True), nullable=False),
        sa.Column("counts", sa.JSON(), nullable=False),
        sa.Column("held", sa.JSON(), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("triggered_by", sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_retention_reports")),
    )
    with op.batch_alter_table("retention_reports") as batch_op:
        batch_op.create_index(batch_op.f("ix_retention_reports_started_at"), ["started_at"])


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("retention_reports") as batch_op:
        batch_op.drop_index(batch_op.f("ix_retention_reports_started_at"))
    op.drop_table("retention_reports")
    with op.batch_alter_table("legal_holds") as batch_op:
        batch_op.drop_index(batch_op.f("ix_legal_holds_customer_id"))
    op.drop_table("legal_holds")
    with op.batch_alter_table("recordings") as batch_op:
        batch_op.drop_column("language")
