"""The language each person's desk pages are shown in (Polish unless they choose English)

Revision ID: 0009_desk_language
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_desk_language"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision; everyone starts on Polish desk pages."""
    with op.batch_alter_table("consultants") as batch_op:
        batch_op.add_column(
            sa.Column("desk_language", sa.String(length=8), nullable=False, server_default="pl")
        )


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("consultants") as batch_op:
        batch_op.drop_column("desk_language")
