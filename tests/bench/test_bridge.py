"""bench/webhooks/bridge: the old dequeue path it measures against, and a short run of it."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from bench.webhooks import dequeue
from centre.app import exempt_webhooks
from consultants.models import Consultant
from customers.models import Contact
from hotline.db import db
from routing.live import ConsultantState, EntryState
from routing.service import set_consultant_state
from tests.conftest import PUBLIC_URL, TwilioSigner
from tests.routing.helpers import RecordingNetwork
from tests.twiml import parse

SID = "CA" + "7" * 32
CALL = {"CallSid": SID, "From": "+48601000001", "To": "+48221952400"}
QUEUE = "QU" + "8" * 32
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def old_path(app: Flask) -> Flask:
    """Serve the old dequeue path's webhooks beside the centre's, as the benchmark does."""
    app.register_blueprint(dequeue.bp)
    exempt_webhooks(app)
    return app


def test_the_old_path_dequeues_the_caller_to_dial_the_softphone_and_notes_its_answer(
    old_path: Flask, twilio: TwilioSigner, demo: dict[str, int]
) -> None:
    services = old_path.extensions["hotline.routing"]
    engine = services.engine
    anna = db.session.scalars(select(Consultant).where(Consultant.login == "anna")).one()
    twilio.post("/ivr/incoming", CALL)
    twilio.post("/ivr/menu/input", {**CALL, "Digits": "0"})
    twilio.post("/routing/wait", {**CALL, "QueueSid": QUEUE, "QueuePosition": "1"})
    set_consultant_state(engine, anna, ConsultantState.AVAILABLE)
    network = RecordingNetwork()
    dequeue.DequeueRouter(engine, network, services.settings).step()
    assert network.placed == [], "the old router rang nobody itself"
    ((queue_sid, caller, connect),) = network.dequeued
    assert (queue_sid, caller) == (QUEUE, SID)

    unsigned = twilio.post(connect.removeprefix(PUBLIC_URL), CALL, signature=None)
    assert unsigned.status_code == 403
    dialled = parse(twilio.post(connect.removeprefix(PUBLIC_URL), CALL).data)
    client = dialled.find("Dial/Client")
    assert client is not None and client.text == anna.client_identity
    assert client.get("statusCallbackEvent") == "answered completed"
    answered = client.get("url")
    assert answered is not None and answered.startswith(dequeue.ANSWERED)

    noted = parse(twilio.post(answered, {**CALL, "CallSid": "CA" + "1" * 32}).data)
    assert list(noted) == [], "an empty document: Twilio bridges the two"
    assert engine.entry(SID).state == EntryState.CONNECTED
    assert engine.consultant(anna.id).state == ConsultantState.ON_CALL
    opened = db.session.scalars(select(Contact).where(Contact.call_sid == SID)).all()
    assert [contact.consultant_id for contact in opened] == [anna.id]

    action = dialled.find("Dial").get("action")
    twilio.post(action, {**CALL, "DialCallStatus": "completed"})
    assert engine.entry(SID).state == EntryState.ENDED
    assert engine.consultant(anna.id).state == ConsultantState.WRAP_UP


@pytest.mark.slow
def test_the_benchmark_puts_callers_through_on_both_paths_through_real_processes() -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    run = subprocess.run(
        [sys.executable, "-m", "bench.webhooks.bridge", "--rounds", "1", "--pairs", "2"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    figures = dict(
        re.findall(r"^(conference room|old dequeue \(baseline\))\s+(\d+)\s", run.stdout, re.M)
    )
    assert figures == {"conference room": "2", "old dequeue (baseline)": "2"}, run.stdout
    conference, old = run.stdout.split("\ndequeue: ")
    # Each path's callers heard their consultant the way that path bridges them.
    assert "caller: talk" in conference and "consultant: join" in conference
    assert "router: REST place call answered" in conference
    assert "caller: connected" in old and "consultant: POST /bench/dequeue/answered answered" in old
    assert re.search(r"^goal \(median ratio <= 1\.3\): (met|NOT met)$", run.stdout, re.M)
