"""An administrator creates people with a one-time password, changes their roles, and disables
them, which signs them out everywhere and takes them off the queue at once."""

from __future__ import annotations

from html import unescape

from sqlalchemy import select

from consultants.models import Consultant
from customers.models import AuditEntry
from hotline.db import db
from routing.extension import services
from routing.live import ConsultantState
from tests.administration.helpers import one_time_password, signed_in
from tests.conftest import form_token

NEW_PERSON = {
    "login": "kasia",
    "name": "Katarzyna Lis",
    "office": "WAW",
    "languages_sent": "1",
    "languages": ["pl", "uk"],
    "topics": "benefits, eures",
    "phone": "",
    "roles_sent": "1",
    "roles": ["consultant"],
    "active": ["yes", "no"],
}


def create_kasia(app) -> str:  # type: ignore[no-untyped-def]
    """Create Katarzyna through the administration's form; return her one-time password."""
    admin, token = signed_in(app, "mihai")
    response = admin.post("/desk/admin/people/new", data={**NEW_PERSON, "csrf_token": token})
    assert response.status_code == 200, response.get_data(as_text=True)
    return one_time_password(response.get_data(as_text=True))


def test_a_new_person_signs_in_with_the_one_time_password_and_must_choose_their_own(app, demo):
    password = create_kasia(app)
    kasia = db.session.scalars(select(Consultant).where(Consultant.login == "kasia")).one()
    assert (kasia.office_code, kasia.languages, kasia.topics) == (
        "WAW",
        ["pl", "uk"],
        ["benefits", "eures"],
    )
    assert kasia.roles == ["consultant"] and kasia.must_change_password
    client, token = signed_in(app, "kasia", password)
    refused = client.get("/desk/")
    assert refused.status_code == 302 and refused.headers["Location"].endswith("/desk/account")
    client.post("/desk/account", data={"csrf_token": token, "current_password": password,
                                       "new_password": "kasia's own long password"})  # fmt: skip
    client, _token = signed_in(app, "kasia", "kasia's own long password")
    assert client.get("/desk/").status_code == 200


def test_a_form_with_bad_values_says_every_reason_and_creates_nobody(app, demo):
    admin, token = signed_in(app, "mihai")
    bad = {**NEW_PERSON, "login": "Kasia Lis", "office": "XYZ", "phone": "12",
           "languages": ["pl", "de"], "csrf_token": token}  # fmt: skip
    page = admin.post("/desk/admin/people/new", data=bad).get_data(as_text=True)
    for reason in (
        "a login is 2 to 64 small letters",
        "no office has the code &#39;XYZ&#39;",
        "&#39;12&#39; is not a valid desk phone number",
        "languages: unknown de",
    ):
        assert reason in page  # fmt: skip
    taken = admin.post(
        "/desk/admin/people/new", data={**NEW_PERSON, "login": "anna", "csrf_token": token}
    )
    assert taken.status_code == 400 and "the login &#39;anna&#39; is taken" in taken.get_data(
        as_text=True
    )
    assert db.session.scalars(select(Consultant).where(Consultant.login == "kasia")).first() is None


def test_a_role_change_is_audited_and_takes_effect_at_the_next_request(app, demo):
    piotr_id = db.session.scalars(select(Consultant.id).where(Consultant.login == "piotr")).one()
    piotr, _ = signed_in(app, "piotr")
    assert piotr.get("/desk/board").status_code == 403
    admin, token = signed_in(app, "mihai")
    admin.post(f"/desk/admin/people/{piotr_id}", data={
        "csrf_token": token, "roles_sent": "1", "roles": ["consultant", "supervisor"],
    })  # fmt: skip
    assert piotr.get("/desk/board").status_code == 200
    entry = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "consultant.roles")
    ).one()
    assert entry.changes["roles"] == {"from": ["consultant"], "to": ["consultant", "supervisor"]}
    trail = unescape(admin.get("/desk/audit?action=consultant.").get_data(as_text=True))
    assert "changed an account's roles" in trail, "the trail names the role change in words"


def test_a_form_that_leaves_out_a_field_leaves_it_as_it_is(app, demo):
    anna = db.session.scalars(select(Consultant).where(Consultant.login == "anna")).one()
    admin, token = signed_in(app, "mihai")
    admin.post(
        f"/desk/admin/people/{anna.id}", data={"csrf_token": token, "name": "Anna Nowak-Lis"}
    )
    db.session.expire_all()
    kept = db.session.get(Consultant, anna.id)
    assert kept.name == "Anna Nowak-Lis" and kept.office_code == "WAW"
    assert "supervisor" in kept.roles and kept.active


def test_disabling_signs_the_person_out_everywhere_and_takes_them_off_the_queue(app, demo):
    olena_id = db.session.scalars(select(Consultant.id).where(Consultant.login == "olena")).one()
    olena, olena_token = signed_in(app, "olena")
    went = olena.post("/desk/api/state", json={"state": "available"},
                      headers={"X-CSRFToken": olena_token})  # fmt: skip
    assert went.json["state"] == "available"
    with app.app_context():
        assert services().engine.consultant(olena_id).state == ConsultantState.AVAILABLE
    admin, token = signed_in(app, "mihai")
    admin.post(f"/desk/admin/people/{olena_id}", data={"csrf_token": token, "active": "no"})
    with app.app_context():
        assert services().engine.consultant(olena_id).state == ConsultantState.OFFLINE
    assert olena.get("/desk/api/state").status_code == 401, "her session has ended"
    assert olena.get("/desk/").headers["Location"].startswith("/desk/login")
    refused = app.test_client()
    response = refused.post("/desk/login", data={"login": "olena", "password": "demo1234",
                                                 "csrf_token": form_token(refused)})  # fmt: skip
    assert response.status_code == 401
    assert db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "consultant.disable")
    ).one()


def test_a_new_one_time_password_ends_the_sessions_and_replaces_the_old_password(app, demo):
    piotr_id = db.session.scalars(select(Consultant.id).where(Consultant.login == "piotr")).one()
    piotr, _ = signed_in(app, "piotr")
    admin, token = signed_in(app, "mihai")
    page = admin.post(f"/desk/admin/people/{piotr_id}/password", data={"csrf_token": token})
    password = one_time_password(page.get_data(as_text=True))
    assert piotr.get("/desk/api/state").status_code == 401
    client = app.test_client()
    old = client.post("/desk/login", data={"login": "piotr", "password": "demo1234",
                                           "csrf_token": form_token(client)})  # fmt: skip
    assert old.status_code == 401
    signed_in(app, "piotr", password)
