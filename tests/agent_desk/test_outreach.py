"""A consultant texts or calls a customer from their record or a voicemail, through the phone
network emulator: the texts arrive at the customer's phone, the click-to-call rings the
consultant first and brings the customer into the call's room, and each is on the history."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests
from sqlalchemy import select

from consultants.models import Consultant
from customers.models import AuditEntry, Contact, Customer
from hotline.db import db
from hotline.settings import Settings
from routing.live import ConsultantState
from tests.conftest import AUTH_TOKEN
from tests.ivr.conftest import Line, serve_line

PATIENCE_SECONDS = 60.0
JAN = "+48601000001"


@pytest.fixture
def line(settings: Settings, app: Any, content: Any) -> Iterator[Line]:
    """Return the centre served over HTTP and rung by the emulator, with the demo content."""
    for served in serve_line(settings, sms_countries=("PL",)):
        served.engine = app.extensions["hotline.routing"].engine  # type: ignore[attr-defined]
        yield served


class TwilioSigner:
    """Posts to the served centre's webhooks as Twilio does: form-encoded and signed."""

    def __init__(self, line: Line) -> None:
        from twilio.request_validator import RequestValidator

        self.line = line
        self.validator = RequestValidator(AUTH_TOKEN)

    def post(self, path: str, params: dict[str, str]) -> requests.Response:
        url = self.line.web + path
        signature = self.validator.compute_signature(url, params)
        return requests.post(url, data=params, headers={"X-Twilio-Signature": signature})


def wait_for(predicate: Callable[[], Any], what: str) -> Any:
    """Wait until predicate returns something truthy; fail after a long while."""
    deadline = time.monotonic() + PATIENCE_SECONDS
    while time.monotonic() < deadline:
        found = predicate()
        if found:
            return found
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


class Desk:
    """A consultant signed in to the served desk, as their browser would be."""

    def __init__(self, line: Line, login: str = "anna") -> None:
        self.line = line
        self.session = requests.Session()
        form = self.session.get(f"{line.web}/desk/login").text
        token = re.search(r'name="csrf_token" value="([^"]+)"', form)
        assert token
        self.session.post(
            f"{line.web}/desk/login",
            data={"login": login, "password": "demo1234", "csrf_token": token.group(1)},
        )
        page = self.session.get(f"{line.web}/desk/").text
        found = re.search(r'name="csrf-token" content="([^"]+)"', page)
        assert found, "signed in"
        self.token = found.group(1)

    def post(self, path: str, **form: str) -> str:
        """Submit a desk form and return the page it lands on."""
        answer = self.session.post(
            f"{self.line.web}{path}", data={"csrf_token": self.token, **form}
        )
        assert answer.status_code == 200, answer.text[:300]
        return answer.text

    def page(self, path: str) -> str:
        """Return a desk page."""
        return self.session.get(f"{self.line.web}{path}").text

    def available(self) -> None:
        """Go available, as the desk's button does."""
        answer = self.session.post(
            f"{self.line.web}/desk/api/state",
            json={"state": "available"},
            headers={"X-CSRF-Token": self.token},
        )
        assert answer.status_code == 200, answer.text


def customer(phone: str) -> Customer:
    db.session.expire_all()
    return db.session.scalars(select(Customer).where(Customer.phone == phone)).one()


def consultant(login: str) -> Consultant:
    return db.session.scalars(select(Consultant).where(Consultant.login == login)).one()


def endpoint(line: Line, address: str) -> dict[str, Any]:
    return requests.get(
        f"{line.emulator.url}/emulator/endpoints/{address}", headers=line.control, timeout=10
    ).json()


def act(line: Line, address: str, action: str) -> None:
    requests.post(
        f"{line.emulator.url}/emulator/endpoints/{address}/{action}",
        headers=line.control,
        timeout=10,
    ).raise_for_status()


def answers_at_once(line: Line, address: str) -> None:
    requests.post(
        f"{line.emulator.url}/emulator/endpoints/{address}",
        json={"auto_answer": True},
        headers=line.control,
        timeout=10,
    ).raise_for_status()


def network_call(line: Line, sid: str) -> dict[str, Any]:
    return requests.get(
        f"{line.emulator.url}/emulator/calls/{sid}", headers=line.control, timeout=10
    ).json()


def outbound_contact() -> Contact | None:
    db.session.expire_all()
    return db.session.scalars(select(Contact).where(Contact.channel == "outbound-call")).first()


def state_of(line: Line, login: str) -> tuple[str, str]:
    """Return a consultant's state and reason, as routing keeps them in Redis."""
    live = line.engine.consultant(consultant(login).id)
    return str(live.state), live.reason


def test_the_document_list_is_texted_in_the_customers_language_and_shown_in_the_history(
    line: Line,
) -> None:
    desk = Desk(line)
    jan = customer(JAN)

    landed = desk.post(f"/desk/customers/{jan.id}/text", template="documents")

    assert "Wiadomość jest w drodze" in landed
    (message,) = wait_for(lambda: line.messages_to(JAN), "the text to reach Jan's phone")
    assert message["body"].startswith("Infolinia urzędów pracy:")
    assert "PESEL" in message["body"] or "dowód" in message["body"].lower()
    history = wait_for(
        lambda: (page := desk.page(f"/desk/customers/{jan.id}")) and "wysłano" in page and page,
        "the history to show the text as sent",
    )
    assert "SMS: Dokumenty do zasiłku dla bezrobotnych" in history
    assert "Anna Nowak" in history
    contact = db.session.scalars(select(Contact).where(Contact.channel == "sms")).one()
    assert contact.customer_id == jan.id and contact.consultant_id == consultant("anna").id
    audited = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "contact.sms")).one()
    assert audited.customer_id == jan.id and audited.changes["contact_id"] == contact.id


def test_the_vacancies_of_the_customers_region_are_texted_with_where_to_apply(
    line: Line,
) -> None:
    desk = Desk(line)
    jan = customer(JAN)

    desk.post(f"/desk/customers/{jan.id}/text", template="vacancies")

    (message,) = wait_for(lambda: line.messages_to(JAN), "the offers to reach Jan's phone")
    assert message["body"].startswith("Oferty pracy z infolinii urzędów pracy:")
    assert message["body"].count("\n- ") >= 1 and "(nr " in message["body"]


def test_a_number_texts_may_not_go_to_is_refused_in_words_and_nothing_is_sent(
    line: Line,
) -> None:
    desk = Desk(line)
    emma = customer("+447400123456")  # Anna's customer, in Britain; this centre texts Poland

    landed = desk.post(f"/desk/customers/{emma.id}/text", template="documents")

    assert "Nie można wysyłać SMS-ów do kraju tego numeru." in landed
    assert line.messages_to("+447400123456") == []
    assert db.session.scalars(select(Contact).where(Contact.channel == "sms")).all() == []


def test_a_text_needs_a_template_and_the_csrf_token(line: Line) -> None:
    desk = Desk(line)
    jan = customer(JAN)

    landed = desk.post(f"/desk/customers/{jan.id}/text", template="poems")
    assert "Wybierz, co wysłać" in landed
    forged = desk.session.post(
        f"{line.web}/desk/customers/{jan.id}/text", data={"template": "documents"}
    )
    assert forged.status_code == 400
    assert line.messages_to(JAN) == []


def test_click_to_call_rings_the_consultant_first_then_brings_the_customer_into_the_room(
    line: Line,
) -> None:
    desk = Desk(line)
    desk.available()
    anna = consultant("anna")
    jan = customer(JAN)
    phone = f"client:consultant-{anna.id}"
    answers_at_once(line, JAN)

    landed = desk.post(f"/desk/customers/{jan.id}/call")

    assert "Dzwoni Twój telefon" in landed
    assert state_of(line, "anna") == (ConsultantState.NOT_READY, "outbound-call")
    ringing = wait_for(
        lambda: (found := endpoint(line, phone))["state"] == "ringing" and found,
        "Anna's phone to ring",
    )
    assert endpoint(line, JAN)["state"] == "idle", "the customer is not rung before Anna answers"
    act(line, phone, "answer")
    jan_call = wait_for(lambda: endpoint(line, JAN).get("call_sid"), "Jan's phone to be rung")
    wait_for(
        lambda: any(e["kind"] == "talk" for e in network_call(line, jan_call)["events"]),
        "Jan to talk with Anna in the room",
    )
    contact = wait_for(
        lambda: (found := outbound_contact()) and found.result == "answered" and found,
        "the call to be answered",
    )
    assert contact.call_sid == ringing["call_sid"]
    assert network_call(line, jan_call)["to"] == JAN

    act(line, phone, "hangup")

    wait_for(lambda: state_of(line, "anna")[0] == ConsultantState.AVAILABLE, "Anna back")
    ended = wait_for(lambda: (found := outbound_contact()) and found.ended_at and found, "end")
    assert (ended.customer_id, ended.consultant_id, ended.caller_number) == (jan.id, anna.id, JAN)
    history = desk.page(f"/desk/customers/{jan.id}")
    assert "Połączenie do klienta" in history and "odebrano" in history
    assert f"/desk/wrap-up/{ended.id}" in history, "the call may be wrapped up with notes"
    assert (
        db.session.scalars(select(AuditEntry).where(AuditEntry.action == "call.outbound"))
        .one()
        .customer_id
        == jan.id
    )


def test_a_customer_who_does_not_answer_ends_the_consultants_call_and_says_so(
    line: Line,
) -> None:
    desk = Desk(line)
    anna = consultant("anna")
    jan = customer(JAN)
    phone = f"client:consultant-{anna.id}"
    before = state_of(line, "anna")

    desk.post(f"/desk/customers/{jan.id}/call")
    wait_for(lambda: endpoint(line, phone)["state"] == "ringing", "Anna's phone to ring")
    act(line, phone, "answer")
    wait_for(lambda: endpoint(line, JAN)["state"] == "ringing", "Jan's phone to ring")
    act(line, JAN, "reject")

    missed = wait_for(
        lambda: (found := outbound_contact()) and found.result not in ("dialling",) and found,
        "the result",
    )
    assert missed.result == "busy"
    wait_for(lambda: endpoint(line, phone)["state"] == "idle", "Anna's phone to be put down")
    wait_for(lambda: state_of(line, "anna") == before, "Anna back where she was")
    assert "zajęte" in desk.page(f"/desk/customers/{jan.id}")


def test_a_consultant_who_does_not_pick_up_rings_nobody_and_goes_back(line: Line) -> None:
    desk = Desk(line)
    anna = consultant("anna")
    jan = customer(JAN)
    phone = f"client:consultant-{anna.id}"

    desk.post(f"/desk/customers/{jan.id}/call")
    wait_for(lambda: endpoint(line, phone)["state"] == "ringing", "Anna's phone to ring")
    act(line, phone, "reject")

    missed = wait_for(lambda: (found := outbound_contact()) and found.ended_at and found, "end")
    assert missed.result == "missed"
    assert endpoint(line, JAN)["state"] == "idle"
    wait_for(lambda: state_of(line, "anna")[1] != "outbound-call", "Anna back")


def test_a_number_of_a_country_the_centre_does_not_call_is_refused(
    line: Line, settings: Settings
) -> None:
    desk = Desk(line)
    jan = customer(JAN)
    jan.phone = "+4915112345678"  # a German mobile
    db.session.commit()

    landed = desk.post(f"/desk/customers/{jan.id}/call")

    assert "Centrum nie dzwoni pod numery w tym kraju." in landed
    assert outbound_contact() is None
    assert state_of(line, "anna")[1] != "outbound-call"


def test_a_consultant_cannot_start_a_second_call_while_calling(line: Line) -> None:
    desk = Desk(line)
    jan = customer(JAN)
    desk.post(f"/desk/customers/{jan.id}/call")

    landed = desk.post(f"/desk/customers/{jan.id}/call")

    assert "Już do kogoś dzwonisz." in landed
    db.session.expire_all()
    assert len(db.session.scalars(select(Contact)).all()) == 1


def test_a_record_without_grounds_is_neither_texted_nor_called(line: Line) -> None:
    desk = Desk(line, "piotr")
    jan = customer(JAN)  # Anna's customer, not on Piotr's call

    for action in ("text", "call"):
        refused = desk.session.post(
            f"{line.web}/desk/customers/{jan.id}/{action}",
            data={"csrf_token": desk.token, "template": "documents"},
        )
        assert refused.status_code == 403
    assert line.messages_to(JAN) == [] and outbound_contact() is None


def test_a_consultant_who_hangs_up_while_the_customer_rings_stops_the_ringing(
    line: Line,
) -> None:
    desk = Desk(line)
    anna = consultant("anna")
    jan = customer(JAN)
    phone = f"client:consultant-{anna.id}"

    desk.post(f"/desk/customers/{jan.id}/call")
    wait_for(lambda: endpoint(line, phone)["state"] == "ringing", "Anna's phone to ring")
    act(line, phone, "answer")
    jan_call = wait_for(
        lambda: endpoint(line, JAN)["state"] == "ringing" and endpoint(line, JAN)["call_sid"],
        "Jan's phone to ring",
    )
    act(line, phone, "hangup")

    wait_for(lambda: network_call(line, jan_call)["status"] == "canceled", "Jan's ringing to stop")
    ended = wait_for(
        lambda: (found := outbound_contact()) and found.result == "canceled" and found, "result"
    )
    assert ended.ended_at is not None
    wait_for(lambda: state_of(line, "anna")[1] != "outbound-call", "Anna back")


def test_a_desk_phone_is_screened_so_its_voicemail_box_rings_no_customer(line: Line) -> None:
    desk = Desk(line)
    anna = consultant("anna")
    anna.phone = "+48221000111"  # Anna works from her desk phone
    db.session.commit()
    jan = customer(JAN)

    desk.post(f"/desk/customers/{jan.id}/call")
    wait_for(lambda: endpoint(line, anna.phone)["state"] == "ringing", "the desk phone to ring")
    act(line, anna.phone, "answer")  # answered, but nobody presses 1: a voicemail box

    missed = wait_for(lambda: (found := outbound_contact()) and found.ended_at and found, "end")
    assert missed.result == "missed"
    assert endpoint(line, JAN)["state"] == "idle" and endpoint(line, JAN).get("call_sid") is None


def test_the_customer_is_rung_once_however_often_twilio_reports_the_answer(
    line: Line,
) -> None:
    desk = Desk(line)
    anna = consultant("anna")
    jan = customer(JAN)
    phone = f"client:consultant-{anna.id}"
    answers_at_once(line, JAN)
    desk.post(f"/desk/customers/{jan.id}/call")
    wait_for(lambda: endpoint(line, phone)["state"] == "ringing", "Anna's phone to ring")
    act(line, phone, "answer")
    wait_for(lambda: (found := outbound_contact()) and found.result == "answered", "the answer")
    contact = outbound_contact()
    assert contact is not None

    # Twilio repeats the answered webhook and sends progress late and out of order.
    signer = TwilioSigner(line)
    again = signer.post(
        f"/desk/outreach/answered?contact={contact.id}", {"CallSid": contact.call_sid or ""}
    )
    assert "<Conference" in again.text, "a repeat rejoins the room"
    signer.post(f"/desk/outreach/customer-status?contact={contact.id}", {"CallStatus": "no-answer"})
    signer.post(
        f"/desk/outreach/customer-status?contact={contact.id}", {"CallStatus": "in-progress"}
    )

    calls_to_jan = [
        call
        for call in requests.get(
            f"{line.emulator.url}/emulator/calls", headers=line.control, timeout=10
        ).json()
        if call["to"] == JAN
    ]
    assert len(calls_to_jan) == 1
    assert outbound_contact().result == "answered"  # type: ignore[union-attr]
    act(line, phone, "hangup")


def test_a_voicemail_caller_nobody_knows_is_texted_and_the_text_logged(line: Line) -> None:
    from datetime import UTC, datetime

    from recordings.models import Recording
    from routing.models import CallOutcome, CallRecord

    stranger = "+48512345678"
    db.session.add(
        CallRecord(call_sid="CA" + "7" * 32, caller_number=stranger, language="uk",
                   outcome=CallOutcome.VOICEMAIL, queued_at=datetime.now(UTC))
    )  # fmt: skip
    message = Recording(
        recording_sid="RE" + "7" * 32, call_sid="CA" + "7" * 32, url="https://x/RE7",
        status="completed", duration_seconds=9, language="uk",
    )  # fmt: skip
    db.session.add(message)
    db.session.commit()
    desk = Desk(line, "olena")

    landed = desk.post(f"/desk/voicemail/{message.id}/text", template="documents")

    assert "Wiadomość jest w drodze" in landed
    (sent,) = wait_for(lambda: line.messages_to(stranger), "the text to reach the caller")
    assert sent["body"].startswith("Гаряча лінія служби зайнятості:"), "in the caller's language"
    contact = db.session.scalars(select(Contact).where(Contact.channel == "sms")).one()
    assert (contact.customer_id, contact.caller_number) == (None, stranger)


def test_a_call_whose_end_was_never_reported_does_not_block_the_next(line: Line) -> None:
    from routing.service import set_consultant_state

    desk = Desk(line)
    anna = consultant("anna")
    jan = customer(JAN)
    # A click-to-call the network has long forgotten, whose end never reached the centre (the
    # web process died): Anna is still "calling a customer" and the call looks answered.
    lost = Contact(
        consultant_id=anna.id, customer_id=jan.id, caller_number=JAN, channel="outbound-call",
        call_sid="CA" + "9" * 32, result="answered",
    )  # fmt: skip
    db.session.add(lost)
    db.session.commit()
    line.engine.redis.hset(f"desk:outreach:{anna.id}", mapping={"state": "available", "reason": ""})
    set_consultant_state(line.engine, anna, ConsultantState.NOT_READY, reason="outbound-call")

    landed = desk.post(f"/desk/customers/{jan.id}/call")

    assert "Dzwoni Twój telefon" in landed
    db.session.expire_all()
    assert db.session.get(Contact, lost.id).ended_at is not None  # type: ignore[union-attr]
    wait_for(
        lambda: endpoint(line, f"client:consultant-{anna.id}")["state"] == "ringing",
        "Anna's phone to ring for the new call",
    )
    assert state_of(line, "anna") == (ConsultantState.NOT_READY, "outbound-call")
