"""Offers carry their occupation family and ranking pay, indexed by region for the IVR

Offers' titles also get a trigram index for the words a caller says that name no occupation
family: pg_trgm's GIN index on PostgreSQL where the extension can be created, an FTS5 table
with the trigram tokenizer on SQLite, kept by triggers. (A later batch_alter_table on
vacancies, which copies the table on SQLite, must create those triggers again.)

Revision ID: 0011_vacancy_search
Revises: 0009_vacancy_contact
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011_vacancy_search"
down_revision = "0009_vacancy_contact"
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
    _title_search()


SQLITE_SEARCH = [
    "CREATE VIRTUAL TABLE vacancies_search USING fts5(title, occupation, content='vacancies',"
    " content_rowid='id', tokenize='trigram')",
    "CREATE TRIGGER vacancies_search_insert AFTER INSERT ON vacancies BEGIN"
    " INSERT INTO vacancies_search (rowid, title, occupation)"
    " VALUES (new.id, new.title, new.occupation); END",
    "CREATE TRIGGER vacancies_search_delete AFTER DELETE ON vacancies BEGIN"
    " INSERT INTO vacancies_search (vacancies_search, rowid, title, occupation)"
    " VALUES ('delete', old.id, old.title, old.occupation); END",
    "CREATE TRIGGER vacancies_search_update AFTER UPDATE OF title, occupation ON vacancies BEGIN"
    " INSERT INTO vacancies_search (vacancies_search, rowid, title, occupation)"
    " VALUES ('delete', old.id, old.title, old.occupation);"
    " INSERT INTO vacancies_search (rowid, title, occupation)"
    " VALUES (new.id, new.title, new.occupation); END",
    "INSERT INTO vacancies_search (vacancies_search) VALUES ('rebuild')",
]


def _title_search() -> None:
    """Index offers' titles by trigram, where the database can."""
    connection = op.get_bind()
    if connection.dialect.name == "sqlite":
        for statement in SQLITE_SEARCH:
            op.execute(statement)
        return
    if connection.dialect.name != "postgresql":
        return
    try:
        with connection.begin_nested():
            connection.execute(sa.text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
    except sa.exc.DBAPIError:
        return  # not installed, or not ours to create: ILIKE then reads the region's rows
    op.execute(
        "CREATE INDEX ix_vacancies_title_trgm ON vacancies"
        " USING gin (title gin_trgm_ops, occupation gin_trgm_ops)"
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
    connection = op.get_bind()
    if connection.dialect.name == "sqlite":
        for trigger in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER IF EXISTS vacancies_search_{trigger}")
        op.execute("DROP TABLE IF EXISTS vacancies_search")
    else:
        op.execute("DROP INDEX IF EXISTS ix_vacancies_title_trgm")
    with op.batch_alter_table("vacancies") as batch_op:
        batch_op.drop_index("ix_vacancies_region_family_rank")
        batch_op.drop_index("ix_vacancies_region_rank")
        batch_op.drop_column("pay")
        batch_op.drop_column("occupation_family")
