"""Roles, disabled accounts, revocable sessions and the TOTP second factor of consultants

Revision ID: 0007_access_roles
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_access_roles"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision; everyone signed in before keeps answering calls (the consultant
    role) and nothing more."""
    with op.batch_alter_table("consultants") as batch_op:
        batch_op.add_column(
            sa.Column("roles", sa.JSON(), nullable=False, server_default='["consultant"]')
        )
        batch_op.add_column(
            sa.Column("active", sa.Boolean(), nullable=False, server_default=sa.true())
        )
        batch_op.add_column(
            sa.Column("session_generation", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(sa.Column("password_changed_at", sa.DateTime(timezone=True)))
        batch_op.add_column(sa.Column("totp_secret", sa.String(64)))
        batch_op.add_column(sa.Column("totp_last_step", sa.Integer()))


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("consultants") as batch_op:
        for column in (
            "totp_last_step",
            "totp_secret",
            "password_changed_at",
            "session_generation",
            "active",
            "roles",
        ):
            batch_op.drop_column(column)
