"""A hotline line for IVR tests: the real app served over HTTP, rung by the phone network emulator.

Calls are placed on the emulator exactly as a caller would dial: the emulator fetches the
signed webhooks, follows the TwiML, and records what the caller heard.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from typing import Any

import pytest
import requests
from werkzeug.serving import make_server

from centre.app import create_app
from emulator.app import EmulatorServer
from emulator.config import EmulatorConfig
from hotline.embedded_redis import free_port
from hotline.settings import Settings
from tests.conftest import AUTH_TOKEN

PATIENCE_SECONDS = 60.0
SKIP_GREETING: dict[str, object] = {"silence": True}
# A caller per language whose number the demo data knows, so the IVR speaks their language.
CALLERS = {
    "pl": "+48601000001",
    "en": "+447400123456",
    "uk": "+48601000003",
    "ro": "+48601000004",
}
ANONYMOUS = "+48500999888"


@dataclass
class HeardCall:
    """A finished call as the emulator saw it."""

    sid: str
    status: str
    events: list[dict[str, Any]] = field(default_factory=list)

    def said(self) -> list[str]:
        """Return what the caller heard, one <Say> at a time."""
        return [event["text"] for event in self.events if event["kind"] == "say"]

    def heard(self) -> str:
        """Return everything the caller heard, as one text."""
        return " ".join(self.said())

    def turns(self) -> list[str]:
        """Return what the caller heard between one thing they did and the next.

        turns()[0] is the greeting; turns()[n] is what followed the caller's nth step.
        """
        heard: list[list[str]] = [[]]
        for event in self.events:
            if event["kind"] == "say":
                heard[-1].append(event["text"])
            elif event["kind"] in ("input", "silence"):
                heard.append([])
        return [" ".join(turn) for turn in heard]

    def kinds(self) -> list[str]:
        """Return the kinds of the call's events, in order."""
        return [event["kind"] for event in self.events]


@dataclass
class Line:
    """The hotline number, served by the real app, reached through the emulator."""

    web: str
    emulator: EmulatorServer
    settings: Settings
    app: Any = None

    @property
    def control(self) -> dict[str, str]:
        """Return the headers the emulator's control API asks for."""
        return {"Authorization": f"Bearer {self.emulator.config.control_token}"}

    def call(
        self, caller: str, script: list[dict[str, object]], timeout: float = PATIENCE_SECONDS
    ) -> HeardCall:
        """Place a scripted call, wait for it to end and return what the caller heard."""
        response = requests.post(
            f"{self.emulator.url}/emulator/calls",
            json={"from": caller, "script": script},
            headers=self.control,
            timeout=10,
        )
        response.raise_for_status()
        sid = str(response.json()["sid"])
        deadline = time.monotonic() + timeout
        while True:
            call = requests.get(
                f"{self.emulator.url}/emulator/calls/{sid}", headers=self.control, timeout=10
            ).json()
            if call["status"] not in ("queued", "ringing", "in-progress"):
                return HeardCall(sid, call["status"], call["events"])
            if time.monotonic() > deadline:
                raise AssertionError(f"call {sid} still {call['status']}: {call['events']}")
            time.sleep(0.05)

    def messages_to(self, number: str) -> list[dict[str, Any]]:
        """Return the text messages the network accepted for a number."""
        every = requests.get(
            f"{self.emulator.url}/emulator/messages", headers=self.control, timeout=10
        ).json()
        return [message for message in every if message["to"] == number]


def serve_line(settings: Settings, **overrides: object) -> Iterator[Line]:
    """Serve the app on a free port with an emulator that rings it, until the test ends."""
    port = free_port()
    web = f"http://127.0.0.1:{port}"
    config = EmulatorConfig(
        account_sid=settings.twilio_account_sid,
        auth_token=AUTH_TOKEN,
        voice_url=web + "/ivr/incoming",
        status_callback_url=web + "/ivr/status",
        time_scale=0.02,
    )
    with EmulatorServer(config) as emulator:
        served = settings.with_overrides(public_url=web, twilio_api_url=emulator.url, **overrides)
        app = create_app(served)
        server = make_server("127.0.0.1", port, app, threaded=True)
        thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        thread.start()
        try:
            yield Line(web, emulator, served, app)
        finally:
            server.shutdown()
            server.server_close()


@pytest.fixture
def line(settings: Settings, app: Any, content: Any) -> Iterator[Line]:
    """Return the hotline with demo content, consultants at work around the clock; its texts
    may go to the British Isles too, where the demo's English-speaking caller's number is from
    (the centre's default is Poland only)."""
    yield from serve_line(settings, sms_countries=("PL", "GB"))


@pytest.fixture
def make_line(settings: Settings, app: Any, content: Any) -> Iterator[Callable[..., Line]]:
    """Return a maker of hotlines with other settings (opening hours, closed days)."""
    with ExitStack() as stack:

        def make(**overrides: object) -> Line:
            return stack.enter_context(contextmanager(serve_line)(settings, **overrides))

        yield make


@pytest.fixture
def closed_line(settings: Settings, app: Any, content: Any) -> Iterator[Line]:
    """Return the hotline at an hour when consultants are away (they work one minute a week)."""
    yield from serve_line(settings, consultant_hours="mon 00:00-00:01")
