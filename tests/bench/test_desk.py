"""bench/desk: a short run with a few consultants, both ways of following the desk."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_the_benchmark_times_offers_to_streaming_and_polling_desks_through_gunicorn() -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    run = subprocess.run(
        [sys.executable, "-m", "bench.desk", "--consultants", "4", "--offers", "3"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stdout + run.stderr[-3000:]
    assert "0 desk errors, 0 webhook errors" in run.stdout
    rows = dict(
        re.findall(r"^(1 s polling \(baseline\)|event stream)\s+([\d.]+)\s", run.stdout, re.M)
    )
    assert set(rows) == {"1 s polling (baseline)", "event stream"}, run.stdout
    assert re.search(r"^ratio stream / polling\s+[\d.]+\s+[\d.]+$", run.stdout, re.M)
    assert re.search(r"^goal \(stream p99 < 300 ms\): (met|NOT met)$", run.stdout, re.M)
