"""Benchmark the IVR webhooks under 50 concurrent emulated callers, against fixed TwiML.

Run: python -m bench.webhooks [--callers 50] [--calls 12]
With --vacancies N it measures the vacancy steps instead: see bench/webhooks/vacancies.py.

It starts a private Redis, a SQLite database with the demo data and gunicorn (gthread) in this
run. Each emulated caller places calls along the real path: incoming, then the first page the
greeting's Redirect names (the main menu; the PESEL prompt for the one unknown number), then key
1 on the main menu for the benefit documents answer. Every request is signed as Twilio signs
it, with a pause between steps as a listener would make (0.3-0.9 s by default; real prompts
take several seconds).
Between its real calls, each caller also requests an endpoint that
returns fixed TwiML from the same server, so both are measured under the same load and the
ratio is robust to a noisy machine. The baseline gets the very request Twilio would send it
(the call's parameters, signed), so the ratio measures what the IVR does with a request, not
what the client spends on a larger one. The callers start within the first second, as calls
do, not all in the same millisecond.

The callers send their requests as the phone network emulator does (requests.Session, like
emulator/webhooks.py). --client lean sends them with http.client instead: far less client time
per request, so the same server-side difference weighs more in the ratio.

Putting a caller through to a consultant who comes free: python -m bench.webhooks.bridge.
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import requests
from twilio.request_validator import RequestValidator

from bench.webhooks import vacancies
from hotline.embedded_redis import EmbeddedRedis, free_port

TOKEN = "bench-auth-token"
REDIRECT = re.compile(rb"<Redirect[^>]*>([^<]+)</Redirect>")
CALLERS = ["+48601000001", "+48601000002", "+48601000003", "+48601000004", "+48500111222"]


def percentile(values: list[float], share: float) -> float:
    """Return the value below which share of the values fall."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


class Caller(threading.Thread):
    """One emulated caller placing calls one after another."""

    def __init__(
        self,
        base: str,
        calls: int,
        ivr: list[float],
        fixed: list[float],
        think: tuple[float, float] = (0.3, 0.9),
        lean: bool = False,
    ) -> None:
        super().__init__(daemon=True)
        self.think = think
        self.base, self.calls = base, calls
        self.ivr, self.fixed = ivr, fixed
        self.by_path: dict[str, list[float]] = {}
        self.validator = RequestValidator(TOKEN)
        self.session = requests.Session()
        self.lean: http.client.HTTPConnection | None = None
        if lean:
            host, port = urlsplit(base).netloc.split(":")
            self.lean = http.client.HTTPConnection(host, int(port), timeout=30)
        self.errors = 0
        self.last_answer = b""

    def signed(self, path: str, params: dict[str, str]) -> float:
        url = self.base + path
        headers = {"X-Twilio-Signature": self.validator.compute_signature(url, params)}
        if self.lean is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            body = urlencode(params)
            started = time.perf_counter()
            self.lean.request("POST", path, body=body, headers=headers)
            answer = self.lean.getresponse()
            status, content = answer.status, answer.read()
        else:
            started = time.perf_counter()
            response = self.session.post(url, data=params, headers=headers, timeout=30)
            status, content = response.status_code, response.content
        elapsed = time.perf_counter() - started
        if status != 200 or b"<Response" not in content:
            self.errors += 1
        self.last_answer = content
        self.by_path.setdefault(path.split("?")[0], []).append(elapsed)
        return elapsed

    def run(self) -> None:
        pause = lambda: time.sleep(random.uniform(*self.think))  # noqa: E731
        time.sleep(random.uniform(0.0, 1.0))
        for _ in range(self.calls):
            call = {
                "CallSid": "CA" + uuid.uuid4().hex,
                "AccountSid": "AC" + "0" * 31 + "1",
                "From": random.choice(CALLERS),
                "To": "+48221952400",
                "CallStatus": "ringing",
                "Direction": "inbound",
                "ApiVersion": "2010-04-01",
            }
            self.ivr.append(self.signed("/ivr/incoming", call))
            pause()
            call["CallStatus"] = "in-progress"
            # The greeting's Redirect leads to the caller's first page: the main menu.
            first_page = REDIRECT.search(self.last_answer)
            menu = first_page.group(1).decode() if first_page else "/ivr/menu"
            self.ivr.append(self.signed(menu, call))
            pause()
            self.ivr.append(self.signed("/ivr/menu/input", {**call, "Digits": "1"}))
            pause()
            for _step in range(3):
                self.fixed.append(self.signed("/bench/fixed", call))
                pause()


def main() -> int:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--callers", type=int, default=50)
    parser.add_argument("--calls", type=int, default=8, help="calls per caller")
    parser.add_argument(
        "--think",
        type=float,
        nargs=2,
        default=(0.3, 0.9),
        metavar=("MIN", "MAX"),
        help="seconds a caller listens between requests (real prompts last far longer)",
    )
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument(
        "--client",
        choices=("emulator", "lean"),
        default="emulator",
        help="send requests as the emulator does (requests) or with bare http.client",
    )
    parser.add_argument(
        "--vacancies",
        type=int,
        default=0,
        help="run the vacancy steps against this many offers instead (bench.webhooks.vacancies)",
    )
    parser.add_argument("--customers", type=int, default=1_000_000, help="with --vacancies")
    parser.add_argument(
        "--postgres",
        default=os.environ.get("HOTLINE_BENCH_POSTGRES"),
        help="with --vacancies, also on PostgreSQL: a URL whose database name N stands for the "
        "two databases N_small and N_large, which it empties (env HOTLINE_BENCH_POSTGRES)",
    )
    args = parser.parse_args()
    if args.vacancies:
        return vacancies.run(args)

    folder = Path(tempfile.mkdtemp(prefix="hotline-bench-"))
    redis_server = EmbeddedRedis(folder / "redis", port=free_port(), persist=False)
    port = free_port()
    env = {
        **os.environ,
        "REDIS_URL": redis_server.start(),
        "DATABASE_URL": f"sqlite:///{folder / 'bench.sqlite3'}",
        "PUBLIC_URL": f"http://127.0.0.1:{port}",
        "TWILIO_AUTH_TOKEN": TOKEN,
        "SECRET_KEY": "bench",
    }
    hotline = [sys.executable, "-m", "centre.cli"]
    subprocess.run([*hotline, "db", "upgrade"], env=env, check=True, capture_output=True)
    subprocess.run([*hotline, "demo", "load"], env=env, check=True, capture_output=True)
    server = subprocess.Popen(
        [
            sys.executable, "-m", "gunicorn", "--worker-class", "gthread",
            "--threads", str(args.threads),
            "--workers", str(args.workers), "--bind", f"127.0.0.1:{port}",
            "bench.webhooks.app:app",
        ],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        base = env["PUBLIC_URL"]
        deadline = time.monotonic() + 30
        while True:
            try:
                if requests.get(base + "/ivr/health", timeout=1).ok:
                    break
            except requests.RequestException:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        warm = Caller(base, 3, [], [], think=(0.0, 0.0))
        warm.run()
        ivr: list[float] = []
        fixed: list[float] = []
        think = (args.think[0], args.think[1])
        lean = args.client == "lean"
        callers = [Caller(base, args.calls, ivr, fixed, think, lean) for _ in range(args.callers)]
        started = time.perf_counter()
        for caller in callers:
            caller.start()
        for caller in callers:
            caller.join()
        wall = time.perf_counter() - started
    finally:
        server.terminate()
        server.wait(timeout=10)
        redis_server.stop()

    errors = sum(caller.errors for caller in callers)
    ivr_ms = [s * 1000 for s in ivr]
    fixed_ms = [s * 1000 for s in fixed]
    ivr_median, fixed_median = statistics.median(ivr_ms), statistics.median(fixed_ms)
    ivr_p99, fixed_p99 = percentile(ivr_ms, 0.99), percentile(fixed_ms, 0.99)
    print(f"bench/webhooks: {args.callers} concurrent callers listening "
          f"{args.think[0]}-{args.think[1]} s between steps ({args.client} client), "
          f"{len(ivr)} IVR requests, "
          f"{len(fixed)} baseline requests in {wall:.1f} s, {errors} errors")  # fmt: skip
    print(f"{'':24}{'median ms':>12}{'p99 ms':>12}")
    print(f"{'fixed TwiML (baseline)':24}{fixed_median:12.2f}{fixed_p99:12.2f}")
    print(f"{'IVR webhooks':24}{ivr_median:12.2f}{ivr_p99:12.2f}")
    paths = sorted({path for caller in callers for path in caller.by_path} - {"/bench/fixed"})
    for path in paths:
        times = [s * 1000 for caller in callers for s in caller.by_path.get(path, [])]
        print(f"{'  ' + path:24}{statistics.median(times):12.2f}{percentile(times, 0.99):12.2f}")
    print(f"{'ratio IVR / baseline':24}{ivr_median / fixed_median:12.2f}"
          f"{ivr_p99 / fixed_p99:12.2f}")  # fmt: skip
    goal = ivr_median / fixed_median <= 1.5 and ivr_p99 < 50
    print(f"goal (median ratio <= 1.5, p99 < 50 ms): {'met' if goal else 'NOT met'}")
    return 0 if errors == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
