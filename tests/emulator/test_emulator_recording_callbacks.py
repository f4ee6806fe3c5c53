"""A recording's status callback is retried as Twilio retries it: by its connection overrides."""

from __future__ import annotations

import itertools

from flask import Response
from twilio.twiml.voice_response import VoiceResponse

from emulator.webhooks import ConnectionOverrides, connection_overrides
from tests.emulator.conftest import Phone, TwimlCentre


def leave_a_message(centre: TwimlCentre, phone: Phone, callback: str) -> dict:
    response = VoiceResponse()
    response.record(action="/recorded", max_length=30, recording_status_callback=callback)
    centre.twiml("/incoming", response)
    centre.twiml("/recorded", VoiceResponse())
    return phone.wait_end(phone.call(script=[{"record": "Proszę oddzwonić"}]))


def reported(phone: Phone, sid: str) -> list[dict]:
    """Wait until the network has finished reporting the recording; return those events."""
    call = phone.wait_until(
        sid, lambda call: any(e["kind"] == "recording-callback-done" for e in call["events"])
    )
    return [e for e in call["events"] if e["kind"].startswith("recording-callback")]


def busy_then_stored(busy_answers: int):
    answers = itertools.chain([503] * busy_answers, itertools.repeat(204))
    return lambda _request: Response("", status=next(answers))


def test_a_callback_answered_503_is_sent_again_when_its_url_asks_for_5xx_retries(centre, phone):
    centre.handlers["/ready"] = busy_then_stored(2)

    call = leave_a_message(centre, phone, "/ready#rc=3&rp=5xx")
    attempts = centre.wait_for("/ready", count=3)

    assert all(seen.signed for seen in attempts)
    assert len({seen.form["RecordingSid"] for seen in attempts}) == 1
    assert [seen.url for seen in attempts] == [centre.url + "/ready"] * 3
    shown = reported(phone, call["sid"])
    assert [event["status"] for event in shown if event["kind"] == "recording-callback"] == [
        503,
        503,
        204,
    ]
    assert shown[-1]["delivered"] is True


def test_by_default_twilio_does_not_retry_an_answer_it_got(centre, phone):
    centre.handlers["/ready"] = busy_then_stored(1)

    call = leave_a_message(centre, phone, "/ready")
    shown = reported(phone, call["sid"])

    assert len(centre.requests_to("/ready")) == 1
    assert shown[-1]["delivered"] is False


def test_connection_overrides_keep_to_twilio_limits():
    url, overrides = connection_overrides("https://c.example/s?x=1#rc=9&rp=4xx,5xx&tt=60000")
    assert url == "https://c.example/s?x=1"
    assert overrides == ConnectionOverrides(5, frozenset({"4xx", "5xx"}), 15.0)
    assert connection_overrides("https://c.example/s")[1] == ConnectionOverrides()
    assert ConnectionOverrides().retries(None, timed_out=False)
    assert not ConnectionOverrides().retries(503, timed_out=False)
    assert ConnectionOverrides(1, frozenset({"all"})).retries(429, timed_out=False)
