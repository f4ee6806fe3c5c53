"""A whole centre in real processes (gunicorn web, RQ worker, router, emulator) for e2e tests."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import redis
import requests
from playwright.sync_api import expect
from sqlalchemy import create_engine, text

from centre.demo import DEMO_SMS_COUNTRIES
from customers.audit import PURGE_SETTING
from hotline.db import Base
from hotline.embedded_redis import free_port

TOKEN = "e2e-auth-token"
CONTROL_TOKEN = "e2e-emulator-control-token"
CONTROL = {"Authorization": f"Bearer {CONTROL_TOKEN}"}
# Waits end as soon as what they wait for happens; the bound only has to outlast a slow,
# loaded machine, where four processes and the emulator share two cores.
PATIENCE_SECONDS = 90.0
PATIENCE_MS = int(PATIENCE_SECONDS * 1000)
# Playwright's assertions wait for the page too; its own 5 s default is a fixed margin that a
# loaded machine overruns while the first poll of the desk is still on its way.
expect.set_options(timeout=PATIENCE_MS)


@dataclass
class Centre:
    """Addresses of a running centre and helpers to drive it."""

    web: str
    emulator: str
    env: dict[str, str]
    logs: Path
    # The running processes by name, and the commands that started them.
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)  # type: ignore[type-arg]
    commands: dict[str, list[str]] = field(default_factory=dict)

    def stop(self, name: str) -> None:
        """Stop one of the centre's processes (the web, say), as a crash or a deploy would."""
        process = self.processes[name]
        process.terminate()
        try:
            process.wait(timeout=PATIENCE_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def start(self, name: str) -> None:
        """Start a stopped process again, on the same address, and wait until the web answers."""
        log = (self.logs / f"{name}.log").open("ab")
        self.processes[name] = subprocess.Popen(
            self.commands[name], env=self.env, stdout=log, stderr=log
        )
        if name == "web":
            _wait_http(f"{self.web}/ivr/health", self.processes[name], name, self.logs / "web.log")

    def place_call(self, caller: str, script: list[dict[str, object]]) -> str:
        """Place a scripted call through the emulator and return its sid."""
        response = requests.post(
            f"{self.emulator}/emulator/calls",
            json={"from": caller, "script": script},
            headers=CONTROL,
            timeout=10,
        )
        response.raise_for_status()
        return str(response.json()["sid"])

    def call(self, sid: str) -> dict:  # type: ignore[type-arg]
        """Return the emulator's view of a call, with its events."""
        return requests.get(
            f"{self.emulator}/emulator/calls/{sid}", headers=CONTROL, timeout=10
        ).json()

    def run_call(
        self, caller: str, script: list[dict[str, object]], timeout: float = PATIENCE_SECONDS
    ) -> dict:  # type: ignore[type-arg]
        """Place a scripted call and return it once it has ended."""
        sid = self.place_call(caller, script)
        return wait_for(
            lambda: (
                lambda call: (
                    call if call["status"] not in ("queued", "ringing", "in-progress") else None
                )
            )(self.call(sid)),
            timeout=timeout,
            what=f"call {sid} to end",
        )

    def messages_to(self, number: str) -> list[dict]:  # type: ignore[type-arg]
        """Return the text messages the emulator accepted for a number."""
        every = requests.get(
            f"{self.emulator}/emulator/messages", headers=CONTROL, timeout=10
        ).json()
        return [message for message in every if message["to"] == number]

    def endpoint(self, address: str) -> dict:  # type: ignore[type-arg]
        """Return the state of a consultant's endpoint in the emulator."""
        return requests.get(
            f"{self.emulator}/emulator/endpoints/{address}", headers=CONTROL, timeout=10
        ).json()

    def endpoints(self) -> list[dict]:  # type: ignore[type-arg]
        """Return every endpoint the emulator has seen."""
        return requests.get(
            f"{self.emulator}/emulator/endpoints", headers=CONTROL, timeout=10
        ).json()

    def answers_at_once(self, address: str) -> None:
        """Make a phone on the network pick up as soon as it rings (a helpline, an interpreter)."""
        requests.post(
            f"{self.emulator}/emulator/endpoints/{address}",
            json={"auto_answer": True},
            headers=CONTROL,
            timeout=10,
        ).raise_for_status()

    def endpoint_action(self, address: str, action: str) -> requests.Response:
        """Answer, reject or hang up an endpoint."""
        return requests.post(
            f"{self.emulator}/emulator/endpoints/{address}/{action}", headers=CONTROL, timeout=10
        )

    def desk_session(self, login: str, password: str = "demo1234") -> tuple[requests.Session, str]:
        """Sign a consultant in to the desk; return the session and its CSRF token."""
        session = requests.Session()
        form = session.get(f"{self.web}/desk/login").text
        login_token = re.search(r'name="csrf_token" value="([^"]+)"', form)
        assert login_token, "the sign-in page has no CSRF token"
        session.post(
            f"{self.web}/desk/login",
            data={"login": login, "password": password, "csrf_token": login_token.group(1)},
        )
        page = session.get(f"{self.web}/desk/").text
        match = re.search(r'name="csrf-token" content="([^"]+)"', page)
        assert match, "desk page did not render after sign-in"
        return session, match.group(1)


def wait_for(
    predicate, timeout: float = PATIENCE_SECONDS, interval: float = 0.1, what: str = "condition"
):  # type: ignore[no-untyped-def]
    """Poll predicate until it returns something truthy, or fail with a message."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = predicate()
        if last:
            return last
        time.sleep(interval)
    raise AssertionError(f"timed out waiting for {what}; last value: {last!r}")


def _wait_http(url: str, process: subprocess.Popen, name: str, log: Path) -> None:  # type: ignore[type-arg]
    deadline = time.monotonic() + PATIENCE_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{name} exited early:\n{log.read_text()[-3000:]}")
        try:
            if requests.get(url, timeout=1).ok:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{name} did not come up:\n{log.read_text()[-3000:]}")


def _empty_database(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":  # past the audit trail's trigger
            connection.execute(text(f"SET LOCAL {PURGE_SETTING} = 'on'"))
        for table in reversed(Base.metadata.sorted_tables):
            connection.execute(table.delete())
    engine.dispose()


@contextmanager
def running_centre(
    folder: Path, redis_url: str, database_url: str, **settings: str
) -> Iterator[Centre]:
    """Start web, worker, router and emulator as separate processes with demo data.

    settings are extra environment variables (HOTLINE_CONSULTANT_HOURS and the like); the
    centre gets a SQLite file of its own in folder, or the given PostgreSQL database.
    """
    web_port, emulator_port = free_port(), free_port()
    centre_redis = redis_url
    redis.Redis.from_url(centre_redis).flushdb()
    db_url = database_url
    if db_url.startswith("sqlite"):
        db_url = f"sqlite:///{folder / 'centre.sqlite3'}"
    env = {
        **os.environ,
        "DATABASE_URL": db_url,
        "REDIS_URL": centre_redis,
        "PUBLIC_URL": f"http://127.0.0.1:{web_port}",
        "TWILIO_API_URL": f"http://127.0.0.1:{emulator_port}",
        "TWILIO_AUTH_TOKEN": TOKEN,
        "SECRET_KEY": "e2e-secret",
        "EMULATOR_CONTROL_TOKEN": CONTROL_TOKEN,
        "HOTLINE_INSTANCE_DIR": str(folder),
        "HOTLINE_WAIT_ANNOUNCE_SECONDS": "5",
        "HOTLINE_RING_TIMEOUT_SECONDS": "15",
        "EMULATOR_TIME_SCALE": "0.02",
        "HOTLINE_CONSULTANT_HOURS": "mon-sun 00:00-24:00",
        "HOTLINE_HOLIDAY_COUNTRY": "",
        "HOTLINE_SMS_COUNTRIES": DEMO_SMS_COUNTRIES,
        **settings,
    }
    hotline = [sys.executable, "-m", "centre.cli"]
    subprocess.run([*hotline, "db", "upgrade"], env=env, check=True, capture_output=True)
    subprocess.run([*hotline, "demo", "load"], env=env, check=True, capture_output=True)
    commands = {
        "emulator": [*hotline, "emulator", "--port", str(emulator_port)],
        "web": [
            sys.executable, "-m", "gunicorn", "--config", "python:centre.gunicorn_conf",
            "--workers", "2", "--bind", f"127.0.0.1:{web_port}",
            "centre.wsgi:app",
        ],
        "worker": [*hotline, "worker"],
        "scheduler": [*hotline, "scheduler"],
        "router": [*hotline, "router"],
    }  # fmt: skip
    processes: dict[str, subprocess.Popen] = {}  # type: ignore[type-arg]
    try:
        for name, command in commands.items():
            log = (folder / f"{name}.log").open("wb")
            processes[name] = subprocess.Popen(command, env=env, stdout=log, stderr=log)
        _wait_http(
            f"{env['TWILIO_API_URL']}/emulator/health",
            processes["emulator"],
            "emulator",
            folder / "emulator.log",
        )
        _wait_http(f"{env['PUBLIC_URL']}/ivr/health", processes["web"], "web", folder / "web.log")
        yield Centre(env["PUBLIC_URL"], env["TWILIO_API_URL"], env, folder, processes, commands)
    finally:
        for process in processes.values():
            process.terminate()
        for process in processes.values():
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
        _empty_database(db_url)


@pytest.fixture(scope="session")
def centre(
    tmp_path_factory: pytest.TempPathFactory, redis_url: str, database_url: str
) -> Iterator[Centre]:
    """A centre whose consultants work around the clock."""
    folder = tmp_path_factory.mktemp("centre")
    with running_centre(folder, redis_url.rsplit("/", 1)[0] + "/14", database_url) as running:
        yield running
