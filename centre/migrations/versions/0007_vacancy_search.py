"""Offers carry their occupation family and ranking pay, indexed by region for the IVR

Revision ID: 0007_vacancy_search
Revises: 0002_knowledge
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_vacancy_search"
down_revision = "0002_knowledge"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("vacancies") as batch_op:
        batch_op.add_column(sa.Column("occupation_family", sa.String(length=4), nullable=True))
        batch_op.add_column(sa.Column("pay", sa.Integer(), nullable=False, server_default="0"))
    op.execute("UPDATE vacancies SET pay = COALESCE(wage_max, wage_min, 0)")
    _classify_existing_offers()
    with op.batch_alter_table("vacancies") as batch_op:
        batch_op.create_index(
            "ix_vacancies_region_rank",
            ["region_code", "posted_on", "pay", "id", "expires_on"],
            unique=False,
        )
        batch_op.create_index(
            "ix_vacancies_region_family_rank",
            ["region_code", "occupation_family", "posted_on", "pay", "id", "expires_on"],
            unique=False,
        )


def _classify_existing_offers() -> None:
    """Give each stored offer its family, once per distinct occupation and code."""
    from knowledge.occupations import family_of

    connection = op.get_bind()
    pairs = connection.execute(
        sa.text("SELECT DISTINCT occupation, occupation_code FROM vacancies")
    ).all()
    for occupation, code in pairs:
        family = family_of(occupation or "", code)
        if family is None:
            continue
        same_code = "occupation_code IS NULL" if code is None else "occupation_code = :code"
        connection.execute(
            sa.text(
                "UPDATE vacancies SET occupation_family = :family"
                f" WHERE occupation = :occupation AND {same_code}"
            ),
            {"family": family, "occupation": occupation, "code": code},
        )


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("vacancies") as batch_op:
        batch_op.drop_index("ix_vacancies_region_family_rank")
        batch_op.drop_index("ix_vacancies_region_rank")
        batch_op.drop_column("pay")
        batch_op.drop_column("occupation_family")
