"""Calls placed through the phone network emulator against the test app, heard as a caller.

The app is served over HTTP on a free port with its public URL set to that address, so the
emulator fetches and signs every webhook as Twilio would; a test reads what the caller heard.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import requests
from werkzeug.serving import make_server

from centre.app import create_app
from emulator.app import EmulatorServer
from hotline.settings import Settings
from tests.conftest import control_headers

# The bound only has to outlast a slow, loaded machine; a call ends as soon as its script does.
PATIENCE_SECONDS = 90.0


@dataclass
class Heard:
    """What a caller heard, step by step: the prompts before their first input, then after each."""

    steps: list[list[str]]
    events: list[dict[str, Any]]

    def after(self, step: int) -> str:
        """Return everything said after the caller's step-th input (0: before any input)."""
        return " ".join(self.steps[step]) if step < len(self.steps) else ""

    @property
    def whole(self) -> str:
        """Return everything the caller heard."""
        return " ".join(" ".join(words) for words in self.steps)


class Phone:
    """Places scripted calls to the hotline through the emulator and returns what was heard."""

    def __init__(self, network: EmulatorServer) -> None:
        self.network = network
        self.session = requests.Session()
        self.session.headers.update(control_headers(network))

    def call(self, caller: str, script: list[dict[str, object]]) -> Heard:
        """Place a call from caller that follows script, and return what they heard."""
        placed = self.session.post(
            f"{self.network.url}/emulator/calls",
            json={"from": caller, "script": script},
            timeout=10,
        )
        placed.raise_for_status()
        sid = placed.json()["sid"]
        deadline = time.monotonic() + PATIENCE_SECONDS
        while True:
            call = self.session.get(f"{self.network.url}/emulator/calls/{sid}", timeout=10).json()
            if call["status"] not in ("queued", "ringing", "in-progress"):
                break
            if time.monotonic() > deadline:
                raise AssertionError(f"call {sid} did not end: {call['events'][-5:]}")
            time.sleep(0.05)
        errors = [event for event in call["events"] if event["kind"] == "error"]
        assert not errors, errors
        steps: list[list[str]] = [[]]
        for event in call["events"]:
            if event["kind"] == "say":
                steps[-1].append(event["text"])
            elif event["kind"] in ("input", "silence"):
                steps.append([])
        return Heard(steps, call["events"])


@pytest.fixture
def phone(
    settings: Settings, content: dict[str, int], phone_network: EmulatorServer
) -> Iterator[Phone]:
    """Serve the app with the demo content where the emulator's hotline number rings."""
    server = make_server("127.0.0.1", 0, lambda environ, start: [], threaded=True)
    url = f"http://127.0.0.1:{server.server_port}"
    server.app = create_app(dataclasses.replace(settings, public_url=url))
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    phone_network.route_hotline_to(url)
    try:
        yield Phone(phone_network)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
