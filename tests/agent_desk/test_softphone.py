"""The desk's softphone: its access tokens, and the vendored Voice SDK every desk page loads."""

from __future__ import annotations

import hashlib
import json
import re
import time
from pathlib import Path

import jwt
import pytest
from flask import Flask
from sqlalchemy import select

from agent_desk.errors import SoftphoneNotSetUp
from agent_desk.softphone import access_token
from consultants.models import Consultant
from customers.models import Contact, Customer
from hotline.db import db
from hotline.settings import Settings
from knowledge.models import ImportRun
from tests.agent_desk.test_desk import sign_in

API_KEY_SID = "SK" + "e" * 32
API_KEY_SECRET = "softphone-test-api-key-secret-32"
TWIML_APP_SID = "AP" + "f" * 32

SDK = Path(__file__).resolve().parents[2] / "agent_desk/static/vendor/twilio-voice-sdk"
SDK_URL = "/desk/static/vendor/twilio-voice-sdk/twilio.min.js"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """Give the test centre an API key and a TwiML app for the softphone."""
    return settings.with_overrides(
        twilio_api_key_sid=API_KEY_SID,
        twilio_api_key_secret=API_KEY_SECRET,
        twilio_twiml_app_sid=TWIML_APP_SID,
    )


def decode(token: str) -> dict[str, object]:
    """Check a token's signature with the API key secret, as Twilio does, and return its claims."""
    return jwt.decode(token, API_KEY_SECRET, algorithms=["HS256"])


def consultant(login: str) -> Consultant:
    return db.session.scalars(select(Consultant).where(Consultant.login == login)).one()


def test_a_signed_in_consultant_gets_an_hour_long_token_for_their_own_identity(
    client, demo, settings
):
    sign_in(client, "piotr")
    before = int(time.time())
    response = client.get("/desk/api/token")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    body = response.json
    claims = decode(body["token"])
    piotr = consultant("piotr")
    assert body["identity"] == claims["grants"]["identity"] == f"consultant-{piotr.id}"
    assert claims["grants"]["voice"] == {
        "incoming": {"allow": True},
        "outgoing": {"application_sid": TWIML_APP_SID},
    }
    assert claims["iss"] == API_KEY_SID
    assert claims["sub"] == settings.twilio_account_sid
    assert jwt.get_unverified_header(body["token"])["cty"] == "twilio-fpa;v=1"
    assert claims["exp"] - claims["nbf"] == body["ttl_seconds"] == 3600
    assert body["expires_at"] == claims["exp"]
    assert before <= claims["nbf"] <= int(time.time())


def test_a_token_is_signed_with_the_api_key_secret_and_nothing_else(client, demo):
    sign_in(client)
    token = client.get("/desk/api/token").json["token"]
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(token, "another-api-key-secret-32-bytes!", algorithms=["HS256"])


def test_an_anonymous_request_gets_no_token(client, demo):
    response = client.get("/desk/api/token")
    assert response.status_code == 401
    assert "token" not in response.json


def test_each_consultant_gets_a_token_for_their_own_identity_only(app, demo):
    identities = {}
    for login in ("anna", "piotr"):
        browser = app.test_client()
        sign_in(browser, login)
        claims = decode(browser.get("/desk/api/token").json["token"])
        identities[login] = claims["grants"]["identity"]
    assert identities == {
        "anna": consultant("anna").client_identity,
        "piotr": consultant("piotr").client_identity,
    }


def test_the_token_lives_as_long_as_the_setting_says(settings, demo):
    anna = consultant("anna")
    token = access_token(settings.with_overrides(token_ttl_seconds=900), anna, now=1_800_000_000)
    claims = jwt.decode(
        token.token,
        API_KEY_SECRET,
        algorithms=["HS256"],
        options={"verify_exp": False, "verify_nbf": False},
    )
    assert (claims["nbf"], claims["exp"]) == (1_800_000_000, 1_800_000_900)
    assert token.as_dict()["expires_at"] == 1_800_000_900


def test_without_an_api_key_the_desk_is_told_what_the_softphone_needs(app, client, demo):
    app.extensions["hotline.settings"] = app.extensions["hotline.settings"].with_overrides(
        twilio_api_key_secret="", twilio_twiml_app_sid=""
    )
    sign_in(client)
    response = client.get("/desk/api/token")
    assert response.status_code == 503
    assert response.json["error"] == (
        "the softphone needs these settings: TWILIO_API_KEY_SECRET, TWILIO_TWIML_APP_SID"
    )
    with pytest.raises(SoftphoneNotSetUp):
        access_token(app.extensions["hotline.settings"], consultant("anna"))


def manifest() -> dict[str, str]:
    return json.loads((SDK / "manifest.json").read_text())


def test_the_vendored_voice_sdk_is_the_pinned_release_with_its_licence():
    pinned = manifest()
    code = (SDK / pinned["file"]).read_bytes()
    assert (pinned["name"], pinned["license"]) == ("@twilio/voice-sdk", "Apache-2.0")
    assert hashlib.sha256(code).hexdigest() == pinned["sha256"], "twilio.min.js was changed"
    assert f'RELEASE_VERSION="{pinned["version"]}"'.encode() in code
    assert pinned["integrity"].startswith("sha512-")
    assert "Apache License, Version 2.0" in (SDK / "LICENSE.md").read_text()


def desk_pages(app: Flask, ids: dict[str, int]) -> list[str]:
    """Return every page a signed-in consultant can open, with its ids filled in."""
    pages = []
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("desk.") or "GET" not in (rule.methods or ()):
            continue
        if rule.rule.startswith(("/desk/api/", "/desk/static/")) or rule.endpoint in {
            "desk.login",
            "desk.second_factor",
            "desk.voicemail_audio",
            "desk.call_recording_audio",  # audio, not a page
            "desk.audit_export",  # a CSV file, not a page
        }:
            continue
        pages.append(re.sub(r"<int:(\w+)>", lambda m: str(ids[m.group(1)]), rule.rule))
    return pages


def test_every_desk_page_loads_the_pinned_voice_sdk_from_the_desk_itself(app, client, demo):
    anna = consultant("anna")
    jan = db.session.scalars(select(Customer).where(Customer.phone == "+48601000001")).one()
    contact = Contact(call_sid="CA" + "7" * 32, customer_id=jan.id, consultant_id=anna.id)
    run = ImportRun(kind="csv", source="test", path="/dev/null")
    db.session.add_all([contact, run])
    db.session.commit()
    ids = {"customer_id": jan.id, "contact_id": contact.id, "run_id": run.id}
    sign_in(client)

    pages = desk_pages(app, ids)
    assert {"/desk/", f"/desk/customers/{jan.id}", "/desk/board"} <= set(pages)
    for page in pages:
        html = client.get(page).data.decode()
        scripts = re.findall(r'<script src="([^"]+)"', html)
        assert SDK_URL in scripts, f"{page} does not load the Voice SDK"
        assert all(src.startswith("/desk/static/") for src in scripts), f"{page}: {scripts}"

    served = client.get(SDK_URL)
    assert hashlib.sha256(served.data).hexdigest() == manifest()["sha256"]


def test_the_sign_in_page_loads_no_phone(client, demo):
    assert "twilio.min.js" not in client.get("/desk/login").data.decode()
