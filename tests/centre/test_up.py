"""`hotline up` as a newcomer runs it: a centre of its own, a log to read, a clean Ctrl-C."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests

from hotline.embedded_redis import free_port
from tests.e2e.conftest import PATIENCE_SECONDS, wait_for

pytestmark = pytest.mark.slow


class Output:
    """Collects what a process prints, line by line, as it prints it."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.lines: list[str] = []
        self.thread = threading.Thread(target=self._read, args=(process,), daemon=True)
        self.thread.start()

    def _read(self, process: subprocess.Popen[str]) -> None:
        assert process.stdout is not None
        for line in process.stdout:
            self.lines.append(line.rstrip("\n"))

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


def test_a_centre_on_its_own_ports_logs_no_routine_polls_and_stops_cleanly_on_ctrl_c(
    tmp_path: Path,
):
    web, emulator, redis_port = free_port(), free_port(), free_port()
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("HOTLINE_", "TWILIO_", "REDIS_", "DATABASE_", "PUBLIC_URL"))
    }
    env["HOTLINE_INSTANCE_DIR"] = str(tmp_path)
    command = [
        sys.executable, "-m", "centre.cli", "up", "--port", str(web),
        "--emulator-port", str(emulator), "--redis-port", str(redis_port), "--around-the-clock",
    ]  # fmt: skip
    # As a terminal starts a foreground job: a process group of its own, which Ctrl-C reaches.
    process = subprocess.Popen(
        command,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    output = Output(process)
    try:
        wait_for(lambda: "Press Ctrl-C" in output.text, PATIENCE_SECONDS, 0.2, "the banner")
        assert f"redis://127.0.0.1:{redis_port}/0" in output.text
        assert f"call --emulator http://127.0.0.1:{emulator} " in output.text

        desk = requests.Session()
        base = f"http://127.0.0.1:{web}"
        login_page = desk.get(f"{base}/desk/login").text
        token = re.search(r'name="csrf_token" value="([^"]+)"', login_page)
        assert token, "the sign-in form carries its CSRF token"
        # Anna answers calls and supervises: she may poll both the desk and the board.
        signed_in = desk.post(
            f"{base}/desk/login",
            data={"login": "anna", "password": "demo1234", "csrf_token": token.group(1)},
        )
        assert signed_in.ok
        for _ in range(5):
            assert desk.get(f"{base}/desk/api/state").ok
            assert desk.get(f"{base}/desk/api/board").ok
        assert desk.get(f"{base}/desk/api/no-such-thing").status_code == 404
        wait_for(lambda: "/desk/api/no-such-thing" in output.text, 30, 0.2, "the 404 logged")
    finally:
        os.killpg(process.pid, signal.SIGINT)
        status = process.wait(timeout=60)
        output.thread.join(timeout=10)
    assert status == 0, output.text[-3000:]
    assert output.lines[-1] == "hotline stopped."
    assert not re.search(r"^Error", output.text, re.MULTILINE)
    assert "/desk/api/state" not in output.text and "/desk/api/board" not in output.text
    assert "POST /desk/login" in output.text, "what a person does is still logged"
    time.sleep(0.5)
    with pytest.raises(requests.ConnectionError):
        requests.get(f"http://127.0.0.1:{web}/ivr/health", timeout=2)
