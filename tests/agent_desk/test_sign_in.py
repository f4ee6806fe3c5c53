"""Signing in and out: revocable sessions, timeouts, throttling and the second factor."""

from __future__ import annotations

import statistics
import time

import pyotp
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from consultants import service as consultants
from consultants.models import Consultant
from hotline.access import SEEN_AT, SIGNED_IN_AT
from hotline.db import db
from routing.engine import RoutingEngine
from tests.agent_desk.test_desk import sign_in
from tests.conftest import form_token


def person(login: str) -> Consultant:
    return db.session.scalars(select(Consultant).where(Consultant.login == login)).one()


def signed_in(client: FlaskClient) -> bool:
    """Tell whether the client's session still opens the desk's API."""
    return client.get("/desk/api/state").status_code == 200


def try_login(client: FlaskClient, login: str, password: str, address: str = "127.0.0.1"):  # type: ignore[no-untyped-def]
    return client.post(
        "/desk/login",
        data={"login": login, "password": password, "csrf_token": form_token(client)},
        environ_base={"REMOTE_ADDR": address},
    )


def test_signing_in_needs_the_forms_csrf_token(client, demo):
    response = client.post("/desk/login", data={"login": "piotr", "password": "demo1234"})
    assert response.status_code == 400
    assert "CSRF token is missing" in response.get_data(as_text=True)
    assert not signed_in(client)


def test_a_malformed_json_body_is_refused_with_its_reason(client, demo):
    _, token = sign_in(client, "piotr")
    response = client.post(
        "/desk/api/state",
        data="{not json",
        headers={"X-CSRF-Token": token, "Content-Type": "application/json"},
    )
    assert response.status_code == 400
    assert "JSON" in response.json["error"]
    listed = client.post("/desk/api/state", json=["available"], headers={"X-CSRF-Token": token})
    assert listed.status_code == 400 and "JSON object" in listed.json["error"]
    typed = client.post("/desk/api/state", json={"state": 1}, headers={"X-CSRF-Token": token})
    assert typed.status_code == 400


def test_a_record_id_beyond_64_bits_is_not_found(client, demo):
    sign_in(client)
    for path in ("/desk/customers/", "/desk/wrap-up/", "/desk/api/imports/"):
        assert client.get(path + "9" * 30).status_code == 404
        assert client.get(path + str(2**63)).status_code == 404


def test_signing_out_ends_every_session_of_that_person(app: Flask, demo):
    office, home = app.test_client(), app.test_client()
    _, token = sign_in(office, "piotr")
    sign_in(home, "piotr")
    other = app.test_client()
    sign_in(other, "olena")
    assert signed_in(office) and signed_in(home)
    office.post("/desk/logout", data={"csrf_token": token})
    assert not signed_in(office)
    assert not signed_in(home), "the session on another computer ended too"
    assert signed_in(other), "nobody else was signed out"


def test_changing_the_password_ends_every_session_and_the_new_one_works(
    app: Flask, demo, redis_client
):
    here, elsewhere = app.test_client(), app.test_client()
    _, desk_token = sign_in(here, "piotr")
    here.post("/desk/api/state", json={"state": "available"}, headers={"X-CSRF-Token": desk_token})
    assert RoutingEngine(redis_client).consultant(person("piotr").id).state == "available"
    sign_in(elsewhere, "piotr")
    token = form_token(here, "/desk/account")
    refused = here.post(
        "/desk/account",
        data={"csrf_token": token, "current_password": "wrong", "new_password": "x" * 20},
    )
    assert refused.status_code == 400 and signed_in(here)
    short = here.post(
        "/desk/account",
        data={"csrf_token": token, "current_password": "demo1234", "new_password": "short"},
    )
    assert "co najmniej 12 znaków" in short.get_data(as_text=True)
    here.post(
        "/desk/account",
        data={
            "csrf_token": token,
            "current_password": "demo1234",
            "new_password": "a new long password",
        },
    )
    assert not signed_in(here) and not signed_in(elsewhere)
    assert RoutingEngine(redis_client).consultant(person("piotr").id).state == "offline"
    assert try_login(app.test_client(), "piotr", "demo1234").status_code == 401
    assert try_login(app.test_client(), "piotr", "a new long password").status_code == 302


def test_disabling_an_account_ends_its_sessions_and_refuses_sign_in_alike(app: Flask, demo):
    client = app.test_client()
    sign_in(client, "piotr")
    consultants.set_active(person("piotr"), False)
    assert not signed_in(client)
    refused = try_login(app.test_client(), "piotr", "demo1234")
    assert refused.status_code == 401
    assert "Błędny login lub hasło" in refused.get_data(as_text=True), "says no more than that"


def test_an_old_cookie_is_refused_once_the_session_is_ended(app: Flask, demo):
    client = app.test_client()
    sign_in(client, "piotr")
    cookie = client.get_cookie("session")
    consultants.end_sessions(person("piotr"))
    replay = app.test_client()
    replay.set_cookie("session", cookie.value)
    assert replay.get("/desk/api/state").status_code == 401


@pytest.mark.parametrize(
    ("clock", "told"),
    [
        (SEEN_AT, "Wylogowano Cię po 30 min bez korzystania ze stanowiska."),
        (SIGNED_IN_AT, "Wylogowano Cię: sesja trwa najwyżej 12 godz."),
    ],
)
def test_a_session_ends_after_its_idle_or_absolute_timeout(client, demo, clock, told):
    sign_in(client, "piotr")
    with client.session_transaction() as session:
        session[clock] -= 13 * 3600
    page = client.get("/desk/")
    assert page.status_code == 302 and "/desk/login" in page.headers["Location"]
    assert told in client.get("/desk/login").get_data(as_text=True), "why, in Piotr's Polish"
    assert not signed_in(client)


def test_a_session_in_use_stays_within_its_idle_timeout(client, demo):
    sign_in(client, "piotr")
    with client.session_transaction() as session:
        session[SEEN_AT] -= 25 * 60  # idle timeout is 30 minutes
    assert signed_in(client)
    with client.session_transaction() as session:
        assert time.time() - session[SEEN_AT] < 60, "using the desk counts as activity"


class TestThrottling:
    @pytest.fixture
    def settings(self, settings):
        return settings.with_overrides(
            login_limit_per_account="3 per minute", login_limit_per_address="5 per minute"
        )

    def test_failed_sign_ins_to_one_account_are_throttled_from_any_address(
        self, app, demo, redis_client
    ):
        client = app.test_client()
        for number in range(3):
            assert try_login(client, "piotr", "guess", f"10.0.0.{number}").status_code == 401
        assert redis_client.keys("*hotline-limits*login-account:piotr*"), "counted in Redis"
        blocked = try_login(client, "piotr", "demo1234", "10.0.0.9")
        assert blocked.status_code == 429, "even the right password waits"
        assert try_login(client, "olena", "demo1234", "10.0.0.9").status_code == 302

    def test_failed_sign_ins_from_one_address_are_throttled_for_any_account(self, app, demo):
        client = app.test_client()
        for login in ("a", "b", "c", "d", "e"):
            assert try_login(client, login, "guess", "10.0.1.1").status_code == 401
        assert try_login(client, "piotr", "demo1234", "10.0.1.1").status_code == 429
        assert try_login(client, "piotr", "demo1234", "10.0.1.2").status_code == 302

    def test_successful_sign_ins_are_not_counted(self, app, demo):
        for _ in range(7):
            assert try_login(app.test_client(), "piotr", "demo1234").status_code == 302


def test_an_unknown_login_takes_as_long_to_refuse_as_a_wrong_password(app, demo):
    def median_seconds(login: str) -> float:
        times = []
        for _ in range(5):
            start = time.perf_counter()
            assert consultants.authenticate(login, "not the password") is None
            times.append(time.perf_counter() - start)
        return statistics.median(times)

    consultants.authenticate("warm-up", "x")
    known, unknown = median_seconds("piotr"), median_seconds("nobody-by-this-name")
    # Checking a password hash costs far more than finding the row: without the stand-in hash
    # an unknown login is refused some hundred times faster.
    assert 0.3 < unknown / known < 3.0


class TestSecondFactor:
    @pytest.fixture
    def settings(self, settings):
        return settings.with_overrides(require_second_factor=True)

    def test_a_supervisor_enrols_then_signs_in_with_a_fresh_code_each_time(self, app, demo):
        client = app.test_client()
        response = try_login(client, "anna", "demo1234")
        assert response.headers["Location"] == "/desk/login/code"
        assert client.get("/desk/").status_code == 302, "not signed in before the code"
        page = client.get("/desk/login/code").get_data(as_text=True)
        assert "data:image/svg+xml" in page, "a QR code to scan"
        secret = page.split('id="totp-secret">')[1].split("<")[0]
        totp = pyotp.TOTP(secret)
        token = form_token(client, "/desk/login/code")
        wrong = client.post("/desk/login/code", data={"csrf_token": token, "code": "000000"})
        assert wrong.status_code == 401
        code = totp.now()
        client.post("/desk/login/code", data={"csrf_token": token, "code": code})
        assert client.get("/desk/").status_code == 200
        assert person("anna").totp_secret == secret

        again = app.test_client()
        assert try_login(again, "anna", "demo1234").headers["Location"] == "/desk/login/code"
        token = form_token(again, "/desk/login/code")
        replay = again.post("/desk/login/code", data={"csrf_token": token, "code": code})
        assert replay.status_code == 401, "a code works once"
        following = totp.at(time.time() + totp.interval)
        again.post("/desk/login/code", data={"csrf_token": token, "code": following})
        assert again.get("/desk/").status_code == 200

    def test_guessing_codes_is_throttled_for_the_account(self, app, demo):
        secret = pyotp.random_base32()
        with db.transaction():
            person("anna").totp_secret = secret
        for number in range(5):  # the account's default limit: 5 failures a minute
            client = app.test_client()
            try_login(client, "anna", "demo1234", f"10.0.2.{number}")
            token = form_token(client, "/desk/login/code")
            guess = client.post("/desk/login/code", data={"csrf_token": token, "code": "123456"})
            assert guess.status_code == 401
        client = app.test_client()
        try_login(client, "anna", "demo1234", "10.0.2.9")
        token = form_token(client, "/desk/login/code")
        right = pyotp.TOTP(secret).now()
        blocked = client.post("/desk/login/code", data={"csrf_token": token, "code": right})
        assert blocked.status_code == 429

    def test_a_consultant_without_supervisory_roles_is_not_asked_for_a_code(self, app, demo):
        assert try_login(app.test_client(), "piotr", "demo1234").headers["Location"] == "/desk/"

    def test_the_code_page_without_a_password_first_sends_back_to_sign_in(self, client, demo):
        response = client.get("/desk/login/code")
        assert response.status_code == 302 and response.headers["Location"] == "/desk/login"


def test_in_development_the_second_factor_is_optional_but_kept_once_enrolled(app, demo):
    client = app.test_client()
    assert try_login(client, "piotr", "demo1234").headers["Location"] == "/desk/"
    page = client.get("/desk/account/second-factor").get_data(as_text=True)
    secret = page.split('id="totp-secret">')[1].split("<")[0]
    token = form_token(client, "/desk/account/second-factor")
    enrolled = client.post(
        "/desk/account/second-factor",
        data={"csrf_token": token, "code": pyotp.TOTP(secret).now()},
    )
    assert enrolled.headers["Location"] == "/desk/account"
    assert person("piotr").totp_secret == secret
    again = app.test_client()
    assert try_login(again, "piotr", "demo1234").headers["Location"] == "/desk/login/code"
