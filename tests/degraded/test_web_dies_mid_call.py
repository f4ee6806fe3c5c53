"""A web process that dies mid-call: the number's fallback URL, answered by another web
host, puts the caller through with their journey, and the call is not called self-service."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import requests
from sqlalchemy import select
from werkzeug.serving import BaseWSGIServer, make_server

from centre.app import create_app
from emulator.app import EmulatorServer
from emulator.config import EmulatorConfig
from hotline.db import db
from hotline.embedded_redis import free_port
from hotline.settings import Settings
from routing.models import CallRecord
from tests.conftest import AUTH_TOKEN
from tests.ivr.conftest import CALLERS

PATIENCE = 60.0


@contextmanager
def web_host(settings: Settings) -> Iterator[tuple[str, BaseWSGIServer, Any]]:
    """Serve the centre on a port of its own, as one web host behind the load balancer."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    app = create_app(settings.with_overrides(public_url=url))
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield url, server, app
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def wait_for_event(emulator: EmulatorServer, sid: str, kind: str, text: str) -> list[dict]:
    headers = {"Authorization": f"Bearer {emulator.config.control_token}"}
    deadline = time.monotonic() + PATIENCE
    while time.monotonic() < deadline:
        call = requests.get(f"{emulator.url}/emulator/calls/{sid}", headers=headers, timeout=10)
        events = call.json()["events"]
        if any(e["kind"] == kind and text in e["text"] for e in events):
            return events
        time.sleep(0.05)
    raise AssertionError(f"no {kind} event with {text!r}: {events[-6:]}")


def test_a_caller_whose_web_process_dies_is_put_through_with_their_journey(settings, app, content):
    with web_host(settings) as (first, first_server, _), web_host(settings) as (second, _s, app2):
        config = EmulatorConfig(
            account_sid=settings.twilio_account_sid,
            auth_token=AUTH_TOKEN,
            voice_url=first + "/ivr/incoming",
            voice_fallback_url=second + "/ivr/fallback",
            status_callback_url=second + "/ivr/status",
            time_scale=0.02,
        )
        with EmulatorServer(config) as emulator:
            headers = {"Authorization": f"Bearer {emulator.config.control_token}"}
            placed = requests.post(
                f"{emulator.url}/emulator/calls",
                json={"from": CALLERS["en"]},  # Emma: an English speaker known by her number
                headers=headers,
                timeout=10,
            )
            sid = placed.json()["sid"]
            wait_for_event(emulator, sid, "say", "press 1")  # the main menu is read

            first_server.shutdown()  # the web process answering this call dies
            first_server.server_close()
            requests.post(
                f"{emulator.url}/emulator/calls/{sid}/input",
                json={"digits": "1"},
                headers=headers,
                timeout=10,
            )

            events = wait_for_event(emulator, sid, "enqueue", "")
            kinds = [e["kind"] for e in events]
            assert "fallback" in kinds
            after = [e["text"] for e in events[kinds.index("fallback") :] if e["kind"] == "say"]
            assert after[0] == "Sorry, we have a technical problem."  # in her language
            with app2.app_context():
                entry = app2.extensions["hotline.routing"].engine.entry(sid)
            assert entry is not None and entry.customer_id is not None  # who she is went along
            assert entry.language == "en"

            requests.post(
                f"{emulator.url}/emulator/calls/{sid}/hangup", headers=headers, timeout=10
            )
            deadline = time.monotonic() + PATIENCE
            record = None
            while record is None and time.monotonic() < deadline:
                db.session.rollback()
                record = db.session.scalars(
                    select(CallRecord).where(CallRecord.call_sid == sid)
                ).first()
                time.sleep(0.05)
            assert record is not None and record.outcome == "abandoned"  # not "self-service"


def test_a_call_cut_off_by_a_failure_that_never_reaches_the_queue_is_recorded_as_failed(
    settings, app, demo
):
    from tests.conftest import TwilioSigner

    closed = create_app(settings.with_overrides(consultant_hours="mon 00:00-00:01"))
    twilio = TwilioSigner(closed.test_client())
    call = {"CallSid": "CA" + "5" * 32, "From": "+48601000001", "To": "+48221952400"}
    twilio.post("/ivr/incoming", call)

    caught = twilio.post("/ivr/fallback", {**call, "ErrorCode": "11205", "ErrorUrl": "x"})
    twilio.post("/ivr/status", {**call, "CallStatus": "completed"})

    assert caught.status_code == 200
    assert "Przepraszamy" in caught.get_data(as_text=True)
    with closed.app_context():
        record = db.session.scalars(select(CallRecord)).one()
    assert record.outcome == "failed"


def test_a_call_the_ivr_served_is_still_self_service(settings, app, demo, twilio):
    call = {"CallSid": "CA" + "6" * 32, "From": "+48601000001", "To": "+48221952400"}
    twilio.post("/ivr/incoming", call)
    twilio.post("/ivr/status", {**call, "CallStatus": "completed"})

    assert db.session.scalars(select(CallRecord)).one().outcome == "self-service"
