"""The emulator's control API and phone page."""

from __future__ import annotations

import pytest
import requests
from twilio.twiml.voice_response import VoiceResponse

from emulator.config import EmulatorConfig
from emulator.exceptions import ConfigError


def test_health_and_cors_for_the_agent_desk_only(phone, centre):
    health = phone.get("/emulator/health")
    preflight = phone.session.options(
        f"{phone.base}/emulator/calls",
        headers={"Origin": centre.url, "Access-Control-Request-Method": "POST"},
    )

    assert health.json() == {"ok": True}
    assert health.headers["Access-Control-Allow-Origin"] == centre.url, "the centre's desk only"
    assert preflight.status_code == 200
    assert preflight.headers["Access-Control-Allow-Origin"] == centre.url
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]
    assert "Authorization" in preflight.headers["Access-Control-Allow-Headers"]


def test_the_control_api_answers_only_to_its_token(phone):
    for headers in ({}, {"Authorization": "Bearer guessed"}):
        anonymous = requests.post(
            f"{phone.base}/emulator/calls",
            json={"from": "+48601234567"},
            headers=headers,
            timeout=5,
        )
        assert anonymous.status_code == 401
        assert (
            requests.get(f"{phone.base}/emulator/calls", headers=headers, timeout=5).status_code
            == 401
        )
    assert phone.get("/emulator/calls").status_code == 200
    page = phone.get("/phone").text
    assert 'name="emulator-token"' in page, "the emulator's own phone page carries it"


def test_the_emulator_refuses_a_real_looking_auth_token_and_production():
    with pytest.raises(ConfigError, match="looks like a real Twilio token"):
        EmulatorConfig(auth_token="0123456789abcdef" * 2)
    with pytest.raises(ConfigError, match="HOTLINE_ENV=production"):
        EmulatorConfig.from_env({"HOTLINE_ENV": "production", "EMULATOR_CONTROL_TOKEN": "t"})
    kept = EmulatorConfig.from_env({"EMULATOR_CONTROL_TOKEN": "shared-token"})
    assert kept.control_token == "shared-token"


def test_the_emulators_address_leads_to_the_phone(phone):
    response = phone.get("/")
    assert response.status_code == 200
    assert response.url.endswith("/phone") and 'class="key"' in response.text


def test_the_phone_page_is_served_with_its_own_assets(phone):
    page = phone.get("/phone")

    assert page.status_code == 200
    assert "+48221952400" in page.text
    assert page.text.count('class="key"') == 12
    assert 'aria-label="Press #"' in page.text
    for asset in ("phone.js", "phone.css"):
        assert f"/phone-static/{asset}" in page.text
        assert phone.get(f"/phone-static/{asset}").status_code == 200
    assert "cdn" not in page.text.lower()


def test_events_can_be_polled_after_a_sequence_number(centre, phone):
    response = VoiceResponse()
    response.say("Jeden.")
    response.say("Dwa.")
    centre.twiml("/incoming", response)

    sid = phone.call(script=[])
    call = phone.wait_end(sid)
    middle = call["events"][2]["seq"]
    newer = phone.get(f"/emulator/calls/{sid}/events?after={middle}").json()

    assert newer["ended"] is True
    assert newer["status"] == "completed"
    assert [event["seq"] for event in newer["events"]] == [
        event["seq"] for event in call["events"] if event["seq"] > middle
    ]
    assert all({"seq", "t", "kind", "text"} <= set(event) for event in call["events"])
    assert [e["t"] for e in call["events"]] == sorted(e["t"] for e in call["events"])


def test_bad_control_requests_are_refused(centre, phone):
    centre.twiml("/incoming", VoiceResponse())

    assert phone.post("/emulator/calls", {"script": []}).status_code == 400
    bad_step = phone.post("/emulator/calls", {"from": "+48601234567", "script": [{"dance": 1}]})
    assert bad_step.status_code == 400
    assert "dance" in bad_step.json()["error"]
    assert phone.get("/emulator/calls/CA" + "0" * 32).status_code == 404
    sid = phone.call(script=[{"press": "1"}])
    assert phone.post(f"/emulator/calls/{sid}/input", {"digits": "1"}).status_code == 409


def test_reset_forgets_everything(centre, phone):
    hold = VoiceResponse()
    hold.pause(length=100)
    centre.twiml("/incoming", hold)
    phone.call(script=[])

    assert phone.post("/emulator/reset").json() == {"ok": True}
    assert phone.get("/emulator/calls").json() == []
