"""The first complete call, end to end through the emulator against running processes."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from customers.models import Contact, Customer
from routing.models import CallRecord
from tests.e2e.conftest import Centre, wait_for

pytestmark = [pytest.mark.slow, pytest.mark.e2e]

JAN = "+48601000001"


def spoken(call: dict) -> str:
    return " ".join(e.get("text", "") for e in call["events"] if e["kind"] == "say")


def test_known_caller_hears_documents_then_reaches_a_consultant_and_is_logged(centre: Centre):
    desk, token = centre.desk_session("anna")
    headers = {"X-CSRF-Token": token}

    # The documents come in three parts, each followed by the next when the caller waits.
    documents = [{"press": "1"}, {"silence": True}, {"silence": True}]
    sid = centre.place_call(JAN, [{"silence": True}, *documents, {"press": "0"}])
    wait_for(
        lambda: any(e["kind"] == "enqueue" for e in centre.call(sid)["events"]),
        what="the caller to be queued",
    )
    heard = spoken(centre.call(sid))
    assert "Dzień dobry, Jan" in heard
    assert "świadectwa pracy" in heard, "the benefit documents answer was read"
    assert "ul. Grochowska 171B" in heard, "with the caller's own office"

    state = desk.post(f"{centre.web}/desk/api/state", json={"state": "available"}, headers=headers)
    # The router runs in its own process and may offer Jan's call before the answer is read.
    assert state.json()["state"] in ("available", "ringing")
    identity = (
        "client:" + desk.get(f"{centre.web}/desk/").text.split('data-identity="')[1].split('"')[0]
    )

    ringing = wait_for(
        lambda: (lambda e: e if e.get("state") == "ringing" else None)(centre.endpoint(identity)),
        what="the consultant's desk to ring",
    )
    # The consultant's call comes from the hotline's number (a REST call may not show the
    # caller's); the desk says who is calling.
    assert ringing["from"] == "+48221952400"
    pop = desk.get(f"{centre.web}/desk/api/state").json()
    assert pop["state"] == "ringing"
    assert pop["call"]["customer"]["name"] == "Jan Wiśniewski"
    assert pop["call"]["own_customer"] is True
    assert pop["call"]["topic"] == "benefit_documents"

    # Anna picks up on the network; the centre learns it from Twilio, not from the desk.
    assert centre.endpoint_action(identity, "answer").ok
    wait_for(
        lambda: desk.get(f"{centre.web}/desk/api/state").json()["state"] == "on-call",
        what="the network's answer to reach the desk",
    )
    wait_for(
        lambda: any(e["kind"] == "talk" for e in centre.call(sid)["events"]),
        what="caller and consultant to be connected",
    )

    assert centre.endpoint_action(identity, "hangup").ok
    wait_for(lambda: centre.call(sid)["status"] == "completed", what="the call to end")
    assert "Dziękujemy za telefon" in spoken(centre.call(sid))

    wrap = wait_for(
        lambda: desk.get(f"{centre.web}/desk/api/state").json().get("wrap_up_contact_id"),
        what="the wrap-up form",
    )
    saved = desk.post(
        f"{centre.web}/desk/wrap-up/{wrap}",
        data={"csrf_token": token, "outcome": "resolved", "notes": "Read the list together."},
        allow_redirects=False,
    )
    assert saved.status_code == 302
    assert desk.get(f"{centre.web}/desk/api/state").json()["state"] == "available"

    engine = create_engine(centre.env["DATABASE_URL"])
    with Session(engine) as session:
        record = wait_for(
            lambda: session.scalars(select(CallRecord).where(CallRecord.call_sid == sid)).first(),
            what="the worker to persist the call record",
        )
        assert record.outcome == "answered" and record.own_advisor
        contact = session.scalars(select(Contact).where(Contact.call_sid == sid)).one()
        customer = session.get(Customer, contact.customer_id)
        assert customer.phone == JAN
        assert (contact.outcome, contact.notes) == ("resolved", "Read the list together.")
    engine.dispose()
    page = desk.get(f"{centre.web}/desk/customers/{customer.id}").text
    assert "Read the list together." in page


def test_unsigned_request_to_the_running_centre_is_refused(centre: Centre):
    import requests

    response = requests.post(
        f"{centre.web}/ivr/incoming", data={"CallSid": "CA" + "0" * 32, "From": JAN}, timeout=5
    )
    assert response.status_code == 403
