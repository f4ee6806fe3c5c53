"""A contact's several topics, and the follow-up its wrap-up asks for (what, by when, done)

Revision ID: 0013_wrap_up_topics
Revises: 0012_administration
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013_wrap_up_topics"
down_revision = "0012_administration"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision; a contact logged before it has its one topic as its list."""
    with op.batch_alter_table("contacts") as batch_op:
        batch_op.add_column(
            sa.Column("topics", sa.JSON(), nullable=False, server_default=sa.text("'[]'"))
        )
        batch_op.add_column(sa.Column("follow_up_on", sa.Date(), nullable=True))
        batch_op.add_column(
            sa.Column("follow_up", sa.String(length=255), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("follow_up_done_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.create_index(batch_op.f("ix_contacts_follow_up_on"), ["follow_up_on"])
    contacts = sa.table("contacts", sa.column("topic", sa.String), sa.column("topics", sa.JSON))
    for (topic,) in op.get_bind().execute(
        sa.select(contacts.c.topic).where(contacts.c.topic.is_not(None)).distinct()
    ):
        op.execute(contacts.update().where(contacts.c.topic == topic).values(topics=[topic]))


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("contacts") as batch_op:
        batch_op.drop_index(batch_op.f("ix_contacts_follow_up_on"))
        batch_op.drop_column("follow_up_done_at")
        batch_op.drop_column("follow_up")
        batch_op.drop_column("follow_up_on")
        batch_op.drop_column("topics")
