from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from customers.models import AuditEntry, Contact, Customer
from hotline.db import db
from routing.engine import RoutingEngine
from tests.conftest import form_token
from tests.twiml import parse

SID = "CA" + "4" * 32
CALL = {"CallSid": SID, "From": "+48601000001", "To": "+48221952400"}
LEG = "CA" + "5" * 32


def sign_in(client, login="anna", password="demo1234"):
    response = client.post(
        "/desk/login",
        data={"login": login, "password": password, "csrf_token": form_token(client)},
    )
    page = client.get("/desk/")
    token = re.search(rb'name="csrf-token" content="([^"]+)"', page.data).group(1).decode()
    return response, token


def api(client, token, path, body):
    return client.post(path, json=body, headers={"X-CSRF-Token": token})


@pytest.fixture
def jan(demo) -> Customer:
    return db.session.scalars(select(Customer).where(Customer.phone == "+48601000001")).one()


def test_wrong_password_is_refused(client, demo):
    response = client.post(
        "/desk/login", data={"login": "anna", "password": "nope", "csrf_token": form_token(client)}
    )
    assert response.status_code == 401
    assert "Błędny login lub hasło" in response.get_data(as_text=True)
    assert client.get("/desk/").status_code == 302


def test_changes_without_the_csrf_token_are_refused(client, demo):
    sign_in(client)
    assert client.post("/desk/api/state", json={"state": "available"}).status_code == 400


def test_going_available_is_visible_to_routing(client, demo, redis_client):
    _, token = sign_in(client)
    response = api(client, token, "/desk/api/state", {"state": "available"})
    assert response.json["state"] == "available"
    assert api(client, token, "/desk/api/state", {"state": "lunch"}).status_code == 409


def test_call_pops_the_record_then_wrap_up_logs_the_contact(client, twilio, jan, redis_client):
    _, token = sign_in(client)
    api(client, token, "/desk/api/state", {"state": "available"})
    twilio.post("/ivr/incoming", CALL)
    twilio.post("/ivr/menu/input", {**CALL, "Digits": "0"})
    twilio.post("/routing/wait", {**CALL, "QueueSid": "QU" + "1" * 32})
    assignment = RoutingEngine(redis_client).assign_next(30)
    state = client.get("/desk/api/state").json
    assert state["state"] == "ringing"
    assert state["call"]["customer"]["name"] == "Jan Wiśniewski"
    assert state["call"]["own_customer"] is True
    assert state["call"]["customer"]["pesel"].endswith("*****")

    # The caller waits in the call's room; Twilio rings Anna's softphone, and when she picks
    # up it fetches her call's url, which puts her into the room.
    twilio.post(f"/routing/connect?consultant={assignment.consultant_id}", CALL)
    query = f"call={SID}&consultant={assignment.consultant_id}"
    leg = {"CallSid": LEG, "CallStatus": "in-progress", "To": "client:x"}
    joined = parse(twilio.post(f"/routing/join?{query}", leg).data)
    assert joined.find("Dial/Conference").text == f"call-{SID}", "put through at once"
    assert client.get("/desk/api/state").json["state"] == "on-call"
    twilio.post(f"/routing/leg-status?{query}", {**leg, "CallStatus": "completed"})
    assert client.get("/desk/api/state").json["state"] == "wrap-up"
    assert api(client, token, "/desk/api/state", {"state": "available"}).status_code == 409

    contact = db.session.scalars(select(Contact).where(Contact.call_sid == SID)).one()
    page = client.get("/desk/")
    assert "Opis rozmowy" in page.get_data(as_text=True)
    response = client.post(
        f"/desk/wrap-up/{contact.id}",
        data={"csrf_token": token, "outcome": "resolved", "notes": "Explained documents."},
    )
    assert response.headers["Location"].endswith(f"/desk/customers/{jan.id}")
    record = client.get(f"/desk/customers/{jan.id}").data.decode()
    assert "Explained documents." in record and "Załatwione" in record
    assert ">resolved<" not in record and "contact.wrap-up" not in record, "people read words"
    assert client.get("/desk/api/state").json["state"] == "available"
    actions = db.session.scalars(select(AuditEntry.action)).all()
    assert "contact.wrap-up" in actions


def test_record_update_is_audited_and_bad_phone_refused(client, jan):
    _, token = sign_in(client)
    form = {
        "csrf_token": token,
        "address": "ul. Nowa 1, 00-001 Warszawa",
        "phone": "601 000 001",
        "action_plan_notes": "Welding course in March.",
    }
    client.post(f"/desk/customers/{jan.id}", data=form)
    db.session.expire_all()
    assert db.session.get(Customer, jan.id).address == "ul. Nowa 1, 00-001 Warszawa"
    audit = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "customer.update")
    ).one()
    # Which fields changed, not what they hold; the same number written differently is no
    # change.
    assert audit.changes == {"fields": ["action_plan_notes", "address"]}

    client.post(f"/desk/customers/{jan.id}", data={**form, "phone": "12"})
    page = client.get(f"/desk/customers/{jan.id}").data.decode()
    assert "not a valid phone number" in page
    db.session.expire_all()
    assert db.session.get(Customer, jan.id).phone == "+48601000001"


def test_search_finds_by_phone_and_name(client, jan):
    _, token = sign_in(client)
    for term in ("601000001", "Wiśn"):
        found = client.post("/desk/customers", data={"q": term, "csrf_token": token})
        assert "Wiśniewski" in found.data.decode()


BROKEN_CSV = """external_id;title;occupation;occupation_code;employer;city;county;region;wage_min;wage_max;contract_type;working_time;posted_on;expires_on;description
T-1;Magazynier;Magazynier;9321;Hurtownia (demo);Kraków;Kraków;12;5000;5600;umowa o pracę;pełny etat;2026-11-17;2099-01-10;ok
T-2;Spawacz;Spawacz;7212;Stal (demo);Kraków;Kraków;12;7000;6000;umowa o pracę;pełny etat;2026-11-17;2099-01-10;wages upside down
T-3;Kucharz;Kucharz;5120;Bistro (demo);Nowhere;;99;5000;5600;umowa o pracę;pełny etat;2026-11-17;2099-01-10;unknown region
"""


def test_import_from_the_desk_reports_bad_rows_and_keeps_good_ones(
    client, demo, tmp_path, monkeypatch
):
    import io

    monkeypatch.setenv("HOTLINE_INSTANCE_DIR", str(tmp_path))
    _, token = sign_in(client)
    response = client.post(
        "/desk/imports",
        data={
            "csrf_token": token,
            "target": "vacancies",
            "file": (io.BytesIO(BROKEN_CSV.encode()), "oferty.csv"),
        },
        content_type="multipart/form-data",
    )
    run_page = response.headers["Location"]
    state = client.get(run_page.replace("/desk/imports/", "/desk/api/imports/")).json
    assert state["status"] == "done"
    assert (state["imported"], state["failed_rows"]) == (1, 2)
    page = client.get(run_page).data.decode()
    assert "Wiersze, których nie zaimportowano" in page
    rows = {error["row_number"] for error in state["errors"]}
    assert rows == {3, 4}
    assert "Anna Nowak" in page and "desk:anna" not in page


def test_import_refuses_other_file_types(client, demo, tmp_path, monkeypatch):
    import io

    monkeypatch.setenv("HOTLINE_INSTANCE_DIR", str(tmp_path))
    _, token = sign_in(client)
    client.post(
        "/desk/imports",
        data={"csrf_token": token, "file": (io.BytesIO(b"MZ"), "virus.exe")},
        content_type="multipart/form-data",
    )
    assert "wyślij plik .csv, .json lub .xml" in client.get("/desk/imports").data.decode()


def test_a_wrap_up_whose_time_ran_out_can_be_finished_later(client, jan):
    from consultants.models import Consultant

    anna = db.session.scalars(select(Consultant).where(Consultant.login == "anna")).one()
    late = Contact(call_sid="CA" + "5" * 32, customer_id=jan.id, consultant_id=anna.id,
                   caller_number=jan.phone, topic="vacancies")  # fmt: skip
    done = Contact(call_sid="CA" + "6" * 32, customer_id=jan.id, consultant_id=anna.id,
                   outcome="resolved", wrapped_up_at=datetime.now(UTC))  # fmt: skip
    db.session.add_all([late, done])
    db.session.commit()
    late_id, done_id = late.id, done.id

    _, token = sign_in(client, "piotr")
    assert client.get(f"/desk/wrap-up/{late_id}").status_code == 404, "not piotr's contact"
    client.post("/desk/logout", data={"csrf_token": token})

    _, token = sign_in(client)
    desk = client.get("/desk/").data.decode()
    assert "Połączenia do opisania" in desk
    assert f"/desk/wrap-up/{late_id}" in desk and f"/desk/wrap-up/{done_id}" not in desk
    form = client.get(f"/desk/wrap-up/{late_id}").data.decode()
    assert "Jan Wiśniewski" in form and 'name="outcome"' in form
    client.post(
        f"/desk/wrap-up/{late_id}",
        data={
            "csrf_token": token,
            "outcome": "follow-up",
            "follow_up_on": (date.today() + timedelta(days=7)).isoformat(),
            "notes": "Called back about offers.",
        },
    )
    saved = db.session.get(Contact, late_id)
    assert (saved.outcome, saved.notes) == ("follow-up", "Called back about offers.")
    assert "Połączenia do opisania" not in client.get("/desk/").data.decode()


def test_a_callback_jan_asked_of_anna_pops_as_asked_for_her(client, twilio, jan, redis_client):
    _, token = sign_in(client)
    api(client, token, "/desk/api/state", {"state": "available"})
    api(client, token, "/desk/api/state", {"state": "break", "reason": "lunch"})
    twilio.post("/ivr/incoming", CALL)
    twilio.post("/ivr/menu/input", {**CALL, "Digits": "0"})
    wait = parse(twilio.post("/routing/wait", {**CALL, "QueueSid": "QU" + "1" * 32}).data)
    assert "naciśnij 3" in "".join(wait.itertext()), "Anna is on a break"
    twilio.post("/routing/wait-key", {**CALL, "Digits": "3"})
    api(client, token, "/desk/api/state", {"state": "available"})
    assignment = RoutingEngine(redis_client).assign_next(30)
    assert (assignment.call_sid, assignment.callback) == (SID, True)
    call = client.get("/desk/api/state").json["call"]
    assert (call["callback"], call["asked_for_you"]) == (True, True)
    assert call["customer"]["name"] == "Jan Wiśniewski"
    # The router rang Anna's desk first; Twilio fetches the call's url when she picks up.
    query = f"call={SID}&consultant={assignment.consultant_id}"
    twilio.post(f"/routing/callback/connect?{query}", {"CallSid": LEG})
    assert client.get("/desk/api/state").json["state"] == "on-call"
    assert db.session.scalars(select(Contact)).all() == [], "Jan has not answered yet"
    twilio.post(
        f"/routing/callback/result?{query}&attempt=1",
        {"CallSid": LEG, "DialCallStatus": "completed"},
    )
    state = client.get("/desk/api/state").json
    contact = db.session.scalars(select(Contact).where(Contact.call_sid == SID)).one()
    assert (state["state"], state["wrap_up_contact_id"]) == ("wrap-up", contact.id)
    assert (contact.channel, contact.customer_id) == ("callback", jan.id)


def jan_is_called_back_in_vain(client, twilio, redis_client, token, status="no-answer"):
    """Jan asks for a callback; Anna picks up her desk phone, and Jan does not answer."""
    twilio.post("/ivr/incoming", CALL)
    twilio.post("/ivr/menu/input", {**CALL, "Digits": "0"})
    twilio.post("/routing/wait", {**CALL, "QueueSid": "QU" + "1" * 32})
    twilio.post("/routing/wait-key", {**CALL, "Digits": "1"})
    twilio.post("/routing/queue-result", {**CALL, "QueueResult": "hangup"})
    twilio.post("/ivr/status", {**CALL, "CallStatus": "completed"})
    api(client, token, "/desk/api/state", {"state": "available"})
    assignment = RoutingEngine(redis_client).assign_next(30)
    assert (assignment.call_sid, assignment.callback) == (SID, True)
    query = f"call={SID}&consultant={assignment.consultant_id}"
    leg = {"CallSid": LEG, "From": "+48221952400", "To": "client:anna"}
    twilio.post(f"/routing/callback/connect?{query}", {**leg, "CallStatus": "in-progress"})
    result = {**leg, "DialCallStatus": status}
    twilio.post(f"/routing/callback/result?{query}&attempt=1", result)
    twilio.post(f"/routing/callback/status?{query}", {**leg, "CallStatus": "completed"})


def test_a_callback_that_did_not_reach_the_customer_leaves_nothing_to_wrap_up(
    client, twilio, jan, redis_client
):
    from routing.models import CallbackRequest

    _, token = sign_in(client)
    jan_is_called_back_in_vain(client, twilio, redis_client, token)
    assert client.get("/desk/api/state").json["state"] == "available"
    assert "Połączenia do opisania" not in client.get("/desk/").data.decode()
    assert db.session.scalars(select(Contact)).all() == []
    request = db.session.scalars(select(CallbackRequest)).one()
    assert request.status == "pending"
    assert [(a.attempt, a.outcome) for a in request.attempt_log] == [(1, "no-answer")]


class TestACallbackGivenUp:
    @pytest.fixture
    def settings(self, settings):
        return settings.with_overrides(callback_max_attempts=1)

    def test_leaves_nothing_to_wrap_up_either(self, client, twilio, jan, redis_client):
        from routing.models import CallbackRequest

        _, token = sign_in(client)
        jan_is_called_back_in_vain(client, twilio, redis_client, token, status="busy")
        assert client.get("/desk/api/state").json["state"] == "available"
        assert "Połączenia do opisania" not in client.get("/desk/").data.decode()
        assert db.session.scalars(select(Contact)).all() == []
        request = db.session.scalars(select(CallbackRequest)).one()
        assert request.status == "failed"
        assert [(a.attempt, a.outcome) for a in request.attempt_log] == [(1, "busy")]
