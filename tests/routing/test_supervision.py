"""Supervision, webhook by webhook: what a supervisor's phone is told when it is answered, what
is refused, and what is kept on the audit trail. The supervisor's phone rings in the emulator;
Twilio's requests are signed as Twilio signs them. (Who hears whom in a real room:
tests/e2e/test_supervision.py.)"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace

import pytest
import requests
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from agent_desk.supervision import live_calls_for
from consultants.access import may_supervise
from consultants.models import Consultant
from customers.audit import call_audit_trail
from emulator.app import EmulatorServer
from hotline.db import db
from hotline.settings import Settings
from routing.events import id_order
from routing.live import ConsultantState
from routing.service import set_consultant_state
from routing.supervision import Mode, SupervisionRefused, Supervisor
from tests.agent_desk.test_live import Stream
from tests.conftest import TwilioSigner, form_token
from tests.routing.test_answer import SID, leg, offered_to
from tests.twiml import parse, spoken


def person(login: str) -> Consultant:
    return db.session.scalars(select(Consultant).where(Consultant.login == login)).one()


def desk(client: FlaskClient, login: str) -> tuple[FlaskClient, dict[str, str]]:
    """Sign a consultant in to the desk; return the client and the CSRF header."""
    client.post(
        "/desk/login",
        data={"login": login, "password": "demo1234", "csrf_token": form_token(client)},
    )
    page = client.get("/desk/account").get_data(as_text=True)
    token = page.split('name="csrf-token" content="')[1].split('"')[0]
    return client, {"X-CSRF-Token": token}


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """Let a supervisor's phone ring for as long as a test needs it (the emulator plays time
    fifty times faster)."""
    return replace(settings, ring_timeout_seconds=600)


@pytest.fixture
def talking(
    app: Flask, twilio: TwilioSigner, demo: dict[str, int], phone_network: EmulatorServer
) -> Iterator[Consultant]:
    """Jan talks to Olena (his advisor Anna is off, Olena works in his office); afterwards
    every phone the tests rang in the emulator is put down."""
    olena = person("olena")
    offer = offered_to(twilio, app, olena)
    twilio.post(offer.join, leg(offer, CallStatus="in-progress"))
    assert app.extensions["hotline.routing"].engine.consultant(olena.id).state == "on-call"
    yield olena
    assert control(phone_network, "reset", "POST").ok


def supervisor(app: Flask) -> Supervisor:
    return Supervisor(app.extensions["hotline.routing"])


def control(network: EmulatorServer, path: str, method: str = "GET") -> requests.Response:
    """Use the emulator's control API, with its token."""
    headers = {"Authorization": f"Bearer {network.config.control_token}"}
    return requests.request(method, f"{network.url}/emulator/{path}", headers=headers, timeout=5)


def endpoint(network: EmulatorServer, address: str) -> dict:  # type: ignore[type-arg]
    return control(network, f"endpoints/{address}").json()


def answered(twilio: TwilioSigner, anna: Consultant, call_leg: str, path: str = "join"):  # type: ignore[no-untyped-def]
    """Post what Twilio fetches when Anna's phone is answered."""
    url = f"/routing/supervise/{path}?call={SID}&supervisor={anna.id}"
    return parse(twilio.post(url, {"CallSid": call_leg, "CallStatus": "in-progress"}).data)


def test_only_the_demo_supervisor_may_supervise(app: Flask, demo: dict[str, int]) -> None:
    assert [c.login for c in db.session.scalars(select(Consultant)) if may_supervise(c)] == ["anna"]
    assert not may_supervise(None)
    anna = person("anna")
    anna.active = False
    assert not may_supervise(anna), "a disabled account supervises nobody"


def test_listening_in_rings_the_supervisors_own_phone_and_joins_them_muted(
    app: Flask, twilio: TwilioSigner, talking: Consultant, phone_network: EmulatorServer
) -> None:
    anna = person("anna")
    started = supervisor(app).supervise(
        SID, anna.id, f"client:{anna.client_identity}", Mode.MONITOR
    )
    assert (started.mode, started.joined) == (Mode.MONITOR, False)
    rung = endpoint(phone_network, f"client:{anna.client_identity}")
    assert rung["state"] == "ringing" and rung["call_sid"] == started.leg

    room = answered(twilio, anna, started.leg or "").find("Dial/Conference")
    again = answered(twilio, anna, started.leg or "").find("Dial/Conference")
    assert room is not None and room.text == f"call-{SID}"
    assert again is not None and again.attrib == room.attrib, "asked twice, joined alike"
    assert room.get("muted") == "true" and room.get("coach") is None
    assert room.get("participantLabel") == f"supervisor-{anna.id}"
    assert room.get("startConferenceOnEnter") == "false"
    assert room.get("endConferenceOnExit") == "false", "the call goes on when they leave"
    assert room.get("beep") == "false"
    assert supervisor(app).supervision(SID).joined  # type: ignore[union-attr]
    trail = call_audit_trail(SID)
    assert [(who, entry.action) for entry, who in trail] == [("Anna Nowak", "supervision.monitor")]
    assert trail[0][0].changes == {
        "call_sid": SID,
        "consultant_id": talking.id,
        "consultant": "Olena Shevchenko",
        "leg": started.leg,
    }
    assert trail[0][0].customer_id is not None, "on Jan's own audit trail too"


def test_a_mode_chosen_while_the_phone_rings_is_the_mode_it_joins_in(
    app: Flask, twilio: TwilioSigner, talking: Consultant
) -> None:
    anna = person("anna")
    service = supervisor(app)
    started = service.supervise(SID, anna.id, f"client:{anna.client_identity}", Mode.MONITOR)
    service.supervise(SID, anna.id, f"client:{anna.client_identity}", Mode.COACH)
    entry = app.extensions["hotline.routing"].engine.entry(SID)

    room = answered(twilio, anna, started.leg or "").find("Dial/Conference")
    assert room is not None
    assert room.get("coach") == entry.consultant_leg, "only Olena's leg hears her"
    assert room.get("muted") in (None, "false")


def test_a_desk_phone_is_screened_so_that_no_voicemail_box_sits_in(
    app: Flask, twilio: TwilioSigner, talking: Consultant
) -> None:
    anna = person("anna")
    started = supervisor(app).supervise(SID, anna.id, "+48601999000", Mode.MONITOR)
    screen = answered(twilio, anna, started.leg or "")
    assert screen.find("Gather") is not None and screen.find("Dial") is None
    assert screen[-1].tag == "Hangup", "silence hangs up"
    assert "Naciśnij 1" in spoken(screen)
    url = f"/routing/supervise/screen-key?call={SID}&supervisor={anna.id}"
    silence = parse(twilio.post(url, {"CallSid": started.leg or "", "Digits": ""}).data)
    assert silence.find("Dial") is None and silence[-1].tag == "Hangup"
    pressed = parse(twilio.post(url, {"CallSid": started.leg or "", "Digits": "1"}).data)
    assert pressed.find("Dial/Conference") is not None


def test_what_is_refused_and_why(app: Flask, talking: Consultant) -> None:
    anna, piotr = person("anna"), person("piotr")
    service = supervisor(app)
    engine = app.extensions["hotline.routing"].engine

    with pytest.raises(SupervisionRefused, match="your own call"):
        service.supervise(SID, talking.id, "client:x", Mode.MONITOR)
    set_consultant_state(engine, anna, ConsultantState.AVAILABLE)
    with pytest.raises(SupervisionRefused, match="Take a break first"):
        service.supervise(SID, anna.id, f"client:{anna.client_identity}", Mode.MONITOR)
    set_consultant_state(engine, anna, ConsultantState.WRAP_UP)
    with pytest.raises(SupervisionRefused, match="Save your wrap-up"):
        service.supervise(SID, anna.id, f"client:{anna.client_identity}", Mode.MONITOR)
    set_consultant_state(engine, anna, ConsultantState.BREAK)
    service.supervise(SID, anna.id, f"client:{anna.client_identity}", Mode.MONITOR)
    with pytest.raises(SupervisionRefused, match="Another supervisor"):
        service.supervise(SID, piotr.id, f"client:{piotr.client_identity}", Mode.BARGE)
    with pytest.raises(SupervisionRefused, match="has ended"):
        service.supervise("CA" + "0" * 32, anna.id, "client:x", Mode.MONITOR)


def test_a_supervisor_whose_phone_ended_unheard_does_not_block_the_call(
    app: Flask, talking: Consultant, phone_network: EmulatorServer
) -> None:
    anna, mihai = person("anna"), person("mihai")
    service = supervisor(app)
    started = service.supervise(SID, mihai.id, f"client:{mihai.client_identity}", Mode.MONITOR)
    # Mihai's phone stops ringing, and its end never reaches the centre.
    assert control(phone_network, f"endpoints/client:{mihai.client_identity}/reject", "POST").ok
    assert started.leg

    taken = service.supervise(SID, anna.id, f"client:{anna.client_identity}", Mode.MONITOR)
    assert taken.supervisor_id == anna.id
    assert service.supervising(mihai.id) is None


def test_the_desk_api_refuses_a_consultant_who_is_not_a_supervisor(
    client: FlaskClient, talking: Consultant
) -> None:
    piotr, headers = desk(client, "piotr")
    assert piotr.get("/desk/api/live-calls").status_code == 403
    refused = piotr.post(
        f"/desk/api/live-calls/{SID}/supervise", json={"mode": "monitor"}, headers=headers
    )
    assert refused.status_code == 403
    assert refused.get_json()["error"] == "Twoje role na to nie pozwalają."  # Piotr's Polish
    assert call_audit_trail(SID) == []
    assert piotr.get("/desk/board").status_code == 403
    assert piotr.post("/desk/api/hand", json={"raised": True}, headers=headers).status_code == 409


def test_a_raised_hand_is_on_the_board_until_the_call_ends(
    app: Flask, client: FlaskClient, twilio: TwilioSigner, talking: Consultant
) -> None:
    olena_desk, olena_headers = desk(app.test_client(), "olena")
    anna_desk, _ = desk(app.test_client(), "anna")
    nobody, nobody_headers = desk(app.test_client(), "piotr")

    no_call = nobody.post("/desk/api/hand", json={"raised": True}, headers=nobody_headers)
    assert no_call.status_code == 409
    assert no_call.get_json()["error"] == "Rękę można podnieść podczas rozmowy.", "in Polish"
    raised = olena_desk.post("/desk/api/hand", json={"raised": True}, headers=olena_headers)
    assert raised.get_json() == {"raised": True, "call_sid": SID}
    board = anna_desk.get("/desk/api/live-calls").get_json()
    assert board["hands"] == 1
    (call,) = board["calls"]
    assert call["consultant"]["name"] == "Olena Shevchenko" and call["hand"] is not None
    assert "Jan" not in str(board) and "+48601000001" not in str(board), "no caller's details"

    # The call ends (Olena hangs up): the hand goes with it.
    engine = app.extensions["hotline.routing"].engine
    engine.close(SID, "answered")
    assert anna_desk.get("/desk/api/live-calls").get_json() == {
        "calls": [],
        "you": None,
        "hands": 0,
    }
    assert olena_desk.get("/desk/api/hand").get_json()["raised"] is False
    assert [entry.action for entry, _who in call_audit_trail(SID)] == ["supervision.hand-raised"]


def test_a_supervisor_on_a_call_may_not_go_available_until_they_leave(
    app: Flask, client: FlaskClient, talking: Consultant
) -> None:
    anna_desk, headers = desk(client, "anna")
    started = anna_desk.post(
        f"/desk/api/live-calls/{SID}/supervise", json={"mode": "monitor"}, headers=headers
    )
    assert started.status_code == 200, started.get_data(as_text=True)
    assert started.get_json()["leg"]
    refused = anna_desk.post("/desk/api/state", json={"state": "available"}, headers=headers)
    assert refused.status_code == 409
    assert refused.get_json()["error"] == "najpierw opuść rozmowę współpracownika, w której jesteś"
    left = anna_desk.post(f"/desk/api/live-calls/{SID}/leave", headers=headers)
    assert left.get_json() == {"left": True}
    back = anna_desk.post("/desk/api/state", json={"state": "available"}, headers=headers)
    assert back.status_code == 200


def test_the_board_stream_carries_the_calls_in_progress_and_a_raised_hand_at_once(
    app: Flask, talking: Consultant
) -> None:
    live = app.extensions["hotline.live"]
    live.heartbeat = 0.2
    live.board_refresh = 600.0  # so that only the hand's own event can bring the change
    anna_desk, _ = desk(app.test_client(), "anna")
    olena_desk, olena_headers = desk(app.test_client(), "olena")
    stream = Stream(anna_desk, "/desk/api/board/events")
    first = stream.until(lambda m: m.event == "calls")
    (call,) = first.data["calls"]
    assert call["consultant"]["name"] == "Olena Shevchenko" and call["hand"] is None
    assert call["topic_label"] and call["topic_label"] != call["topic"], "the topic in words"

    raised = olena_desk.post("/desk/api/hand", json={"raised": True}, headers=olena_headers)
    assert raised.status_code == 200
    changed = stream.until(lambda m: m.event == "calls" and m.data["hands"] == 1)
    assert id_order(changed.id) > id_order(first.id)
    stream.leaving.set()  # the stream's next message (the hand lowered) lets its reader go
    olena_desk.post("/desk/api/hand", json={"raised": False}, headers=olena_headers)
    stream.close()


def test_a_board_stream_shows_the_calls_only_while_its_reader_may_supervise(
    app: Flask, talking: Consultant
) -> None:
    anna, piotr = person("anna"), person("piotr")
    with app.test_request_context():
        shown = live_calls_for(anna.id)
        assert shown is not None and len(shown["calls"]) == 1  # type: ignore[arg-type]
        assert live_calls_for(piotr.id) is None, "no supervisor"
        anna.active = False  # disabled while her board is open: the next message has no calls
        db.session.commit()
        assert live_calls_for(anna.id) is None


def test_supervision_shows_on_the_audit_page_in_words(
    app: Flask, twilio: TwilioSigner, talking: Consultant
) -> None:
    anna = person("anna")
    started = supervisor(app).supervise(SID, anna.id, f"client:{anna.client_identity}", Mode.COACH)
    answered(twilio, anna, started.leg or "")
    assert supervisor(app).leave(SID, anna.id)
    anna_desk, _ = desk(app.test_client(), "anna")
    page = anna_desk.get("/desk/audit?action=supervision.").get_data(as_text=True)
    assert "podpowiadał(a) konsultantowi w rozmowie" in page
    assert "opuścił(a) nadzorowaną rozmowę" in page
    assert "Olena Shevchenko" in page and "podpowiadanie" in page
    assert SID not in page and (started.leg or "-") not in page, "no Twilio sids on the page"
    assert "supervision.coach" not in page, "actions in words, not codes"
    assert not re.search(r"<td>[^<]*%\d", page), "times as dates, not a strftime pattern misread"


def test_a_body_that_is_not_a_json_object_is_refused_with_the_reason(
    client: FlaskClient, talking: Consultant
) -> None:
    anna_desk, headers = desk(client, "anna")
    for path in (f"/desk/api/live-calls/{SID}/supervise", "/desk/api/hand"):
        refused = anna_desk.post(path, json=["monitor"], headers=headers)
        assert refused.status_code == 400
        assert "send a JSON object" in refused.get_json()["error"]
    unknown = anna_desk.post(
        f"/desk/api/live-calls/{SID}/supervise", json={"mode": "sideways"}, headers=headers
    )
    assert unknown.status_code == 409 and "unknown mode" in unknown.get_json()["error"]
    assert call_audit_trail(SID) == [], "nothing refused reaches the trail"
