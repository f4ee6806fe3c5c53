"""Fixtures for the emulator tests: a signature-checking TwiML app and a running emulator.

Both are real HTTP servers on free ports; nothing is mocked.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import requests
from flask import Flask, Request, Response, request
from twilio.http.http_client import TwilioHttpClient
from twilio.http.response import Response as TwilioResponse
from twilio.request_validator import RequestValidator
from twilio.rest import Client
from twilio.twiml.voice_response import VoiceResponse
from werkzeug.serving import make_server

from emulator.app import EmulatorServer
from emulator.config import EmulatorConfig

ACCOUNT_SID = "AC" + "0123456789abcdef" * 2
AUTH_TOKEN = "test-auth-token"
TIME_SCALE = 0.02

TwimlHandler = Callable[[Request], Any]


@dataclass
class SeenRequest:
    """One request the TwiML app received."""

    method: str
    path: str
    url: str
    form: dict[str, str]
    args: dict[str, str]
    signed: bool
    cookies: dict[str, str] = field(default_factory=dict)


class TwimlCentre:
    """A stand-in for the contact centre: serves TwiML per path, checking every signature."""

    def __init__(self) -> None:
        self.app = Flask("twiml_centre")
        self.handlers: dict[str, TwimlHandler] = {}
        self.seen: list[SeenRequest] = []
        self.validating_token = AUTH_TOKEN
        self.lock = threading.Lock()
        self.app.add_url_rule("/<path:path>", "handle", self._handle, methods=["GET", "POST"])
        self.server = make_server("127.0.0.1", 0, self.app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()

    def _handle(self, path: str) -> Any:
        params = request.form if request.method == "POST" else {}
        signature = request.headers.get("X-Twilio-Signature", "")
        signed = RequestValidator(self.validating_token).validate(request.url, params, signature)
        with self.lock:
            self.seen.append(
                SeenRequest(
                    method=request.method,
                    path="/" + path,
                    url=request.url,
                    form=dict(request.form),
                    args=dict(request.args),
                    signed=signed,
                    cookies=dict(request.cookies),
                )
            )
        if not signed:
            return Response("forged or missing X-Twilio-Signature", status=403)
        handler = self.handlers.get("/" + path)
        if handler is None:
            return Response("", status=204 if path == "status" else 404)
        result = handler(request)
        if isinstance(result, VoiceResponse):
            return Response(str(result), mimetype="text/xml")
        return result

    def route(self, path: str) -> Callable[[TwimlHandler], TwimlHandler]:
        """Register the TwiML answer for a path."""

        def register(handler: TwimlHandler) -> TwimlHandler:
            self.handlers[path] = handler
            return handler

        return register

    def twiml(self, path: str, response: VoiceResponse) -> None:
        """Serve a fixed TwiML document at a path."""
        self.handlers[path] = lambda _request: response

    def requests_to(self, path: str) -> list[SeenRequest]:
        """Return the requests made to one path, oldest first."""
        with self.lock:
            return [seen for seen in self.seen if seen.path == path]

    def wait_for(self, path: str, count: int = 1, timeout: float = 5.0) -> list[SeenRequest]:
        """Wait until a path has been requested count times."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.requests_to(path)
            if len(found) >= count:
                return found
            time.sleep(0.01)
        raise AssertionError(f"{path} requested {len(self.requests_to(path))} times, not {count}")

    def stop(self) -> None:
        """Stop serving."""
        self.server.shutdown()
        self.server.server_close()


class Phone:
    """Drives the emulator's control API the way the CLI and the phone page do."""

    def __init__(self, base: str, token: str) -> None:
        self.base = base
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {token}"

    def call(
        self, from_: str = "+48601234567", script: list[Any] | None = None, **extra: Any
    ) -> str:
        """Place a call to the hotline and return its sid."""
        body: dict[str, Any] = {"from": from_} | extra
        if script is not None:
            body["script"] = script
        response = self.session.post(f"{self.base}/emulator/calls", json=body, timeout=5)
        assert response.status_code == 201, response.text
        return str(response.json()["sid"])

    def show(self, sid: str) -> dict[str, Any]:
        """Return a call with its events."""
        response = self.session.get(f"{self.base}/emulator/calls/{sid}", timeout=5)
        assert response.status_code == 200, response.text
        result: dict[str, Any] = response.json()
        return result

    def wait_until(
        self, sid: str, predicate: Callable[[dict[str, Any]], bool], timeout: float = 8.0
    ) -> dict[str, Any]:
        """Poll a call until predicate holds."""
        deadline = time.monotonic() + timeout
        while True:
            call = self.show(sid)
            if predicate(call):
                return call
            if time.monotonic() > deadline:
                kinds = [f"{e['kind']}: {e['text']}" for e in call["events"]]
                raise AssertionError(f"timed out; call {call['status']}: {kinds}")
            time.sleep(0.02)

    def wait_end(self, sid: str, timeout: float = 8.0) -> dict[str, Any]:
        """Wait for a call to end (its final status event) and return it."""
        return self.wait_until(
            sid, lambda call: any(e["kind"] == "status" for e in call["events"]), timeout
        )

    def wait_event(
        self, sid: str, kind: str, text: str = "", timeout: float = 8.0
    ) -> dict[str, Any]:
        """Wait for an event of a kind whose text contains text; return the event."""
        call = self.wait_until(
            sid,
            lambda call: any(e["kind"] == kind and text in e["text"] for e in call["events"]),
            timeout,
        )
        return next(e for e in call["events"] if e["kind"] == kind and text in e["text"])

    @staticmethod
    def said(call: dict[str, Any]) -> list[str]:
        """Return the texts the caller heard from <Say>, in order."""
        return [event["text"] for event in call["events"] if event["kind"] == "say"]

    @staticmethod
    def kinds(call: dict[str, Any]) -> list[str]:
        """Return the kinds of a call's events, in order."""
        return [event["kind"] for event in call["events"]]

    def post(self, path: str, body: dict[str, Any] | None = None) -> requests.Response:
        """POST JSON to the control API."""
        return self.session.post(f"{self.base}{path}", json=body or {}, timeout=5)

    def get(self, path: str) -> requests.Response:
        """GET from the control API."""
        return self.session.get(f"{self.base}{path}", timeout=5)


class EmulatorHttpClient(TwilioHttpClient):
    """Sends the twilio library's requests to the emulator instead of api.twilio.com."""

    def __init__(self, base: str) -> None:
        super().__init__()
        self.base = base

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> TwilioResponse:
        return super().request(
            method, url.replace("https://api.twilio.com", self.base), *args, **kwargs
        )


@pytest.fixture
def centre() -> Iterator[TwimlCentre]:
    """Serve a fresh TwiML app that checks signatures."""
    app = TwimlCentre()
    yield app
    app.stop()


@pytest.fixture
def emulator_config(centre: TwimlCentre) -> EmulatorConfig:
    """Point the emulator's hotline number at the TwiML app."""
    return EmulatorConfig(
        account_sid=ACCOUNT_SID,
        auth_token=AUTH_TOKEN,
        voice_url=centre.url + "/incoming",
        status_callback_url=centre.url + "/status",
        time_scale=TIME_SCALE,
    )


@pytest.fixture
def emulator(emulator_config: EmulatorConfig) -> Iterator[EmulatorServer]:
    """Run the emulator on a free port."""
    server = EmulatorServer(emulator_config).start()
    yield server
    server.stop()


@pytest.fixture
def phone(emulator: EmulatorServer) -> Phone:
    """Return a control-API client for the running emulator."""
    return Phone(emulator.url, emulator.config.control_token)


@pytest.fixture
def twilio_client(emulator: EmulatorServer) -> Client:
    """Return the real twilio REST client, talking to the emulator."""
    return Client(ACCOUNT_SID, AUTH_TOKEN, http_client=EmulatorHttpClient(emulator.url))
