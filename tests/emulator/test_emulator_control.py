"""The emulator's control API and phone page."""

from __future__ import annotations

from twilio.twiml.voice_response import VoiceResponse


def test_health_and_cors_for_the_agent_desk(phone):
    health = phone.get("/emulator/health")
    preflight = phone.session.options(
        f"{phone.base}/emulator/calls",
        headers={"Origin": "http://127.0.0.1:5000", "Access-Control-Request-Method": "POST"},
    )

    assert health.json() == {"ok": True}
    assert health.headers["Access-Control-Allow-Origin"] == "*"
    assert preflight.status_code == 200
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]


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
