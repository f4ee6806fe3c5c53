"""Hold, transfers, consultations and three-way calls, through the emulator as Twilio does them.

Consultants answer and hang up on the network (the emulator's endpoints); the desk asks the
centre to act, and the centre acts in the caller's conference room through Twilio's REST API.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import requests
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from customers.models import AuditEntry, Contact
from routing.models import CallLeg, CallRecord
from tests.e2e.conftest import CONTROL, PATIENCE_SECONDS, Centre, wait_for

pytestmark = [pytest.mark.slow, pytest.mark.e2e]

JAN = "+48601000001"  # Anna's customer, office WAW
STRANGER = "+48601999001"  # nobody the centre knows: anyone may take them at once


@dataclass
class Desk:
    """A consultant signed in to the desk, and their phone on the network."""

    centre: Centre
    session: requests.Session
    token: str
    phone: str  # the emulator address of their softphone

    def post(self, path: str, body: dict[str, object] | None = None) -> requests.Response:
        return self.session.post(
            self.centre.web + path, json=body or {}, headers={"X-CSRF-Token": self.token}
        )

    def get(self, path: str) -> dict:  # type: ignore[type-arg]
        return self.session.get(self.centre.web + path).json()

    def state(self) -> dict:  # type: ignore[type-arg]
        return self.get("/desk/api/state")

    def room(self) -> dict:  # type: ignore[type-arg]
        return self.get("/desk/api/call")

    def act(self, path: str, body: dict[str, object] | None = None) -> dict:  # type: ignore[type-arg]
        response = self.post(path, body)
        assert response.ok, response.text
        return response.json()

    def go(self, state: str) -> None:
        response = self.post("/desk/api/state", {"state": state})
        assert response.ok, response.text

    def wait_state(self, state: str) -> dict:  # type: ignore[type-arg]
        return wait_for(
            lambda: (lambda now: now if now["state"] == state else None)(self.state()),
            what=f"{self.phone} to be {state}",
        )

    def answer(self) -> None:
        """Pick up the ringing softphone on the network, and wait until the centre knows."""
        wait_for(
            lambda: self.centre.endpoint(self.phone).get("state") == "ringing",
            what=f"{self.phone} to ring",
        )
        assert self.centre.endpoint_action(self.phone, "answer").ok
        self.wait_state("on-call")

    def hang_up(self) -> None:
        self.centre.endpoint_action(self.phone, "hangup")

    def wrap_up(self, notes: str) -> None:
        contact = wait_for(
            lambda: self.state().get("wrap_up_contact_id"), what=f"{self.phone}'s wrap-up"
        )
        saved = self.session.post(
            f"{self.centre.web}/desk/wrap-up/{contact}",
            data={"csrf_token": self.token, "outcome": "resolved", "notes": notes},
            allow_redirects=False,
        )
        assert saved.status_code == 302


@pytest.fixture
def desks(centre: Centre) -> Iterator[dict[str, Desk]]:
    """Sign Anna, Olena and Mihai in (offline); afterwards hang up and sign them off."""
    signed: dict[str, Desk] = {}
    for login in ("anna", "olena", "mihai"):
        session, token = centre.desk_session(login)
        page = session.get(f"{centre.web}/desk/").text
        identity = re.search(r'data-identity="([^"]+)"', page)
        assert identity
        signed[login] = Desk(centre, session, token, "client:" + identity.group(1))
    yield signed
    for desk in signed.values():
        desk.hang_up()
    for desk in signed.values():
        wait_for(lambda d=desk: d.state()["state"] not in ("on-call", "ringing"), what="calm")
        desk.go("offline")


def a_caller_who_waits(centre: Centre) -> list[dict[str, object]]:
    """Past the greeting, press 0, then stay on the line for as long as the test is patient."""
    scale = float(centre.env["EMULATOR_TIME_SCALE"])
    return [{"silence": True}, {"press": "0"}, {"wait": PATIENCE_SECONDS / scale}]


def talking(centre: Centre, desk: Desk, caller: str = JAN) -> str:
    """Have a caller reach the consultant, who picks up; return the caller's call sid."""
    desk.go("available")
    sid = centre.place_call(caller, a_caller_who_waits(centre))
    desk.answer()
    wait_for(
        lambda: any(e["kind"] == "talk" for e in centre.call(sid)["events"]),
        what="the caller to talk with the consultant",
    )
    return sid


def caller_room(centre: Centre, sid: str) -> dict | None:  # type: ignore[type-arg]
    """Return the caller's live room in the emulator (None between two rooms)."""
    rooms = requests.get(
        f"{centre.emulator}/emulator/conferences", headers=CONTROL, timeout=10
    ).json()
    live = (r for r in rooms if r["friendly_name"] == f"call-{sid}" and r["status"] != "completed")
    return next(live, None)


def participant(room: dict | None, label: str) -> dict | None:  # type: ignore[type-arg]
    """Return a participant still in the room, by label."""
    if room is None:
        return None
    return next(
        (p for p in room["participants"] if p["label"] == label and p["state"] != "left"), None
    )


def database(centre: Centre) -> Session:
    return Session(create_engine(centre.env["DATABASE_URL"]))


def the_record(centre: Centre, sid: str) -> tuple[CallRecord, list[CallLeg]]:
    """Wait for the worker to keep the call's record with its legs, all of them closed."""
    with database(centre) as session:

        def kept() -> tuple[CallRecord, list[CallLeg]] | None:
            session.expire_all()
            record = session.scalars(select(CallRecord).where(CallRecord.call_sid == sid)).first()
            found = list(
                session.scalars(
                    select(CallLeg).where(CallLeg.call_sid == sid).order_by(CallLeg.position)
                )
            )
            if record is None or record.ended_at is None or not found:
                return None
            return record, found

        return wait_for(kept, what=f"the record of {sid}")


def contacts_of(centre: Centre, sid: str) -> list[Contact]:
    with database(centre) as session:
        query = select(Contact).where(Contact.call_sid == sid).order_by(Contact.started_at)
        return list(session.scalars(query))


def audit_actions(centre: Centre, sid: str) -> list[tuple[int | None, str]]:
    with database(centre) as session:
        entries = session.scalars(select(AuditEntry).order_by(AuditEntry.id))
        return [
            (entry.consultant_id, entry.action)
            for entry in entries
            if entry.action.startswith("call.") and entry.changes.get("call_sid") == sid
        ]


def consultant_id(desk: Desk) -> int:
    return int(desk.phone.rsplit("-", 1)[1])


def test_a_held_caller_hears_music_and_the_record_keeps_how_long_they_held(centre, desks):
    anna = desks["anna"]
    sid = talking(centre, anna)

    assert anna.act("/desk/api/call/hold", {"on": True})
    wait_for(lambda: anna.room()["held"], what="the room to report the caller held")
    room = caller_room(centre, sid)
    assert participant(room, "caller")["hold"] is True
    assert participant(room, f"consultant-{consultant_id(anna)}")["hold"] is False
    wait_for(
        lambda: any(
            e["kind"] == "play" and "hold music" in e["text"] for e in centre.call(sid)["events"]
        ),
        what="the caller to hear hold music",
    )
    anna.act("/desk/api/call/hold", {"on": False})
    wait_for(lambda: not anna.room()["held"], what="the room to report the caller back")
    assert participant(caller_room(centre, sid), "caller")["hold"] is False

    anna.hang_up()
    record, legs = the_record(centre, sid)
    assert record.outcome == "answered"
    assert record.hold_seconds and record.hold_seconds > 0
    (leg,) = legs
    assert (leg.kind, leg.consultant_id) == ("queue", consultant_id(anna))
    assert leg.hold_seconds == pytest.approx(record.hold_seconds, abs=0.01)
    assert leg.talk_seconds and leg.talk_seconds > 0
    assert audit_actions(centre, sid) == [
        (consultant_id(anna), "call.hold"),
        (consultant_id(anna), "call.resume"),
    ]
    anna.wrap_up("Held while I checked the file.")


def test_a_call_transferred_to_a_named_colleague_reaches_her_with_who_sent_it(centre, desks):
    anna, olena = desks["anna"], desks["olena"]
    sid = talking(centre, anna)
    olena.go("available")
    anna.act(
        "/desk/api/call/transfer",
        {"kind": "consultant", "target": consultant_id(olena), "note": "Asks about EURES."},
    )
    anna.wait_state("wrap-up")
    wait_for(
        lambda: any("Przekazujemy" in e.get("text", "") for e in centre.call(sid)["events"]),
        what="the caller to hear they are transferred",
    )
    olena.wait_state("ringing")
    pop = olena.state()["call"]
    assert pop["customer"]["name"] == "Jan Wiśniewski"
    assert pop["transferred"]["by"] == "Anna Nowak"
    assert pop["transferred"]["note"] == "Asks about EURES."
    olena.answer()
    wait_for(
        lambda: participant(caller_room(centre, sid), f"consultant-{consultant_id(olena)}"),
        what="Olena to join the caller's room",
    )
    anna.wrap_up("Sent to Olena for EURES.")
    olena.hang_up()
    record, legs = the_record(centre, sid)
    assert record.transfers == 1
    assert record.consultant_id == consultant_id(olena)
    assert [(leg.kind, leg.consultant_id, leg.transferred_by) for leg in legs] == [
        ("queue", consultant_id(anna), None),
        ("transfer", consultant_id(olena), consultant_id(anna)),
    ]
    olena.wrap_up("Explained EURES.")
    contacts = contacts_of(centre, sid)
    assert [(c.consultant_id, c.transferred_by_id, c.notes) for c in contacts] == [
        (consultant_id(anna), None, "Sent to Olena for EURES."),
        (consultant_id(olena), consultant_id(anna), "Explained EURES."),
    ]
    assert (consultant_id(anna), "call.transfer") in audit_actions(centre, sid)


def test_a_transfer_the_moment_the_consultant_answers_leaves_nobody_behind_in_the_room(
    centre, desks
):
    """Found by bench/chaos: a transfer made before the caller reached the room left the first
    consultant waiting in it, and the caller's next consultant brought the caller in to both.
    Whether or not the caller had reached the room, the first consultant's call ends."""
    anna, olena = desks["anna"], desks["olena"]
    anna.go("available")
    sid = centre.place_call(JAN, a_caller_who_waits(centre))
    anna.answer()
    anna.act("/desk/api/call/transfer", {"kind": "queue", "target": ""})
    anna.wait_state("wrap-up")
    wait_for(
        lambda: centre.endpoint(anna.phone).get("state") == "idle",
        what="Anna's softphone to be free again",
    )
    olena.go("available")
    olena.answer()
    wait_for(
        lambda: any(e["kind"] == "talk" for e in centre.call(sid)["events"][-3:]),
        what="the caller to talk with Olena",
    )
    room = caller_room(centre, sid)
    assert room is not None
    assert sorted(p["label"] for p in room["participants"] if p["state"] != "left") == [
        "caller",
        f"consultant-{consultant_id(olena)}",
    ]
    olena.hang_up()
    anna.wrap_up("Sent on.")
    olena.wrap_up("Helped.")


def test_a_caller_sent_back_to_the_queue_keeps_their_place_ahead_of_later_callers(centre, desks):
    anna, mihai = desks["anna"], desks["mihai"]
    sid = talking(centre, anna)
    later = centre.place_call(STRANGER, a_caller_who_waits(centre))
    wait_for(
        lambda: any(e["kind"] == "enqueue" for e in centre.call(later)["events"]),
        what="a later caller to wait in the queue",
    )
    anna.act("/desk/api/call/transfer", {"kind": "queue", "topic": "eures"})
    anna.wait_state("wrap-up")
    wait_for(
        lambda: sum(e["kind"] == "enqueue" for e in centre.call(sid)["events"]) >= 2,
        what="Jan to be back in the queue",
    )
    mihai.go("available")
    mihai.wait_state("ringing")
    pop = mihai.state()["call"]
    assert pop["call_sid"] == sid, (
        "Jan, who called first, keeps his place ahead of the later caller"
    )
    assert pop["topic"] == "eures"
    mihai.answer()
    mihai.hang_up()
    # The later caller would be next; let them go before anyone is free again.
    assert requests.post(
        f"{centre.emulator}/emulator/calls/{later}/hangup", headers=CONTROL, timeout=10
    ).ok
    anna.wrap_up("Back to the queue for EURES.")
    mihai.wrap_up("EURES explained.")


def test_a_caller_put_through_to_an_outside_number_from_the_directory(centre, desks):
    anna = desks["anna"]
    helpline = "+48116111"
    centre.answers_at_once(helpline)
    sid = talking(centre, anna)
    entries = anna.room()["directory"]
    child_line = next(entry for entry in entries if entry["number"] == helpline)
    anna.act("/desk/api/call/transfer", {"kind": "outside", "directory_id": child_line["id"]})
    anna.wait_state("wrap-up")
    wait_for(
        lambda: any("Telefon Zaufania" in e.get("text", "") for e in centre.call(sid)["events"]),
        what="the caller to hear where they are put through",
    )
    wait_for(
        lambda: centre.endpoint(helpline).get("state") == "connected",
        what="the helpline to pick up",
    )
    record, legs = the_record(centre, sid)
    assert [(leg.kind, leg.party_number) for leg in legs] == [
        ("queue", None),
        ("outside-transfer", helpline),
    ]
    assert legs[0].handed_to == child_line["name"]
    assert (consultant_id(anna), "call.transfer") in audit_actions(centre, sid)
    centre.endpoint_action(helpline, "hangup")
    anna.wrap_up("Put through to 116 111.")


def test_a_typed_number_outside_the_allowed_countries_is_refused(centre, desks):
    anna = desks["anna"]
    talking(centre, anna)
    refused = anna.post("/desk/api/call/consult", {"number": "+380 44 123 4567", "three_way": True})
    assert refused.status_code == 409
    assert "allowed country" in refused.json()["error"]
    refused = anna.post("/desk/api/call/consult", {"number": "12", "three_way": True})
    assert refused.status_code == 409
    anna.hang_up()
    anna.wrap_up("Nothing to add.")


def test_a_consultation_then_all_three_then_a_warm_hand_over(centre, desks):
    anna, olena = desks["anna"], desks["olena"]
    sid = talking(centre, anna)
    olena.go("available")
    anna.act("/desk/api/call/consult", {"colleague_id": consultant_id(olena)})
    olena.answer()
    wait_for(
        lambda: (anna.room()["party"] or {}).get("state") == "in-room",
        what="Olena to be in the room",
    )
    room = caller_room(centre, sid)
    assert participant(room, "caller")["hold"] is True, "the caller holds while they consult"
    olena_label = f"consultant-{consultant_id(olena)}"
    assert participant(room, olena_label)["state"] == "in conference"

    anna.act("/desk/api/call/join")
    wait_for(lambda: not anna.room()["held"], what="the caller to join the consultation")
    wait_for(
        lambda: participant(caller_room(centre, sid), "caller")["hold"] is False,
        what="the caller off hold",
    )
    pop = olena.state()["call"]
    assert pop["customer"]["name"] == "Jan Wiśniewski"

    anna.act("/desk/api/call/hand-over", {"note": "Olena continues."})
    anna.wait_state("wrap-up")
    wait_for(lambda: centre.endpoint(anna.phone).get("state") != "connected", what="Anna off")
    room = caller_room(centre, sid)
    assert participant(room, f"consultant-{consultant_id(anna)}") is None
    assert participant(room, olena_label)["end_conference_on_exit"] is True
    assert olena.state()["call"]["transferred"]["by"] == "Anna Nowak"
    assert centre.call(sid)["status"] == "in-progress", "the caller stays with Olena"

    olena.hang_up()
    wait_for(lambda: centre.call(sid)["status"] == "completed", what="the call to end")
    record, legs = the_record(centre, sid)
    assert [(leg.kind, leg.consultant_id) for leg in legs] == [
        ("queue", consultant_id(anna)),
        ("consult", consultant_id(olena)),
    ]
    assert legs[1].hold_seconds and legs[1].hold_seconds > 0, "she talked with Anna first"
    assert legs[1].talk_seconds and legs[1].talk_seconds > 0
    assert record.transfers == 1
    anna.wrap_up("Olena took over.")
    olena.wrap_up("Done.")
    assert [c.consultant_id for c in contacts_of(centre, sid)] == [
        consultant_id(anna),
        consultant_id(olena),
    ]
    actions = [action for _who, action in audit_actions(centre, sid)]
    assert actions == ["call.consult", "call.consult-join", "call.transfer"]


def test_a_three_way_call_with_an_interpreter(centre, desks):
    anna = desks["anna"]
    interpreter = "+48601234567"
    centre.answers_at_once(interpreter)
    sid = talking(centre, anna)
    anna.act(
        "/desk/api/call/consult",
        {"number": "601 234 567", "name": "Interpreter (uk)", "three_way": True},
    )
    wait_for(
        lambda: (anna.room()["party"] or {}).get("state") == "in-room",
        what="the interpreter to join",
    )
    room = caller_room(centre, sid)
    assert participant(room, "caller")["hold"] is False, "the caller hears everyone"
    assert participant(room, "outside")["to"] == interpreter
    anna.act("/desk/api/call/end-party")
    wait_for(lambda: participant(caller_room(centre, sid), "outside") is None, what="removed")
    anna.hang_up()
    record, legs = the_record(centre, sid)
    assert [(leg.kind, leg.party_number) for leg in legs] == [
        ("queue", None),
        ("three-way", interpreter),
    ]
    assert [action for _who, action in audit_actions(centre, sid)] == [
        "call.three-way",
        "call.consult-end",
    ]
    anna.wrap_up("Spoke through the interpreter.")


@pytest.mark.parametrize(
    ("first", "later", "transfer"),
    [
        # Mihai (BIA) takes Jan while his advisor is away, then sends him to Anna, his advisor.
        ("mihai", "anna", {"kind": "advisor"}),
        # Mihai sends him to his own office's team (WAW), where Olena is free.
        ("mihai", "olena", {"kind": "office"}),
        # Anna sends him to someone who speaks Romanian: Mihai, not Olena.
        ("anna", "mihai", {"kind": "language", "target": "ro"}),
    ],
)
def test_a_cold_transfer_to_the_advisor_the_office_or_a_language_reaches_the_right_person(
    centre, desks, first, later, transfer
):
    taker = desks[first]
    sid = talking(centre, taker)
    for login in ("anna", "olena", "mihai"):
        if login != first:
            desks[login].go("available")
    taker.act("/desk/api/call/transfer", transfer)
    taker.wait_state("wrap-up")
    receiver = desks[later]
    receiver.wait_state("ringing")
    assert receiver.state()["call"]["call_sid"] == sid
    receiver.answer()
    for login in ("anna", "olena", "mihai"):
        if login not in (first, later):
            desks[login].go("offline")
    receiver.hang_up()
    record, legs = the_record(centre, sid)
    assert [(leg.kind, leg.consultant_id) for leg in legs] == [
        ("queue", consultant_id(taker)),
        ("transfer", consultant_id(receiver)),
    ]
    taker.wrap_up("Transferred.")
    receiver.wrap_up("Helped.")


def test_a_consultation_with_an_outside_number_handed_over_leaves_the_caller_with_them(
    centre, desks
):
    anna = desks["anna"]
    ohp = "+48225784700"
    centre.answers_at_once(ohp)
    sid = talking(centre, anna)
    entry = next(e for e in anna.room()["directory"] if e["number"] == ohp)
    anna.act("/desk/api/call/consult", {"directory_id": entry["id"]})
    wait_for(lambda: (anna.room()["party"] or {}).get("state") == "in-room", what="OHP to pick up")
    assert participant(caller_room(centre, sid), "caller")["hold"] is True
    anna.act("/desk/api/call/hand-over")
    anna.wait_state("wrap-up")
    wait_for(
        lambda: participant(caller_room(centre, sid), "caller")["hold"] is False,
        what="Jan to meet OHP",
    )
    assert centre.call(sid)["status"] == "in-progress"
    centre.endpoint_action(ohp, "hangup")
    wait_for(lambda: centre.call(sid)["status"] == "completed", what="the call to end with OHP")
    record, legs = the_record(centre, sid)
    assert record.outcome == "answered"
    assert [(leg.kind, leg.consultant_id, leg.party_number) for leg in legs] == [
        ("queue", consultant_id(anna), None),
        ("consult", None, ohp),
    ]
    assert legs[0].handed_to == entry["name"]
    anna.wrap_up("Put Jan through to OHP after a word with them.")
