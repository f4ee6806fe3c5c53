"""A Sentinel-managed Redis on this machine: a master, a replica and three sentinels.

Every server asks for a password (as production requires), the master and the replica keep
an append-only file, and the sentinels agree on a failure after a second of silence. Used by
the chaos run and the failover test; each server is a child process on its own loopback port.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import redis

from hotline.embedded_redis import find_redis_server, free_port

MASTER_NAME = "hotline"
QUORUM = 2
DOWN_AFTER_MS = 1000
FAILOVER_TIMEOUT_MS = 10000
PATIENCE_SECONDS = 60.0


@dataclass
class Server:
    """One redis-server (or sentinel) child process."""

    name: str
    port: int
    args: list[str]
    log: Path
    process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        """Start the server in a session of its own."""
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                self.args, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )

    def kill(self) -> None:
        """Kill the server at once (kill -9), as a crash would."""
        if self.process and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def stop(self) -> None:
        """Stop the server politely, or kill it."""
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()

    @property
    def running(self) -> bool:
        """Tell whether the process is alive."""
        return self.process is not None and self.process.poll() is None


@dataclass
class SentinelGroup:
    """A master, a replica and three sentinels on loopback, all behind one password."""

    folder: Path
    password: str = "chaos-redis-password"
    servers: dict[str, Server] = field(default_factory=dict)

    def __post_init__(self) -> None:
        binary = find_redis_server()
        self.folder.mkdir(parents=True, exist_ok=True)
        first_master = free_port()
        for name in ("redis-a", "redis-b"):
            port = first_master if name == "redis-a" else free_port()
            data = self.folder / name
            data.mkdir(exist_ok=True)
            args = [
                binary, "--port", str(port), "--bind", "127.0.0.1", "--dir", str(data),
                "--appendonly", "yes", "--save", "", "--requirepass", self.password,
                "--masterauth", self.password,
            ]  # fmt: skip
            if name == "redis-b":
                args += ["--replicaof", "127.0.0.1", str(first_master)]
            self.servers[name] = Server(name, port, args, self.folder / f"{name}.log")
        for number in range(1, 4):
            name, port = f"sentinel-{number}", free_port()
            conf = self.folder / f"{name}.conf"
            conf.write_text(
                f"port {port}\nbind 127.0.0.1\ndir {self.folder}\n"
                f"sentinel monitor {MASTER_NAME} 127.0.0.1 {first_master} {QUORUM}\n"
                f"sentinel auth-pass {MASTER_NAME} {self.password}\n"
                f"sentinel down-after-milliseconds {MASTER_NAME} {DOWN_AFTER_MS}\n"
                f"sentinel failover-timeout {MASTER_NAME} {FAILOVER_TIMEOUT_MS}\n"
                f"sentinel parallel-syncs {MASTER_NAME} 1\n"
                f"requirepass {self.password}\n"
            )
            self.servers[name] = Server(
                name, port, [binary, str(conf), "--sentinel"], self.folder / f"{name}.log"
            )

    @property
    def sentinels(self) -> list[tuple[str, int]]:
        """Return the sentinels' addresses."""
        return [("127.0.0.1", s.port) for n, s in self.servers.items() if n.startswith("sentinel")]

    @property
    def sentinel_setting(self) -> str:
        """Return the sentinels as REDIS_SENTINELS lists them."""
        return ",".join(f"{host}:{port}" for host, port in self.sentinels)

    def environment(self) -> dict[str, str]:
        """Return the settings that point the centre at this group."""
        return {
            "REDIS_URL": "",
            "REDIS_SENTINELS": self.sentinel_setting,
            "REDIS_MASTER_NAME": MASTER_NAME,
            "REDIS_PASSWORD": self.password,
        }

    def start(self) -> None:
        """Start every server and wait until the sentinels know the master, its replica and
        each other."""
        for server in self.servers.values():
            server.start()
        wait_until(self._settled, "the sentinels to know the master, replica and each other")

    def _settled(self) -> bool:
        try:
            for host, port in self.sentinels:
                client = self.sentinel_client(host, port)
                master = client.sentinel_master(MASTER_NAME)
                replicas = client.sentinel_slaves(MASTER_NAME)
                if int(master.get("num-other-sentinels", 0)) < 2 or not any(
                    "s_down" not in r["flags"] for r in replicas
                ):
                    return False
                if any(r.get("master-link-status") != "ok" for r in replicas):
                    return False
            return True
        except redis.RedisError:
            return False

    def sentinel_client(self, host: str, port: int) -> redis.Redis:
        """Return a client on one sentinel."""
        return redis.Redis(host=host, port=port, password=self.password, socket_timeout=2)

    def master_port(self) -> int:
        """Return the port of the master as the sentinels name it now."""
        for host, port in self.sentinels:
            try:
                _host, master = self.sentinel_client(host, port).sentinel_get_master_addr_by_name(
                    MASTER_NAME
                )
                return int(master)
            except (redis.RedisError, TypeError):
                continue
        raise RuntimeError("no sentinel answers")

    def server_on(self, port: int) -> Server:
        """Return the data server listening on a port."""
        return next(s for s in self.servers.values() if s.port == port)

    def master(self) -> Server:
        """Return the current master."""
        return self.server_on(self.master_port())

    def failover(self) -> tuple[str, str]:
        """Have the sentinels promote the replica (SENTINEL FAILOVER); return (old, new).

        The replica must be in sync first, and a sentinel refuses or drops a failover soon
        after another one: the command is given again until the replica is promoted."""
        wait_until(self._settled, "the replica to be in sync before the failover")
        old = self.master()
        host, port = self.sentinels[0]
        deadline = time.monotonic() + PATIENCE_SECONDS
        while True:
            with contextlib.suppress(redis.ResponseError):
                self.sentinel_client(host, port).execute_command("SENTINEL FAILOVER", MASTER_NAME)
            attempt_ends = time.monotonic() + 5.0
            while time.monotonic() < attempt_ends:
                new = self._new_master(old)
                if new is not None:
                    return old.name, new.name
                time.sleep(0.1)
            if time.monotonic() > deadline:
                raise TimeoutError("timed out waiting for the replica to become the master")

    def kill_master(self) -> tuple[str, str]:
        """Kill the master with kill -9, wait until the sentinels promote the replica, and
        start the old master again (the sentinels make it the new master's replica)."""
        old = self.master()
        old.kill()
        new = wait_until(lambda: self._new_master(old), "the sentinels to promote the replica")
        old.start()
        return old.name, new.name

    def _new_master(self, old: Server) -> Server | None:
        try:
            port = self.master_port()
        except RuntimeError:
            return None
        if port == old.port:
            return None
        server = self.server_on(port)
        try:
            role = redis.Redis(port=port, password=self.password, socket_timeout=2).role()
        except redis.RedisError:
            return None
        return server if role[0] in (b"master", "master") else None

    def stop(self) -> None:
        """Stop every server."""
        for server in self.servers.values():
            server.stop()


def wait_until(predicate, what: str):  # type: ignore[no-untyped-def]
    """Poll predicate until it returns something truthy, or fail saying what was awaited."""
    deadline = time.monotonic() + PATIENCE_SECONDS
    while True:
        found = predicate()
        if found:
            return found
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out waiting for {what}")
        time.sleep(0.1)


@dataclass
class LoneRedis:
    """One password-protected Redis with an append-only file: what restarts in place."""

    folder: Path
    password: str = "chaos-redis-password"
    server: Server | None = None

    def __post_init__(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        port = free_port()
        args = [
            find_redis_server(), "--port", str(port), "--bind", "127.0.0.1",
            "--dir", str(self.folder), "--appendonly", "yes", "--appendfsync", "everysec",
            "--save", "", "--requirepass", self.password,
        ]  # fmt: skip
        self.server = Server("redis", port, args, self.folder / "redis.log")

    def environment(self) -> dict[str, str]:
        """Return the settings that point the centre at this server."""
        assert self.server is not None
        return {
            "REDIS_URL": f"redis://:{self.password}@127.0.0.1:{self.server.port}/0",
            "REDIS_SENTINELS": "",
        }

    def client(self) -> redis.Redis:
        """Return a client on the server."""
        assert self.server is not None
        return redis.Redis(port=self.server.port, password=self.password, socket_timeout=2)

    def _answers(self) -> bool:
        try:
            return bool(self.client().ping())
        except redis.RedisError:
            return False

    def start(self) -> None:
        """Start the server and wait until it answers."""
        assert self.server is not None
        self.server.start()
        wait_until(self._answers, "Redis to answer")

    def restart(self) -> None:
        """kill -9 the server and start it again on its append-only file."""
        assert self.server is not None
        self.server.kill()
        self.start()

    def stop(self) -> None:
        """Stop the server."""
        if self.server is not None:
            self.server.stop()
