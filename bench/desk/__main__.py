"""Benchmark how soon an offer reaches the consultant's desk: event streams against the 1 s
polling they replace, with 200 consultants at their desks through gunicorn, in the same run.

Run: python -m bench.desk [--consultants 200] [--offers 40] [--rounds 2]

It starts a private Redis, a SQLite database with the demo data and that many more consultants,
and gunicorn with the centre's own configuration (centre/gunicorn_conf.py: gthread, 160 threads
per worker, two workers as in the Procfile). Every consultant signs in and goes Available.

The two ways of following the desk take turns, in rounds, on the same server:

- "stream": every consultant's desk page holds its event stream (/desk/api/events), as live.js
  does; the offer has arrived when the desk message naming the call is read;
- "poll (baseline)": every consultant's desk asks /desk/api/state once a second, as desk.js
  did, each on its own phase; the offer has arrived when an answer first shows the call ringing.

An offer is made as the router makes it: a caller arrives in the queue and one tick of the
routing engine (the real Lua scripts, in this process, as `hotline router` runs them) pairs
them with the consultant free longest. The clock starts when the tick is called, so the figure
includes the router's own decision; it stops when this process has read the offer off the
socket of that consultant's desk. Both moments are read on one monotonic clock. The offer is
then withdrawn (the caller hangs up) and the next one comes after a random pause, so that
offers fall anywhere in the polls' second.

Meanwhile a stand-in for Twilio sends a signed webhook (/ivr/incoming) every quarter second,
to show whether 200 open streams leave threads for webhooks (Twilio waits 15 s at most).

Goal: p99 under 300 ms with streams.
"""

from __future__ import annotations

import argparse
import contextlib
import faulthandler
import json
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import redis
import requests
from requests.adapters import HTTPAdapter
from sqlalchemy import create_engine
from sqlalchemy.orm import Session
from twilio.request_validator import RequestValidator
from urllib3.util.retry import Retry
from werkzeug.security import generate_password_hash

from consultants.models import Consultant
from hotline.embedded_redis import EmbeddedRedis, free_port
from hotline.settings import Settings
from routing.engine import QueueEntry
from routing.service import build_routing

TOKEN = "bench-auth-token"
PASSWORD = "bench password"
MODES = ("stream", "poll")
BASELINE = "poll"
GOAL_P99_MS = 300.0
POLL_SECONDS = 1.0
WEBHOOK_EVERY_SECONDS = 0.25
PATIENCE_SECONDS = 60.0
CSRF = re.compile(r'name="csrf(?:_token|-token)" (?:value|content)="([^"]+)"')


def percentile(values: list[float], share: float) -> float:
    """Return the value below which share of the values fall."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


@dataclass
class Arrivals:
    """When each offer (by call sid) reached a desk, as read by this process."""

    seen: dict[str, float] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    changed: threading.Condition = field(init=False)

    def __post_init__(self) -> None:
        self.changed = threading.Condition(self.lock)

    def note(self, call_sid: str) -> None:
        """Note that an offer arrived now (the first time counts)."""
        now = time.monotonic()
        with self.changed:
            self.seen.setdefault(call_sid, now)
            self.changed.notify_all()

    def wait(self, call_sid: str) -> float:
        """Wait until an offer has arrived; return when it did."""
        with self.changed:
            if not self.changed.wait_for(lambda: call_sid in self.seen, PATIENCE_SECONDS):
                raise RuntimeError(f"offer of {call_sid} never reached a desk")
            return self.seen[call_sid]


class Desk:
    """One consultant's desk page: signed in, following its state one way or the other."""

    def __init__(self, base: str, login: str, arrivals: Arrivals) -> None:
        self.base, self.login, self.arrivals = base, login, arrivals
        self.session = requests.Session()
        # gunicorn closes a connection idle for 2 s; a browser retries a GET that found its
        # kept-alive connection closed, and so does this page.
        retry = Retry(total=2, connect=2, read=2, status=0, allowed_methods=["GET"])
        self.session.mount("http://", HTTPAdapter(max_retries=retry))
        form = self.session.get(f"{base}/desk/login", timeout=30).text
        self.session.post(
            f"{base}/desk/login",
            data={"login": login, "password": PASSWORD, "csrf_token": CSRF.search(form)[1]},
            timeout=30,
        )
        page = self.session.get(f"{base}/desk/", timeout=30).text
        self.token = CSRF.search(page)[1]  # type: ignore[index]
        self.mode = ""
        self.stop = threading.Event()
        self.thread: threading.Thread | None = None
        self.response: requests.Response | None = None
        self.errors = 0

    def go_available(self) -> None:
        """Press Available."""
        self.session.post(
            f"{self.base}/desk/api/state",
            json={"state": "available"},
            headers={"X-CSRF-Token": self.token},
            timeout=30,
        ).raise_for_status()

    def follow(self, mode: str) -> None:
        """Start following the desk by stream or by polling."""
        self.mode = mode
        self.stop.clear()
        target: Callable[[], None] = self.stream if mode == "stream" else self.poll
        self.thread = threading.Thread(target=target, daemon=True)
        self.thread.start()

    def leave(self) -> None:
        """Close the page: shut its stream's socket, which ends the reader's wait at once."""
        self.stop.set()
        connection = getattr(self.response.raw, "_connection", None) if self.response else None
        if connection is not None and connection.sock is not None:
            with contextlib.suppress(OSError):
                connection.sock.shutdown(socket.SHUT_RDWR)

    def left(self) -> None:
        """Wait until the page is closed."""
        if self.thread is not None:
            self.thread.join(timeout=PATIENCE_SECONDS)

    def stream(self) -> None:
        try:
            self.response = self.session.get(
                f"{self.base}/desk/api/events", stream=True, timeout=(30, 120)
            )
            self.response.raise_for_status()
            if self.stop.is_set():
                return
            event = ""
            for line in self.response.iter_lines(decode_unicode=True):
                if self.stop.is_set():
                    return
                if line.startswith("event: "):
                    event = line[7:]
                elif line.startswith("data: ") and event == "desk" and "call.offered" in line:
                    for change in json.loads(line[6:])["events"]:
                        if change["kind"] == "call.offered":
                            self.arrivals.note(change["call_sid"])
        except (requests.RequestException, ValueError, AttributeError, OSError) as exc:
            # closing the page (leave) cuts the read short: that is no error
            if not self.stop.is_set():
                self.errors += 1
                progress(f"{self.login}: the stream failed: {exc!r}")
        finally:
            if self.response is not None:
                self.response.close()

    def poll(self) -> None:
        time.sleep(random.uniform(0, POLL_SECONDS))
        while not self.stop.is_set():
            started = time.monotonic()
            try:
                state = self.session.get(f"{self.base}/desk/api/state", timeout=30).json()
                call = state.get("call")
                if state.get("state") == "ringing" and call:
                    self.arrivals.note(call["call_sid"])
            except (requests.RequestException, ValueError) as exc:
                self.errors += 1
                progress(f"{self.login}: a poll failed: {exc!r}")
            self.stop.wait(max(0.0, POLL_SECONDS - (time.monotonic() - started)))


class Twilio(threading.Thread):
    """Sends a signed webhook now and then and times each answer."""

    def __init__(self, base: str) -> None:
        super().__init__(daemon=True)
        self.base = base
        self.validator = RequestValidator(TOKEN)
        self.session = requests.Session()
        self.times: dict[str, list[float]] = {mode: [] for mode in MODES}
        self.mode = ""
        self.stop = threading.Event()
        self.errors = 0

    def run(self) -> None:
        while not self.stop.wait(WEBHOOK_EVERY_SECONDS):
            call = {
                "CallSid": "CA" + uuid.uuid4().hex,
                "From": "+48500111222",
                "To": "+48221952400",
            }
            url = self.base + "/ivr/incoming"
            signature = self.validator.compute_signature(url, call)
            started = time.perf_counter()
            try:
                answer = self.session.post(
                    url, data=call, headers={"X-Twilio-Signature": signature}, timeout=15
                )
                if answer.status_code != 200:
                    self.errors += 1
            except requests.RequestException:
                self.errors += 1
                continue
            if self.mode:
                self.times[self.mode].append(time.perf_counter() - started)


def leave(desks: list[Desk]) -> None:
    """Close every desk page, all at once."""
    for desk in desks:
        desk.leave()
    for desk in desks:
        desk.left()


def progress(text: str) -> None:
    """Say how far the run is, on stderr."""
    print(text, file=sys.stderr, flush=True)


def add_consultants(database_url: str, count: int) -> list[str]:
    """Create count consultants who take calls in Polish; return their logins."""
    password_hash = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")
    logins = [f"bench{number:03d}" for number in range(count)]
    engine = create_engine(database_url)
    with Session(engine) as session, session.begin():
        for login in logins:
            session.add(
                Consultant(
                    login=login,
                    name=f"Bench Consultant {login[5:]}",
                    password_hash=password_hash,
                    roles=["consultant"],
                    languages=["pl"],
                    office_code="WAW",
                )
            )
    engine.dispose()
    return logins


def main() -> int:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--consultants", type=int, default=200)
    parser.add_argument("--offers", type=int, default=40, help="offers per mode and round")
    parser.add_argument("--rounds", type=int, default=2, help="turns of each mode")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    faulthandler.register(signal.SIGUSR1, all_threads=False)  # kill -USR1: where it waits

    folder = Path(tempfile.mkdtemp(prefix="hotline-bench-desk-"))
    redis_server = EmbeddedRedis(folder / "redis", port=free_port(), persist=False)
    port = free_port()
    database_url = f"sqlite:///{folder / 'bench.sqlite3'}"
    env = {
        **os.environ,
        "REDIS_URL": redis_server.start(),
        "DATABASE_URL": database_url,
        "PUBLIC_URL": f"http://127.0.0.1:{port}",
        "TWILIO_AUTH_TOKEN": TOKEN,
        "SECRET_KEY": "bench-desk",
        "HOTLINE_CONSULTANT_HOURS": "mon-sun 00:00-24:00",
        "HOTLINE_HOLIDAY_COUNTRY": "",
        "HOTLINE_LOGIN_LIMIT_PER_ADDRESS": "10000 per minute",
    }
    hotline = [sys.executable, "-m", "centre.cli"]
    subprocess.run([*hotline, "db", "upgrade"], env=env, check=True, capture_output=True)
    subprocess.run([*hotline, "demo", "load"], env=env, check=True, capture_output=True)
    logins = add_consultants(database_url, args.consultants)
    server = subprocess.Popen(
        [
            sys.executable, "-m", "gunicorn", "--config", "python:centre.gunicorn_conf",
            "--workers", str(args.workers), "--bind", f"127.0.0.1:{port}", "centre.wsgi:app",
        ],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    latencies: dict[str, list[float]] = {mode: [] for mode in MODES}
    desks: list[Desk] = []
    twilio = Twilio(env["PUBLIC_URL"])
    try:
        base = env["PUBLIC_URL"]
        deadline = time.monotonic() + PATIENCE_SECONDS
        while True:
            try:
                if requests.get(base + "/ivr/health", timeout=1).ok:
                    break
            except requests.RequestException:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        settings = Settings.from_env(env)
        engine = build_routing(settings, redis.Redis.from_url(env["REDIS_URL"])).engine
        arrivals = Arrivals()
        desks = [Desk(base, login, arrivals) for login in logins]
        for desk in desks:
            desk.go_available()
        progress(f"{len(desks)} consultants signed in and available")
        twilio.start()
        for round_number in range(args.rounds):
            for mode in MODES if round_number % 2 == 0 else tuple(reversed(MODES)):
                for desk in desks:
                    desk.follow(mode)
                time.sleep(2.0)  # every desk has opened its stream or started its polls
                twilio.mode = mode
                for _ in range(args.offers):
                    time.sleep(random.uniform(0.2, 0.6))
                    call_sid = "CA" + uuid.uuid4().hex
                    engine.arrive(QueueEntry(call_sid=call_sid, language="pl"), "QU" + "1" * 32)
                    decided = time.monotonic()
                    made = engine.tick(20.0).assignments
                    if [offer.call_sid for offer in made] != [call_sid]:
                        raise RuntimeError(f"the router did not offer {call_sid}: {made}")
                    latencies[mode].append(arrivals.wait(call_sid) - decided)
                    engine.finish(call_sid, "abandoned")
                twilio.mode = ""
                leave(desks)
                progress(f"round {round_number + 1}: {args.offers} offers by {mode}")
    finally:
        twilio.stop.set()
        leave(desks)
        server.terminate()
        server.wait(timeout=30)
        redis_server.stop()

    errors = sum(desk.errors for desk in desks)
    print(
        f"bench/desk: {args.consultants} consultants at their desks through gunicorn "
        f"({args.workers} workers, centre/gunicorn_conf.py), {args.rounds} rounds of "
        f"{args.offers} offers per mode, {errors} desk errors, {twilio.errors} webhook errors"
    )
    print(f"{'offer reaches the desk':28}{'median ms':>12}{'p99 ms':>12}{'max ms':>12}")
    figures = {}
    for mode in (BASELINE, "stream"):
        times = [s * 1000 for s in latencies[mode]]
        figures[mode] = (statistics.median(times), percentile(times, 0.99))
        name = "1 s polling (baseline)" if mode == BASELINE else "event stream"
        print(f"{name:28}{figures[mode][0]:12.1f}{figures[mode][1]:12.1f}{max(times):12.1f}")
    ratio = [figures["stream"][i] / figures[BASELINE][i] for i in (0, 1)]
    print(f"{'ratio stream / polling':28}{ratio[0]:12.3f}{ratio[1]:12.3f}")
    print(f"{'webhook /ivr/incoming while':28}{'median ms':>12}{'p99 ms':>12}{'max ms':>12}")
    for mode in (BASELINE, "stream"):
        times = [s * 1000 for s in twilio.times[mode]]
        if times:
            label = f"  desks {'poll' if mode == BASELINE else 'stream'}"
            median, p99 = statistics.median(times), percentile(times, 0.99)
            print(f"{label:28}{median:12.1f}{p99:12.1f}{max(times):12.1f}")
    met = figures["stream"][1] < GOAL_P99_MS
    print(f"goal (stream p99 < {GOAL_P99_MS:.0f} ms): {'met' if met else 'NOT met'}")
    return 0 if errors == 0 and twilio.errors == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
