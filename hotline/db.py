"""The database: declarative base, engine and a request-scoped session."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import DateTime, MetaData, create_engine, event, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import DeclarativeBase, Session, scoped_session, sessionmaker
from sqlalchemy.types import TypeDecorator

if TYPE_CHECKING:
    from flask import Flask

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
# How many db.transaction() blocks are open on a session; only the outermost commits.
TRANSACTION_DEPTH = "hotline.transaction_depth"


def utcnow() -> datetime:
    """Return the current time, timezone-aware in UTC."""
    return datetime.now(UTC)


class UtcDateTime(TypeDecorator[datetime]):
    """A timestamp stored as UTC and always read back timezone-aware (SQLite drops zones)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: object) -> datetime | None:
        """Convert to UTC before storing."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored; use hotline.db.utcnow()")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: object) -> datetime | None:
        """Attach UTC to what the database returns."""
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    """Declarative base shared by every domain package's models."""

    metadata = MetaData(naming_convention=NAMING)


# How long a SQLite writer waits for another's lock when no timeout is configured (the
# migrations, scripts); the centre's processes wait their statement timeout instead.
SQLITE_BUSY_SECONDS = 10.0


def _sqlite_pragmas(busy_seconds: float) -> Callable[[Any, object], None]:
    def prepare(dbapi_connection: Any, _record: object) -> None:
        """Prepare each new SQLite connection for several processes."""
        cursor = dbapi_connection.cursor()
        # WAL lets the web, worker and router processes read while one of them writes.
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_seconds * 1000)}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    return prepare


def make_engine(
    url: str, connect_timeout: int | None = None, statement_timeout: float | None = None
) -> Engine:
    """Create an engine, preparing SQLite for several processes.

    With timeouts (the centre's processes), PostgreSQL gives up connecting after
    connect_timeout seconds and cancels a statement after statement_timeout; SQLite waits at
    most statement_timeout for another writer's lock. So a stalled database fails a webhook
    into its fallback well within Twilio's 15 s. Migrations run without a statement timeout.

    Its errors leave out the statement's parameters: they hold PESELs, numbers and notes, and
    an error's text ends up in a log.
    """
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        busy = statement_timeout if statement_timeout is not None else SQLITE_BUSY_SECONDS
        # Keep a connection for every gunicorn thread: a new SQLite connection reads the
        # schema and sets its pragmas, so one opened and closed per burst of calls is slow.
        engine = create_engine(
            url,
            connect_args={"timeout": busy},
            pool_size=16,
            max_overflow=16,
            hide_parameters=True,
        )
        event.listen(engine, "connect", _sqlite_pragmas(busy))
        return engine
    connect_args: dict[str, Any] = {}
    if connect_timeout is not None:
        connect_args["connect_timeout"] = connect_timeout
    if statement_timeout is not None:
        connect_args["options"] = f"-c statement_timeout={int(statement_timeout * 1000)}"
    return create_engine(
        url,
        pool_pre_ping=True,
        pool_size=10,
        max_overflow=20,
        # Waiting for a free pooled connection counts against the same budget.
        pool_timeout=statement_timeout if statement_timeout is not None else 30,
        hide_parameters=True,
        connect_args=connect_args,
    )


M = TypeVar("M", bound=Base)


class Database:
    """Holds the engine and a scoped session; attached to an app with init_app."""

    def __init__(self) -> None:
        self.engine: Engine | None = None
        self.session: scoped_session[Session] = scoped_session(sessionmaker())

    def configure(
        self, url: str, connect_timeout: int | None = None, statement_timeout: float | None = None
    ) -> None:
        """Bind the session factory to the database at url (timeouts as make_engine takes)."""
        if self.engine is not None:
            self.session.remove()
            self.engine.dispose()
        self.engine = make_engine(url, connect_timeout, statement_timeout)
        self.session.configure(bind=self.engine, expire_on_commit=False)

    def init_app(self, app: Flask) -> None:
        """Configure from the app's settings and release the session after each request."""
        settings = app.extensions["hotline.settings"]
        self.configure(
            settings.database_url,
            settings.database_connect_timeout_seconds,
            settings.database_statement_timeout_seconds,
        )
        app.teardown_appcontext(lambda _exc: self.session.remove())

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """Yield the session inside a transaction that commits or rolls back.

        The one way the centre writes. Nested uses join the outermost, which alone commits,
        so a service that writes can be called from another without committing its work early.
        """
        session = self.session()
        depth = int(session.info.get(TRANSACTION_DEPTH, 0))
        session.info[TRANSACTION_DEPTH] = depth + 1
        try:
            yield session
            if depth == 0:
                session.commit()
        except BaseException:
            if depth == 0:
                session.rollback()
            raise
        finally:
            session.info[TRANSACTION_DEPTH] = depth


def get_or_create(
    session: Session, model: type[M], defaults: Mapping[str, Any] | None = None, **key: Any
) -> tuple[M, bool]:
    """Return the row with this natural key, creating it if there is none, and whether it was new.

    Two processes may create the same row at once: the insert runs in a savepoint, so the one
    that loses the race rolls back only its insert and reads the winner's row.
    """
    query = select(model).filter_by(**key)
    found = session.scalars(query).first()
    if found is not None:
        return found, False
    candidate = model(**key, **(defaults or {}))
    try:
        with session.begin_nested():
            session.add(candidate)
    except IntegrityError:
        return session.scalars(query).one(), False
    return candidate, True


db = Database()
