"""Administration: one-time passwords, customers' registration and safeguarding,
FAQ drafts and review, offices' hours in each language, and a notice on import runs

Revision ID: 0012_administration
Revises: 0002_knowledge
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012_administration"
down_revision = "0002_knowledge"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("consultants") as batch_op:
        batch_op.add_column(
            sa.Column(
                "must_change_password", sa.Boolean(), nullable=False, server_default=sa.false()
            )
        )
    with op.batch_alter_table("customers") as batch_op:
        batch_op.add_column(
            sa.Column("safeguarding", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(
            sa.Column(
                "registration_status",
                sa.String(length=16),
                nullable=False,
                server_default="registered",
            )
        )
        batch_op.add_column(sa.Column("registered_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("deregistered_on", sa.Date(), nullable=True))
    with op.batch_alter_table("faq_entries") as batch_op:
        batch_op.add_column(
            sa.Column("status", sa.String(length=16), nullable=False, server_default="published")
        )
        batch_op.add_column(sa.Column("reviewed_by", sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column("draft", sa.JSON(), nullable=True))
    with op.batch_alter_table("offices") as batch_op:
        batch_op.add_column(
            sa.Column("opening_hours_by_language", sa.JSON(), nullable=False, server_default="{}")
        )
    with op.batch_alter_table("import_runs") as batch_op:
        batch_op.add_column(sa.Column("notice", sa.Text(), nullable=True))


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("import_runs") as batch_op:
        batch_op.drop_column("notice")
    with op.batch_alter_table("offices") as batch_op:
        batch_op.drop_column("opening_hours_by_language")
    with op.batch_alter_table("faq_entries") as batch_op:
        batch_op.drop_column("draft")
        batch_op.drop_column("reviewed_by")
        batch_op.drop_column("status")
    with op.batch_alter_table("customers") as batch_op:
        batch_op.drop_column("deregistered_on")
        batch_op.drop_column("registered_on")
        batch_op.drop_column("registration_status")
        batch_op.drop_column("safeguarding")
    with op.batch_alter_table("consultants") as batch_op:
        batch_op.drop_column("must_change_password")
