"""bench/webhooks/bridge: the old dequeue path it measures against, and a short run of it."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import select

from bench.webhooks import dequeue
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


@pytest.fixture
def old_path(app: Flask) -> Flask:
    """Serve the old dequeue path's webhooks beside the centre's, as the benchmark does."""
    app.register_blueprint(dequeue.bp)
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
