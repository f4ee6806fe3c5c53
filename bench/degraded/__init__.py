"""Degraded-mode transcripts: what a caller hears with Redis down, and with the database down.

A whole centre runs as real processes (`hotline up` on ports of its own: gunicorn, worker,
scheduler, router and the emulator, with the number's fallback URL set), on a redis-server
this script stops and starts and a SQLite database it locks. Calls are placed through the
emulator as callers would; the script prints what each caller hears, step by step, and then
how long the centre took to put back what the callers asked for once the dependency was back.

    .venv/bin/python -m bench.degraded [--port 5300] [--out FILE]
"""

from __future__ import annotations

import argparse
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import redis
import requests

from hotline.embedded_redis import EmbeddedRedis, free_port
from routing import keys

JAN = "+48601000001"  # Polish, known by his number; Anna is his advisor
EMMA = "+447400123456"  # English, known by her number
TOKEN = "degraded-transcripts-control-token"
PATIENCE = 120.0
# A write that meets a locked database gives up after this long (the centre's default is 5 s).
STATEMENT_TIMEOUT = "2"


class Centre:
    """A centre started with `hotline up`, its emulator and its Redis."""

    def __init__(self, port: int, folder: Path) -> None:
        self.port = port
        self.folder = folder
        self.redis = EmbeddedRedis(folder / "redis", port=free_port())
        self.web = f"http://127.0.0.1:{port}"
        self.emulator = f"http://127.0.0.1:{port + 1}"
        self.process: subprocess.Popen[bytes] | None = None
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {TOKEN}"

    @property
    def database(self) -> Path:
        """Return the centre's SQLite file."""
        return self.folder / "hotline.sqlite3"

    def start(self) -> None:
        """Start Redis and the centre, and wait until both the web and the emulator answer."""
        self.redis.start()
        env = {
            **os.environ,
            "HOTLINE_INSTANCE_DIR": str(self.folder),
            "REDIS_URL": self.redis.url,
            "EMULATOR_CONTROL_TOKEN": TOKEN,
            "EMULATOR_TIME_SCALE": "0.1",
            "HOTLINE_DB_STATEMENT_TIMEOUT_SECONDS": STATEMENT_TIMEOUT,
        }
        log = open(self.folder / "centre.log", "wb")  # noqa: SIM115
        command = [sys.executable, "-m", "centre.cli", "up", "--port", str(self.port)]
        self.process = subprocess.Popen(
            [*command, "--around-the-clock"], env=env, stdout=log, stderr=subprocess.STDOUT
        )
        wait_for(lambda: self.answers(self.web + "/ivr/health"), "the centre's web", 90)
        wait_for(lambda: self.answers(self.emulator + "/emulator/health"), "the emulator", 30)

    def answers(self, url: str) -> bool:
        """Tell whether a URL answers 200."""
        try:
            return requests.get(url, timeout=2).ok
        except requests.RequestException:
            return False

    def stop(self) -> None:
        """Stop the centre (as Ctrl-C would) and its Redis."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.redis.stop()

    def call(self, caller: str, script: list[dict[str, object]]) -> dict[str, Any]:
        """Place a scripted call through the emulator and return it once it has ended."""
        placed = self.session.post(
            f"{self.emulator}/emulator/calls", json={"from": caller, "script": script}, timeout=10
        )
        placed.raise_for_status()
        sid = placed.json()["sid"]
        deadline = time.monotonic() + PATIENCE
        while time.monotonic() < deadline:
            call: dict[str, Any] = self.session.get(
                f"{self.emulator}/emulator/calls/{sid}", timeout=10
            ).json()
            if call["status"] not in ("queued", "ringing", "in-progress"):
                return call
            time.sleep(0.1)
        raise RuntimeError(f"call {sid} did not end within {PATIENCE:.0f} s")

    def rows(self, query: str, *args: object) -> list[tuple[Any, ...]]:
        """Read the centre's database (a reader is not blocked by a writer's lock)."""
        with sqlite3.connect(self.database, timeout=10) as connection:
            return list(connection.execute(query, args))


def wait_for(check: Callable[[], object], what: str, timeout: float = PATIENCE) -> float:
    """Wait until check holds; return how long it took."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        try:
            if check():
                return time.monotonic() - started
        except (redis.RedisError, sqlite3.Error):
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{what} did not happen within {timeout:.0f} s")


EVENT_LINES = {
    "say": "  hears   {text}",
    "input": "  caller  {text}",
    "silence": "  caller  (says nothing)",
    "record": "  caller  {text}",
    "enqueue": "  queue   {text}",
    "fallback": "  network {text}",
    "error": "  network {text}",
    "hangup": "  end     {text}",
    "status": "  end     {text}",
}


def transcript(title: str, call: dict[str, Any]) -> list[str]:
    """Return what a caller heard and did, one line per step."""
    lines = [f"{title} (call {call['sid']})"]
    for event in call["events"]:
        line = EVENT_LINES.get(event["kind"])
        if line is not None:
            lines.append(line.format(text=event["text"]))
    return lines


@contextmanager
def database_locked(path: Path) -> Iterator[None]:
    """Hold SQLite's write lock: every write of the centre waits its timeout, then fails."""
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("BEGIN EXCLUSIVE")
    try:
        yield
    finally:
        connection.execute("ROLLBACK")
        connection.close()


def with_redis_down(centre: Centre, out: list[str]) -> None:
    """Stop Redis, call, start it again; say what came back and how soon."""
    out += ["", "## Redis down", ""]
    centre.redis.stop()
    menu = centre.call(
        JAN,
        [
            {"silence": True},
            {"press": "1"},
            {"press": "9"},
            {"press": "2"},
            {"say": "Kraków"},
            {"press": "#"},  # every offer, not one occupation's
        ],
    )
    out += transcript("Jan hears the menu, an answer and the vacancies", menu)
    out.append("")
    callback = centre.call(JAN, [{"silence": True}, {"press": "0"}, {"press": "1"}])
    out += transcript("Jan asks for a consultant, then for a callback", callback)
    out.append("")
    message = centre.call(
        EMMA,
        [{"silence": True}, {"press": "0"}, {"press": "2"}, {"record": "Please call me back"}],
    )
    out += transcript("Emma asks for a consultant, then leaves a message", message)
    stored = centre.rows("SELECT status FROM callback_requests WHERE call_sid = ?", callback["sid"])
    voicemail = centre.rows("SELECT status FROM recordings WHERE call_sid = ?", message["sid"])
    out += [
        "",
        f"While Redis is down: callback request in the database: {stored or 'none'}; "
        f"voicemail in the database: {voicemail or 'none'}.",
    ]
    centre.redis.start()
    client = redis.Redis.from_url(centre.redis.url)
    took = wait_for(
        lambda: client.hget(keys.entry(callback["sid"]), "callback") in (b"1", b"true"),
        "the router putting the callback in the queue",
    )
    out.append(
        f"Redis started again: the router put Jan's callback in the queue {took:.1f} s later."
    )


def with_database_down(centre: Centre, out: list[str]) -> None:
    """Lock the database, call, release it; say what was kept and how soon it was stored."""
    out += ["", "## Database down (SQLite locked: every write fails after "
            f"{STATEMENT_TIMEOUT} s)", ""]  # fmt: skip
    with database_locked(centre.database):
        callback = centre.call(JAN, [{"silence": True}, {"press": "0"}, {"press": "1"}])
        out += transcript("Jan asks for a consultant, then for a callback while waiting", callback)
        out.append("")
        message = centre.call(
            EMMA,
            [{"silence": True}, {"press": "0"}, {"press": "2"}, {"record": "Call me please"}],
        )
        out += transcript("Emma asks for a consultant, then leaves a message", message)
        stored = centre.rows(
            "SELECT status FROM callback_requests WHERE call_sid = ?", callback["sid"]
        )
        out += ["", f"While the database is locked: callback request stored: {stored or 'none'}."]
        released = time.monotonic()
    took = wait_for(
        lambda: centre.rows("SELECT 1 FROM callback_requests WHERE call_sid = ?", callback["sid"]),
        "the callback request reaching the database",
        600,
    )
    voicemail = wait_for(
        lambda: centre.rows("SELECT 1 FROM recordings WHERE call_sid = ?", message["sid"]),
        "the voicemail reaching the database",
        600,
    )
    out.append(
        f"Database released: Jan's callback request was stored {took:.1f} s later, Emma's "
        f"voicemail within {time.monotonic() - released:.1f} s (checked {voicemail:.1f} s after)."
    )


def main(argv: list[str] | None = None) -> int:
    """Run both outages and print the transcripts (and save them to --out)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=5300, help="the centre's web port")
    parser.add_argument("--out", type=Path, default=None, help="also write the transcripts here")
    options = parser.parse_args(argv)
    folder = Path(tempfile.mkdtemp(prefix="hotline-degraded-"))
    centre = Centre(options.port, folder)
    out = ["# What a caller hears when the centre's dependencies fail"]
    try:
        centre.start()
        with_redis_down(centre, out)
        with_database_down(centre, out)
    finally:
        centre.stop()
    text = "\n".join(out) + "\n"
    print(text)
    if options.out:
        options.out.write_text(text, encoding="utf-8")
    return 0
