"""Recorded consultant calls: whether a call was recorded and why, and each recording's
stored copy (key, size, checksum) and room

Revision ID: 0013_call_recordings
Revises: 0009_records_audit_chain, 0010_call_legs
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013_call_recordings"
down_revision = ("0009_records_audit_chain", "0010_call_legs")
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("call_records") as batch_op:
        batch_op.add_column(sa.Column("recorded", sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column("recording_reason", sa.String(length=24), nullable=True))
    with op.batch_alter_table("recordings") as batch_op:
        batch_op.add_column(sa.Column("conference_sid", sa.String(length=34), nullable=True))
        batch_op.add_column(sa.Column("channels", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("stored_key", sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column("size_bytes", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("sha256", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("stored_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(
            sa.Column("network_deleted_at", sa.DateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("recordings") as batch_op:
        for column in (
            "network_deleted_at",
            "stored_at",
            "sha256",
            "size_bytes",
            "stored_key",
            "channels",
            "conference_sid",
        ):
            batch_op.drop_column(column)
    with op.batch_alter_table("call_records") as batch_op:
        batch_op.drop_column("recording_reason")
        batch_op.drop_column("recorded")
