"""The vacancy steps at the size of a national feed, against the same steps with a small one.

Run: python -m bench.webhooks --vacancies 100000 [--customers 1000000] [--postgres URL]

For each database engine (SQLite, and PostgreSQL when --postgres names a server) it builds two
databases in this run: a small one (250 offers, 1,000 customers) and a large one (the offers
and customers asked for, inserted in bulk by bench.webhooks.feed), and serves each with its
own gunicorn. Emulated callers place calls one after another, alternating between the two
servers, so both are measured under the same load: incoming, the main menu, key 2, a town
said at the region prompt, an occupation said (or # for every offer), then "next" twice.
Every request is signed as Twilio signs it. The callers are registered customers, the same
numbers in both databases, so both take the same path through the IVR.

It prints the median and p99 of each webhook on both sizes, and the ratio of the medians.
The goal: p99 under 50 ms on the large feed, and the large median within 1.5 times the small.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import requests
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from twilio.request_validator import RequestValidator

from bench.webhooks.feed import fill
from hotline.embedded_redis import EmbeddedRedis, free_port

TOKEN = "bench-auth-token"
SMALL_VACANCIES, SMALL_CUSTOMERS = 250, 1000
TOWNS = ["Kraków", "Warszawa", "Gdańsk", "Wrocław", "у Кракові", "Poznań", "Vrotslav", "Lublin"]
OCCUPATIONS = ["spawacz", "magazynier", "kierowca", "sprzedawca", "pielęgniarka", "#"]
GOAL_P99_MS, GOAL_RATIO = 50.0, 1.5


def percentile(values: list[float], share: float) -> float:
    """Return the value below which share of the values fall."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


@dataclass
class Server:
    """One size of feed, served by its own gunicorn."""

    size: str
    url: str
    database_url: str
    process: subprocess.Popen[bytes] | None = None
    times: dict[str, list[float]] = field(default_factory=dict)
    errors: int = 0


class Caller(threading.Thread):
    """One emulated caller, alternating its calls between the small and the large feed."""

    def __init__(
        self, servers: list[Server], calls: int, think: tuple[float, float], seed: int
    ) -> None:
        super().__init__(daemon=True)
        self.servers, self.calls, self.think = servers, calls, think
        self.rng = random.Random(seed)
        self.session = requests.Session()
        self.validator = RequestValidator(TOKEN)
        self.lock = threading.Lock()

    def post(self, server: Server, path: str, params: dict[str, str], step: str) -> bytes:
        url = server.url + path
        headers = {"X-Twilio-Signature": self.validator.compute_signature(url, params)}
        started = time.perf_counter()
        response = self.session.post(url, data=params, headers=headers, timeout=30)
        elapsed = (time.perf_counter() - started) * 1000
        with self.lock:
            server.times.setdefault(step, []).append(elapsed)
            if response.status_code != 200 or b"<Response" not in response.content:
                server.errors += 1
        return response.content

    def pause(self) -> None:
        time.sleep(self.rng.uniform(*self.think))

    def run(self) -> None:
        time.sleep(self.rng.uniform(0.0, 1.0))
        for number in range(self.calls):
            # Both sizes get the same call: the same caller, town, occupation and keys.
            caller = f"+4870{self.rng.randrange(SMALL_CUSTOMERS):07d}"
            town, occupation = self.rng.choice(TOWNS), self.rng.choice(OCCUPATIONS)
            order = self.servers if number % 2 == 0 else self.servers[::-1]
            for server in order:
                self.place(server, caller, town, occupation)

    def place(self, server: Server, caller: str, town: str, occupation: str) -> None:
        call = {
            "CallSid": "CA" + uuid.uuid4().hex, "AccountSid": "AC" + "0" * 31 + "1",
            "From": caller, "To": "+48221952400", "CallStatus": "ringing",
            "Direction": "inbound", "ApiVersion": "2010-04-01",
        }  # fmt: skip
        greeting = self.post(server, "/ivr/incoming", call, "incoming")
        call["CallStatus"] = "in-progress"
        menu = "/ivr/menu"
        if b"<Redirect" in greeting:
            menu = greeting.split(b"<Redirect")[1].split(b">")[1].split(b"<")[0].decode()
        self.pause()
        self.post(server, menu.replace("&amp;", "&"), call, "menu")
        self.pause()
        self.post(server, "/ivr/menu/input", {**call, "Digits": "2"}, "menu: 2 (vacancies)")
        self.pause()
        said = {**call, "SpeechResult": town, "Confidence": "0.8"}
        self.post(server, "/ivr/region/input", said, "region: a town said")
        self.pause()
        if occupation == "#":
            chosen = {**call, "Digits": "#"}
        else:
            chosen = {**call, "SpeechResult": occupation, "Confidence": "0.8"}
        self.post(server, "/ivr/occupation/input", chosen, "occupation: first page")
        for _ in range(2):
            self.pause()
            self.post(
                server, "/ivr/vacancies/input", {**call, "Digits": "1"}, "vacancies: next page"
            )


def prepare(database_url: str, vacancies: int, customers: int, env: dict[str, str]) -> str:
    """Build a database with the demo content and a generated feed; return how long it took."""
    if database_url.startswith("postgresql"):
        engine = create_engine(database_url)
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    hotline = [sys.executable, "-m", "centre.cli"]
    env = {**env, "DATABASE_URL": database_url}
    subprocess.run([*hotline, "db", "upgrade"], env=env, check=True, capture_output=True)
    subprocess.run([*hotline, "demo", "load"], env=env, check=True, capture_output=True)
    started = time.perf_counter()
    engine = create_engine(database_url)
    counts = fill(engine, vacancies, customers)
    engine.dispose()
    took = time.perf_counter() - started
    return f"{counts['vacancies']:,} offers and {counts['customers']:,} customers in {took:.1f} s"


def serve(server: Server, env: dict[str, str], workers: int, threads: int) -> None:
    """Start gunicorn for one size and wait until it answers."""
    port = server.url.rsplit(":", 1)[1]
    env = {**env, "DATABASE_URL": server.database_url, "PUBLIC_URL": server.url}
    server.process = subprocess.Popen(
        [
            sys.executable, "-m", "gunicorn", "--worker-class", "gthread", "--threads",
            str(threads), "--workers", str(workers), "--bind", f"127.0.0.1:{port}",
            "bench.webhooks.app:app",
        ],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while True:
        try:
            if requests.get(server.url + "/ivr/health", timeout=1).ok:
                return
        except requests.RequestException:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def database_urls(engine_name: str, folder: Path, postgres: str | None) -> dict[str, str]:
    """Return the small and the large database URL for an engine."""
    if engine_name == "sqlite":
        return {size: f"sqlite:///{folder / f'{size}.sqlite3'}" for size in ("small", "large")}
    assert postgres is not None
    base = make_url(postgres)
    name = base.database or "hotline_bench"
    return {
        size: base.set(database=f"{name}_{size}").render_as_string(hide_password=False)
        for size in ("small", "large")
    }


def report(engine_name: str, servers: dict[str, Server], built: dict[str, str]) -> bool:
    """Print the figures of one engine; return whether the goal was met."""
    small, large = servers["small"], servers["large"]
    print(f"\n{engine_name}: small {built['small']}; large {built['large']}")
    print(f"{'webhook':28}{'small med':>10}{'p99':>8}{'large med':>11}{'p99':>8}{'ratio':>8}")
    met = True
    for step in large.times:
        small_ms, large_ms = small.times[step], large.times[step]
        ratio = statistics.median(large_ms) / statistics.median(small_ms)
        p99 = percentile(large_ms, 0.99)
        met = met and p99 < GOAL_P99_MS and ratio <= GOAL_RATIO
        print(f"{step:28}{statistics.median(small_ms):10.1f}{percentile(small_ms, 0.99):8.1f}"
              f"{statistics.median(large_ms):11.1f}{p99:8.1f}{ratio:8.2f}")  # fmt: skip
    print(f"errors: small {small.errors}, large {large.errors}; requests per size: "
          f"{sum(len(t) for t in large.times.values())}")  # fmt: skip
    verdict = "met" if met and not small.errors and not large.errors else "NOT met"
    print(
        f"goal (every webhook p99 < {GOAL_P99_MS:.0f} ms, median ratio <= {GOAL_RATIO}): {verdict}"
    )
    return verdict == "met"


def run(args: argparse.Namespace) -> int:
    """Run the vacancy benchmark on each engine and print its figures."""
    folder = Path(tempfile.mkdtemp(prefix="hotline-bench-vacancies-"))
    engines = ["sqlite"] + (["postgresql"] if args.postgres else [])
    all_met = True
    for engine_name in engines:
        redis_server = EmbeddedRedis(
            folder / f"redis-{engine_name}", port=free_port(), persist=False
        )
        env = {
            **os.environ, "REDIS_URL": redis_server.start(), "TWILIO_AUTH_TOKEN": TOKEN,
            "SECRET_KEY": "bench",
        }  # fmt: skip
        urls = database_urls(engine_name, folder, args.postgres)
        sizes = {
            "small": (SMALL_VACANCIES, SMALL_CUSTOMERS),
            "large": (args.vacancies, args.customers),
        }
        built = {size: prepare(urls[size], *sizes[size], env) for size in sizes}
        servers = {
            size: Server(size, f"http://127.0.0.1:{free_port()}", urls[size]) for size in sizes
        }
        try:
            for server in servers.values():
                serve(server, env, args.workers, args.threads)
            # Warm every worker of both (imports, the gazetteer's match tables, which each
            # process builds once an hour, the first connections) before measuring: a few
            # callers at once, so that each worker takes some of their calls.
            warm = [
                Caller(list(servers.values()), 4, (0.0, 0.05), seed=-n)
                for n in range(1, args.workers * 2 + 1)
            ]
            for caller in warm:
                caller.start()
            for caller in warm:
                caller.join()
            for server in servers.values():
                server.times.clear()
                server.errors = 0
            think = (args.think[0], args.think[1])
            callers = [
                Caller(list(servers.values()), args.calls, think, seed=n + 1)
                for n in range(args.callers)
            ]
            for caller in callers:
                caller.start()
            for caller in callers:
                caller.join()
        finally:
            for server in servers.values():
                if server.process is not None:
                    server.process.terminate()
                    server.process.wait(timeout=10)
            redis_server.stop()
        all_met = report(engine_name, servers, built) and all_met
    return 0 if all_met else 1
