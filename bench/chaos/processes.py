"""The centre's processes for the chaos run, started, killed with kill -9 and started again.

Each process runs in a session of its own, so that kill -9 of its group takes gunicorn's
master and its worker together. A supervisor starts again any process that dies by itself (as
systemd or a Procfile runner would), and counts it: an unplanned exit is a finding.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests

PATIENCE_SECONDS = 90.0


@dataclass
class Process:
    """One of the centre's processes: its command, its log, and what happened to it."""

    name: str
    command: list[str]
    log: Path
    health_url: str | None = None
    process: subprocess.Popen[bytes] | None = None
    kills: int = 0
    unplanned_exits: list[int] = field(default_factory=list)
    # While killed on purpose, the supervisor leaves the process alone.
    held: bool = False

    def start(self, env: dict[str, str]) -> None:
        """Start the process with its output appended to its log."""
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                self.command, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )

    def kill(self) -> None:
        """kill -9 the process and everything it started."""
        if self.process is None:
            return
        self.kills += 1
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        """Stop the process politely (SIGTERM to its group), or kill it."""
        if self.process is None or self.process.poll() is not None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=10)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    @property
    def alive(self) -> bool:
        """Tell whether the process runs."""
        return self.process is not None and self.process.poll() is None

    def wait_healthy(self) -> None:
        """Wait until the process answers its health URL (if it has one)."""
        if self.health_url is None:
            return
        deadline = time.monotonic() + PATIENCE_SECONDS
        while time.monotonic() < deadline:
            if not self.alive:
                tail = self.log.read_text(errors="replace")[-3000:]
                raise RuntimeError(f"{self.name} exited before it answered:\n{tail}")
            try:
                if requests.get(self.health_url, timeout=1).ok:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.2)
        raise TimeoutError(f"{self.name} did not answer {self.health_url}")


class Supervisor:
    """Keeps the centre's processes running, as a process manager would."""

    def __init__(self, env: dict[str, str]) -> None:
        self.env = env
        self.processes: dict[str, Process] = {}
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._watch, name="supervisor", daemon=True)

    def add(self, process: Process) -> None:
        """Start a process and keep it running."""
        with self.lock:
            self.processes[process.name] = process
            process.start(self.env)

    def kill_and_restart(self, name: str, down_seconds: float) -> None:
        """kill -9 a process, leave it dead for a moment, and start it again."""
        process = self.processes[name]
        with self.lock:
            process.held = True
            process.kill()
        time.sleep(down_seconds)
        with self.lock:
            process.start(self.env)
            process.held = False

    def watch(self) -> None:
        """Start watching for processes that die by themselves."""
        self.thread.start()

    def _watch(self) -> None:
        while not self.stopping.wait(0.5):
            with self.lock:
                for process in self.processes.values():
                    if process.held or process.process is None:
                        continue
                    code = process.process.poll()
                    if code is not None:
                        process.unplanned_exits.append(code)
                        process.start(self.env)

    def stop(self) -> None:
        """Stop watching, then stop every process."""
        self.stopping.set()
        if self.thread.is_alive():
            self.thread.join(timeout=5)
        for process in reversed(list(self.processes.values())):
            process.stop()


def postgres_database(name: str) -> str:
    """Start the machine's PostgreSQL cluster (as .ci/postgres does) and create a fresh
    database of this name; return its URL."""
    version = sorted(os.listdir("/etc/postgresql"), key=float)[-1]
    subprocess.run(["pg_ctlcluster", version, "main", "start"], capture_output=True)
    deadline = time.monotonic() + 60
    while subprocess.run(["su", "postgres", "-c", "pg_isready -q"]).returncode != 0:
        if time.monotonic() > deadline:
            raise TimeoutError("PostgreSQL did not start")
        time.sleep(1)
    script = (
        "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'hotline') THEN "
        "CREATE ROLE hotline LOGIN PASSWORD 'hotline'; END IF; END $$;\n"
        f"DROP DATABASE IF EXISTS {name};\nCREATE DATABASE {name} OWNER hotline;\n"
    )
    subprocess.run(
        ["su", "postgres", "-c", "psql -q -v ON_ERROR_STOP=1"],
        input=script.encode(),
        check=True,
        capture_output=True,
    )
    return f"postgresql+psycopg://hotline:hotline@127.0.0.1:5432/{name}"


def drop_postgres_database(name: str) -> None:
    """Drop the run's database."""
    subprocess.run(
        ["su", "postgres", "-c", f"psql -q -c 'DROP DATABASE IF EXISTS {name} WITH (FORCE)'"],
        capture_output=True,
    )
