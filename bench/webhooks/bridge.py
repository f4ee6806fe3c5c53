"""Benchmark putting a waiting caller through to a consultant who comes free: the conference
room against the bare dequeue it replaced, measured in the same run.

Run: python -m bench.webhooks.bridge [--rounds 30] [--pairs 1] [--time-scale 0.02]

It starts a private Redis, a SQLite database with the demo data, gunicorn (gthread) serving the
centre with the old dequeue path's webhooks beside it (bench/webhooks/dequeue.py), and the
phone network emulator in this process, where every consultant's softphone answers at once.
Each round places callers through the emulator (past the greeting, key 0) and waits until
they sit in the queue, between two announcements. Then it makes consultants Available and runs
one router step, as the router process does when someone comes free: that moment is
"consultant free". "Caller hears the consultant" is the emulator's own moment: the caller's
call records "talk" when the room starts with the consultant in it (the product's path), or
"connected" when its <Dial> bridges the consultant's leg (the old path). Both times are read
on this process's monotonic clock (the emulator stamps each event against its call's start on
the same clock), so nothing but the two paths' work lies between them. The two paths take
turns, each going first in every other round, so that drift on a shared machine falls on both.

The router here runs in this process (as `hotline router` would, on the same Redis and the
same REST client), so its step starts the moment the consultant is made free; the real
router's wake-up after a consultant's state changes comes before both paths alike and is left
out. No RQ worker runs: call records queued for it are left in Redis, and no measured step
waits on them. Under --pairs N, N consultants come free at once and one router step offers
all N callers, one after another, as it would.
"""

from __future__ import annotations

import argparse
import logging
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import requests
from sqlalchemy import select

from bench.webhooks.dequeue import DequeueRouter
from consultants.models import Consultant
from emulator.app import EmulatorServer
from emulator.caller import parse_script
from emulator.config import EmulatorConfig
from emulator.models import Call
from hotline.db import db
from hotline.embedded_redis import EmbeddedRedis, free_port
from hotline.settings import Settings
from hotline.telephony import Telephony, make_telephony
from routing.live import ConsultantState, EntryState
from routing.router import Router
from routing.service import Routing, set_consultant_state

TOKEN = "bench-auth-token"
PATHS = ("conference", "dequeue")
# What the caller's call records when they can first hear the consultant, on each path.
HEARS = {"conference": "talk", "dequeue": "connected"}
BASELINE = "dequeue"
GOAL_RATIO = 1.3
# Generous bounds for waits that end as soon as what they wait for happens.
PATIENCE_SECONDS = 60.0
POLL_SECONDS = 0.002
# Steps of the emulator's transcript that say nothing about the bridge.
QUIET_KINDS = frozenset({"wait", "play", "pause"})


def percentile(values: Sequence[float], share: float) -> float:
    """Return the value below which share of the values fall."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


@dataclass
class Sample:
    """One caller put through: how long it took, and when each step happened on the way."""

    path: str
    seconds: float
    steps: dict[str, float] = field(default_factory=dict)  # step -> seconds after "free"


class TimedTelephony:
    """The router's boundary to the network, noting when each request about a caller left and
    when its answer came back."""

    def __init__(self, telephony: Telephony) -> None:
        self.telephony = telephony
        self.spans: list[tuple[str, str, float, float]] = []  # caller, request, sent, answered

    def timed(self, call_sid: str, name: str, request: Callable[[], Any]) -> Any:
        """Make a request for a caller's call, noting when it went and came back."""
        started = time.monotonic()
        try:
            return request()
        finally:
            self.spans.append((call_sid, name, started, time.monotonic()))

    def dequeue_caller(self, queue_sid: str, call_sid: str, url: str) -> None:
        """Take a caller out of the queue."""
        dequeue = lambda: self.telephony.dequeue_caller(queue_sid, call_sid, url)  # noqa: E731
        self.timed(call_sid, "dequeue", dequeue)

    def place_call(self, to: str, url: str, status_callback: str | None = None, **more: Any) -> str:
        """Ring a consultant for the caller the url names."""
        call_sid = parse_qs(urlsplit(url).query).get("call", [""])[0]
        placing = lambda: self.telephony.place_call(to, url, status_callback, **more)  # noqa: E731
        return str(self.timed(call_sid, "place call", placing))

    def __getattr__(self, name: str) -> Any:
        return getattr(self.telephony, name)


class Bench:
    """Places callers, frees consultants and reads from the network when callers hear them."""

    def __init__(
        self, routing: Routing, emulator: EmulatorServer, consultants: list[Consultant]
    ) -> None:
        self.routing = routing
        self.engine = routing.engine
        self.emulator = emulator
        self.network = emulator.network
        self.consultants = consultants
        self.telephony = TimedTelephony(make_telephony(routing.settings))
        settings = routing.settings
        self.routers: dict[str, Router] = {
            "conference": Router(self.engine, self.telephony, settings),  # type: ignore[arg-type]
            "dequeue": DequeueRouter(self.engine, self.telephony, settings),  # type: ignore[arg-type]
        }
        self.numbers = random.Random(19524)
        for consultant in consultants:
            self.network.configure_endpoint(
                f"client:{consultant.client_identity}", {"auto_answer": True}
            )
            set_consultant_state(self.engine, consultant, ConsultantState.NOT_READY, "bench")

    def round(self, path: str, pairs: int) -> list[Sample]:
        """Put pairs waiting callers through to as many consultants coming free, on one path."""
        consultants = self.consultants[:pairs]
        calls = [self.place_caller() for _ in consultants]
        for call in calls:
            wait_until(lambda call=call: self.waiting_quietly(call), f"call {call.sid} to wait")
        self.telephony.spans.clear()
        free = time.monotonic()
        for consultant in consultants:
            set_consultant_state(self.engine, consultant, ConsultantState.AVAILABLE)
        router = self.routers[path]
        while router.step():
            pass
        stepped = time.monotonic()
        samples = [self.heard(call, path, free) for call in calls]
        for call, sample in zip(calls, samples, strict=True):
            sample.steps["router step returns"] = stepped - free
            for call_sid, name, started, ended in self.telephony.spans:
                if call_sid == call.sid:
                    sample.steps[f"router: REST {name} sent"] = started - free
                    sample.steps[f"router: REST {name} answered"] = ended - free
        self.hang_up(calls, consultants)
        return samples

    def place_caller(self) -> Call:
        """Call the hotline from a number the centre does not know; ask for a consultant."""
        number = f"+48799{self.numbers.randrange(10**6):06d}"
        stay = PATIENCE_SECONDS * 4 / self.emulator.config.time_scale
        script = parse_script([{"silence": True}, {"press": "0"}, {"wait": stay}])
        return self.network.place_call(number, script=script)

    def waiting_quietly(self, call: Call) -> bool:
        """Tell whether a caller is routable and has been listening to the pause between
        announcements for a moment (so that the dequeue reaches them at once, not in the middle
        of a wait request)."""
        if call.is_final:
            raise RuntimeError(f"call {call.sid} ended before it reached the queue")
        entry = self.engine.entry(call.sid)
        if entry is None or entry.state != EntryState.WAITING or not entry.routable:
            return False
        events = call.events_after(0)
        if not events or events[-1].kind != "pause" or call.queue_sid is None:
            return False
        # The emulator spaces a call's documents at least this far apart: a dequeue right
        # after the wait document would make the next one wait for it.
        settled = call.started + events[-1].t + 2 * self.emulator.config.min_document_interval
        return time.monotonic() >= settled

    def heard(self, call: Call, path: str, free: float) -> Sample:
        """Wait until the caller can hear their consultant; return when, and the steps between."""
        kind = HEARS[path]
        event = wait_until(
            lambda: (
                next((e for e in call.events_after(0) if e.kind == kind), None)
                or self.fail_if_over(call)
            ),
            f"call {call.sid} to hear a consultant ({kind})",
        )
        heard_at = call.started + event.t
        sample = Sample(path, heard_at - free)
        self.note_steps(sample, "caller", call, free, heard_at)
        leg = self.consultant_leg(call)
        if leg is not None:
            wait_until(lambda: leg.status != "queued", f"leg {leg.sid} to ring")
            sample.steps["consultant's call created"] = leg.started - free
            self.note_steps(sample, "consultant", leg, free, heard_at)
        return sample

    def fail_if_over(self, call: Call) -> None:
        """Stop the wait for a caller who will never hear anyone."""
        if call.is_final:
            told = [f"{e.kind}: {e.text}" for e in call.events_after(0)][-12:]
            raise RuntimeError(f"call {call.sid} ended without a consultant: {told}")
        return None

    def consultant_leg(self, call: Call) -> Call | None:
        """Return the call that rang the consultant for this caller (a REST call or a Dial's)."""
        sid = next(
            (
                e.fields["dial_call_sid"]
                for e in call.events_after(0)
                if "dial_call_sid" in e.fields
            ),
            None,
        )
        if sid is None:
            entry = self.engine.entry(call.sid)
            sid = entry.consultant_leg if entry else None
        return self.network.call(sid) if sid else None

    @staticmethod
    def note_steps(sample: Sample, who: str, call: Call, free: float, until: float) -> None:
        """Note the first of each kind of step on a call between "free" and the caller hearing."""
        for event in call.events_after(0):
            moment = call.started + event.t
            if moment < free or moment > until + 1e-6 or event.kind in QUIET_KINDS:
                continue
            what = event.kind
            if event.kind == "request":
                what = f"{event.fields.get('method')} {urlsplit(event.fields['url']).path} answered"
            sample.steps.setdefault(f"{who}: {what}", moment - free)

    def hang_up(self, calls: list[Call], consultants: list[Consultant]) -> None:
        """End the callers' calls, wait until every report of them is in, and take the
        consultants off the queue again."""
        for call in calls:
            self.network.end_call(call, "the bench hangs up", by_caller=True)
        for call in calls:
            leg = self.consultant_leg(call)
            for each in (call, leg):
                if each is not None:
                    wait_until(lambda each=each: each.wrapped_up, f"call {each.sid} to end")
            wait_until(
                lambda call=call: (
                    (entry := self.engine.entry(call.sid)) is not None
                    and entry.state == EntryState.ENDED
                ),
                f"the centre to close call {call.sid}",
            )
        for consultant in consultants:
            set_consultant_state(self.engine, consultant, ConsultantState.NOT_READY, "bench")


def wait_until(predicate: Callable[[], Any], what: str) -> Any:
    """Poll predicate until it returns something truthy, or fail saying what was awaited."""
    deadline = time.monotonic() + PATIENCE_SECONDS
    while True:
        found = predicate()
        if found:
            return found
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out waiting for {what}")
        time.sleep(POLL_SECONDS)


def centre_environment(folder: Path, web_port: int, emulator_port: int) -> dict[str, str]:
    """Return the environment the centre runs in for the benchmark."""
    return {
        **os.environ,
        "REDIS_URL": "",  # set once the private Redis is up
        "DATABASE_URL": f"sqlite:///{folder / 'bench.sqlite3'}",
        "PUBLIC_URL": f"http://127.0.0.1:{web_port}",
        "TWILIO_API_URL": f"http://127.0.0.1:{emulator_port}",
        "TWILIO_AUTH_TOKEN": TOKEN,
        "SECRET_KEY": "bench",
        "HOTLINE_INSTANCE_DIR": str(folder),
        "HOTLINE_CONSULTANT_HOURS": "mon-sun 00:00-24:00",
        "HOTLINE_HOLIDAY_COUNTRY": "",
        # A long pause between announcements: the dequeue finds callers listening to it.
        "HOTLINE_WAIT_ANNOUNCE_SECONDS": "3600",
    }


def wait_for_web(base: str, server: subprocess.Popen[bytes]) -> None:
    """Wait until gunicorn answers."""
    deadline = time.monotonic() + PATIENCE_SECONDS
    while True:
        if server.poll() is not None:
            raise RuntimeError("gunicorn exited before it answered")
        try:
            if requests.get(base + "/ivr/health", timeout=1).ok:
                return
        except requests.RequestException:
            if time.monotonic() > deadline:
                raise
        time.sleep(0.2)


def run(args: argparse.Namespace) -> list[Sample]:
    """Start the processes, run the rounds and return every sample."""
    from centre.app import create_app
    from routing.extension import services

    folder = Path(tempfile.mkdtemp(prefix="hotline-bench-bridge-"))
    redis_server = EmbeddedRedis(folder / "redis", port=free_port(), persist=False)
    web_port, emulator_port = free_port(), free_port()
    env = centre_environment(folder, web_port, emulator_port)
    env["REDIS_URL"] = redis_server.start()
    hotline = [sys.executable, "-m", "centre.cli"]
    server: subprocess.Popen[bytes] | None = None
    emulator: EmulatorServer | None = None
    try:
        subprocess.run([*hotline, "db", "upgrade"], env=env, check=True, capture_output=True)
        subprocess.run([*hotline, "demo", "load"], env=env, check=True, capture_output=True)
        settings = Settings.from_env(env)
        config = EmulatorConfig(
            account_sid=settings.twilio_account_sid,
            auth_token=TOKEN,
            voice_url=settings.public_url + "/ivr/incoming",
            status_callback_url=settings.public_url + "/ivr/status",
            public_url=env["TWILIO_API_URL"],
            hotline_number=settings.hotline_number,
            time_scale=args.time_scale,
        )
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
        emulator = EmulatorServer(config, port=emulator_port).start()
        log_file = (folder / "web.log").open("wb")
        server = subprocess.Popen(
            [
                sys.executable, "-m", "gunicorn", "--worker-class", "gthread",
                "--threads", str(args.threads), "--workers", str(args.workers),
                "--bind", f"127.0.0.1:{web_port}", "bench.webhooks.bridge_app:app",
            ],
            env=env, stdout=log_file, stderr=log_file,
        )  # fmt: skip
        wait_for_web(settings.public_url, server)
        app = create_app(settings)
        for name in ("", "werkzeug"):  # the emulator's and the centre's lines of every call
            logging.getLogger(name).setLevel(logging.WARNING)
        with app.app_context():
            consultants = list(db.session.scalars(select(Consultant).order_by(Consultant.id)))
            if args.pairs > len(consultants):
                raise SystemExit(f"--pairs: the demo has only {len(consultants)} consultants")
            bench = Bench(services(), emulator, consultants)
            for path in PATHS:  # once each, unmeasured: imports, connections, caches
                bench.round(path, args.pairs)
            samples: list[Sample] = []
            for number in range(args.rounds):
                order = PATHS if number % 2 == 0 else PATHS[::-1]
                for path in order:
                    samples += bench.round(path, args.pairs)
            db.session.remove()
        return samples
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=10)
        if emulator is not None:
            emulator.stop()
        redis_server.stop()


def report(samples: list[Sample], args: argparse.Namespace) -> bool:
    """Print the figures and each path's steps; tell whether the goal is met."""
    by_path = {path: [s for s in samples if s.path == path] for path in PATHS}
    print(
        f"bench/webhooks/bridge: {args.rounds} rounds, {args.pairs} consultant(s) coming free "
        f"at once, emulator time scale {args.time_scale:g} "
        f"(gunicorn {args.workers} workers x {args.threads} threads)"
    )
    print("from consultant free to caller hearing the consultant:")
    print(f"{'':34}{'calls':>7}{'median ms':>12}{'p90 ms':>10}")
    figures: dict[str, tuple[float, float]] = {}
    for path in PATHS:
        ms = [s.seconds * 1000 for s in by_path[path]]
        figures[path] = (statistics.median(ms), percentile(ms, 0.9))
        name = "old dequeue (baseline)" if path == BASELINE else "conference room"
        print(f"{name:34}{len(ms):7}{figures[path][0]:12.1f}{figures[path][1]:10.1f}")
    median_ratio = figures["conference"][0] / figures[BASELINE][0]
    p90_ratio = figures["conference"][1] / figures[BASELINE][1]
    print(f"{'ratio conference / dequeue':34}{'':7}{median_ratio:12.2f}{p90_ratio:10.2f}")
    for path in PATHS:
        print(f"\n{path}: median ms after consultant free, by step")
        steps: dict[str, list[float]] = {}
        for sample in by_path[path]:
            for step, seconds in sample.steps.items():
                steps.setdefault(step, []).append(seconds * 1000)
        common = {
            step: times for step, times in steps.items() if len(times) * 2 >= len(by_path[path])
        }
        for step, times in sorted(common.items(), key=lambda item: statistics.median(item[1])):
            print(f"  {statistics.median(times):9.1f}  {step}")
    met = median_ratio <= GOAL_RATIO
    print(f"\ngoal (median ratio <= {GOAL_RATIO}): {'met' if met else 'NOT met'}")
    return met


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=30, help="rounds, each path once a round")
    parser.add_argument("--pairs", type=int, default=1, help="consultants coming free at once")
    parser.add_argument(
        "--time-scale",
        type=float,
        default=0.02,
        help="the emulator's speed of speech and pauses (1.0: as long as a caller hears them)",
    )
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=8)
    args = parser.parse_args(argv)
    samples = run(args)
    report(samples, args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
