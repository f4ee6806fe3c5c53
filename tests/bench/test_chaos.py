"""bench/chaos, small: 60 calls while every kind of process is killed and Redis fails over."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from hotline.embedded_redis import find_redis_server

ROOT = Path(__file__).resolve().parents[2]


def redis_with_sentinel() -> bool:
    try:
        find_redis_server()
    except FileNotFoundError:
        return False
    return True


@pytest.mark.slow
@pytest.mark.skipif(not redis_with_sentinel(), reason="needs a redis-server binary")
def test_the_centre_keeps_its_callers_while_its_processes_are_killed_and_redis_fails_over():
    database = "postgresql" if os.geteuid() == 0 and shutil.which("pg_ctlcluster") else "sqlite"
    run = subprocess.run(
        [
            sys.executable, "-m", "bench.chaos", "--calls", "60", "--seconds", "50",
            "--database", database,
        ],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=600,
    )  # fmt: skip
    out = run.stdout
    assert "how the calls ended:" in out, out + run.stderr[-3000:]
    faults = re.findall(r"^\s+[\d.]+\s+(kill -9 \S+|restart Redis|promote the replica)", out, re.M)
    assert len(faults) == 8, out
    assert "FAULT NOT DONE" not in out, out
    # No double assignment, from Redis and from the network, and nobody left stuck.
    assert ": 0 calls held by two consultants" in out, out
    assert re.search(
        r"network: 0 consultants rung while on a call, 0 consultants talking on two calls, "
        r"0 calls talking to two consultants at once",
        out,
    ), out
    assert "consultants left ringing, on a call, not ready or offline at the end: 0" in out, out
    assert "still on the line" not in out, "every call ends"
    endings = out.split("how the calls ended:")[1].split("calls lost")[0]
    assert sum(int(n) for n in re.findall(r"(\d+)$", endings, re.M)) == 60, out
    assert re.search(r"^calls lost: \d+$", out, re.M), out
    assert re.search(r"webhooks: \d+ answered, p50 \d+ ms, p99 \d+ ms", out), out
