"""IVR text messages and job-alert subscriptions

Revision ID: 0004_ivr
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_ivr"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "outbound_sms",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dedupe_key", sa.String(length=120), nullable=False),
        sa.Column("call_sid", sa.String(length=34), nullable=True),
        sa.Column("to_number", sa.String(length=20), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("vacancy_ids", sa.JSON(), nullable=False),
        sa.Column("training_ids", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("message_sid", sa.String(length=34), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbound_sms")),
        sa.UniqueConstraint("dedupe_key", name=op.f("uq_outbound_sms_dedupe_key")),
    )
    with op.batch_alter_table("outbound_sms") as batch_op:
        batch_op.create_index(batch_op.f("ix_outbound_sms_call_sid"), ["call_sid"])
        batch_op.create_index(batch_op.f("ix_outbound_sms_to_number"), ["to_number"])
    op.create_table(
        "job_alerts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("phone", sa.String(length=20), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=True),
        sa.Column("region_code", sa.String(length=2), nullable=False),
        sa.Column("occupation", sa.String(length=160), nullable=True),
        sa.Column("language", sa.String(length=2), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("stopped_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("stopped_by", sa.String(length=16), nullable=True),
        sa.Column("last_sent_on", sa.Date(), nullable=True),
        sa.Column("sent_vacancy_ids", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_job_alerts")),
    )
    with op.batch_alter_table("job_alerts") as batch_op:
        batch_op.create_index(batch_op.f("ix_job_alerts_phone"), ["phone"])
        batch_op.create_index(batch_op.f("ix_job_alerts_active"), ["active"])


def downgrade() -> None:
    """Revert this revision."""
    op.drop_table("job_alerts")
    op.drop_table("outbound_sms")
