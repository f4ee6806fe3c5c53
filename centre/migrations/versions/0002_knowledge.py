"""add the knowledge base: regions, places, vacancies, trainings and import runs

Revision ID: 0002_knowledge
Revises: 0001
Create Date: 2026-11-23 11:40:36.839852
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_knowledge"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "import_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("target", sa.String(length=16), nullable=False),
        sa.Column("source", sa.String(length=40), nullable=False),
        sa.Column("path", sa.String(length=500), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("total_rows", sa.Integer(), nullable=False),
        sa.Column("processed_rows", sa.Integer(), nullable=False),
        sa.Column("imported", sa.Integer(), nullable=False),
        sa.Column("updated", sa.Integer(), nullable=False),
        sa.Column("unchanged", sa.Integer(), nullable=False),
        sa.Column("failed_rows", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("started_by", sa.String(length=80), nullable=False),
        sa.Column("job_id", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_runs")),
    )
    with op.batch_alter_table("import_runs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_import_runs_created_at"), ["created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_import_runs_status"), ["status"], unique=False)

    op.create_table(
        "regions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=2), nullable=False),
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("name_en", sa.String(length=60), nullable=False),
        sa.Column("name_uk", sa.String(length=60), nullable=False),
        sa.Column("name_ro", sa.String(length=60), nullable=False),
        sa.Column("keypad", sa.Integer(), nullable=False),
        sa.Column("capital", sa.String(length=60), nullable=False),
        sa.Column("aliases", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_regions")),
        sa.UniqueConstraint("code", name=op.f("uq_regions_code")),
        sa.UniqueConstraint("keypad", name=op.f("uq_regions_keypad")),
    )
    op.create_table(
        "counties",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("teryt", sa.String(length=4), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("region_code", sa.String(length=2), nullable=False),
        sa.Column("city_county", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["region_code"], ["regions.code"], name=op.f("fk_counties_region_code_regions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_counties")),
        sa.UniqueConstraint("region_code", "name", name=op.f("uq_counties_region_code")),
        sa.UniqueConstraint("teryt", name=op.f("uq_counties_teryt")),
    )
    with op.batch_alter_table("counties", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_counties_region_code"), ["region_code"], unique=False)

    op.create_table(
        "import_row_errors",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("import_run_id", sa.Integer(), nullable=False),
        sa.Column("row_number", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("raw_excerpt", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["import_run_id"],
            ["import_runs.id"],
            name=op.f("fk_import_row_errors_import_run_id_import_runs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_row_errors")),
    )
    with op.batch_alter_table("import_row_errors", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_import_row_errors_import_run_id"), ["import_run_id"], unique=False
        )

    op.create_table(
        "places",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("ascii_name", sa.String(length=80), nullable=False),
        sa.Column("county", sa.String(length=80), nullable=False),
        sa.Column("region_code", sa.String(length=2), nullable=False),
        sa.Column("office_code", sa.String(length=32), nullable=True),
        sa.Column("is_capital", sa.Boolean(), nullable=False),
        sa.Column("aliases", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["region_code"], ["regions.code"], name=op.f("fk_places_region_code_regions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_places")),
        sa.UniqueConstraint("region_code", "name", name=op.f("uq_places_region_code")),
    )
    with op.batch_alter_table("places", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_places_ascii_name"), ["ascii_name"], unique=False)
        batch_op.create_index(batch_op.f("ix_places_region_code"), ["region_code"], unique=False)

    op.create_table(
        "training_offers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=40), nullable=False),
        sa.Column("external_id", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("provider", sa.String(length=200), nullable=False),
        sa.Column("region_code", sa.String(length=2), nullable=False),
        sa.Column("city", sa.String(length=80), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("registration_deadline", sa.Date(), nullable=True),
        sa.Column("hours", sa.Integer(), nullable=False),
        sa.Column("cost_pln", sa.Integer(), nullable=True),
        sa.Column("funded", sa.Boolean(), nullable=False),
        sa.Column("languages", sa.JSON(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("sms_summary", sa.String(length=320), nullable=False),
        sa.Column("last_imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("import_run_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["region_code"], ["regions.code"], name=op.f("fk_training_offers_region_code_regions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_training_offers")),
        sa.UniqueConstraint("source", "external_id", name=op.f("uq_training_offers_source")),
    )
    with op.batch_alter_table("training_offers", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_training_offers_region_code"), ["region_code"], unique=False
        )

    op.create_table(
        "vacancies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=40), nullable=False),
        sa.Column("external_id", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("occupation", sa.String(length=160), nullable=False),
        sa.Column("occupation_code", sa.String(length=6), nullable=True),
        sa.Column("employer", sa.String(length=200), nullable=False),
        sa.Column("city", sa.String(length=80), nullable=False),
        sa.Column("county", sa.String(length=80), nullable=True),
        sa.Column("region_code", sa.String(length=2), nullable=False),
        sa.Column("office_code", sa.String(length=32), nullable=True),
        sa.Column("wage_min", sa.Integer(), nullable=True),
        sa.Column("wage_max", sa.Integer(), nullable=True),
        sa.Column("contract_type", sa.String(length=40), nullable=True),
        sa.Column("working_time", sa.String(length=40), nullable=True),
        sa.Column("posted_on", sa.Date(), nullable=False),
        sa.Column("expires_on", sa.Date(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("sms_summary", sa.String(length=320), nullable=False),
        sa.Column("last_imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("import_run_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["region_code"], ["regions.code"], name=op.f("fk_vacancies_region_code_regions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vacancies")),
        sa.UniqueConstraint("source", "external_id", name=op.f("uq_vacancies_source")),
    )
    with op.batch_alter_table("vacancies", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_vacancies_expires_on"), ["expires_on"], unique=False)
        batch_op.create_index(batch_op.f("ix_vacancies_occupation"), ["occupation"], unique=False)
        batch_op.create_index(batch_op.f("ix_vacancies_region_code"), ["region_code"], unique=False)

    with op.batch_alter_table("offices", schema=None) as batch_op:
        batch_op.add_column(sa.Column("region_code", sa.String(length=2), nullable=True))
        batch_op.add_column(sa.Column("county", sa.String(length=80), nullable=True))
        batch_op.add_column(sa.Column("city", sa.String(length=80), nullable=True))
        batch_op.create_index(batch_op.f("ix_offices_region_code"), ["region_code"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_offices_region_code_regions"), "regions", ["region_code"], ["code"]
        )


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("offices", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_offices_region_code_regions"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_offices_region_code"))
        batch_op.drop_column("city")
        batch_op.drop_column("county")
        batch_op.drop_column("region_code")

    with op.batch_alter_table("vacancies", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_vacancies_region_code"))
        batch_op.drop_index(batch_op.f("ix_vacancies_occupation"))
        batch_op.drop_index(batch_op.f("ix_vacancies_expires_on"))

    op.drop_table("vacancies")
    with op.batch_alter_table("training_offers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_training_offers_region_code"))

    op.drop_table("training_offers")
    with op.batch_alter_table("places", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_places_region_code"))
        batch_op.drop_index(batch_op.f("ix_places_ascii_name"))

    op.drop_table("places")
    with op.batch_alter_table("import_row_errors", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_import_row_errors_import_run_id"))

    op.drop_table("import_row_errors")
    with op.batch_alter_table("counties", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_counties_region_code"))

    op.drop_table("counties")
    op.drop_table("regions")
    with op.batch_alter_table("import_runs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_import_runs_status"))
        batch_op.drop_index(batch_op.f("ix_import_runs_created_at"))

    op.drop_table("import_runs")
