"""Bad input on the desk gets a clear answer and loses nothing: a customer form without its
fields, values no database would keep alike, and a feed uploaded twice or saved by Excel."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from customers.models import AuditEntry, Customer
from hotline.db import db
from knowledge.models import Vacancy
from tests.agent_desk.test_desk import BROKEN_CSV, sign_in


@pytest.fixture
def jan(demo) -> Customer:
    return db.session.scalars(select(Customer).where(Customer.phone == "+48601000001")).one()


def test_a_customer_form_without_its_fields_changes_nothing(client, jan):
    _, token = sign_in(client)
    address_before = jan.address
    client.post(f"/desk/customers/{jan.id}", data={"csrf_token": token, "action_plan_notes": "x"})
    db.session.expire_all()
    kept = db.session.get(Customer, jan.id)
    assert (kept.address, kept.phone) == (address_before, "+48601000001"), "missing is not empty"
    assert kept.action_plan_notes == "x"
    update = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "customer.update")
    ).one()
    assert update.changes["fields"] == ["action_plan_notes"], "the trail names what changed"


def test_an_empty_field_sent_on_purpose_still_clears_it(client, jan):
    _, token = sign_in(client)
    client.post(f"/desk/customers/{jan.id}", data={"csrf_token": token, "address": ""})
    db.session.expire_all()
    assert db.session.get(Customer, jan.id).address is None


@pytest.mark.parametrize(
    ("field", "value", "reason"),
    [
        ("address", "a" * 256, "address may be at most 255 characters"),
        ("address", "ul. Nowa\x00 1", "address holds control characters"),
        ("action_plan_notes", "n" * 20_001, "action plan notes may be at most 20000 characters"),
        ("phone", "601\x00000001", "phone holds control characters"),
    ],
)
def test_over_long_and_nul_fields_are_refused_with_the_reason(client, jan, field, value, reason):
    _, token = sign_in(client)
    before = (jan.address, jan.phone, jan.action_plan_notes)
    client.post(f"/desk/customers/{jan.id}", data={"csrf_token": token, field: value})
    assert reason in client.get(f"/desk/customers/{jan.id}").get_data(as_text=True)
    db.session.expire_all()
    kept = db.session.get(Customer, jan.id)
    assert (kept.address, kept.phone, kept.action_plan_notes) == before


def upload(client, token, data: bytes, name: str = "oferty.csv"):
    return client.post(
        "/desk/imports",
        data={"csrf_token": token, "target": "vacancies", "file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def test_uploading_the_same_file_again_updates_its_offers_in_place(
    client, demo, tmp_path, monkeypatch
):
    monkeypatch.setenv("HOTLINE_INSTANCE_DIR", str(tmp_path))
    _, token = sign_in(client)
    first = upload(client, token, BROKEN_CSV.encode())
    again = upload(client, token, BROKEN_CSV.encode())
    state = client.get(
        again.headers["Location"].replace("/desk/imports/", "/desk/api/imports/")
    ).json
    assert first.headers["Location"] != again.headers["Location"]
    assert (state["imported"], state["unchanged"]) == (0, 1)
    assert db.session.scalar(select(func.count()).select_from(Vacancy)) == 1
    assert db.session.scalars(select(Vacancy)).one().source == "oferty"


def test_a_cp1250_file_from_polish_excel_is_converted_and_the_page_says_so(
    client, demo, tmp_path, monkeypatch
):
    monkeypatch.setenv("HOTLINE_INSTANCE_DIR", str(tmp_path))
    _, token = sign_in(client)
    response = upload(client, token, BROKEN_CSV.encode("cp1250"))
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Windows-1250" in page and "converted" in page
    assert db.session.scalars(select(Vacancy)).one().city == "Kraków"


def test_wrap_up_notes_with_nul_are_refused_and_the_contact_stays_open(client, jan):
    from datetime import UTC, datetime

    from consultants.models import Consultant
    from customers.models import Contact

    anna = db.session.scalars(select(Consultant).where(Consultant.login == "anna")).one()
    late = Contact(call_sid="CA" + "8" * 32, customer_id=jan.id, consultant_id=anna.id,
                   caller_number=jan.phone, started_at=datetime.now(UTC))  # fmt: skip
    db.session.add(late)
    db.session.commit()
    _, token = sign_in(client)
    refused = client.post(f"/desk/wrap-up/{late.id}",
                          data={"csrf_token": token, "outcome": "resolved", "topic": "general",
                                "notes": "ok\x00"})  # fmt: skip
    assert refused.status_code == 400, "the form comes back with what was typed"
    assert "notes holds control characters" in refused.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Contact, late.id).outcome is None
