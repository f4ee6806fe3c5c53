"""The number's fallback URL: when the centre cannot answer, Twilio asks it instead."""

from __future__ import annotations

import pytest
from flask import Response
from twilio.twiml.voice_response import VoiceResponse

from centre.fallback import fallback_twiml
from emulator.app import EmulatorServer
from emulator.config import EmulatorConfig
from hotline.embedded_redis import free_port
from tests.emulator.conftest import (
    ACCOUNT_SID,
    AUTH_TOKEN,
    TIME_SCALE,
    Phone,
    TwimlCentre,
)

BACKUP = "+48221234567"
PATIENCE = 60.0


@pytest.fixture
def standby() -> TwimlCentre:
    """A host apart from the centre (a TwiML Bin in production) serving the fallback."""
    host = TwimlCentre()
    host.handlers["/fallback"] = lambda _request: Response(
        fallback_twiml(BACKUP), mimetype="text/xml"
    )
    yield host
    host.stop()


def run_emulator(voice_url: str, fallback_url: str) -> EmulatorServer:
    return EmulatorServer(
        EmulatorConfig(
            account_sid=ACCOUNT_SID,
            auth_token=AUTH_TOKEN,
            voice_url=voice_url,
            status_callback_url=None,
            voice_fallback_url=fallback_url,
            time_scale=TIME_SCALE,
        )
    ).start()


def test_a_centre_that_is_down_sends_callers_to_the_backup_line(standby: TwimlCentre) -> None:
    down = f"http://127.0.0.1:{free_port()}/ivr/incoming"  # nothing listens there
    emulator = run_emulator(down, standby.url + "/fallback")
    try:
        phone = Phone(emulator.url, emulator.config.control_token)
        phone.post(f"/emulator/endpoints/{BACKUP}", {"auto_answer": True, "hangup_after": 1})
        call = phone.wait_end(phone.call(script=[]), timeout=PATIENCE)
    finally:
        emulator.stop()
    (asked,) = standby.requests_to("/fallback")
    assert asked.signed
    assert (asked.form["ErrorCode"], asked.form["ErrorUrl"]) == ("11205", down)
    heard = phone.said(call)
    assert "Przepraszamy, infolinia ma chwilowe problemy techniczne." in heard
    assert any("Вибачте" in text for text in heard) and any("Sorry" in text for text in heard)
    assert any(e["kind"] == "connected" and e.get("to") == BACKUP for e in call["events"])
    assert "application error" not in " ".join(heard)


def test_a_failure_mid_call_goes_to_the_fallback_too(
    centre: TwimlCentre, standby: TwimlCentre
) -> None:
    first = VoiceResponse()
    first.say("Dzień dobry.")
    first.redirect("/menu")
    centre.twiml("/incoming", first)
    centre.handlers["/menu"] = lambda _request: Response("boom", status=500)
    emulator = run_emulator(centre.url + "/incoming", standby.url + "/fallback")
    try:
        phone = Phone(emulator.url, emulator.config.control_token)
        phone.post(f"/emulator/endpoints/{BACKUP}", {"auto_answer": True, "hangup_after": 0.5})
        call = phone.wait_end(phone.call(script=[]), timeout=PATIENCE)
    finally:
        emulator.stop()
    (asked,) = standby.requests_to("/fallback")
    assert (asked.form["ErrorCode"], asked.form["ErrorUrl"]) == ("11200", centre.url + "/menu")
    heard = phone.said(call)
    assert heard[0] == "Dzień dobry."
    assert "Prosimy zadzwonić ponownie za kilka minut. Do widzenia." in heard


def test_without_a_fallback_the_caller_hears_twilios_application_error(
    centre: TwimlCentre,
) -> None:
    down = f"http://127.0.0.1:{free_port()}/ivr/incoming"
    emulator = run_emulator(down, "")
    try:
        phone = Phone(emulator.url, emulator.config.control_token)
        call = phone.wait_end(phone.call(script=[]), timeout=PATIENCE)
    finally:
        emulator.stop()
    assert "application error" in " ".join(phone.said(call))
