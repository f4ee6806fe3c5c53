"""The network, not the desk, says a consultant picked up: the consultant call's url (a desk
phone's after its screening) and the call's answered event, in any order and as often as Twilio
sends them. Caller and consultant meet in the call's conference room."""

from __future__ import annotations

import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass, replace

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
from routing.service import set_consultant_state
from tests.conftest import PUBLIC_URL, TwilioSigner
from tests.routing.helpers import Clock, RecordingNetwork, make_engine
from tests.twiml import parse, spoken

SID = "CA" + "6" * 32
CALL = {"CallSid": SID, "From": "+48601000001", "To": "+48221952400"}
QUEUE = "QU" + "9" * 32


@dataclass
class Offer:
    """What the router asked of the network to put a caller through to a consultant."""

    room: ET.Element  # what the caller's call runs once taken out of the queue
    to: str  # whom the consultant's call rings
    join: str  # what the consultant's call fetches once answered
    progress: str  # where the consultant's call reports its progress
    leg: str  # the consultant's call
    network: RecordingNetwork


def anna() -> Consultant:
    return db.session.scalars(select(Consultant).where(Consultant.login == "anna")).one()


def offered_to(
    twilio: TwilioSigner, app: Flask, consultant: Consultant, router: Router | None = None
) -> Offer:
    """Queue Jan, let the router offer him to the consultant, and follow what it asks."""
    services = app.extensions["hotline.routing"]
    engine = services.engine
    twilio.post("/ivr/incoming", CALL)
    twilio.post("/ivr/menu/input", {**CALL, "Digits": "0"})
    twilio.post("/routing/wait", {**CALL, "QueueSid": QUEUE, "QueuePosition": "1"})
    set_consultant_state(engine, consultant, ConsultantState.AVAILABLE)
    if router is None:
        router = Router(engine, RecordingNetwork(), services.settings)
    network = router.telephony
    assert isinstance(network, RecordingNetwork)
    router.step()
    (queue_sid, caller, connect), *_ = network.dequeued
    assert (queue_sid, caller) == (QUEUE, SID)
    (to, join, progress), *_ = network.placed
    room = parse(twilio.post(local(connect), CALL).data)
    return Offer(room, to, local(join), local(progress or ""), "CA" + f"{1:032d}", network)


def leg(offer: Offer, **more: str) -> dict[str, str]:
    """Return what Twilio sends about the consultant's call."""
    return {"CallSid": offer.leg, "Direction": "outbound-api", **more}


def local(url: str | None) -> str:
    assert url
    return url.removeprefix(PUBLIC_URL)


def contacts() -> list[Contact]:
    db.session.expire_all()
    return list(db.session.scalars(select(Contact).where(Contact.call_sid == SID)))


@pytest.fixture
def engine(redis_client) -> RoutingEngine:  # type: ignore[no-untyped-def]
    return RoutingEngine(redis_client)


def in_room(room: ET.Element) -> ET.Element:
    conference = room.find("Dial/Conference")
    assert conference is not None
    return conference


def test_the_caller_waits_in_their_room_while_the_softphone_rings_then_both_talk(
    app: Flask, twilio: TwilioSigner, demo: dict[str, int], engine: RoutingEngine
) -> None:
    consultant = anna()
    offer = offered_to(twilio, app, consultant)
    waiting = in_room(offer.room)
    assert waiting.text == f"call-{SID}"
    assert waiting.get("startConferenceOnEnter") == "false", "the caller waits for the consultant"
    assert waiting.get("endConferenceOnExit") == "true", "nobody stays on after the caller"
    assert offer.to == f"client:consultant-{consultant.id}"
    assert engine.entry(SID).consultant_leg == offer.leg

    joined = parse(twilio.post(offer.join, leg(offer, CallStatus="in-progress")).data)
    room = in_room(joined)
    assert room.text == f"call-{SID}"
    assert room.get("startConferenceOnEnter") == "true", "the conversation starts with them"
    assert spoken(joined) == "", "nothing is said to the consultant: they are put through"
    assert engine.entry(SID).state == EntryState.CONNECTED
    assert engine.consultant(consultant.id).state == ConsultantState.ON_CALL
    assert [c.consultant_id for c in contacts()] == [consultant.id]


@pytest.mark.parametrize("order", ["url first", "event first"])
def test_the_url_and_the_answered_event_count_as_one_answer_in_either_order(
    app: Flask, twilio: TwilioSigner, demo: dict[str, int], engine: RoutingEngine, order: str
) -> None:
    offer = offered_to(twilio, app, anna())
    reports = [
        (offer.join, leg(offer, CallStatus="in-progress")),
        (offer.progress, leg(offer, CallStatus="in-progress")),
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
    offer = offered_to(twilio, app, consultant)
    engine.withdraw_offer(SID, consultant.id)
    told = parse(twilio.post(offer.join, leg(offer, CallStatus="in-progress")).data)
    assert told.find("Dial") is None and told.find("Hangup") is not None
    assert "rozłączył" in spoken(told)
    assert engine.entry(SID).state != EntryState.CONNECTED
    assert engine.consultant(consultant.id).state != ConsultantState.ON_CALL
    assert contacts() == []


@pytest.mark.parametrize("status", ["no-answer", "busy", "failed"])
def test_a_consultant_who_does_not_answer_gives_the_caller_their_place_back(
    app: Flask, twilio: TwilioSigner, demo: dict[str, int], engine: RoutingEngine, status: str
) -> None:
    consultant = anna()
    offer = offered_to(twilio, app, consultant)
    twilio.post(offer.progress, leg(offer, CallStatus=status))
    assert engine.entry(SID).state == EntryState.WAITING
    assert engine.consultant(consultant.id).state == ConsultantState.NOT_READY
    # The caller's call is sent back to the queue, where they hear why.
    back = parse(twilio.post("/routing/requeue", CALL).data)
    assert back.find("Enqueue") is not None
    assert "nie odebrał" in spoken(back)
    # A late or repeated report changes nothing.
    twilio.post(offer.progress, leg(offer, CallStatus=status))
    assert engine.entry(SID).state == EntryState.WAITING
    assert contacts() == []


def test_a_caller_who_hangs_up_while_the_consultant_rings_stops_the_ringing(
    app: Flask, twilio: TwilioSigner, demo: dict[str, int], engine: RoutingEngine
) -> None:
    consultant = anna()
    offer = offered_to(twilio, app, consultant)
    twilio.post("/ivr/status", {**CALL, "CallStatus": "completed"})
    assert engine.entry(SID).state == EntryState.ENDED
    told = parse(twilio.post(offer.join, leg(offer, CallStatus="in-progress")).data)
    assert told.find("Dial") is None, "the consultant is not put into an empty room"
    twilio.post(offer.progress, leg(offer, CallStatus="completed"))
    assert engine.consultant(consultant.id).state != ConsultantState.ON_CALL


def test_when_the_consultant_hangs_up_the_room_ends_and_the_call_is_recorded(
    app: Flask, twilio: TwilioSigner, demo: dict[str, int], engine: RoutingEngine
) -> None:
    consultant = anna()
    offer = offered_to(twilio, app, consultant)
    twilio.post(offer.join, leg(offer, CallStatus="in-progress"))
    # Consultant's call ends; the room ends with it, and the caller's Dial goes on.
    twilio.post(offer.progress, leg(offer, CallStatus="completed", CallDuration="95"))
    left = parse(twilio.post(local(offer.room.find("Dial").get("action")), CALL).data)
    assert left.find("Hangup") is not None
    assert engine.entry(SID).state == EntryState.ENDED
    assert engine.consultant(consultant.id).state == ConsultantState.WRAP_UP
    twilio.post("/ivr/status", {**CALL, "CallStatus": "completed", "CallDuration": "140"})
    record = db.session.scalars(select(CallRecord).where(CallRecord.call_sid == SID)).one()
    assert (record.outcome, record.consultant_id) == ("answered", consultant.id)


@pytest.fixture
def desk_phone(demo: dict[str, int]) -> Consultant:
    with db.transaction():
        consultant = anna()
        consultant.phone = "+48221112233"
    return consultant


def test_a_desk_phone_is_screened_and_answered_only_when_1_is_pressed(
    app: Flask, twilio: TwilioSigner, desk_phone: Consultant, engine: RoutingEngine
) -> None:
    offer = offered_to(twilio, app, desk_phone)
    assert offer.to == "+48221112233"
    # The phone (or its voicemail box) picked up: that alone is not an answer.
    twilio.post(offer.progress, leg(offer, CallStatus="in-progress"))
    assert engine.entry(SID).state == EntryState.OFFERED
    screen = parse(twilio.post(offer.join, leg(offer, CallStatus="in-progress")).data)
    assert "Naciśnij 1" in spoken(screen)
    assert screen.find("Hangup") is not None, "silence declines the call"
    gather = screen.find("Gather")
    assert gather is not None
    joined = parse(twilio.post(local(gather.get("action")), leg(offer, Digits="1")).data)
    assert in_room(joined).text == f"call-{SID}"
    assert engine.entry(SID).state == EntryState.CONNECTED
    assert len(contacts()) == 1


@pytest.mark.parametrize("digits", ["2", "*", ""])
def test_a_desk_phone_that_does_not_press_1_declines_and_the_caller_keeps_their_place(
    app: Flask, twilio: TwilioSigner, desk_phone: Consultant, engine: RoutingEngine, digits: str
) -> None:
    offer = offered_to(twilio, app, desk_phone)
    gather = parse(twilio.post(offer.join, leg(offer)).data).find("Gather")
    assert gather is not None
    declined = parse(twilio.post(local(gather.get("action")), leg(offer, Digits=digits)).data)
    assert declined.find("Hangup") is not None
    assert engine.entry(SID).state == EntryState.OFFERED
    # The screened call then ends, and the caller goes back to their place.
    twilio.post(offer.progress, leg(offer, CallStatus="completed"))
    assert engine.entry(SID).state == EntryState.WAITING
    assert engine.consultant(desk_phone.id).state == ConsultantState.NOT_READY
    assert contacts() == []


def test_an_unsigned_answer_is_refused(
    app: Flask, twilio: TwilioSigner, demo: dict[str, int], engine: RoutingEngine
) -> None:
    offer = offered_to(twilio, app, anna())
    refused = twilio.post(offer.join, leg(offer), signature=None)
    assert refused.status_code == 403
    assert engine.entry(SID).state == EntryState.OFFERED


def test_an_offer_that_rings_too_long_unheard_stops_the_ringing_and_requeues_the_caller(
    app: Flask, twilio: TwilioSigner, demo: dict[str, int], redis_client
) -> None:  # type: ignore[no-untyped-def]
    clock = Clock(time.time())
    services = app.extensions["hotline.routing"]
    engine = make_engine(redis_client, clock, policy=services.engine.policy)
    app.extensions["hotline.routing"] = replace(services, engine=engine)
    router = Router(engine, RecordingNetwork(), services.settings)
    consultant = anna()
    offer = offered_to(twilio, app, consultant, router)
    clock.advance(router.offer_seconds + 1)  # no progress report ever came
    router.step()
    assert offer.network.ended == [offer.leg]
    assert offer.network.redirected == [(SID, PUBLIC_URL + "/routing/requeue")]
    assert engine.entry(SID).consultant_id is None


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
    offer = offered_to(twilio, app, consultant, router)
    twilio.post(offer.join, leg(offer, CallStatus="in-progress"))

    for _ in range(60):
        clock.advance(10)
        router.step()
        router.reconcile()
        assert engine.entry(SID).state == EntryState.CONNECTED
        assert engine.consultant(consultant.id).state == ConsultantState.ON_CALL

    twilio.post(offer.progress, leg(offer, CallStatus="completed", CallDuration="600"))
    twilio.post(local(offer.room.find("Dial").get("action")), CALL)
    twilio.post("/ivr/status", {**CALL, "CallStatus": "completed", "CallDuration": "640"})
    record = db.session.scalars(select(CallRecord).where(CallRecord.call_sid == SID)).one()
    assert (record.outcome, record.consultant_id) == ("answered", consultant.id)
    assert record.talk_seconds == pytest.approx(600, abs=1)
    assert record.tier is not None and record.wait_seconds is not None
