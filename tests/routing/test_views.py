from __future__ import annotations

from sqlalchemy import select

from consultants.models import Consultant
from customers.models import Contact
from hotline.db import db
from routing.engine import RoutingEngine
from routing.live import ConsultantState
from routing.models import CallRecord
from tests.twiml import parse, spoken

SID = "CA" + "3" * 32
CALL = {"CallSid": SID, "From": "+48601000001", "To": "+48221952400"}
QUEUE = "QU" + "9" * 32


def queue_caller(twilio):
    twilio.post("/ivr/incoming", CALL)
    twilio.post("/ivr/menu/input", {**CALL, "Digits": "0"})
    wait = {**CALL, "QueueSid": QUEUE, "QueuePosition": "1"}
    return parse(twilio.post("/routing/wait", wait).data)


def anna() -> Consultant:
    return db.session.scalars(select(Consultant).where(Consultant.login == "anna")).one()


def test_wait_url_announces_position_and_estimate(twilio, demo, redis_client):
    RoutingEngine(redis_client).set_state(anna().id, ConsultantState.ON_CALL)
    root = queue_caller(twilio)
    assert "Twoje miejsce w kolejce: 1." in spoken(root)
    assert "około 4 min" in spoken(root), "one place, 240 s handling, one consultant staffed"
    assert root.find("Gather/Pause") is not None, "the hold plays while the key is heard"
    assert root.find("Redirect").text == "/routing/wait", "silence keeps the caller waiting"


def test_connect_brings_the_caller_into_their_room_to_wait_for_the_consultant(
    twilio, demo, redis_client
):
    queue_caller(twilio)
    consultant = anna()
    RoutingEngine(redis_client).set_state(consultant.id, ConsultantState.AVAILABLE)
    assignment = RoutingEngine(redis_client).assign_next(30)
    assert assignment.call_sid == SID and assignment.queue_sid == QUEUE
    root = parse(twilio.post(f"/routing/connect?consultant={consultant.id}", CALL).data)
    assert "Łączymy z konsultantem" in spoken(root)
    dial = root.find("Dial")
    assert dial.find("Conference").text == f"call-{SID}"
    assert dial.get("action") == f"/routing/room-left?call={SID}"


def test_a_connect_for_an_offer_taken_back_returns_the_caller_to_the_queue(
    twilio, demo, redis_client
):
    queue_caller(twilio)
    consultant = anna()
    engine = RoutingEngine(redis_client)
    engine.set_state(consultant.id, ConsultantState.AVAILABLE)
    engine.assign_next(30)
    engine.withdraw_offer(SID, consultant.id)
    root = parse(twilio.post(f"/routing/connect?consultant={consultant.id}", CALL).data)
    assert root.find("Enqueue") is not None and root.find("Dial") is None


def test_a_finished_conversation_records_the_call_and_logs_the_contact(twilio, demo, redis_client):
    queue_caller(twilio)
    consultant = anna()
    engine = RoutingEngine(redis_client)
    engine.set_state(consultant.id, ConsultantState.AVAILABLE)
    engine.assign_next(30)
    engine.connected(SID, consultant.id)
    # The consultant hangs up: their call ends, the room ends, and the caller's Dial goes on.
    leg = {"CallSid": "CA" + "8" * 32, "CallStatus": "completed", "CallDuration": "42"}
    twilio.post(f"/routing/leg-status?call={SID}&consultant={consultant.id}", leg)
    root = parse(twilio.post(f"/routing/room-left?call={SID}", CALL).data)
    assert root.find("Hangup") is not None
    record = db.session.scalars(select(CallRecord).where(CallRecord.call_sid == SID)).one()
    assert record.outcome == "answered"
    assert record.own_advisor is True
    assert record.wait_seconds is not None
    contact = db.session.scalars(select(Contact).where(Contact.call_sid == SID)).one()
    assert contact.customer_id == record.customer_id
    assert engine.consultant(consultant.id).state == "wrap-up"


def test_hangup_while_waiting_is_counted_as_abandoned_once(twilio, demo, redis_client):
    queue_caller(twilio)
    params = {**CALL, "QueueResult": "hangup", "QueueSid": QUEUE, "QueueTime": "30"}
    twilio.post("/routing/queue-result", params)
    twilio.post("/ivr/status", {**CALL, "CallStatus": "completed"})
    twilio.post("/ivr/status", {**CALL, "CallStatus": "completed"})
    records = db.session.scalars(select(CallRecord).where(CallRecord.call_sid == SID)).all()
    assert [r.outcome for r in records] == ["abandoned"]


def test_a_self_service_call_is_recorded_too(twilio, demo):
    twilio.post("/ivr/incoming", CALL)
    twilio.post("/ivr/status", {**CALL, "CallStatus": "completed"})
    record = db.session.scalars(select(CallRecord).where(CallRecord.call_sid == SID)).one()
    assert record.outcome == "self-service"
    assert record.caller_number == "+48601000001"


def test_with_nobody_staffed_no_wait_is_promised(twilio, demo):
    root = queue_caller(twilio)
    assert "Twoje miejsce w kolejce: 1." in spoken(root)
    assert "około" not in spoken(root)
    assert "Dziękujemy za cierpliwość" in spoken(root)
