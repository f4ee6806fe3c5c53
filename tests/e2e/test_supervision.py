"""A supervisor listens in on, coaches and barges into a live call from the board, on their own
phone, through the emulator; the emulator's room says who hears whom."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial

import pytest
import requests
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from consultants.models import Consultant
from customers.models import AuditEntry
from tests.e2e.conftest import CONTROL, PATIENCE_SECONDS, Centre, wait_for

pytestmark = [pytest.mark.slow, pytest.mark.e2e]

MARIA = "+48601000002"  # Piotr's customer: her call waits for him first


@dataclass
class Desk:
    """A consultant signed in to the desk through its API."""

    centre: Centre
    session: requests.Session
    token: str
    identity: str  # their phone: client:consultant-N

    @property
    def id(self) -> int:
        return int(self.identity.rsplit("-", 1)[1])

    def get(self, path: str) -> requests.Response:
        return self.session.get(f"{self.centre.web}{path}", timeout=10)

    def post(self, path: str, body: dict[str, object] | None = None) -> requests.Response:
        return self.session.post(
            f"{self.centre.web}{path}",
            json=body or {},
            headers={"X-CSRF-Token": self.token},
            timeout=30,
        )

    def go(self, state: str) -> None:
        response = self.post("/desk/api/state", {"state": state})
        assert response.ok, response.text


def sign_in(centre: Centre, login: str) -> Desk:
    session, token = centre.desk_session(login)
    page = session.get(f"{centre.web}/desk/").text
    identity = "client:" + page.split('data-identity="')[1].split('"')[0]
    return Desk(centre, session, token, identity)


def rooms(centre: Centre) -> list[dict]:  # type: ignore[type-arg]
    return requests.get(
        f"{centre.emulator}/emulator/conferences", headers=CONTROL, timeout=10
    ).json()


def room_of(centre: Centre, call_sid: str) -> dict:  # type: ignore[type-arg]
    """Return the emulator's view of the live room a caller is in."""
    return next(
        room
        for room in rooms(centre)
        if room["friendly_name"] == f"call-{call_sid}" and room["status"] != "completed"
    )


def in_room(room: dict, label: str) -> dict | None:  # type: ignore[type-arg]
    return next(
        (p for p in room["participants"] if p["label"] == label and p["state"] == "in conference"),
        None,
    )


def who_hears(centre: Centre, call_sid: str) -> dict[str, set[str]]:
    """Return, for each participant in the caller's room (by label), the labels they hear."""
    room = room_of(centre, call_sid)
    present = [p for p in room["participants"] if p["state"] == "in conference"]
    label = {p["call_sid"]: p["label"] for p in present}
    return {p["label"]: {label[sid] for sid in p["hears"] if sid in label} for p in present}


def wait_hearing(
    centre: Centre, call_sid: str, expected: dict[str, set[str]], what: str
) -> dict[str, set[str]]:
    """Wait until the room's hearing is as expected; a timeout names what it was instead."""
    seen: list[dict[str, set[str]]] = []

    def heard() -> dict[str, set[str]] | None:
        seen[:] = [who_hears(centre, call_sid)]
        return seen[0] if seen[0] == expected else None

    try:
        return wait_for(heard, what=what)
    except AssertionError as exc:
        raise AssertionError(f"{exc}; the room heard {seen}") from None


def end_calls_left_by_earlier_tests(centre: Centre) -> None:
    """Hang up every call still live in the shared centre's emulator, so that Piotr, going
    available, is offered Maria and not a caller an earlier test left waiting."""
    calls = requests.get(f"{centre.emulator}/emulator/calls", headers=CONTROL, timeout=10).json()
    live = [c["sid"] for c in calls if c["status"] in ("queued", "ringing", "in-progress")]
    for sid in live:
        requests.post(f"{centre.emulator}/emulator/calls/{sid}/hangup", headers=CONTROL, timeout=10)
    wait_for(
        lambda: all(centre.call(sid)["status"] not in ("ringing", "in-progress") for sid in live),
        what="the earlier tests' calls to end",
    )


def moved_on(desk: Desk, call_sid: str) -> bool:
    """Tell whether a consultant is free again (or rung with another call) after a call."""
    state = desk.get("/desk/api/state").json()
    other = (state["call"] or {}).get("call_sid") != call_sid
    return state["state"] in ("available", "ringing") and other


def take_marias_call(centre: Centre, piotr: Desk) -> None:
    """Answer Piotr's phone when it rings with Maria's call. A callback an earlier test left
    pending may be offered to him first: he takes it, and it runs its course (the customer's
    phone does not answer, and the callback is retried long after this test)."""
    for _offer in range(5):
        offer = wait_for(
            lambda: (lambda desk: desk if desk["state"] == "ringing" and desk["call"] else None)(
                piotr.get("/desk/api/state").json()
            ),
            what="Piotr to be offered a call",
        )
        wait_for(
            lambda: centre.endpoint(piotr.identity).get("state") == "ringing",
            what="Piotr's phone to ring",
        )
        assert centre.endpoint_action(piotr.identity, "answer").ok
        if not offer["call"]["callback"] and offer["call"]["caller_number"] == MARIA:
            return
        wait_for(
            partial(moved_on, piotr, offer["call"]["call_sid"]),
            what="the earlier test's callback to run its course",
        )
    raise AssertionError("Piotr was never offered Maria's call")


@dataclass
class LiveCall:
    caller: str
    piotr: Desk
    anna: Desk
    olena: Desk


@pytest.fixture
def live_call(centre: Centre) -> Iterator[LiveCall]:
    """Maria talks to Piotr, answered on his phone; Anna (a supervisor) and Olena (not one)
    are signed in and not taking calls."""
    piotr, anna, olena = (sign_in(centre, login) for login in ("piotr", "anna", "olena"))
    for desk in (anna, olena):
        desk.go("offline")
    end_calls_left_by_earlier_tests(centre)
    piotr.go("available")
    scale = float(centre.env["EMULATOR_TIME_SCALE"])
    sid = centre.place_call(
        MARIA, [{"silence": True}, {"press": "0"}, {"wait": 4 * PATIENCE_SECONDS / scale}]
    )
    take_marias_call(centre, piotr)
    try:
        wait_for(
            lambda: any(e["kind"] == "talk" for e in centre.call(sid)["events"]),
            what="Maria and Piotr to talk",
        )
    except AssertionError as exc:
        heard = [f"{e['kind']}: {e['text']}" for e in centre.call(sid)["events"]][-12:]
        desk = piotr.get("/desk/api/state").json()
        raise AssertionError(f"{exc}; Maria's call: {heard}; Piotr's desk: {desk}") from None
    yield LiveCall(sid, piotr, anna, olena)
    for desk in (anna, piotr):
        if centre.endpoint(desk.identity).get("state") in ("ringing", "connected"):
            centre.endpoint_action(desk.identity, "hangup")
    requests.post(f"{centre.emulator}/emulator/calls/{sid}/hangup", headers=CONTROL, timeout=10)
    wait_for(
        lambda: piotr.get("/desk/api/state").json()["state"] == "wrap-up",
        what="Piotr's wrap-up",
    )
    piotr.go("offline")


def audit_of(centre: Centre, call_sid: str) -> list[tuple[str, str, dict]]:  # type: ignore[type-arg]
    """Return (who, action, changes) of the supervision entries about a call, oldest first."""
    engine = create_engine(centre.env["DATABASE_URL"])
    try:
        with Session(engine) as session:
            rows = session.execute(
                select(AuditEntry, Consultant.name)
                .outerjoin(Consultant, Consultant.id == AuditEntry.consultant_id)
                .order_by(AuditEntry.at, AuditEntry.id)
            )
            return [
                (name, entry.action, entry.changes)
                for entry, name in rows
                if entry.changes.get("call_sid") == call_sid
                and entry.action.startswith("supervision.")
            ]
    finally:
        engine.dispose()


def test_a_supervisor_listens_coaches_barges_and_leaves_and_the_caller_hears_only_the_barge(
    centre: Centre, live_call: LiveCall
):
    sid, anna, piotr = live_call.caller, live_call.anna, live_call.piotr
    supervisor, consultant = f"supervisor-{anna.id}", f"consultant-{piotr.id}"

    board = anna.get("/desk/api/live-calls").json()
    (call,) = [c for c in board["calls"] if c["call_sid"] == sid]
    assert call["consultant"]["name"] == "Piotr Kowalski"
    assert call["in_room"] and call["supervision"] is None

    listening = anna.post(f"/desk/api/live-calls/{sid}/supervise", {"mode": "monitor"})
    assert listening.ok, listening.text
    wait_for(
        lambda: centre.endpoint(anna.identity).get("state") == "ringing",
        what="Anna's own phone to ring",
    )
    assert centre.endpoint_action(anna.identity, "answer").ok
    wait_hearing(
        centre,
        sid,
        {"caller": {consultant}, consultant: {"caller"}, supervisor: {"caller", consultant}},
        "Anna to listen in unheard",
    )
    room = room_of(centre, sid)
    assert in_room(room, supervisor)["muted"] is True

    assert anna.post(f"/desk/api/live-calls/{sid}/supervise", {"mode": "coach"}).ok
    wait_hearing(
        centre,
        sid,
        {
            "caller": {consultant},
            consultant: {"caller", supervisor},
            supervisor: {"caller", consultant},
        },
        "only Piotr to hear Anna coach",
    )

    assert anna.post(f"/desk/api/live-calls/{sid}/supervise", {"mode": "barge"}).ok
    wait_hearing(
        centre,
        sid,
        {
            "caller": {consultant, supervisor},
            consultant: {"caller", supervisor},
            supervisor: {"caller", consultant},
        },
        "everyone to hear Anna barge in",
    )
    board = anna.get("/desk/api/live-calls").json()
    assert board["you"]["mode"] == "barge" and board["you"]["joined"]

    assert anna.post(f"/desk/api/live-calls/{sid}/leave").json() == {"left": True}
    wait_hearing(
        centre, sid, {"caller": {consultant}, consultant: {"caller"}}, "Anna to leave the call"
    )
    wait_for(lambda: centre.endpoint(anna.identity)["state"] == "idle", what="Anna's phone to end")
    assert centre.call(sid)["status"] == "in-progress", "the call goes on without her"
    assert anna.get("/desk/api/live-calls").json()["you"] is None

    trail = wait_for(
        lambda: (lambda t: t if len(t) >= 4 else None)(audit_of(centre, sid)),
        what="the audit trail",
    )
    assert [(who, action) for who, action, _ in trail] == [
        ("Anna Nowak", "supervision.monitor"),
        ("Anna Nowak", "supervision.coach"),
        ("Anna Nowak", "supervision.barge"),
        ("Anna Nowak", "supervision.leave"),
    ]
    assert all(changes["call_sid"] == sid for _, _, changes in trail)
    assert all(changes["consultant_id"] == piotr.id for _, _, changes in trail)
    assert all(changes["consultant"] == "Piotr Kowalski" for _, _, changes in trail)


def test_a_raised_hand_shows_on_the_board_and_is_answered_when_a_supervisor_comes(
    centre: Centre, live_call: LiveCall
):
    sid, anna, piotr = live_call.caller, live_call.anna, live_call.piotr
    assert piotr.get("/desk/api/hand").json() == {"raised": False, "call_sid": None}
    raised = piotr.post("/desk/api/hand", {"raised": True})
    assert raised.json() == {"raised": True, "call_sid": sid}

    board = anna.get("/desk/api/live-calls").json()
    (call,) = [c for c in board["calls"] if c["call_sid"] == sid]
    assert call["hand"] is not None and board["hands"] == 1

    # Anna comes to coach: the hand is answered when her phone is in the room.
    assert anna.post(f"/desk/api/live-calls/{sid}/supervise", {"mode": "coach"}).ok
    wait_for(lambda: centre.endpoint(anna.identity).get("state") == "ringing", what="Anna's ring")
    assert centre.endpoint_action(anna.identity, "answer").ok
    wait_for(lambda: not piotr.get("/desk/api/hand").json()["raised"], what="the hand lowered")
    consultant, supervisor = f"consultant-{piotr.id}", f"supervisor-{anna.id}"
    wait_hearing(
        centre,
        sid,
        {
            "caller": {consultant},
            consultant: {"caller", supervisor},
            supervisor: {"caller", consultant},
        },
        "Anna to coach from the moment she joins",
    )
    (call,) = [c for c in anna.get("/desk/api/live-calls").json()["calls"] if c["call_sid"] == sid]
    assert call["hand"] is None

    # Piotr hangs up: the room ends, Anna's phone is told and ends, and she has left.
    assert centre.endpoint_action(piotr.identity, "hangup").ok
    wait_for(lambda: centre.endpoint(anna.identity)["state"] == "idle", what="Anna's phone to end")
    trail = wait_for(
        lambda: (lambda t: t if len(t) >= 4 else None)(audit_of(centre, sid)),
        what="the audit trail",
    )
    assert [(who, action) for who, action, _ in trail] == [
        ("Piotr Kowalski", "supervision.hand-raised"),
        ("Anna Nowak", "supervision.coach"),
        ("Anna Nowak", "supervision.hand-answered"),
        ("Anna Nowak", "supervision.leave"),
    ]


def test_only_a_supervisor_may_see_or_join_live_calls(centre: Centre, live_call: LiveCall):
    sid, olena, piotr = live_call.caller, live_call.olena, live_call.piotr
    assert olena.get("/desk/api/live-calls").status_code == 403
    refused = olena.post(f"/desk/api/live-calls/{sid}/supervise", {"mode": "monitor"})
    assert refused.status_code == 403
    # In Olena's language: Polish, or English if a browser test before chose it for her.
    assert refused.json()["error"] in (
        "Twoje role na to nie pozwalają.",
        "Your roles do not allow this.",
    )
    assert centre.endpoint(olena.identity).get("state") in (None, "idle")
    assert who_hears(centre, sid) == {
        "caller": {f"consultant-{piotr.id}"},
        f"consultant-{piotr.id}": {"caller"},
    }
    assert audit_of(centre, sid) == []
