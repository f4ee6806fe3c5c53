"""<Number url> and <Client url> screening, and the dialled leg's own status callbacks."""

from __future__ import annotations

import time

from flask import Request
from twilio.twiml.voice_response import Dial, Gather, VoiceResponse

CONSULTANT = "+48601000055"
CALLER = "+48601234567"


def screened_dial(
    target: str = CONSULTANT, timeout: int = 10, **noun_options: object
) -> VoiceResponse:
    response = VoiceResponse()
    dialing = Dial(action="/dial-done", timeout=timeout)
    if target.startswith("client:"):
        dialing.client(target.removeprefix("client:"), url="/screen", **noun_options)
    else:
        dialing.number(target, url="/screen", **noun_options)
    response.append(dialing)
    return response


def screen_prompt() -> VoiceResponse:
    response = VoiceResponse()
    gather = Gather(num_digits=1, action="/screen-choice", timeout=3)
    gather.say("Naciśnij 1, aby odebrać to połączenie.", language="pl-PL")
    response.append(gather)
    response.hangup()
    return response


def screen_choice(request: Request) -> VoiceResponse:
    response = VoiceResponse()
    if request.form.get("Digits") != "1":
        response.hangup()
    return response


def after_dial() -> VoiceResponse:
    response = VoiceResponse()
    response.say("Po rozmowie.", language="pl-PL")
    response.hangup()
    return response


def serve_screening(centre, dial: VoiceResponse) -> None:
    centre.twiml("/incoming", dial)
    centre.twiml("/screen", screen_prompt())
    centre.route("/screen-choice")(screen_choice)
    centre.twiml("/dial-done", after_dial())


def leg_of(phone, parent_sid: str) -> dict:
    event = phone.wait_event(parent_sid, "dial", "dialling")
    return phone.show(event["dial_call_sid"])


def wait_for_state(phone, address: str, state: str, timeout: float = 5.0) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        endpoint = phone.get(f"/emulator/endpoints/{address}").json()
        if endpoint["state"] == state:
            return endpoint
        time.sleep(0.02)
    raise AssertionError(f"{address} never became {state}")


def test_a_consultant_who_presses_1_is_bridged_after_the_screening(centre, phone):
    serve_screening(centre, screened_dial())
    phone.post(
        f"/emulator/endpoints/{CONSULTANT}",
        {"auto_answer": True, "screen_digits": "1", "hangup_after": 0.5},
    )

    sid = phone.call(CALLER, script=[])
    call = phone.wait_end(sid)

    leg = leg_of(phone, sid)
    screen = centre.requests_to("/screen")[0]
    assert screen.signed
    assert screen.form["CallSid"] == leg["sid"] != sid
    assert screen.form["ParentCallSid"] == sid
    assert screen.form["From"] == CALLER
    assert screen.form["To"] == CONSULTANT
    assert screen.form["CallStatus"] == "in-progress"
    assert screen.form["Direction"] == "outbound-dial"
    assert screen.form["AccountSid"].startswith("AC")
    assert screen.form["ApiVersion"] == "2010-04-01"
    choice = centre.requests_to("/screen-choice")[0]
    assert choice.form["Digits"] == "1"
    assert choice.form["CallSid"] == leg["sid"]
    done = centre.requests_to("/dial-done")[0].form
    assert done["DialCallStatus"] == "completed"
    assert done["DialCallSid"] == leg["sid"]
    kinds = phone.kinds(call)
    assert kinds.index("screen") < kinds.index("bridged") < kinds.index("connected")
    assert "Naciśnij 1, aby odebrać to połączenie." not in phone.said(call)
    assert phone.said(leg) == ["Naciśnij 1, aby odebrać to połączenie."]
    assert any(e["kind"] == "input" and e.get("digits") == "1" for e in leg["events"])
    assert leg["status"] == "completed"


def test_a_voicemail_box_is_screened_out_and_the_dial_goes_on_unanswered(centre, phone):
    serve_screening(centre, screened_dial())
    phone.post(f"/emulator/endpoints/{CONSULTANT}", {"voicemail_after": 0.2})

    sid = phone.call(CALLER, script=[])
    call = phone.wait_end(sid)

    leg = leg_of(phone, sid)
    assert centre.requests_to("/screen-choice") == []
    done = centre.requests_to("/dial-done")[0].form
    assert done["DialCallStatus"] == "no-answer"
    assert done["DialCallSid"] == leg["sid"]
    assert done["DialCallDuration"] == "0"
    assert "screened-out" in phone.kinds(call)
    assert "connected" not in phone.kinds(call)
    assert phone.said(call) == ["Po rozmowie."]
    assert [e["kind"] for e in leg["events"] if e["kind"] in ("answer", "silence")] == [
        "answer",
        "silence",
    ]
    assert leg["status"] == "completed"
    assert phone.get(f"/emulator/endpoints/{CONSULTANT}").json()["state"] == "idle"


def test_an_auto_answering_phone_without_screen_digits_presses_nothing(centre, phone):
    serve_screening(centre, screened_dial())
    phone.post(f"/emulator/endpoints/{CONSULTANT}", {"auto_answer": True})

    phone.wait_end(phone.call(CALLER, script=[]))

    assert centre.requests_to("/dial-done")[0].form["DialCallStatus"] == "no-answer"


def test_a_person_who_answers_by_hand_presses_1_on_the_screen_prompt(centre, phone):
    serve_screening(centre, screened_dial("client:anna"))

    sid = phone.call(CALLER, script=[])
    wait_for_state(phone, "client:anna", "ringing")
    early = phone.post("/emulator/endpoints/client:anna/press", {"digits": "1"})
    assert early.status_code == 409
    phone.post("/emulator/endpoints/client:anna/answer")
    leg_sid = leg_of(phone, sid)["sid"]
    phone.wait_event(leg_sid, "gather")
    pressed = phone.post("/emulator/endpoints/client:anna/press", {"digits": "1"})
    phone.wait_event(sid, "connected")
    phone.post("/emulator/endpoints/client:anna/hangup")
    phone.wait_end(sid)

    assert pressed.json() == {"heard": True}
    assert centre.requests_to("/screen-choice")[0].form["Digits"] == "1"
    assert centre.requests_to("/dial-done")[0].form["DialCallStatus"] == "completed"
    assert phone.post("/emulator/endpoints/client:anna/press", {"digits": "x"}).status_code == 400


def test_a_voicemail_box_cannot_be_made_to_press_keys(centre, phone):
    serve_screening(centre, screened_dial(timeout=10))
    phone.post(f"/emulator/endpoints/{CONSULTANT}", {"voicemail_after": 0})

    sid = phone.call(CALLER, script=[])
    phone.wait_event(sid, "screen")
    refused = phone.post(f"/emulator/endpoints/{CONSULTANT}/press", {"digits": "1"})
    phone.wait_end(sid)

    assert refused.status_code == 409
    assert "voicemail" in refused.json()["error"]


def test_a_screening_document_may_not_dial(centre, phone):
    centre.twiml("/incoming", screened_dial())
    forbidden = VoiceResponse()
    forbidden.dial("+48601000099")
    centre.twiml("/screen", forbidden)
    centre.twiml("/dial-done", after_dial())
    phone.post(f"/emulator/endpoints/{CONSULTANT}", {"auto_answer": True})

    sid = phone.call(CALLER, script=[])
    phone.wait_end(sid)

    leg = leg_of(phone, sid)
    assert any("13201" in e["text"] for e in leg["events"] if e["kind"] == "error")
    assert centre.requests_to("/dial-done")[0].form["DialCallStatus"] == "no-answer"


def test_the_caller_hanging_up_during_the_screening_ends_the_leg(centre, phone):
    serve_screening(centre, screened_dial())
    slow = VoiceResponse()
    slow.pause(length=100)
    centre.twiml("/screen", slow)
    phone.post(f"/emulator/endpoints/{CONSULTANT}", {"auto_answer": True})

    sid = phone.call(CALLER, script=[])
    phone.wait_event(sid, "screen")
    phone.post(f"/emulator/calls/{sid}/hangup")
    phone.wait_end(sid)

    leg = phone.wait_end(leg_of(phone, sid)["sid"])
    assert leg["status"] == "completed"
    assert centre.wait_for("/dial-done")[0].form["CallStatus"] == "completed"
    assert phone.get(f"/emulator/endpoints/{CONSULTANT}").json()["state"] == "idle"


def test_the_dialled_leg_reports_each_progress_event_it_was_asked_for(centre, phone):
    events = "initiated ringing answered completed"
    serve_screening(
        centre,
        screened_dial(status_callback="/leg-status", status_callback_event=events),
    )
    phone.post(
        f"/emulator/endpoints/{CONSULTANT}",
        {"auto_answer": True, "screen_digits": "1", "hangup_after": 0.2},
    )

    sid = phone.call(CALLER, script=[])
    phone.wait_end(sid)

    callbacks = centre.wait_for("/leg-status", count=4)
    forms = [seen.form for seen in callbacks]
    assert [form["CallStatus"] for form in forms] == [
        "queued",
        "ringing",
        "in-progress",
        "completed",
    ]
    assert [form["SequenceNumber"] for form in forms] == ["0", "1", "2", "3"]
    leg_sid = forms[0]["CallSid"]
    assert leg_sid != sid
    for form in forms:
        assert form["CallSid"] == leg_sid
        assert form["ParentCallSid"] == sid
        assert form["CallbackSource"] == "call-progress-events"
        assert form["Direction"] == "outbound-dial"
        assert form["Timestamp"].endswith("+0000")
        assert form["To"] == CONSULTANT
    assert int(forms[-1]["CallDuration"]) >= 1
    assert all(seen.signed for seen in callbacks)


def test_a_client_leg_reports_only_completed_by_default(centre, phone):
    response = VoiceResponse()
    dialing = Dial(timeout=1)
    dialing.client("bogdan", status_callback="/leg-status")
    response.append(dialing)
    centre.twiml("/incoming", response)

    phone.wait_end(phone.call(CALLER, script=[]))
    time.sleep(0.2)

    forms = [seen.form for seen in centre.wait_for("/leg-status")]
    assert [form["CallStatus"] for form in forms] == ["no-answer"]


def test_screening_settings_are_checked(phone):
    for settings in ({"screen_digits": "x"}, {"voicemail_after": -1}, {"voicemail_after": "5"}):
        assert phone.post(f"/emulator/endpoints/{CONSULTANT}", settings).status_code == 400
    accepted = phone.post(
        f"/emulator/endpoints/{CONSULTANT}", {"screen_digits": "1", "voicemail_after": 12}
    ).json()
    assert (accepted["screen_digits"], accepted["voicemail_after"]) == ("1", 12.0)
    assert phone.post(f"/emulator/endpoints/{CONSULTANT}/press", {"digits": "1"}).status_code == 409
