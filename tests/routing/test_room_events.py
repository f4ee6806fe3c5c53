"""What the caller's room reports about holds counts once each, in the room's own order, however
the callbacks arrive: repeated, late, or out of order; a leg's hold and talk come from it."""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import format_datetime

import pytest
from flask import Flask

from routing import control, legs
from routing.legs import Leg
from tests.conftest import TwilioSigner

SID = "CA" + "7" * 32
ROOM = "CF" + "1" * 32
SECOND_ROOM = "CF" + "2" * 32


def event(kind: str, sequence: int, room: str = ROOM, **more: str) -> dict[str, str]:
    """Return what the room's status callback sends."""
    return {
        "AccountSid": "AC" + "0" * 32,
        "ConferenceSid": room,
        "FriendlyName": f"call-{SID}",
        "StatusCallbackEvent": kind,
        "SequenceNumber": str(sequence),
        "Timestamp": format_datetime(datetime.now(UTC), usegmt=True),
        **more,
    }


def caller(kind: str, sequence: int, room: str = ROOM) -> dict[str, str]:
    return event(kind, sequence, room, CallSid=SID, ParticipantLabel="caller", Hold="true")


@pytest.fixture
def routing(app: Flask):  # type: ignore[no-untyped-def]
    return app.extensions["hotline.routing"]


def post(twilio: TwilioSigner, params: dict[str, str]) -> None:
    response = twilio.post(f"/routing/room-status?call={SID}", params)
    assert response.status_code == 200


def test_the_room_says_its_sid_and_the_callers_hold_in_its_own_order(app, twilio, routing):
    post(twilio, event("conference-start", 0))
    assert control.room_state(routing, SID).conference_sid == ROOM
    post(twilio, caller("participant-unhold", 4))  # arrives before the hold it follows
    post(twilio, caller("participant-hold", 3))
    post(twilio, caller("participant-hold", 3))  # a repeat
    assert not control.room_state(routing, SID).held, "the last by sequence is the unhold"
    events = legs.hold_events(routing.engine.redis, SID)
    assert [(seq, kind) for _room, seq, kind, _at in events] == [
        (3, "participant-hold"),
        (4, "participant-unhold"),
    ]
    post(twilio, caller("participant-hold", 6))
    assert control.room_state(routing, SID).held
    post(twilio, event("conference-start", 0, SECOND_ROOM))  # the next room, before...
    post(twilio, event("conference-end", 9))  # ...the first room's end arrives
    assert control.room_state(routing, SID).conference_sid == SECOND_ROOM
    post(twilio, event("conference-end", 3, SECOND_ROOM))
    assert control.room_state(routing, SID).conference_sid == ""


def test_someone_elses_hold_is_not_the_callers(app, twilio, routing):
    post(twilio, event("participant-hold", 1, CallSid="CA" + "8" * 32, ParticipantLabel="x"))
    assert legs.hold_events(routing.engine.redis, SID) == []


def test_an_event_without_a_sequence_number_is_left_out_and_answered_politely(app, twilio, routing):
    params = caller("participant-hold", 1)
    del params["SequenceNumber"]
    post(twilio, params)
    assert legs.hold_events(routing.engine.redis, SID) == []


def test_a_callback_delivered_late_is_placed_by_its_timestamp():
    stamp = format_datetime(datetime.fromtimestamp(1_000_000, UTC), usegmt=True)
    assert legs.moment(1_000_000.4, stamp) == 1_000_000.4, "heard at once: the finer clock"
    assert legs.moment(1_000_030.0, stamp) == 1_000_000.0, "heard late: when it happened"
    assert legs.moment(5.0, "not a date") == 5.0


def test_holds_pair_within_each_room_and_a_hold_left_on_lasts_until_the_end():
    events = [
        (ROOM, 1, legs.HOLD, 10.0),
        (ROOM, 2, legs.HOLD, 12.0),  # a second hold while held changes nothing
        (ROOM, 3, legs.UNHOLD, 15.0),
        (ROOM, 4, legs.UNHOLD, 16.0),  # an unhold while not held changes nothing
        (ROOM, 5, legs.HOLD, 20.0),
        (ROOM, 6, legs.ROOM_END, 22.0),  # the room's end ends the hold
        (SECOND_ROOM, 0, legs.HOLD, 30.0),  # the next room, held until the call ends
    ]
    intervals = legs.hold_intervals(events, until=40.0)
    assert intervals == [(10.0, 15.0), (20.0, 22.0), (30.0, 40.0)]
    first = Leg(1, "queue", 0.0, consultant_id=1, ended_at=25.0)
    second = Leg(2, "transfer", 28.0, consultant_id=2)
    assert legs.leg_times(first, intervals, 40.0) == legs.LegTimes(18.0, 7.0)
    assert legs.leg_times(second, intervals, 40.0) == legs.LegTimes(2.0, 10.0)
