"""Fixtures shared by the whole suite: a real Redis, a real database, the app."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import redis
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import text
from twilio.request_validator import RequestValidator

from centre.app import create_app
from centre.migrate import upgrade
from customers.audit import PURGE_SETTING
from emulator.app import EmulatorServer
from hotline.db import Base, db
from hotline.embedded_redis import EmbeddedRedis, free_port
from hotline.jobs import jobs
from hotline.redis_client import redis_conn
from hotline.settings import Settings

PUBLIC_URL = "https://hotline.example.org"
AUTH_TOKEN = "test-auth-token"


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    """Start a private redis-server for the test run (or use TEST_REDIS_URL)."""
    given = os.environ.get("TEST_REDIS_URL")
    if given:
        yield given
        return
    folder = Path(tempfile.mkdtemp(prefix="hotline-redis-"))
    server = EmbeddedRedis(folder, port=free_port(), persist=False)
    server.start()
    yield server.url.rsplit("/", 1)[0] + "/15"
    server.stop()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """Migrate a fresh database once: SQLite by default, TEST_DATABASE_URL (PostgreSQL) in CI."""
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'hotline-test.sqlite3'}"
    else:
        from sqlalchemy import create_engine

        engine = create_engine(url)
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    upgrade(url)
    return url


@pytest.fixture(scope="session")
def phone_network() -> Iterator[EmulatorServer]:
    """Run the phone network emulator in this process, for the REST calls the centre makes."""
    from emulator.config import EmulatorConfig

    config = EmulatorConfig(auth_token=AUTH_TOKEN, time_scale=0.02, status_callback_url=None)
    with EmulatorServer(config) as server:
        yield server


@pytest.fixture
def settings(database_url: str, redis_url: str, phone_network: EmulatorServer) -> Settings:
    """Return test settings pointing at the test database, Redis and the emulator."""
    return Settings(
        env="testing",
        database_url=database_url,
        redis_url=redis_url,
        twilio_account_sid=phone_network.config.account_sid,
        twilio_auth_token=AUTH_TOKEN,
        twilio_api_url=phone_network.url,
        public_url=PUBLIC_URL,
        secret_key="test-secret",
        emulator_control_token=phone_network.config.control_token,
        consultant_hours="mon-sun 00:00-24:00",
        holiday_country="",
        testing=True,
    )


def sent_messages(server: EmulatorServer) -> list[dict]:  # type: ignore[type-arg]
    """Return the text messages the emulator has accepted through its REST API."""
    import requests

    return requests.get(
        f"{server.url}/emulator/messages", headers=control_headers(server), timeout=5
    ).json()


def control_headers(server: EmulatorServer) -> dict[str, str]:
    """Return the header that opens the emulator's control API."""
    return {"Authorization": f"Bearer {server.config.control_token}"}


@pytest.fixture
def redis_client(redis_url: str) -> Iterator[redis.Redis]:
    """Return a client on the test Redis database, flushed around each test."""
    client = redis.Redis.from_url(redis_url)
    client.flushdb()
    yield client
    client.flushdb()


@pytest.fixture
def app(settings: Settings, redis_client: redis.Redis) -> Iterator[Flask]:
    """Build the app on the test database (emptied after each test) and Redis."""
    from knowledge.service import forget_cached

    application = create_app(settings)
    forget_cached()
    jobs.synchronous = True
    yield application
    jobs.synchronous = False
    db.session.remove()
    assert db.engine is not None
    with db.engine.begin() as connection:
        if connection.dialect.name == "postgresql":  # past the audit trail's trigger
            connection.execute(text(f"SET LOCAL {PURGE_SETTING} = 'on'"))
        for table in reversed(Base.metadata.sorted_tables):
            connection.execute(table.delete())
    redis_conn.configure(settings.redis_url)


@pytest.fixture
def worker(app: Flask) -> Iterator[Callable[[], None]]:
    """Queue jobs in Redis, and return a function that runs what is queued on a real RQ
    worker (SimpleWorker, in this process, as `hotline worker` does) until none is left."""
    from rq import SimpleWorker

    from hotline.jobs import QUEUES

    jobs.synchronous = False

    def work() -> None:
        with app.app_context():
            SimpleWorker(list(QUEUES), connection=redis_conn.raw).work(burst=True)

    yield work
    jobs.synchronous = True


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """Return a test client for the app."""
    return app.test_client()


@pytest.fixture
def demo(app: Flask) -> dict[str, int]:
    """Load the demo people, regions, offices and FAQ answers (no offers: quicker)."""
    from centre.demo import load_demo

    with db.transaction() as session:
        return load_demo(session, content=False)


@pytest.fixture
def content(app: Flask) -> dict[str, int]:
    """Load all the demo data, vacancies and training offers included."""
    from centre.demo import load_demo

    with db.transaction() as session:
        return load_demo(session, content=True)


def form_token(client: FlaskClient, path: str = "/desk/login") -> str:
    """Return the CSRF token of the form on a page, as a browser would send it back."""
    import re

    page = client.get(path).get_data(as_text=True)
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found, f"{path} has no form with a CSRF token"
    return found.group(1)


class TwilioSigner:
    """Posts to webhooks the way Twilio does: form-encoded and signed."""

    def __init__(self, client: FlaskClient, token: str = AUTH_TOKEN) -> None:
        self.client = client
        self.validator = RequestValidator(token)

    def post(self, path: str, params: dict[str, str], signature: str | None = "sign"):  # type: ignore[no-untyped-def]
        """POST params to path with a valid signature (or the one given, or none)."""
        headers = {}
        if signature == "sign":
            headers["X-Twilio-Signature"] = self.validator.compute_signature(
                PUBLIC_URL + path, params
            )
        elif signature is not None:
            headers["X-Twilio-Signature"] = signature
        return self.client.post(path, data=params, headers=headers)


@pytest.fixture
def twilio(client: FlaskClient) -> TwilioSigner:
    """Return a signer that posts webhooks as Twilio would."""
    return TwilioSigner(client)


CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:  # type: ignore[type-arg]
    """Drive Debian's Chromium (Playwright's own download is not available here)."""
    import shutil

    path = os.environ.get("HOTLINE_CHROMIUM") or shutil.which("chromium")
    if not path:
        pytest.skip("Chromium is not installed; ./dev test installs it where it can")
    return {**browser_type_launch_args, "executable_path": path, "args": CHROMIUM_FLAGS}
