"""The wrap-up form: several topics, the outcome, a follow-up with its day, the notes; linking
an unidentified caller to a customer or starting a new one; and the advisor's caseload."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from agent_desk import wrap_up as wrap_ups
from agent_desk.errors import DeskError
from consultants.models import Consultant
from customers.models import AuditEntry, Contact, Customer
from hotline.db import db
from routing.models import CallRecord
from tests.agent_desk.test_desk import sign_in

SID = "CA" + "7" * 32
UNKNOWN = "+48601999999"
VALID_PESEL = "02070803628"


def people(login: str) -> Consultant:
    return db.session.scalars(select(Consultant).where(Consultant.login == login)).one()


def customer_with(phone: str) -> Customer:
    return db.session.scalars(select(Customer).where(Customer.phone == phone)).one()


def in_days(days: int) -> str:
    return (date.today() + timedelta(days=days)).isoformat()


@pytest.fixture
def call(demo) -> Contact:
    """Anna's contact with an unidentified caller, waiting for its wrap-up."""
    with db.transaction() as session:
        contact = Contact(call_sid=SID, consultant_id=people("anna").id, caller_number=UNKNOWN,
                          topic="benefit_documents", started_at=datetime.now(UTC))  # fmt: skip
        session.add(contact)
        session.add(CallRecord(call_sid=SID, caller_number=UNKNOWN, outcome="answered"))
    return contact


def actions() -> list[str]:
    return list(db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))


def test_a_wrap_up_saves_two_topics_and_a_follow_up(client, call):
    _, token = sign_in(client)
    form = client.get(f"/desk/wrap-up/{call.id}").get_data(as_text=True)
    assert 'value="benefit_documents" aria-describedby="topics-help" checked' in form, (
        "the menu's topic comes ticked, to correct"
    )
    response = client.post(
        f"/desk/wrap-up/{call.id}",
        data={"csrf_token": token, "outcome": "follow-up", "topic": ["vacancies", "eures"],
              "follow_up": "Send the EURES contact", "follow_up_on": in_days(3),
              "notes": "Asked about work in Germany."},
    )  # fmt: skip
    assert response.status_code == 302
    db.session.expire_all()
    saved = db.session.get(Contact, call.id)
    assert saved.topics == ["vacancies", "eures"] and saved.topic == "vacancies"
    assert saved.follow_up_on == date.today() + timedelta(days=3)
    assert saved.follow_up == "Send the EURES contact" and saved.outcome == "follow-up"
    wrap = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "contact.wrap-up")
    ).one()
    assert wrap.changes["topics"] == ["vacancies", "eures"]


@pytest.mark.parametrize(
    ("fields", "refusal"),
    [
        ({"outcome": "follow-up"}, "dalsze działanie wymaga terminu"),
        ({"outcome": "resolved", "follow_up_on": in_days(-1)}, "termin dalszego działania już minął"),
        ({"outcome": "resolved", "follow_up_on": in_days(400)}, "odległy o ponad rok"),
        ({"outcome": "resolved", "follow_up_on": "7.12.2026"}, "musi być datą"),
        ({"outcome": "resolved", "topic": ["benefit_documents", "nonsense"]}, "wybierz tematy z listy"),
    ],
)  # fmt: skip
def test_a_refused_wrap_up_comes_back_with_what_was_typed(client, call, fields, refusal):
    _, token = sign_in(client)
    response = client.post(
        f"/desk/wrap-up/{call.id}",
        data={"csrf_token": token, "notes": "Notes typed with care.", **fields},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert refusal in page
    assert "Notes typed with care." in page, "nothing typed is lost"
    db.session.expire_all()
    assert db.session.get(Contact, call.id).wrapped_up_at is None


def test_an_unknown_caller_is_linked_to_a_customer_the_search_found(client, call):
    _, token = sign_in(client)
    jan = customer_with("+48601000001")
    refused = client.post(
        f"/desk/wrap-up/{call.id}/link", data={"csrf_token": token, "customer_id": jan.id}
    )
    assert refused.status_code == 400 and "najpierw wyszukaj klienta" in refused.get_data(
        as_text=True
    ), "no record is had for the asking"

    found = client.post(f"/desk/wrap-up/{call.id}/find", data={"csrf_token": token, "q": "Wiśn"})
    assert "Jan Wiśniewski" in found.get_data(as_text=True)
    linked = client.post(
        f"/desk/wrap-up/{call.id}/link", data={"csrf_token": token, "customer_id": jan.id}
    )
    assert linked.status_code == 302
    db.session.expire_all()
    assert db.session.get(Contact, call.id).customer_id == jan.id
    record = db.session.scalars(select(CallRecord).where(CallRecord.call_sid == SID)).one()
    assert record.customer_id == jan.id, "the call's history follows the customer"
    assert actions()[-2:] == ["customer.search", "contact.link"]
    again = client.post(
        f"/desk/wrap-up/{call.id}/link", data={"csrf_token": token, "customer_id": jan.id}
    )
    assert "jest już w kartotece" in again.get_data(as_text=True)


def test_someone_elses_contact_cannot_be_linked(client, call):
    _, token = sign_in(client, "piotr")
    response = client.post(f"/desk/wrap-up/{call.id}/find", data={"csrf_token": token, "q": "Wiśn"})
    assert response.status_code == 404


def test_a_new_customer_is_started_from_the_wrap_up(client, call):
    _, token = sign_in(client)
    bad = client.post(
        f"/desk/wrap-up/{call.id}/new-customer",
        data={"csrf_token": token, "first_name": "Ewa", "last_name": "Lis",
              "pesel": "02070803621", "keep_number": "yes"},
    )  # fmt: skip
    assert bad.status_code == 400 and "PESEL jest nieprawidłowy" in bad.get_data(as_text=True)
    good = client.post(
        f"/desk/wrap-up/{call.id}/new-customer",
        data={"csrf_token": token, "first_name": " Ewa ", "last_name": "Lis",
              "pesel": VALID_PESEL, "keep_number": "yes"},
    )  # fmt: skip
    assert good.status_code == 302
    ewa = customer_with(UNKNOWN)
    assert (ewa.full_name, ewa.pesel, ewa.registration_status) == (
        "Ewa Lis",
        VALID_PESEL,
        "applicant",
    )
    db.session.expire_all()
    assert db.session.get(Contact, call.id).customer_id == ewa.id
    assert actions()[-2:] == ["customer.create", "contact.link"]


def test_a_new_customer_with_a_known_pesel_is_refused(client, call):
    _, token = sign_in(client)
    jan = customer_with("+48601000001")
    response = client.post(
        f"/desk/wrap-up/{call.id}/new-customer",
        data={"csrf_token": token, "first_name": "Jan", "last_name": "W", "pesel": jan.pesel},
    )
    assert response.status_code == 400
    assert "inny klient ma już ten PESEL" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Contact, call.id).customer_id is None


def test_my_customers_shows_the_last_contact_and_what_is_due(app, client, call):
    anna = people("anna")
    jan, emma = customer_with("+48601000001"), customer_with("+447400123456")
    form = wrap_ups.read_form(
        "follow-up", "Check the documents.", ["benefit_documents"], "Ring back", in_days(2)
    )
    with db.transaction() as session:
        session.add(Contact(call_sid="CA" + "8" * 32, customer_id=emma.id, consultant_id=anna.id,
                            caller_number=emma.phone, started_at=datetime.now(UTC),
                            notes="Asked about EURES.", outcome="resolved",
                            wrapped_up_at=datetime.now(UTC)))  # fmt: skip
        call.customer_id = jan.id
    with app.test_request_context():
        wrap_ups.wrap_up(anna, call.id, form)
    _, token = sign_in(client)
    page = client.get("/desk/my-customers").get_data(as_text=True)
    assert "Moi klienci" in page
    assert page.index("Jan Wiśniewski") < page.index("Emma Clarke"), "what is due comes first"
    assert "Ring back" in page and "Asked about EURES." in page
    assert "record.caseload" in actions()

    assert (
        client.post(f"/desk/follow-ups/{call.id}/done", data={"csrf_token": token}).status_code
        == 302
    )
    db.session.expire_all()
    assert db.session.get(Contact, call.id).follow_up_done_at is not None
    assert "Ring back" not in client.get("/desk/my-customers").get_data(as_text=True)


def test_only_the_advisor_or_the_consultant_closes_a_follow_up(app, call):
    anna, piotr = people("anna"), people("piotr")
    form = wrap_ups.read_form("follow-up", "", ["general"], "", in_days(1))
    with app.test_request_context():
        wrap_ups.wrap_up(anna, call.id, form)
        with pytest.raises(DeskError):
            wrap_ups.finish_follow_up(piotr, call.id)
        assert wrap_ups.finish_follow_up(anna, call.id).follow_up_done_at is not None


def test_a_form_without_topics_keeps_the_contacts_own(app):
    with app.app_context():
        form = wrap_ups.read_form("resolved", "", [], current=["eures"])
        assert form.topics == ("eures",)
        with pytest.raises(DeskError, match="choose at least one topic"):
            wrap_ups.read_form("resolved", "", [], current=[])


def test_follow_ups_promised_to_others_are_listed_and_audited(app, client, call):
    anna = people("anna")
    maria = customer_with("+48601000002")  # Piotr's customer
    with db.transaction() as session:
        session.add(Contact(call_sid="CA" + "9" * 32, customer_id=maria.id, consultant_id=anna.id,
                            caller_number=maria.phone, started_at=datetime.now(UTC),
                            outcome="follow-up", follow_up="Post the training list",
                            follow_up_on=date.today(), wrapped_up_at=datetime.now(UTC)))  # fmt: skip
    with app.test_request_context():
        wrap_ups.wrap_up(
            anna,
            call.id,
            wrap_ups.read_form("follow-up", "", ["general"], "Ring the stranger", in_days(1)),
        )
    sign_in(client)
    owed = client.get("/desk/my-customers").get_data(as_text=True)
    owed = owed[owed.index('id="owed"') :]
    assert "Maria Zielińska" in owed and "Post the training list" in owed
    assert UNKNOWN in owed and "Ring the stranger" in owed
    audited = db.session.scalars(
        select(AuditEntry.customer_id).where(AuditEntry.action == "record.follow-ups")
    ).all()
    assert audited == [maria.id]
