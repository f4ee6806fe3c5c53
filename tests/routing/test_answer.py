"""The network, not the desk, says a consultant picked up: the noun's url, a desk phone's
screening, and the leg's answered event, in any order and as often as Twilio sends them."""

from __future__ import annotations

import time
import xml.etree.ElementTree as ET
from dataclasses import replace

import pytest
from flask import Flask
from sqlalchemy import select

from consultants.models import Consultant
from customers.models import Contact
from hotline.db import db
from routing.engine import RoutingEngine
from routing.live import ConsultantState, EntryState
from routing.models import CallRecord
from routing.router import Router
from tests.conftest import PUBLIC_URL, TwilioSigner
from tests.routing.helpers import Clock, RecordingNetwork, make_engine
from tests.twiml import parse, spoken

SID = "CA" + "6" * 32
LEG = "CA" + "7" * 32
CALL = {"CallSid": SID, "From": "+48601000001", "To": "+48221952400"}
QUEUE = "QU" + "9" * 32


def anna() -> Consultant:
    return db.session.scalars(select(Consultant).where(Consultant.login == "anna")).one()


def offered_to(twilio: TwilioSigner, engine: RoutingEngine, consultant: Consultant) -> ET.Element:
    """Queue Jan, offer him to the consultant, and return the TwiML that rings them."""
    twilio.post("/ivr/incoming", CALL)
    twilio.post("/ivr/menu/input", {**CALL, "Digits": "0"})
    twilio.post("/routing/wait", {**CALL, "QueueSid": QUEUE, "QueuePosition": "1"})
    engine.set_state(consultant.id, ConsultantState.AVAILABLE)
    assert engine.assign_next(30).consultant_id == consultant.id
    return parse(twilio.post(f"/routing/connect?consultant={consultant.id}", CALL).data)


def leg(**more: str) -> dict[str, str]:
    """Return what Twilio sends about the consultant's (child) leg."""
    return {"CallSid": LEG, "ParentCallSid": SID, "Direction": "outbound-dial", **more}


def local(url: str | None) -> str:
    assert url
    return url.removeprefix(PUBLIC_URL)


def contacts() -> list[Contact]:
    db.session.expire_all()
    return list(db.session.scalars(select(Contact).where(Contact.call_sid == SID)))


@pytest.fixture
def engine(redis_client) -> RoutingEngine:  # type: ignore[no-untyped-def]
    return RoutingEngine(redis_client)


def test_a_softphone_answer_is_learned_from_the_clients_url_and_opens_the_contact(
    app: Flask, twilio: TwilioSigner, demo: dict[str, int], engine: RoutingEngine
) -> None:
    consultant = anna()
    client = offered_to(twilio, engine, consultant).find("Dial/Client")
    assert client is not None and client.text == f"consultant-{consultant.id}"
    assert "answered" in (client.get("statusCallbackEvent") or "").split()

    bridge = parse(twilio.post(local(client.get("url")), leg(CallStatus="in-progress")).data)
    assert list(bridge) == [], "nothing is said to the consultant: Twilio bridges at once"
    assert engine.entry(SID).state == EntryState.CONNECTED
    assert engine.consultant(consultant.id).state == ConsultantState.ON_CALL
    assert [c.consultant_id for c in contacts()] == [consultant.id]


@pytest.mark.parametrize("order", ["url first", "event first"])
def test_the_url_and_the_answered_event_count_as_one_answer_in_either_order(
    app: Flask, twilio: TwilioSigner, demo: dict[str, int], engine: RoutingEngine, order: str
) -> None:
    consultant = anna()
    client = offered_to(twilio, engine, consultant).find("Dial/Client")
    assert client is not None
    reports = [
        (local(client.get("url")), leg(CallStatus="in-progress")),
        (local(client.get("statusCallback")), leg(CallStatus="in-progress")),
    ]
    if order == "event first":
        reports.reverse()
    for url, params in reports + reports:
        twilio.post(url, params)
    assert engine.entry(SID).state == EntryState.CONNECTED
    assert len(contacts()) == 1


def test_an_answer_after_the_offer_was_taken_back_connects_nobody(
    app: Flask, twilio: TwilioSigner, demo: dict[str, int], engine: RoutingEngine
) -> None:
    consultant = anna()
    client = offered_to(twilio, engine, consultant).find("Dial/Client")
    assert client is not None
    engine.withdraw_offer(SID, consultant.id)
    twilio.post(local(client.get("url")), leg(CallStatus="in-progress"))
    assert engine.entry(SID).state != EntryState.CONNECTED
    assert engine.consultant(consultant.id).state != ConsultantState.ON_CALL
    assert contacts() == []


@pytest.fixture
def desk_phone(demo: dict[str, int]) -> Consultant:
    with db.transaction():
        consultant = anna()
        consultant.phone = "+48221112233"
    return consultant


def test_a_desk_phone_is_screened_and_answered_only_when_1_is_pressed(
    app: Flask, twilio: TwilioSigner, desk_phone: Consultant, engine: RoutingEngine
) -> None:
    number = offered_to(twilio, engine, desk_phone).find("Dial/Number")
    assert number is not None and number.text == "+48221112233"
    # The phone (or its voicemail box) picked up: that alone is not an answer.
    twilio.post(local(number.get("statusCallback")), leg(CallStatus="in-progress"))
    assert engine.entry(SID).state == EntryState.OFFERED
    screen = parse(twilio.post(local(number.get("url")), leg(CallStatus="in-progress")).data)
    assert "Naciśnij 1" in spoken(screen)
    assert screen.find("Hangup") is not None, "silence declines the call"
    gather = screen.find("Gather")
    assert gather is not None
    bridge = parse(twilio.post(local(gather.get("action")), leg(Digits="1")).data)
    assert list(bridge) == []
    assert engine.entry(SID).state == EntryState.CONNECTED
    assert len(contacts()) == 1


@pytest.mark.parametrize("digits", ["2", "*", ""])
def test_a_desk_phone_that_does_not_press_1_declines_and_the_caller_keeps_their_place(
    app: Flask, twilio: TwilioSigner, desk_phone: Consultant, engine: RoutingEngine, digits: str
) -> None:
    number = offered_to(twilio, engine, desk_phone).find("Dial/Number")
    assert number is not None
    gather = parse(twilio.post(local(number.get("url")), leg()).data).find("Gather")
    assert gather is not None
    declined = parse(twilio.post(local(gather.get("action")), leg(Digits=digits)).data)
    assert declined.find("Hangup") is not None
    assert engine.entry(SID).state == EntryState.OFFERED
    # Twilio then reports the dial as not answered, and the caller goes back to their place.
    result = {**CALL, "DialCallStatus": "no-answer"}
    back = parse(twilio.post(f"/routing/dial-result?consultant={desk_phone.id}", result).data)
    assert back.find("Enqueue") is not None
    assert engine.entry(SID).state == EntryState.WAITING
    assert engine.consultant(desk_phone.id).state == ConsultantState.NOT_READY
    assert contacts() == []


def test_an_unsigned_answer_is_refused(
    app: Flask, twilio: TwilioSigner, demo: dict[str, int], engine: RoutingEngine
) -> None:
    consultant = anna()
    client = offered_to(twilio, engine, consultant).find("Dial/Client")
    assert client is not None
    refused = twilio.post(local(client.get("url")), leg(), signature=None)
    assert refused.status_code == 403
    assert engine.entry(SID).state == EntryState.OFFERED


def test_a_ten_minute_call_stays_with_its_consultant_and_is_recorded_whole(
    app: Flask, twilio: TwilioSigner, demo: dict[str, int], redis_client
) -> None:  # type: ignore[no-untyped-def]
    # Before the network said who answered, the router took an unanswered-looking offer back
    # after the ring timeout + 30 s, in the middle of the conversation.
    clock = Clock(time.time())
    services = app.extensions["hotline.routing"]
    engine = make_engine(redis_client, clock, policy=services.engine.policy)
    app.extensions["hotline.routing"] = replace(services, engine=engine)
    router = Router(engine, RecordingNetwork(), services.settings)
    consultant = anna()
    client = offered_to(twilio, engine, consultant).find("Dial/Client")
    assert client is not None
    twilio.post(local(client.get("url")), leg(CallStatus="in-progress"))

    for _ in range(60):
        clock.advance(10)
        router.step()
        router.reconcile()
        assert engine.entry(SID).state == EntryState.CONNECTED
        assert engine.consultant(consultant.id).state == ConsultantState.ON_CALL

    ended = {**CALL, "DialCallStatus": "completed", "DialCallDuration": "600"}
    twilio.post(f"/routing/dial-result?consultant={consultant.id}", ended)
    twilio.post("/ivr/status", {**CALL, "CallStatus": "completed", "CallDuration": "640"})
    record = db.session.scalars(select(CallRecord).where(CallRecord.call_sid == SID)).one()
    assert (record.outcome, record.consultant_id) == ("answered", consultant.id)
    assert record.talk_seconds == pytest.approx(600, abs=1)
    assert record.tier is not None and record.wait_seconds is not None
