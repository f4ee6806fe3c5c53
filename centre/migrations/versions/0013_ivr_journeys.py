"""Callers' journeys kept in the database while Redis is down

Revision ID: 0013_ivr_journeys
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013_ivr_journeys"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "ivr_journeys",
        sa.Column("call_sid", sa.String(length=34), nullable=False),
        sa.Column("document", sa.Text(), nullable=False),
        sa.Column("saved_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("call_sid", name=op.f("pk_ivr_journeys")),
    )
    op.create_index(op.f("ix_ivr_journeys_saved_at"), "ivr_journeys", ["saved_at"])


def downgrade() -> None:
    """Revert this revision."""
    op.drop_index(op.f("ix_ivr_journeys_saved_at"), table_name="ivr_journeys")
    op.drop_table("ivr_journeys")
