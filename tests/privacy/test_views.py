"""The desk's privacy pages: for supervisors only; holds, exports and erasure from the browser's
forms, each audited."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from customers.models import AuditEntry, Customer
from hotline.db import db
from privacy.models import LegalHold
from tests.agent_desk.test_desk import sign_in

JAN = "+48601000001"


@pytest.fixture
def desk(client, demo, redis_client) -> FlaskClient:
    """A desk where Anna supervises (her roles in the demo) and Piotr does not."""
    return client


def jan() -> Customer:
    return db.session.scalars(select(Customer).where(Customer.phone == JAN)).one()


def test_a_consultant_who_does_not_supervise_is_refused(desk):
    sign_in(desk, "piotr")

    assert desk.get(f"/desk/privacy/customers/{jan().id}").status_code == 403
    assert desk.get(f"/desk/privacy/customers/{jan().id}/export.json").status_code == 403
    assert "Ochrona danych: blokady" not in desk.get(f"/desk/customers/{jan().id}").get_data(
        as_text=True
    )


def test_signed_out_visitors_are_sent_to_sign_in(desk):
    assert desk.get(f"/desk/privacy/customers/{jan().id}").status_code == 302


def test_a_supervisor_holds_exports_and_releases_from_the_desk(desk):
    _response, token = sign_in(desk, "anna")
    customer_id = jan().id
    assert "Ochrona danych: blokady" in desk.get(f"/desk/customers/{customer_id}").get_data(
        as_text=True
    )

    desk.post(
        f"/desk/privacy/customers/{customer_id}/holds",
        data={"csrf_token": token, "reason": "complaint 7/2027"},
    )
    page = desk.get(f"/desk/privacy/customers/{customer_id}").get_data(as_text=True)
    assert "complaint 7/2027" in page and "obowiązuje" in page
    exported = desk.get(f"/desk/privacy/customers/{customer_id}/export.json")
    assert exported.json["customer"]["phone"] == JAN
    printable = desk.get(f"/desk/privacy/customers/{customer_id}/export.html")
    assert "Wiśniewski" in printable.get_data(as_text=True)
    refused = desk.post(
        f"/desk/privacy/customers/{customer_id}/erase",
        data={"csrf_token": token, "confirm": "erase"},
    )
    assert refused.status_code == 302 and jan().pesel is not None
    hold = db.session.scalars(select(LegalHold)).one()
    desk.post(f"/desk/privacy/holds/{hold.id}/release", data={"csrf_token": token})
    desk.post(
        f"/desk/privacy/customers/{customer_id}/erase",
        data={"csrf_token": token, "confirm": "erase"},
    )

    db.session.expire_all()
    assert jan_erased(customer_id)
    actions = db.session.scalars(
        select(AuditEntry.action).where(AuditEntry.customer_id == customer_id)
    ).all()
    assert {
        "legal_hold.placed",
        "customer.exported",
        "legal_hold.released",
        "customer.erased",
    } <= set(actions)


def jan_erased(customer_id: int) -> bool:
    customer = db.session.get(Customer, customer_id)
    return customer.pesel is None and customer.phone is None


def test_a_change_without_the_csrf_token_is_refused(desk):
    sign_in(desk, "anna")
    response = desk.post(f"/desk/privacy/customers/{jan().id}/holds", data={"reason": "x"})
    assert response.status_code == 400


def test_the_retention_page_shows_the_periods(desk):
    sign_in(desk, "anna")
    page = desk.get("/desk/privacy/retention").get_data(as_text=True)
    assert "Nagrania rozmów" in page and "90 dni" in page and "call_recordings" not in page
