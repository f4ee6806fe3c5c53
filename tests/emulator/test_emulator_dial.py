"""<Dial> to clients and numbers, and the endpoints that answer, reject or hang up."""

from __future__ import annotations

import time

from twilio.twiml.voice_response import Dial, VoiceResponse


def dial(target: str, action: str | None = "/dial-done", timeout: int = 10) -> VoiceResponse:
    response = VoiceResponse()
    options: dict[str, object] = {"timeout": timeout}
    if action:
        options["action"] = action
    dialing = Dial(**options)
    if target.startswith("client:"):
        dialing.client(target.removeprefix("client:"))
    else:
        dialing.number(target)
    response.append(dialing)
    response.say("Po rozmowie.", language="pl-PL")
    return response


def goodbye() -> VoiceResponse:
    response = VoiceResponse()
    response.say("Dziękujemy.", language="pl-PL")
    response.hangup()
    return response


def wait_for_state(phone, address: str, state: str, timeout: float = 5.0) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        endpoint = phone.get(f"/emulator/endpoints/{address}").json()
        if endpoint["state"] == state:
            return endpoint
        time.sleep(0.02)
    raise AssertionError(f"{address} never became {state}")


def test_a_client_answered_through_the_control_api(centre, phone, twilio_client):
    centre.twiml("/incoming", dial("client:anna"))
    centre.twiml("/dial-done", goodbye())

    sid = phone.call(script=[])
    ringing = wait_for_state(phone, "client:anna", "ringing")
    assert ringing["parent_call_sid"] == sid
    assert ringing["from"] == "+48601234567"
    answered = phone.post("/emulator/endpoints/client:anna/answer")
    assert answered.status_code == 200
    assert answered.json()["state"] == "connected"
    phone.wait_event(sid, "connected")
    assert phone.post("/emulator/endpoints/client:anna/answer").status_code == 409
    phone.post("/emulator/endpoints/client:anna/hangup")
    call = phone.wait_end(sid)

    form = centre.requests_to("/dial-done")[0].form
    assert form["DialCallStatus"] == "completed"
    assert form["DialCallSid"] == ringing["call_sid"]
    assert int(form["DialCallDuration"]) >= 1
    assert phone.said(call)[-1] == "Dziękujemy."
    legs = twilio_client.calls.list(parent_call_sid=sid)
    assert [leg.sid for leg in legs] == [ringing["call_sid"]]
    assert legs[0].status == "completed"
    assert legs[0].direction == "outbound-dial"
    assert phone.get("/emulator/endpoints/client:anna").json()["state"] == "idle"
    # The centre's boundary reads the same list when a callback's reports were lost.
    from hotline.telephony import TwilioTelephony

    assert TwilioTelephony(twilio_client, "+48221952400").dialled_from(sid) == ["completed"]


def test_no_answer_after_the_dial_timeout(centre, phone):
    centre.twiml("/incoming", dial("client:bogdan", timeout=1))
    centre.twiml("/dial-done", goodbye())

    started = time.monotonic()
    phone.wait_end(phone.call(script=[]))

    assert time.monotonic() - started >= 1.0
    form = centre.requests_to("/dial-done")[0].form
    assert form["DialCallStatus"] == "no-answer"
    assert form["DialCallSid"].startswith("CA")
    assert form["DialCallDuration"] == "0"
    assert phone.get("/emulator/endpoints/client:bogdan").json()["state"] == "idle"


def test_a_rejected_call_is_busy(centre, phone):
    centre.twiml("/incoming", dial("+48601000077"))
    centre.twiml("/dial-done", goodbye())

    sid = phone.call(script=[])
    wait_for_state(phone, "+48601000077", "ringing")
    assert phone.post("/emulator/endpoints/+48601000077/reject").status_code == 200
    phone.wait_end(sid)

    assert centre.requests_to("/dial-done")[0].form["DialCallStatus"] == "busy"


def test_a_busy_endpoint_is_busy_for_a_second_caller(centre, phone):
    centre.twiml("/incoming", dial("client:anna"))
    centre.twiml("/dial-done", goodbye())

    first = phone.call("+48601000001", script=[])
    wait_for_state(phone, "client:anna", "ringing")
    second = phone.call("+48601000002", script=[])
    phone.wait_end(second)
    phone.post(f"/emulator/calls/{first}/hangup")
    phone.wait_end(first)

    statuses = [seen.form["DialCallStatus"] for seen in centre.requests_to("/dial-done")]
    assert statuses == ["busy", "canceled"]


def test_without_an_action_the_next_verb_runs(centre, phone):
    centre.twiml("/incoming", dial("client:anna", action=None))
    phone.post("/emulator/endpoints/client:anna", {"auto_answer": True, "hangup_after": 0.2})

    call = phone.wait_end(phone.call(script=[]))

    assert phone.said(call) == ["Po rozmowie."]
    assert "connected" in phone.kinds(call)


def test_the_caller_hanging_up_ends_the_dialled_leg(centre, phone):
    centre.twiml("/incoming", dial("client:anna"))
    centre.twiml("/dial-done", goodbye())
    phone.post("/emulator/endpoints/client:anna", {"auto_answer": True})

    sid = phone.call(script=[{"wait": 20}, {"hangup": True}])
    call = phone.wait_end(sid)

    form = centre.wait_for("/dial-done")[0].form
    assert form["DialCallStatus"] == "completed"
    assert form["CallStatus"] == "completed"
    assert "Dziękujemy." not in phone.said(call)
    assert phone.get("/emulator/endpoints/client:anna").json()["state"] == "idle"


def test_status_callback_on_the_dialled_number(centre, phone):
    response = VoiceResponse()
    dialing = Dial(timeout=5)
    dialing.number("+48601000055", status_callback="/leg-status")
    response.append(dialing)
    centre.twiml("/incoming", response)
    phone.post("/emulator/endpoints/+48601000055", {"auto_answer": True, "hangup_after": 0.1})

    sid = phone.call(script=[])
    phone.wait_end(sid)

    form = centre.wait_for("/leg-status")[0].form
    assert form["CallStatus"] == "completed"
    assert form["ParentCallSid"] == sid


def test_endpoint_actions_refuse_what_does_not_fit(phone):
    assert phone.post("/emulator/endpoints/client:nobody/answer").status_code == 404
    phone.post("/emulator/endpoints/client:idle", {"auto_answer": False})
    refused = phone.post("/emulator/endpoints/client:idle/answer")
    assert refused.status_code == 409
    assert "idle" in refused.json()["error"]
    assert phone.post("/emulator/endpoints/not an address/answer").status_code == 400
    assert phone.post("/emulator/endpoints/client:idle", {"colour": "red"}).status_code == 400


def test_a_rest_redirect_during_a_dial_ends_the_dialled_leg(centre, phone, twilio_client):
    centre.twiml("/incoming", dial("client:anna"))
    centre.twiml("/moved", goodbye())
    phone.post("/emulator/endpoints/client:anna", {"auto_answer": True})

    sid = phone.call(script=[])
    phone.wait_event(sid, "connected")
    twilio_client.calls(sid).update(url=centre.url + "/moved")
    call = phone.wait_end(sid)

    assert phone.said(call)[-1] == "Dziękujemy."
    assert phone.get("/emulator/endpoints/client:anna").json()["state"] == "idle"
    leg = twilio_client.calls.list(parent_call_sid=sid)[0]
    assert leg.status == "completed"
