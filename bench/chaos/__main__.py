"""The chaos run: a centre in real processes keeps its callers while its parts are killed.

Run: python -m bench.chaos [--calls 500] [--seconds 240] [--redis sentinel|single]
                           [--database postgresql|sqlite] [--time-scale 0.05]

It starts, as separate processes: Redis (a master, a replica and three sentinels, each with an
append-only file and a password; or one server with --redis single), PostgreSQL (a database of
its own in the machine's cluster, as .ci/postgres starts it; SQLite with --database sqlite),
two gunicorn web servers sharing one port (SO_REUSEPORT, as two hosts behind a balancer), two
routers, two RQ workers and the phone network emulator. Thirty consultants take calls on the
network: their softphones answer at once and hang up after a talk of a few seconds. Nothing is
answered through the centre's own API; the run only sets consultants available, and sends
them to lunch for a while (as the desk's status buttons do), so that callers queue up and
choose callbacks and voicemail.

Callers (bench/chaos/scenario.py) arrive at random over --seconds: self-service, callers who
wait for a consultant, who hang up while waiting, who ask for a callback, who leave a voicemail.
Meanwhile a schedule kills each kind of process in turn with kill -9 and starts it again,
restarts Redis once (kill -9 of the master: with Sentinel the replica is promoted and the old
master comes back as its replica) and, with Sentinel, has the sentinels promote the replica
once more (SENTINEL FAILOVER). A process that dies by itself is started again and counted.

When the last caller has finished, it checks and prints:
- how every call ended, from the network, the database and Redis together: answered,
  abandoned, a callback made or scheduled, a voicemail stored, self-service, or lost (why);
- contacts (call records), callback requests and voicemails lost or duplicated;
- double assignment: consultants' Redis states sampled four times a second (one call held by
  two consultants), and the network's legs (a consultant rung while on a call, one call
  talking to two consultants at once);
- consultants left ringing, on a call, or not ready when all is quiet;
- callers who heard an apology, seconds in which some webhook failed, the webhook p99 (from
  the web servers' access logs), and what the routers rebuilt after Redis was replaced.

Goal: 0 calls lost and 0 invariant violations, in under ten minutes.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import redis
import requests
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from bench.chaos.processes import Process, Supervisor, drop_postgres_database, postgres_database
from bench.chaos.scenario import ACCEPTED, PlannedCall, plan_calls
from bench.chaos.sentinel import LoneRedis, SentinelGroup
from consultants.models import Consultant
from hotline.embedded_redis import free_port
from hotline.redis_client import RedisConnection, RedisTarget
from recordings.models import Recording
from routing import keys
from routing.models import CallbackRequest, CallRecord

TOKEN = "chaos-auth-token"
CONTROL_TOKEN = "chaos-emulator-control-token"
CONTROL = {"Authorization": f"Bearer {CONTROL_TOKEN}"}
CONSULTANTS = 30
PASSWORD = "chaos password"
DOWN_SECONDS = 3.0
SAMPLE_SECONDS = 0.25
DRAIN_SECONDS = 150.0
WEBHOOK_PREFIXES = ("/ivr/", "/routing/", "/recordings/", "/messaging/")
APPLICATION_ERROR = "We are sorry, an application error has occurred. Goodbye."
ACCESS_LINE = re.compile(
    r'\[(?P<when>[^\]]+)\] "(?P<method>\w+) (?P<path>\S+)" (?P<status>\d+) \S+ (?P<ms>\d+)ms'
)
FINAL = ("completed", "busy", "failed", "no-answer", "canceled")


# The run's environment ---------------------------------------------------------------------


def centre_environment(
    folder: Path, web_port: int, emulator_port: int, args: argparse.Namespace
) -> dict[str, str]:
    """Return the environment every process of the centre shares."""
    return {
        **os.environ,
        "PYTHONPATH": str(Path(__file__).resolve().parents[2]),
        "HOTLINE_INSTANCE_DIR": str(folder),
        "PUBLIC_URL": f"http://127.0.0.1:{web_port}",
        "TWILIO_API_URL": f"http://127.0.0.1:{emulator_port}",
        "TWILIO_AUTH_TOKEN": TOKEN,
        "SECRET_KEY": "chaos-run-secret-key-of-32-bytes!",
        "EMULATOR_CONTROL_TOKEN": CONTROL_TOKEN,
        "EMULATOR_TIME_SCALE": str(args.time_scale),
        "HOTLINE_CONSULTANT_HOURS": "mon-sun 00:00-24:00",
        "HOTLINE_HOLIDAY_COUNTRY": "",
        "HOTLINE_CLOSED_DAYS": "",
        "HOTLINE_WRAP_UP_SECONDS": "2",
        # Past a second of waiting, callers may leave a voicemail (their second wait offers it).
        "HOTLINE_MAX_WAIT_SECONDS": "1",
        "HOTLINE_TIER_ADVISOR_SECONDS": "1",
        "HOTLINE_TIER_OFFICE_SECONDS": "1",
        "HOTLINE_TIER_LANGUAGE_SECONDS": "1",
        "HOTLINE_CALLBACK_RETRY_MINUTES": "1",
    }


def add_consultants(database_url: str, count: int) -> None:
    """Create consultants until there are count, all speaking Polish in Warsaw."""
    engine = create_engine(database_url)
    with Session(engine) as session, session.begin():
        have = len(session.scalars(select(Consultant.id)).all())
        password_hash = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")
        for number in range(have, count):
            session.add(
                Consultant(
                    login=f"chaos{number:03d}",
                    name=f"Chaos Consultant {number:03d}",
                    password_hash=password_hash,
                    roles=["consultant"],
                    languages=["pl", "en"],
                    office_code="WAW",
                )
            )
    engine.dispose()


# The network's control API -----------------------------------------------------------------


class Network:
    """The emulator's control API: place calls, configure phones, read what happened."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.session = requests.Session()
        self.session.headers.update(CONTROL)

    def place_call(self, caller: str, script: list[dict[str, object]]) -> str:
        """Call the hotline from caller, following script."""
        response = self.session.post(
            f"{self.base}/emulator/calls", json={"from": caller, "script": script}, timeout=30
        )
        response.raise_for_status()
        return str(response.json()["sid"])

    def phone(self, address: str, **settings: object) -> None:
        """Configure a phone on the network (answers at once, hangs up after...)."""
        self.session.post(
            f"{self.base}/emulator/endpoints/{address}", json=settings, timeout=30
        ).raise_for_status()

    def calls(self) -> list[dict[str, Any]]:
        """List every call the network has seen."""
        return list(self.session.get(f"{self.base}/emulator/calls", timeout=60).json())

    def call(self, sid: str) -> dict[str, Any]:
        """Return a call with its transcript."""
        return dict(self.session.get(f"{self.base}/emulator/calls/{sid}", timeout=30).json())

    def recordings(self) -> list[dict[str, Any]]:
        """List the recordings the network made."""
        return list(self.session.get(f"{self.base}/emulator/recordings", timeout=30).json())

    def endpoints(self) -> list[dict[str, Any]]:
        """List every phone the network knows."""
        return list(self.session.get(f"{self.base}/emulator/endpoints", timeout=30).json())


# Faults, and what Redis shows while they happen ----------------------------------------------


@dataclass
class Fault:
    """One planned fault: when (seconds after the first call), what, and what came of it."""

    at: float
    what: str
    action: Callable[[], str]
    started: float | None = None
    back: float | None = None
    note: str = ""


class FaultSchedule(threading.Thread):
    """Runs the faults at their moments, one after another."""

    def __init__(self, faults: list[Fault], start: float) -> None:
        super().__init__(name="faults", daemon=True)
        self.faults = faults
        self.start_at = start
        self.errors: list[str] = []

    def run(self) -> None:
        for fault in self.faults:
            delay = self.start_at + fault.at - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            fault.started = time.monotonic() - self.start_at
            try:
                fault.note = fault.action()
            except Exception as exc:  # a fault that cannot be done is reported, not hidden
                self.errors.append(f"{fault.what}: {exc!r}")
            fault.back = time.monotonic() - self.start_at


class RedisSampler(threading.Thread):
    """Reads every consultant's state from Redis four times a second: one call must never be
    held by two consultants at once."""

    def __init__(self, client: redis.Redis, consultant_ids: list[int]) -> None:
        super().__init__(name="sampler", daemon=True)
        self.client = client
        self.ids = consultant_ids
        self.stopping = threading.Event()
        self.samples = 0
        self.unreadable = 0
        self.violations: list[str] = []

    def run(self) -> None:
        while not self.stopping.wait(SAMPLE_SECONDS):
            try:
                pipe = self.client.pipeline(transaction=False)
                for consultant_id in self.ids:
                    pipe.hmget(keys.consultant(consultant_id), "state", "call_sid")
                states = pipe.execute()
            except redis.RedisError:
                self.unreadable += 1
                continue
            self.samples += 1
            holders: dict[str, list[int]] = defaultdict(list)
            for consultant_id, (state, call_sid) in zip(self.ids, states, strict=True):
                if call_sid and state in (b"ringing", b"on-call"):
                    holders[call_sid.decode()].append(consultant_id)
            for call_sid, who in holders.items():
                if len(who) > 1:
                    self.violations.append(f"call {call_sid} held by consultants {who}")


# The run -----------------------------------------------------------------------------------


@dataclass
class Run:
    """Everything the checks read after the run."""

    folder: Path
    planned: list[PlannedCall]
    faults: list[Fault]
    supervisor: Supervisor
    sampler: RedisSampler
    network: Network
    database_url: str
    redis_client: redis.Redis
    consultant_ids: list[int]
    started: float
    arrivals_ended: float = 0.0
    drained: float = 0.0
    place_errors: list[str] = field(default_factory=list)
    fault_errors: list[str] = field(default_factory=list)
    servers: SentinelGroup | LoneRedis | None = None
    database_name: str = ""
    # Calls a consultant transferred (by the desk's own transfer), and who did it.
    transfers: dict[str, int] = field(default_factory=dict)


def consultant_desks(
    app: Any,
    ids: list[int],
    lunch: tuple[float, float],
    start: float,
    stop: threading.Event,
    planned: list[PlannedCall],
    transfers: dict[str, int],
) -> None:
    """Play the consultants' desks: available all day, on a lunch break in the lunch window
    (through the desk's own state change, which refuses a break during a call); a consultant
    who answers a "transfer" caller transfers them to the queue at once (through the desk's own
    call control, as its transfer button does), once per call."""
    from agent_desk.state import DeskError, change_state
    from hotline.db import db
    from routing.control import CallControlError, transfer

    with app.app_context():
        while not stop.wait(0.3):
            now = time.monotonic() - start
            wanted = "break" if lunch[0] <= now < lunch[1] else "available"
            to_transfer = {c.sid for c in planned if c.kind == "transfer" and c.sid}
            try:
                from routing.extension import services

                engine = services().engine
                for consultant_id in ids:
                    live = engine.consultant(consultant_id)
                    if (
                        live.state == "on-call"
                        and live.call_sid in to_transfer
                        and live.call_sid not in transfers
                    ):
                        with contextlib.suppress(CallControlError):
                            transfer(services(), live.call_sid, consultant_id, "queue")
                            transfers[live.call_sid] = consultant_id
                        continue
                    if wanted == "break" and live.state == "available":
                        target = "break"
                    elif wanted == "available" and live.state in ("break", "offline", "not-ready"):
                        target = "available"
                    else:
                        continue
                    consultant = db.session.get(Consultant, consultant_id)
                    with contextlib.suppress(DeskError):
                        change_state(
                            consultant, target, reason="lunch" if target == "break" else ""
                        )
            except (redis.RedisError, Exception):  # the desk tries again, as a person would
                db.session.rollback()
            finally:
                db.session.remove()


def run(args: argparse.Namespace) -> Run:
    """Start the centre, play the calls and the faults, and wait until every call is over."""
    folder = Path(tempfile.mkdtemp(prefix="hotline-chaos-"))
    web_port, emulator_port = free_port(), free_port()
    env = centre_environment(folder, web_port, emulator_port, args)
    servers: SentinelGroup | LoneRedis
    servers = (
        SentinelGroup(folder / "redis") if args.redis == "sentinel" else LoneRedis(folder / "redis")
    )
    servers.start()
    try:
        return play(args, folder, env, servers, web_port, emulator_port)
    except BaseException:
        servers.stop()
        raise


def play(
    args: argparse.Namespace,
    folder: Path,
    env: dict[str, str],
    servers: SentinelGroup | LoneRedis,
    web_port: int,
    emulator_port: int,
) -> Run:
    """Start the centre on its Redis, play the calls and the faults, wait for quiet."""
    env.update(servers.environment())
    database_name = f"hotline_chaos_{os.getpid()}"
    if args.database == "postgresql":
        env["DATABASE_URL"] = postgres_database(database_name)
    else:
        env["DATABASE_URL"] = f"sqlite:///{folder / 'chaos.sqlite3'}"
    hotline = [sys.executable, "-m", "centre.cli"]
    subprocess.run([*hotline, "db", "upgrade"], env=env, check=True, capture_output=True)
    subprocess.run([*hotline, "demo", "load"], env=env, check=True, capture_output=True)
    add_consultants(env["DATABASE_URL"], CONSULTANTS)

    supervisor = Supervisor(env)
    try:
        return play_on(
            args, folder, env, servers, web_port, emulator_port, supervisor, database_name
        )
    except BaseException:
        supervisor.stop()
        if args.database == "postgresql":
            drop_postgres_database(database_name)
        raise


def play_on(
    args: argparse.Namespace,
    folder: Path,
    env: dict[str, str],
    servers: SentinelGroup | LoneRedis,
    web_port: int,
    emulator_port: int,
    supervisor: Supervisor,
    database_name: str,
) -> Run:
    """Start the processes under the supervisor, play the calls and faults, wait for quiet."""
    from centre.app import create_app
    from hotline.settings import Settings

    hotline = [sys.executable, "-m", "centre.cli"]
    gunicorn = [
        sys.executable, "-m", "gunicorn", "--config", "python:centre.gunicorn_conf",
        "--workers", "1", "--threads", "64", "--reuse-port",
        "--bind", f"127.0.0.1:{web_port}", "centre.wsgi:app",
    ]  # fmt: skip
    emulator = Process(
        "emulator", [*hotline, "emulator", "--port", str(emulator_port)], folder / "emulator.log",
        f"http://127.0.0.1:{emulator_port}/emulator/health",
    )  # fmt: skip
    supervisor.add(emulator)
    emulator.wait_healthy()
    for name in ("web-a", "web-b"):
        web = Process(name, gunicorn, folder / f"{name}.log", f"{env['PUBLIC_URL']}/ivr/health")
        supervisor.add(web)
        web.wait_healthy()
    for name, command in (
        ("router-1", "router"), ("router-2", "router"),
        ("worker-1", "worker"), ("worker-2", "worker"), ("scheduler", "scheduler"),
    ):  # fmt: skip
        supervisor.add(Process(name, [*hotline, command], folder / f"{name}.log"))
    supervisor.watch()

    network = Network(env["TWILIO_API_URL"])
    settings = Settings.from_env(env)
    app = create_app(settings)
    target = RedisTarget.from_settings(settings)
    # The run's own look at Redis follows the master as the centre's processes do.
    watched = RedisConnection()
    watched.configure(target=target)
    redis_client = watched.raw
    engine = create_engine(env["DATABASE_URL"])
    with Session(engine) as session:
        consultant_ids = sorted(session.scalars(select(Consultant.id)).all())
    engine.dispose()
    talk = [3.0 + (n % 6) for n in range(len(consultant_ids))]
    for consultant_id, seconds in zip(consultant_ids, talk, strict=True):
        network.phone(f"client:consultant-{consultant_id}", auto_answer=True, hangup_after=seconds)

    seconds = args.seconds
    lunch = (0.35 * seconds, 0.60 * seconds)
    planned = plan_calls(args.calls, seconds, lunch, args.seed)
    for call in planned:
        if call.kind == "callback":  # the customer answers when called back
            network.phone(call.caller, auto_answer=True, hangup_after=2.0)

    def kill(name: str) -> Callable[[], str]:
        return lambda: (
            supervisor.kill_and_restart(name, DOWN_SECONDS),
            f"{name} down {DOWN_SECONDS:g} s",
        )[1]

    def restart_redis() -> str:
        if isinstance(servers, SentinelGroup):
            old, new = servers.kill_master()
            return f"kill -9 of master {old}: sentinels promoted {new}; {old} back as replica"
        servers.restart()
        return "kill -9 of Redis, started again on its append-only file"

    def promote() -> str:
        assert isinstance(servers, SentinelGroup)
        old, new = servers.failover()
        return f"SENTINEL FAILOVER: {new} promoted, {old} now its replica"

    order: list[tuple[str, Callable[[], str]]] = [
        ("kill -9 web-a", kill("web-a")),
        ("kill -9 router-1", kill("router-1")),
        ("kill -9 worker-1", kill("worker-1")),
        ("restart Redis", restart_redis),
        ("kill -9 web-b", kill("web-b")),
        ("kill -9 router-2", kill("router-2")),
        ("kill -9 worker-2", kill("worker-2")),
    ]
    if isinstance(servers, SentinelGroup):
        order.append(("promote the replica", promote))
    step = seconds / (len(order) + 1)
    faults = [Fault(step * (n + 1), what, action) for n, (what, action) in enumerate(order)]

    stop_desks = threading.Event()
    start = time.monotonic()
    transfers: dict[str, int] = {}
    desks = threading.Thread(
        target=consultant_desks,
        args=(app, consultant_ids, lunch, start, stop_desks, planned, transfers),
        daemon=True,
    )
    desks.start()
    sampler = RedisSampler(redis_client, consultant_ids)
    sampler.start()
    schedule = FaultSchedule(faults, start)
    schedule.start()
    result = Run(
        folder, planned, faults, supervisor, sampler, network, env["DATABASE_URL"],
        redis_client, consultant_ids, start, transfers=transfers,
    )  # fmt: skip
    for call in planned:
        delay = start + call.at - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        try:
            call.sid = network.place_call(call.caller, call.script)
            call.placed_at = time.monotonic() - start
        except requests.RequestException as exc:
            result.place_errors.append(f"{call.caller}: {exc}")
    result.arrivals_ended = time.monotonic() - start
    schedule.join()
    result.fault_errors = schedule.errors
    wait_for_quiet(result)
    result.drained = time.monotonic() - start
    stop_desks.set()
    desks.join(timeout=10)
    sampler.stopping.set()
    sampler.join(timeout=5)
    result.servers = servers
    result.database_name = database_name if args.database == "postgresql" else ""
    return result


def wait_for_quiet(run: Run) -> None:
    """Wait until every call has ended and no callback is still due, or the drain runs out."""
    deadline = time.monotonic() + DRAIN_SECONDS
    while time.monotonic() < deadline:
        live = [c for c in run.network.calls() if c["status"] not in FINAL]
        try:
            due = int(run.redis_client.scard(keys.CALLBACKS))
        except redis.RedisError:
            due = -1
        if not live and due == 0:
            return
        time.sleep(1.0)


# The checks --------------------------------------------------------------------------------


def prompts_named(wanted: Callable[[str], bool] | tuple[str, ...]) -> set[str]:
    """Return the catalogue's prompts whose keys are wanted, in every language."""
    texts = set()
    for path in (Path(__file__).resolve().parents[2] / "hotline" / "catalogue").glob("*.json"):
        for key, text in json.loads(path.read_text()).items():
            chosen = wanted(key) if callable(wanted) else key in wanted
            if chosen and isinstance(text, str):
                texts.add(text)
    return texts


def apologies() -> set[str]:
    """Return every apology a caller may hear: the centre's, in each language, and Twilio's."""
    return {APPLICATION_ERROR} | prompts_named(lambda key: "apology" in key)


def moment(call: dict[str, Any], event: dict[str, Any]) -> float:
    """Return when an event happened, as a POSIX time."""
    return datetime.fromisoformat(call["started_at"]).timestamp() + float(event["t"])


@dataclass
class Figures:
    """What the checks found."""

    endings: Counter[str] = field(default_factory=Counter)
    lost: list[str] = field(default_factory=list)
    unexpected: list[str] = field(default_factory=list)
    records_missing: list[str] = field(default_factory=list)
    records_contradicting: list[str] = field(default_factory=list)
    callbacks_confirmed: int = 0
    callbacks_stored: int = 0
    callbacks_lost: list[str] = field(default_factory=list)
    callbacks_made_twice: list[str] = field(default_factory=list)
    callback_status: Counter[str] = field(default_factory=Counter)
    voicemails_left: int = 0
    voicemails_stored: int = 0
    voicemails_lost: list[str] = field(default_factory=list)
    voicemails_duplicated: list[str] = field(default_factory=list)
    busy_offers: list[str] = field(default_factory=list)
    overlapping_legs: list[str] = field(default_factory=list)
    two_consultants: list[str] = field(default_factory=list)
    answered_twice: list[str] = field(default_factory=list)
    transfers_answered: int = 0
    stuck: list[str] = field(default_factory=list)
    apologised: list[str] = field(default_factory=list)
    failed_seconds: set[int] = field(default_factory=set)
    webhook_ms: list[int] = field(default_factory=list)
    webhook_errors: Counter[str] = field(default_factory=Counter)
    rebuilt: Counter[str] = field(default_factory=Counter)


def check(run: Run) -> Figures:
    """Compare the network, the database and Redis after the run."""
    figures = Figures()
    network = run.network
    summaries = {c["sid"]: c for c in network.calls()}
    transcripts = {sid: network.call(sid) for sid in summaries}
    (run.folder / "transcripts.json").write_text(json.dumps(transcripts, ensure_ascii=False))
    engine = create_engine(run.database_url)
    with Session(engine) as session:
        records = {r.call_sid: r for r in session.scalars(select(CallRecord))}
        callbacks = {c.call_sid: c for c in session.scalars(select(CallbackRequest))}
        voicemails: dict[str, list[Recording]] = defaultdict(list)
        for recording in session.scalars(select(Recording).where(Recording.kind == "voicemail")):
            voicemails[recording.call_sid].append(recording)
    engine.dispose()
    recorded = defaultdict(list)
    for recording in network.recordings():
        recorded[recording["call_sid"]].append(recording)
    sorry = apologies()
    confirmations = prompts_named(("callback_confirmed", "advisor_callback_confirmed"))

    # The consultants' legs: who was rung for which call, and when they talked.
    legs_of_call: dict[str, list[tuple[int, float, float]]] = defaultdict(list)
    talks_of_consultant: dict[str, list[tuple[float, float, str]]] = defaultdict(list)
    customer_legs: dict[str, int] = Counter()
    for sid, call in transcripts.items():
        events = call["events"]
        for event in events:
            status = event.get("status")
            failed_request = event["kind"] == "request" and (status is None or int(status) >= 500)
            if failed_request or event["kind"] == "error":
                figures.failed_seconds.add(int(moment(call, event)))
        to = call.get("to") or ""
        if to.startswith("client:consultant-"):
            answered = next((e for e in events if e["kind"] == "connected"), None)
            busy = any(e["kind"] == "hangup" and "busy" in e["text"] for e in events)
            for_call = next(
                (
                    parse_qs(urlsplit(e["url"]).query).get("call", [""])[0]
                    for e in events
                    if e["kind"] == "request" and "call=" in (e.get("url") or "")
                ),
                "",
            )
            if busy:
                figures.busy_offers.append(f"{to} rung for {for_call} while busy")
            if answered is not None:
                begin = moment(call, answered)
                end = moment(call, events[-1])
                talks_of_consultant[to].append((begin, end, sid))
                if for_call:
                    legs_of_call[for_call].append((int(to.rsplit("-", 1)[1]), begin, end))
        elif call.get("direction") == "outbound-dial" and to.startswith("+48799"):
            customer_legs[to] += any(e["kind"] == "connected" for e in events)

    for address, talks in talks_of_consultant.items():
        talks.sort()
        for (_a_start, a_end, a_sid), (b_start, _b_end, b_sid) in zip(
            talks, talks[1:], strict=False
        ):
            if b_start < a_end - 0.05:
                figures.overlapping_legs.append(f"{address}: {a_sid} and {b_sid} at once")
    for call_sid, legs in legs_of_call.items():
        legs.sort(key=lambda leg: leg[1])
        for (a_who, _a_start, a_end), (b_who, b_start, _b_end) in zip(legs, legs[1:], strict=False):
            if a_who != b_who and b_start < a_end - 0.05:
                figures.two_consultants.append(
                    f"{call_sid}: consultants {a_who} and {b_who} at once"
                )
        if call_sid in run.transfers:
            figures.transfers_answered += any(who != run.transfers[call_sid] for who, _, _ in legs)
        elif len(legs) > 1:
            figures.answered_twice.append(f"{call_sid}: {len(legs)} answered legs")

    for planned in run.planned:
        sid = planned.sid
        if not sid:
            figures.lost.append(f"#{planned.number} {planned.kind}: the network refused the call")
            continue
        call = transcripts.get(sid, {"events": [], "status": "unknown"})
        events = call["events"]
        said = [e["text"] for e in events if e["kind"] == "say"]
        if any(text in sorry for text in said):
            figures.apologised.append(sid)
            for e in events:
                if e["kind"] == "say" and e["text"] in sorry:
                    figures.failed_seconds.add(int(moment(call, e)))
        record = records.get(sid)
        if record is None:
            figures.records_missing.append(f"{sid} ({planned.kind})")
        request = callbacks.get(sid)
        confirmed = any(text in confirmations for text in said)
        if confirmed:
            figures.callbacks_confirmed += 1
            if request is None:
                figures.callbacks_lost.append(sid)
        if request is not None:
            figures.callbacks_stored += 1
            figures.callback_status[request.status] += 1
            if customer_legs.get(planned.caller, 0) > 1 and request.status == "completed":
                figures.callbacks_made_twice.append(
                    f"{sid}: {customer_legs[planned.caller]} calls answered"
                )
        left = recorded.get(sid, [])
        stored = voicemails.get(sid, [])
        if left:
            figures.voicemails_left += 1
            if not stored:
                figures.voicemails_lost.append(sid)
        if stored:
            figures.voicemails_stored += 1
            if len(stored) > len(left) or len(stored) > 1:
                figures.voicemails_duplicated.append(f"{sid}: {len(stored)} stored")
        talked = any(e["kind"] == "talk" for e in events)
        enqueued = any(e["kind"] == "enqueue" for e in events)
        hung_up_by_caller = any(
            e["kind"] == "hangup"
            and ("caller hangs up" in e["text"] or "script has ended" in e["text"])
            for e in events
        )
        if call["status"] not in FINAL:
            ending = "still on the line"
        elif stored:
            ending = "voicemail stored"
        elif request is not None:
            ending = "callback made" if request.status == "completed" else "callback scheduled"
            if request.status == "failed":
                ending = "callback failed"
        elif talked:
            ending = "answered"
        elif hung_up_by_caller:
            ending = "abandoned" if enqueued else "self-service"
        else:
            last = next(
                (e["text"] for e in reversed(events) if e["kind"] in ("hangup", "say", "error")), ""
            )
            ending = "cut off by the centre"
            figures.lost.append(f"{sid} ({planned.kind}): {last}")
        figures.endings[ending] += 1
        if ending != "cut off by the centre" and ending not in ACCEPTED[planned.kind]:
            figures.unexpected.append(f"{sid} ({planned.kind}) ended as {ending}")
        if ending in ("still on the line", "callback failed"):
            figures.lost.append(f"{sid} ({planned.kind}): {ending}")
        if record is not None:
            wrong = (
                (ending == "answered" and record.outcome not in ("answered", "callback"))
                or (ending == "abandoned" and record.outcome != "abandoned")
                or (enqueued and record.outcome == "self-service")
                or (not enqueued and record.outcome != "self-service")
            )
            if wrong:
                figures.records_contradicting.append(f"{sid}: {ending}, recorded {record.outcome}")

    # Consultants at the end: nobody ringing, on a call or not ready with nothing on the line.
    phones = {e["address"]: e for e in network.endpoints()}
    for consultant_id in run.consultant_ids:
        state, call_sid = run.redis_client.hmget(
            keys.consultant(consultant_id), "state", "call_sid"
        )
        state_text = (state or b"offline").decode()
        phone = phones.get(f"client:consultant-{consultant_id}", {})
        if (
            state_text in ("ringing", "on-call", "not-ready", "offline")
            or phone.get("state", "idle") != "idle"
        ):
            figures.stuck.append(
                f"consultant {consultant_id}: {state_text}"
                + (f" with {call_sid.decode()}" if call_sid else "")
                + f", phone {phone.get('state', 'unknown')}"
            )

    for name in ("web-a", "web-b"):
        path = run.folder / f"{name}.log"
        for line in path.read_text(errors="replace").splitlines():
            found = ACCESS_LINE.search(line)
            if not found or not found["path"].startswith(WEBHOOK_PREFIXES):
                continue
            if found["path"] == "/ivr/health":
                continue
            figures.webhook_ms.append(int(found["ms"]))
            if found["status"].startswith("5"):
                figures.webhook_errors[found["status"]] += 1
    for path in run.folder.glob("*.log"):
        text = path.read_text(errors="replace")
        figures.rebuilt["router saw Redis replaced"] += text.count("Redis was replaced")
        figures.rebuilt["callbacks restored from the database"] += sum(
            int(n) for n in re.findall(r"restored (\d+) pending callbacks", text)
        )
        figures.rebuilt["waiting entries rebuilt from the wait request"] += text.count(
            "entry rebuilt"
        )
        figures.rebuilt["calls closed from the network's view"] += text.count("without telling us")
        figures.rebuilt["callers alone in a room brought back to the queue"] += text.count(
            "no consultant coming"
        )
        figures.rebuilt["calls found talking in their room, Redis told again"] += text.count(
            "Redis told again"
        )
        figures.rebuilt["callback results read from the network"] += len(
            re.findall(r"result never came \((?!unknown)", text)
        )
        figures.rebuilt["callers whose wait failed, back in the queue"] += text.count(
            "the wait failed; back in the queue"
        )
        figures.rebuilt["offers redelivered after a router died"] += text.count(
            "redelivering an offer"
        )
        figures.rebuilt["offers taken back after ringing too long"] += len(
            re.findall(r"offer to \S+ expired", text)
        )
    return figures


def episodes(seconds: Iterable[int], gap: int = 3) -> list[tuple[int, int]]:
    """Group seconds into episodes: runs with at most gap seconds between them."""
    runs: list[tuple[int, int]] = []
    for second in sorted(seconds):
        if runs and second - runs[-1][1] <= gap:
            runs[-1] = (runs[-1][0], second)
        else:
            runs.append((second, second))
    return runs


def percentile(values: list[int], share: float) -> float:
    """Return the value below which share of the values fall."""
    ordered = sorted(values)
    return float(ordered[min(len(ordered) - 1, int(share * len(ordered)))]) if ordered else 0.0


def report(run: Run, figures: Figures, args: argparse.Namespace, total: float) -> bool:
    """Print the figures; tell whether the goal is met."""
    placed = sum(1 for c in run.planned if c.sid)
    print(
        f"bench/chaos: {placed} calls over {args.seconds:g} s from the emulator (time scale "
        f"{args.time_scale:g}), {len(run.consultant_ids)} consultants answering on the network; "
        f"Redis {args.redis}, {args.database}"
    )
    print(
        f"processes: 2 gunicorn web, 2 routers, 2 RQ workers, the emulator; whole run {total:.0f} s"
    )
    print("\nfaults (seconds after the first call):")
    for fault in run.faults:
        took = (fault.back or 0) - (fault.started or 0)
        print(f"  {fault.started or 0:6.1f}  {fault.what:22} {fault.note} ({took:.1f} s)")
    for error in run.fault_errors:
        print(f"  FAULT NOT DONE: {error}")
    exits = {
        p.name: p.unplanned_exits for p in run.supervisor.processes.values() if p.unplanned_exits
    }
    print(f"  processes that died by themselves and were started again: {exits or 'none'}")

    kinds = Counter(c.kind for c in run.planned)
    print("\ncallers: " + ", ".join(f"{count} {kind}" for kind, count in kinds.most_common()))
    print("how the calls ended:")
    for ending, count in figures.endings.most_common():
        print(f"  {ending:28}{count:5}")
    lost = len(figures.lost)
    print(f"calls lost: {lost}")
    for item in figures.lost[:15]:
        print(f"  - {item}")
    if figures.unexpected:
        print(f"calls that ended other than their caller meant: {len(figures.unexpected)}")
        for item in figures.unexpected[:10]:
            print(f"  - {item}")

    print("\nnothing lost or doubled:")
    print(
        f"  contacts (call records): {placed - len(figures.records_missing)} of {placed} kept, "
        f"{len(figures.records_missing)} missing, "
        f"{len(figures.records_contradicting)} contradicting the network"
    )
    for item in (figures.records_missing + figures.records_contradicting)[:10]:
        print(f"    - {item}")
    print(
        f"  callback requests: {figures.callbacks_confirmed} confirmed to callers, "
        f"{figures.callbacks_stored} stored ({dict(figures.callback_status)}), "
        f"{len(figures.callbacks_lost)} lost, {len(figures.callbacks_made_twice)} made twice"
    )
    print(
        f"  voicemails: {figures.voicemails_left} left on the network, "
        f"{figures.voicemails_stored} stored, "
        f"{len(figures.voicemails_lost)} lost, {len(figures.voicemails_duplicated)} duplicated"
    )

    violations = (
        len(run.sampler.violations) + len(figures.busy_offers) + len(figures.overlapping_legs)
        + len(figures.two_consultants) + len(figures.stuck)
    )  # fmt: skip
    print("\ninvariants:")
    print(
        f"  Redis sampled {run.sampler.samples} times ({run.sampler.unreadable} samples unreadable "
        f"while Redis was away): {len(run.sampler.violations)} calls held by two consultants"
    )
    print(
        f"  network: {len(figures.busy_offers)} consultants rung while on a call, "
        f"{len(figures.overlapping_legs)} consultants talking on two calls, "
        f"{len(figures.two_consultants)} calls talking to two consultants at once "
        f"({len(figures.answered_twice)} calls answered by a consultant twice, one after the other)"
    )
    print(
        f"  transfers: {len(run.transfers)} made by consultants, "
        f"{figures.transfers_answered} of them answered by a colleague after"
    )
    print(
        "  consultants left ringing, on a call, not ready or offline at the end: "
        f"{len(figures.stuck)}"
    )
    for item in (
        run.sampler.violations
        + figures.busy_offers
        + figures.overlapping_legs
        + figures.two_consultants
        + figures.stuck
        + figures.answered_twice
    )[:15]:
        print(f"    - {item}")

    runs = episodes(figures.failed_seconds)
    print("\nwhat callers felt:")
    print(f"  callers who heard an apology: {len(figures.apologised)}")
    print(
        f"  degraded: {len(figures.failed_seconds)} s in which a webhook failed or a caller heard "
        f"an apology, in {len(runs)} episodes"
    )
    ms = figures.webhook_ms
    if ms:
        print(
            f"  webhooks: {len(ms)} answered, p50 {statistics.median(ms):.0f} ms, "
            f"p99 {percentile(ms, 0.99):.0f} ms, max {max(ms)} ms; "
            f"5xx answers {dict(figures.webhook_errors) or 0}"
        )
    print("\nrebuilt after faults (from the processes' logs):")
    for what, count in figures.rebuilt.items():
        print(f"  {what:52}{count:5}")
    met = (
        lost == 0
        and violations == 0
        and not figures.records_missing
        and not figures.callbacks_lost
        and not figures.voicemails_lost
        and not figures.voicemails_duplicated
        and not figures.callbacks_made_twice
    )
    print(
        "\ngoal (0 calls lost, 0 invariant violations, nothing lost or doubled): "
        + ("met" if met else "NOT met")
    )
    print(f"logs: {run.folder}")
    return met


def main(argv: list[str] | None = None) -> int:
    """Run the chaos run and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=500)
    parser.add_argument("--seconds", type=float, default=240.0, help="over how long calls arrive")
    parser.add_argument("--redis", choices=("sentinel", "single"), default="sentinel")
    parser.add_argument("--database", choices=("postgresql", "sqlite"), default="postgresql")
    parser.add_argument("--time-scale", type=float, default=0.05)
    parser.add_argument("--seed", type=int, default=19524)
    args = parser.parse_args(argv)
    began = time.monotonic()
    result = run(args)
    try:
        figures = check(result)
        met = report(result, figures, args, time.monotonic() - began)
    finally:
        result.supervisor.stop()
        if result.servers is not None:
            result.servers.stop()
        if result.database_name:
            drop_postgres_database(result.database_name)
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
