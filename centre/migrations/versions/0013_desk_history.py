"""Voicemail transcripts, and how a consultant's own call or text to a customer went

Revision ID: 0013_desk_history
Revises: 0009_records_audit_chain
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013_desk_history"
down_revision = "0009_records_audit_chain"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("recordings") as batch_op:
        batch_op.add_column(sa.Column("transcript", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("transcript_status", sa.String(length=16), nullable=True))
    with op.batch_alter_table("contacts") as batch_op:
        batch_op.add_column(sa.Column("result", sa.String(length=16), nullable=True))


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("contacts") as batch_op:
        batch_op.drop_column("result")
    with op.batch_alter_table("recordings") as batch_op:
        batch_op.drop_column("transcript_status")
        batch_op.drop_column("transcript")
