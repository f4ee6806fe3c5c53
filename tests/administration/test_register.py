"""An administrator registers and corrects customers (PESEL checked, phone normalised), each
look and change audited; a supervisor reassigns a customer's advisor, with the reason."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from centre.demo import pesel
from consultants.models import Consultant
from customers.models import AuditEntry, Customer
from hotline.db import db
from tests.administration.helpers import signed_in

KASIA_PESEL = pesel("950412", "4321")
NEW_CUSTOMER = {
    "pesel": KASIA_PESEL,
    "first_name": "Kasia",
    "last_name": "Wójcik",
    "phone": "0048 602 111 222",
    "language": "uk",
    "registration_status": "registered",
    "registered_on": "2026-10-01",
    "deregistered_on": "",
    "advisor": "olena",
    "office": "WAW",
    "address": "ul. Okopowa 3, 01-063 Warszawa",
    "vulnerable": ["yes", "no"],
    "safeguarding": "no",
}


def test_an_administrator_registers_a_customer_with_a_checked_pesel_and_normalised_phone(app, demo):
    admin, token = signed_in(app, "mihai")
    response = admin.post("/desk/admin/customers/new", data={**NEW_CUSTOMER, "csrf_token": token})
    assert response.status_code == 302
    kasia = db.session.scalars(select(Customer).where(Customer.pesel == KASIA_PESEL)).one()
    olena = db.session.scalars(select(Consultant).where(Consultant.login == "olena")).one()
    assert (kasia.phone, kasia.preferred_language, kasia.advisor_id) == (
        "+48602111222",
        "uk",
        olena.id,
    )
    assert (
        kasia.vulnerable
        and not kasia.safeguarding
        and kasia.registered_on.isoformat() == "2026-10-01"
    )
    page = admin.get(response.headers["Location"]).get_data(as_text=True)
    assert KASIA_PESEL not in page and KASIA_PESEL[:6] + "*****" in page, "the PESEL is masked"
    actions = [
        e.action
        for e in db.session.scalars(select(AuditEntry).where(AuditEntry.customer_id == kasia.id))
    ]
    assert actions == ["customer.create", "customer.view"]


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        (
            {"pesel": KASIA_PESEL[:-1] + str((int(KASIA_PESEL[-1]) + 1) % 10)},
            "the PESEL is not valid: the number&#39;s checksum",
        ),
        ({"pesel": "1234"}, "the PESEL is not valid: the number has an invalid length"),
        ({"phone": "12"}, "&#39;12&#39; is not a valid phone number"),
        ({"language": "de"}, "the language must be one of pl, en, uk, ro"),
        ({"registration_status": "deregistered"}, "a deregistered customer needs the date"),
        ({"advisor": "nobody"}, "no active consultant has the login &#39;nobody&#39;"),
        ({"first_name": "K\x00asia"}, "first name holds control characters"),
        ({"address": "a" * 256}, "address is longer than 255 characters"),
    ],
)
def test_a_bad_value_is_refused_with_its_reason_and_nothing_is_saved(app, demo, changes, reason):
    admin, token = signed_in(app, "mihai")
    response = admin.post(
        "/desk/admin/customers/new", data={**NEW_CUSTOMER, **changes, "csrf_token": token}
    )
    assert response.status_code == 400
    assert reason in response.get_data(as_text=True)
    assert (
        db.session.scalars(select(Customer).where(Customer.first_name == "Kasia")).first() is None
    )


def test_a_pesel_or_phone_another_customer_has_is_refused(app, demo):
    admin, token = signed_in(app, "mihai")
    taken = {**NEW_CUSTOMER, "phone": "+48601000001", "csrf_token": token}
    response = admin.post("/desk/admin/customers/new", data=taken)
    assert response.status_code == 400
    assert "another customer already has that PESEL or phone number" in response.get_data(
        as_text=True
    )


def test_a_correction_changes_only_what_was_sent_and_the_trail_names_fields_not_values(app, demo):
    jan = db.session.scalars(select(Customer).where(Customer.phone == "+48601000001")).one()
    address, pesel_before = jan.address, jan.pesel
    admin, token = signed_in(app, "mihai")
    admin.post(f"/desk/admin/customers/{jan.id}", data={
        "csrf_token": token, "pesel": jan.pesel[:6] + "*****", "safeguarding": "yes",
        "registration_status": "deregistered", "deregistered_on": "2026-11-30",
    })  # fmt: skip
    db.session.expire_all()
    kept = db.session.get(Customer, jan.id)
    assert (kept.address, kept.pesel, kept.safeguarding) == (address, pesel_before, True)
    assert kept.registration_status == "deregistered"
    entry = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "customer.update")
    ).one()
    assert set(entry.changes) == {"safeguarding", "registration_status", "deregistered_on"}


def test_a_supervisor_reassigns_an_advisor_with_a_reason_audited(app, demo):
    jan = db.session.scalars(select(Customer).where(Customer.phone == "+48601000001")).one()
    piotr = db.session.scalars(select(Consultant).where(Consultant.login == "piotr")).one()
    anna, token = signed_in(app, "anna")
    assert "reassign" in anna.get(f"/desk/customers/{jan.id}").get_data(as_text=True)
    no_reason = anna.post(
        f"/desk/customers/{jan.id}/advisor", data={"csrf_token": token, "advisor_id": piotr.id}
    )
    assert no_reason.status_code == 400 and "say why the advisor changes" in no_reason.get_data(
        as_text=True
    )
    anna.post(f"/desk/customers/{jan.id}/advisor", data={
        "csrf_token": token, "advisor_id": piotr.id, "reason": "moved to Kraków",
    })  # fmt: skip
    db.session.expire_all()
    assert db.session.get(Customer, jan.id).advisor_id == piotr.id
    entry = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "customer.reassign_advisor")
    ).one()
    assert (
        entry.changes["reason"] == "moved to Kraków"
        and entry.changes["advisor_id"]["to"] == piotr.id
    )
    piotr_client, piotr_token = signed_in(app, "piotr")
    refused = piotr_client.post(
        f"/desk/customers/{jan.id}/advisor",
        data={"csrf_token": piotr_token, "advisor_id": "", "reason": "x"},
    )
    assert refused.status_code == 403, "a consultant does not reassign advisors"
