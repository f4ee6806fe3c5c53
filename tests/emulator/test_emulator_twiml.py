"""The call engine drives TwiML the way Twilio does: signatures, Gather, Redirect, errors."""

from __future__ import annotations

import io
import time
import wave

import requests
from flask import Request, Response
from twilio.twiml.voice_response import Gather, VoiceResponse

from emulator.config import DEFAULT_HOTLINE_NUMBER


def menu(action: str = "/menu", **gather_options: object) -> VoiceResponse:
    """Return a one-question menu followed by a re-prompt, as the centre should write it."""
    response = VoiceResponse()
    gather = Gather(action=action, **gather_options)
    gather.say("Dzień dobry. Naciśnij 1, aby mówić z doradcą.", language="pl-PL")
    response.append(gather)
    response.say("Nie wybrano żadnej opcji.", language="pl-PL")
    return response


def goodbye(text: str = "Do widzenia.") -> VoiceResponse:
    response = VoiceResponse()
    response.say(text, language="pl-PL")
    response.hangup()
    return response


def test_webhooks_are_signed_and_carry_twilio_parameters(centre, phone):
    centre.twiml("/incoming", menu(num_digits=1))
    centre.twiml("/menu", goodbye())

    sid = phone.call("+48601234567", script=[{"press": "1"}])
    phone.wait_end(sid)
    status = centre.wait_for("/status")[0]

    first = centre.requests_to("/incoming")[0]
    assert all(seen.signed for seen in centre.seen)
    assert first.method == "POST"
    assert first.form["CallSid"] == sid
    assert first.form["AccountSid"].startswith("AC")
    assert first.form["From"] == first.form["Caller"] == "+48601234567"
    assert first.form["To"] == first.form["Called"] == DEFAULT_HOTLINE_NUMBER
    assert first.form["CallStatus"] == "ringing"
    assert first.form["Direction"] == "inbound"
    assert first.form["ApiVersion"] == "2010-04-01"
    assert first.form["FromCountry"] == first.form["ToCountry"] == "PL"
    assert "FromCity" in first.form
    later = centre.requests_to("/menu")[0]
    assert later.form["CallStatus"] == "in-progress"
    assert later.form["Digits"] == "1"
    assert status.form["CallStatus"] == "completed"
    assert int(status.form["CallDuration"]) >= 1


def test_forged_signature_makes_the_caller_hear_an_application_error(centre, phone):
    centre.validating_token = "not-the-emulator-token"
    centre.twiml("/incoming", goodbye())

    call = phone.wait_end(phone.call(script=[]))

    error = next(event for event in call["events"] if event["kind"] == "error")
    assert error["status"] == 403
    assert error["url"].endswith("/incoming")
    assert any("application error" in text for text in phone.said(call))
    assert call["status"] == "completed"


def test_gather_keypad_digits_go_to_the_action(centre, phone):
    centre.twiml("/incoming", menu(finish_on_key="#", timeout=3))
    centre.twiml("/menu", goodbye())

    call = phone.wait_end(phone.call(script=[{"press": "123#"}]))

    request = centre.requests_to("/menu")[0]
    assert request.form["Digits"] == "123"
    assert request.form["FinishedOnKey"] == "#"
    assert phone.said(call)[-1] == "Do widzenia."


def test_gather_speech_sends_speech_result_and_confidence(centre, phone):
    centre.twiml("/incoming", menu(input="speech", language="pl-PL"))
    centre.twiml("/menu", goodbye())

    phone.wait_end(phone.call(script=[{"say": "Białystok"}]))

    form = centre.requests_to("/menu")[0].form
    assert form["SpeechResult"] == "Białystok"
    assert 0 < float(form["Confidence"]) <= 1
    assert "Digits" not in form


def test_silence_goes_on_with_the_next_verb_without_requesting_the_action(centre, phone):
    response = menu(num_digits=1)
    response.redirect("/incoming-again")
    centre.twiml("/incoming", response)
    centre.twiml("/incoming-again", goodbye())

    call = phone.wait_end(phone.call(script=[{"silence": True}]))

    assert centre.requests_to("/menu") == []
    assert "Nie wybrano żadnej opcji." in phone.said(call)
    assert centre.requests_to("/incoming-again")
    assert "silence" in phone.kinds(call)


def test_action_on_empty_result_requests_the_action_on_silence(centre, phone):
    centre.twiml("/incoming", menu(num_digits=1, action_on_empty_result=True))
    centre.twiml("/menu", goodbye())

    phone.wait_end(phone.call(script=[{"silence": True}]))

    form = centre.requests_to("/menu")[0].form
    assert "Digits" not in form
    assert "SpeechResult" not in form


def test_keypad_only_gather_does_not_hear_speech(centre, phone):
    centre.twiml("/incoming", menu(num_digits=1))
    centre.twiml("/menu", goodbye())

    call = phone.wait_end(phone.call(script=[{"say": "jeden"}, {"hangup": True}]))

    assert centre.requests_to("/menu") == []
    assert any("not heard" in event["text"] for event in call["events"])


def test_a_finished_script_hangs_up_at_the_next_gather(centre, phone):
    centre.twiml("/incoming", menu(num_digits=1))

    call = phone.wait_end(phone.call(script=[]))

    hangup = next(event for event in call["events"] if event["kind"] == "hangup")
    assert "script has ended" in hangup["text"]
    assert centre.requests_to("/menu") == []


def test_redirect_resolves_relative_urls_against_the_current_document(centre, phone):
    first = VoiceResponse()
    first.redirect("../ivr/step2?lang=pl")
    centre.twiml("/ivr/start", first)
    second = VoiceResponse()
    second.redirect("step3", method="GET")
    centre.twiml("/ivr/step2", second)
    centre.twiml("/ivr/step3", goodbye())
    entry = VoiceResponse()
    entry.redirect("ivr/start")
    centre.twiml("/incoming", entry)

    phone.wait_end(phone.call(script=[]))

    assert centre.requests_to("/ivr/start")[0].method == "POST"
    assert centre.requests_to("/ivr/step2")[0].args == {"lang": "pl"}
    step3 = centre.requests_to("/ivr/step3")[0]
    assert step3.method == "GET"
    assert step3.args["CallSid"].startswith("CA")
    assert step3.signed


def test_a_302_turns_the_post_into_a_get_and_loses_the_digits(centre, phone):
    centre.twiml("/incoming", menu(action="/old-menu", num_digits=1))
    centre.route("/old-menu")(
        lambda _request: Response("", status=302, headers={"Location": "/new"})
    )
    centre.twiml("/new", goodbye("Nowe menu."))

    call = phone.wait_end(phone.call(script=[{"press": "2"}]))

    assert centre.requests_to("/old-menu")[0].form["Digits"] == "2"
    moved = centre.requests_to("/new")[0]
    assert moved.method == "GET"
    assert moved.args == {}
    assert moved.signed
    assert "Nowe menu." in phone.said(call)


def test_http_errors_and_bad_xml_end_the_call_with_an_application_error(centre, phone):
    centre.route("/incoming")(lambda _request: Response("boom", status=500))
    broken = phone.wait_end(phone.call(script=[]))
    centre.route("/incoming")(lambda _request: Response("<Response><Say>", mimetype="text/xml"))
    unparsable = phone.wait_end(phone.call(script=[]))
    centre.route("/incoming")(lambda _request: Response("<Say>hi</Say>", mimetype="text/xml"))
    wrong_root = phone.wait_end(phone.call(script=[]))

    for call in (broken, unparsable, wrong_root):
        assert "error" in phone.kinds(call)
        assert any("application error" in text for text in phone.said(call))
    assert next(e for e in broken["events"] if e["kind"] == "error")["status"] == 500


def test_cookies_are_kept_for_the_duration_of_a_call(centre, phone):
    def first(_request: Request) -> Response:
        response = VoiceResponse()
        response.redirect("/second")
        reply = Response(str(response), mimetype="text/xml")
        reply.set_cookie("session", "abc")
        return reply

    centre.route("/incoming")(first)
    centre.twiml("/second", goodbye())

    phone.wait_end(phone.call(script=[]))

    assert centre.requests_to("/second")[0].cookies == {"session": "abc"}


def test_a_scripted_caller_hangs_up_after_waiting(centre, phone):
    response = VoiceResponse()
    response.pause(length=60)
    centre.twiml("/incoming", response)

    started = time.monotonic()
    call = phone.wait_end(phone.call(script=[{"wait": 5}, {"hangup": True}]))

    assert time.monotonic() - started < 1.0
    assert [e["text"] for e in call["events"] if e["kind"] == "hangup"] == ["caller hangs up"]
    assert centre.wait_for("/status")[0].form["CallStatus"] == "completed"


def test_an_interactive_caller_presses_keys_through_the_control_api(centre, phone):
    centre.twiml("/incoming", menu(num_digits=1, timeout=100))
    centre.twiml("/menu", goodbye())

    sid = phone.call()
    phone.wait_event(sid, "gather")
    assert phone.post(f"/emulator/calls/{sid}/input", {"digits": "7"}).json() == {"heard": True}
    phone.wait_end(sid)

    assert centre.requests_to("/menu")[0].form["Digits"] == "7"


def test_an_interactive_caller_can_hang_up(centre, phone):
    response = VoiceResponse()
    response.pause(length=100)
    centre.twiml("/incoming", response)

    sid = phone.call()
    phone.wait_event(sid, "pause")
    assert phone.post(f"/emulator/calls/{sid}/hangup").status_code == 200
    call = phone.wait_end(sid)

    assert call["status"] == "completed"
    assert phone.post(f"/emulator/calls/{sid}/hangup").status_code == 409


def test_a_redirect_loop_is_throttled_and_stopped_by_the_maximum_duration(centre, phone):
    loop = VoiceResponse()
    loop.redirect("/incoming")
    centre.twiml("/incoming", loop)

    call = phone.wait_end(phone.call(script=[], max_duration=0.5), timeout=5)

    assert 3 <= len(centre.requests_to("/incoming")) <= 14
    assert any("maximum duration" in e["text"] for e in call["events"])


def test_record_reports_a_fetchable_recording(centre, phone, emulator):
    response = VoiceResponse()
    response.say("Zostaw wiadomość po sygnale.", language="pl-PL")
    response.record(
        action="/recorded",
        max_length=30,
        recording_status_callback="/recording-ready",
    )
    centre.twiml("/incoming", response)
    centre.twiml("/recorded", goodbye())

    phone.wait_end(phone.call(script=[{"record": "Proszę o telefon w sprawie zasiłku"}]))
    form = centre.requests_to("/recorded")[0].form
    ready = centre.wait_for("/recording-ready")[0].form

    assert form["RecordingSid"].startswith("RE")
    assert form["RecordingUrl"].startswith(emulator.url + "/2010-04-01/Accounts/")
    assert int(form["RecordingDuration"]) >= 1
    assert form["Digits"] == ""
    assert ready["RecordingStatus"] == "completed"
    assert ready["RecordingSid"] == form["RecordingSid"]
    audio = requests.get(form["RecordingUrl"], timeout=5)
    assert audio.headers["Content-Type"].startswith("audio/")
    with wave.open(io.BytesIO(audio.content)) as wav:
        assert round(wav.getnframes() / wav.getframerate()) == int(form["RecordingDuration"])
    mp3 = requests.get(form["RecordingUrl"] + ".mp3", timeout=5)
    assert mp3.headers["Content-Type"] == "audio/mpeg"
    assert mp3.content[:2] == b"\xff\xfb"
    recordings = phone.get("/emulator/recordings").json()
    assert recordings[0]["transcript"] == "Proszę o telefon w sprawie zasiłku"


def test_record_with_transcribe_posts_the_words_signed_and_a_short_one_as_failed(centre, phone):
    response = VoiceResponse()
    response.record(action="/recorded", transcribe=True, transcribe_callback="/transcribed")
    centre.twiml("/incoming", response)
    centre.twiml("/recorded", goodbye())
    said = "Proszę o telefon w sprawie zasiłku i dokumentów do rejestracji w urzędzie"

    phone.wait_end(phone.call(script=[{"record": said}]))
    (seen,) = centre.wait_for("/transcribed", timeout=30)
    recorded = centre.requests_to("/recorded")[0].form

    assert seen.signed and seen.method == "POST"
    assert seen.form["TranscriptionStatus"] == "completed"
    assert seen.form["TranscriptionText"] == said
    assert seen.form["TranscriptionSid"].startswith("TR")
    assert seen.form["RecordingSid"] == recorded["RecordingSid"]
    assert seen.form["RecordingUrl"] == recorded["RecordingUrl"]
    assert seen.form["CallSid"] == recorded["CallSid"]

    phone.wait_end(phone.call(script=[{"record": "Tak"}]))
    short = centre.wait_for("/transcribed", count=2, timeout=30)[1]
    assert (short.form["TranscriptionStatus"], short.form["TranscriptionText"]) == ("failed", "")


def test_record_with_nothing_said_goes_on_without_the_action(centre, phone):
    response = VoiceResponse()
    response.record(action="/recorded", timeout=2)
    response.say("Nic nie nagrano.", language="pl-PL")
    centre.twiml("/incoming", response)

    call = phone.wait_end(phone.call(script=[{"silence": True}]))

    assert centre.requests_to("/recorded") == []
    assert "Nic nie nagrano." in phone.said(call)


def test_reject_refuses_the_call_as_busy(centre, phone):
    response = VoiceResponse()
    response.reject(reason="busy")
    centre.twiml("/incoming", response)

    call = phone.wait_end(phone.call(script=[]))

    assert call["status"] == "busy"
    assert phone.said(call) == []
    assert centre.wait_for("/status")[0].form["CallStatus"] == "busy"


def test_a_call_whose_page_stops_polling_hangs_up(centre, phone):
    response = VoiceResponse()
    response.pause(length=100)
    centre.twiml("/incoming", response)

    kept = phone.call(heartbeat=0.4)
    quiet = phone.call(heartbeat=0.4)
    for _poll in range(10):
        assert phone.get(f"/emulator/calls/{kept}/events?after=0").status_code == 200
        time.sleep(0.1)
    assert phone.show(kept)["status"] == "in-progress"
    ended = phone.wait_end(quiet, timeout=2)
    assert ended["status"] == "completed"
    assert any("page went quiet" in event["text"] for event in ended["events"])
    phone.wait_end(kept, timeout=2)


def test_a_heartbeat_must_be_a_positive_number(phone):
    for bad in (0, -1, "soon", True):
        response = phone.post("/emulator/calls", {"from": "+48601234567", "heartbeat": bad})
        assert response.status_code == 400
        assert "heartbeat" in response.json()["error"]
