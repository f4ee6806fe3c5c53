"""Consultants who may supervise live calls (a stand-in until consultants get roles)

Revision ID: 0008_supervisors
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_supervisors"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision: nobody supervises until someone is made a supervisor."""
    with op.batch_alter_table("consultants") as batch_op:
        batch_op.add_column(
            sa.Column("supervisor", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("consultants") as batch_op:
        batch_op.drop_column("supervisor")
