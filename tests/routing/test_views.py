from __future__ import annotations

import pytest
from sqlalchemy import select

from consultants.models import Consultant
from customers.models import Contact
from hotline.db import db
from routing.engine import QueueEntry, RoutingEngine
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


def offered_to_anna(twilio, redis_client) -> tuple[Consultant, RoutingEngine]:  # type: ignore[no-untyped-def]
    """Queue Jan's call and offer it to Anna, the only consultant free."""
    queue_caller(twilio)
    consultant = anna()
    engine = RoutingEngine(redis_client)
    engine.set_state(consultant.id, ConsultantState.AVAILABLE)
    engine.assign_next(30)
    return consultant, engine


def test_wait_url_announces_position_and_estimate(twilio, demo, redis_client):
    RoutingEngine(redis_client).set_state(anna().id, ConsultantState.ON_CALL)
    root = queue_caller(twilio)
    assert "Twoje miejsce w kolejce: 1." in spoken(root)
    assert "około 4 min" in spoken(root), "one place, 240 s handling, one consultant staffed"
    assert root.find("Gather/Pause") is not None, "the hold plays while the key is heard"
    assert root.find("Redirect") is None, "silence ends it: Twilio asks for the wait URL again"


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
    consultant, engine = offered_to_anna(twilio, redis_client)
    engine.withdraw_offer(SID, consultant.id)
    root = parse(twilio.post(f"/routing/connect?consultant={consultant.id}", CALL).data)
    assert root.find("Enqueue") is not None and root.find("Dial") is None


def test_a_finished_conversation_records_the_call_and_logs_the_contact(twilio, demo, redis_client):
    consultant, engine = offered_to_anna(twilio, redis_client)
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


@pytest.mark.parametrize("met", [True, False])
def test_a_caller_who_hangs_up_as_the_consultant_answers_abandoned_the_call(
    twilio, demo, redis_client, met
):
    """Answered means they spoke: the room starts when the consultant joins the caller in it,
    and a caller gone before that never heard them."""
    consultant, engine = offered_to_anna(twilio, redis_client)
    engine.connected(SID, consultant.id)
    if met:
        started = {
            "ConferenceSid": "CF" + "1" * 32,
            "FriendlyName": f"call-{SID}",
            "StatusCallbackEvent": "conference-start",
            "SequenceNumber": "1",
        }
        twilio.post(f"/routing/room-status?call={SID}", started)
    twilio.post("/ivr/status", {**CALL, "CallStatus": "completed"})
    record = db.session.scalars(select(CallRecord).where(CallRecord.call_sid == SID)).one()
    assert record.outcome == ("answered" if met else "abandoned")
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


@pytest.mark.parametrize("state", [None, "offline", "break", "not-ready"])
def test_with_nobody_at_work_the_caller_is_told_at_once_and_offered_a_callback_or_a_message(
    twilio, demo, redis_client, state
):
    if state:
        RoutingEngine(redis_client).set_state(anna().id, ConsultantState(state))
    twilio.post("/ivr/incoming", CALL)
    joined = parse(twilio.post("/ivr/menu/input", {**CALL, "Digits": "0"}).data)
    assert "Łączymy" not in spoken(joined), "nobody is there to put the caller through to"
    root = parse(twilio.post("/routing/wait", {**CALL, "QueueSid": QUEUE}).data)
    said = spoken(root)
    told = said.find("W tej chwili żaden konsultant nie może odebrać połączenia.")
    assert 0 <= told < said.index("Twoje miejsce w kolejce"), "told first, before the place"
    assert "naciśnij 1" in said and "naciśnij 2" in said
    assert "około" not in said and "Dziękujemy za cierpliwość" not in said
    leave = parse(twilio.post("/routing/wait-key", {**CALL, "Digits": "2"}).data)
    assert [verb.tag for verb in leave] == ["Leave"], "a message at once, not after 10 minutes"


def test_with_nobody_at_work_a_caller_without_a_number_may_leave_a_message(
    twilio, demo, redis_client
):
    anonymous = {**CALL, "From": ""}
    twilio.post("/ivr/incoming", anonymous)
    twilio.post("/ivr/menu/input", {**anonymous, "Digits": "0"})
    root = parse(twilio.post("/routing/wait", {**anonymous, "QueueSid": QUEUE}).data)
    assert "naciśnij 2" in spoken(root) and "naciśnij 1" not in spoken(root)


def test_with_someone_at_work_the_caller_hears_the_usual_wait(twilio, demo, redis_client):
    RoutingEngine(redis_client).set_state(anna().id, ConsultantState.WRAP_UP)
    root = queue_caller(twilio)
    assert "żaden konsultant" not in spoken(root)
    assert "około 4 min" in spoken(root)


@pytest.mark.parametrize("due_in", [None, 3600.0])
def test_a_callback_takes_no_callers_place(twilio, demo, redis_client, due_in):
    engine = RoutingEngine(redis_client)
    engine.set_state(anna().id, ConsultantState.ON_CALL)
    engine.join(QueueEntry(call_sid="CA-callback", queued_at=engine.clock() - 60))
    due = None if due_in is None else engine.clock() + due_in
    assert engine.request_callback("CA-callback", "+48601000002", not_before=due)
    root = queue_caller(twilio)
    assert "Twoje miejsce w kolejce: 1." in spoken(root)
    assert engine.position(SID) == (1, 1)


def test_a_wait_url_reached_without_the_queue_parameters_still_tells_the_caller_their_place(
    twilio, demo, redis_client
):
    RoutingEngine(redis_client).set_state(anna().id, ConsultantState.ON_CALL)
    queue_caller(twilio)
    engine = RoutingEngine(redis_client)
    # A Redirect (or a Gather's action) inside the wait document carries no Queue* parameters.
    root = parse(twilio.post("/routing/wait", CALL).data)
    assert "Twoje miejsce w kolejce: 1." in spoken(root) and "około 4 min" in spoken(root)
    entry = engine.entry(SID)
    assert (entry.state, entry.queue_sid, entry.routable) == ("waiting", QUEUE, True)


def test_a_caller_heard_from_before_their_queue_is_known_waits_for_it(twilio, demo, redis_client):
    twilio.post("/ivr/incoming", CALL)
    twilio.post("/ivr/menu/input", {**CALL, "Digits": "0"})
    root = parse(twilio.post("/routing/wait", {**CALL, "QueueTime": "x"}).data)
    assert "Twoje miejsce w kolejce: 1." in spoken(root)
    engine = RoutingEngine(redis_client)
    assert (engine.entry(SID).state, engine.entry(SID).routable) == ("joining", False)
    twilio.post("/routing/wait", {**CALL, "QueueSid": QUEUE, "QueueTime": "3"})
    assert (engine.entry(SID).state, engine.entry(SID).routable) == ("waiting", True)


@pytest.mark.parametrize("status", ["queued", "ringing", "in-progress", ""])
def test_a_status_report_of_a_call_still_going_leaves_the_waiting_caller_in_the_queue(
    twilio, demo, redis_client, status
):
    queue_caller(twilio)
    twilio.post("/ivr/status", {**CALL, "CallStatus": status})
    engine = RoutingEngine(redis_client)
    assert engine.entry(SID).state == "waiting"
    assert engine.position(SID) == (1, 1)
    assert db.session.scalars(select(CallRecord)).all() == []


@pytest.mark.parametrize("status", ["completed", "busy", "failed", "no-answer", "canceled"])
def test_a_final_status_ends_the_waiting_callers_wait(twilio, demo, redis_client, status):
    queue_caller(twilio)
    twilio.post("/ivr/status", {**CALL, "CallStatus": status})
    assert RoutingEngine(redis_client).entry(SID).outcome == "abandoned"


def test_a_caller_whose_wait_failed_goes_back_in_the_queue_in_their_place(
    twilio, demo, redis_client
):
    engine = RoutingEngine(redis_client)
    engine.join(QueueEntry(call_sid="CA-before", caller_number="+48601000009"))
    queue_caller(twilio)
    place = engine.position(SID)
    for _ in range(3):
        root = parse(twilio.post("/routing/queue-result", {**CALL, "QueueResult": "error"}).data)
        assert root.find("Enqueue") is not None, "a web process died under the wait: back in"
        assert engine.position(SID) == place
    root = parse(twilio.post("/routing/queue-result", {**CALL, "QueueResult": "error"}).data)
    assert root.find("Enqueue") is None, "a wait that keeps failing ends, instead of looping"
    assert engine.entry(SID).state == "ended"
