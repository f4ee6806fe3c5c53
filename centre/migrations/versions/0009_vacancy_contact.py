"""How to apply for a vacancy: the employer's or office's contact a feed gives

Revision ID: 0009_vacancy_contact
Revises: 0002_knowledge
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_vacancy_contact"
down_revision = "0002_knowledge"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("vacancies") as batch_op:
        batch_op.add_column(sa.Column("contact", sa.String(length=200), nullable=True))


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("vacancies") as batch_op:
        batch_op.drop_column("contact")
