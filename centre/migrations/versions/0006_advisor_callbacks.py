"""Callbacks a caller asked of their own advisor

Revision ID: 0006_advisor_callbacks
Revises: 0003_routing
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_advisor_callbacks"
down_revision = "0003_routing"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("callback_requests") as batch_op:
        batch_op.add_column(
            sa.Column("for_advisor", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("callback_requests") as batch_op:
        batch_op.drop_column("for_advisor")
