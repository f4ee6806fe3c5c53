"""The migrations and the models describe the same schema."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from hotline.db import Base, db
from knowledge.models import is_title_search


def test_the_migrations_build_the_schema_the_models_describe(app):
    with db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"include_name": lambda name, *_: not is_title_search(name)}
        )
        drift = compare_metadata(context, Base.metadata)
    assert drift == []
