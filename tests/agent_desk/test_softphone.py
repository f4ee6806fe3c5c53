"""The desk's softphone: the vendored Voice SDK every desk page loads."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

from flask import Flask
from sqlalchemy import select

from consultants.models import Consultant
from customers.models import Contact, Customer
from hotline.db import db
from knowledge.models import ImportRun
from tests.agent_desk.test_desk import sign_in

SDK = Path(__file__).resolve().parents[2] / "agent_desk/static/vendor/twilio-voice-sdk"
SDK_URL = "/desk/static/vendor/twilio-voice-sdk/twilio.min.js"


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
            "desk.voicemail_audio",
        }:
            continue
        pages.append(re.sub(r"<int:(\w+)>", lambda m: str(ids[m.group(1)]), rule.rule))
    return pages


def test_every_desk_page_loads_the_pinned_voice_sdk_from_the_desk_itself(app, client, demo):
    anna = db.session.scalars(select(Consultant).where(Consultant.login == "anna")).one()
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
