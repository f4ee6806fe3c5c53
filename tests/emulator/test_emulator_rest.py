"""Twilio's REST API as the emulator serves it: checked against the published description."""

from __future__ import annotations

import pytest
import requests
from twilio.base.exceptions import TwilioRestException
from twilio.twiml.voice_response import Gather, VoiceResponse

from emulator.spec import load_spec


def api(emulator, path: str) -> str:
    return f"{emulator.url}/2010-04-01/Accounts/{emulator.config.account_sid}/{path}"


def credentials(emulator) -> tuple[str, str]:
    return emulator.config.account_sid, emulator.config.auth_token


def assert_twilio_error(response: requests.Response, status: int, code: int) -> dict:
    body = response.json()
    assert response.status_code == status, body
    assert set(body) == {"code", "message", "more_info", "status"}
    assert body["code"] == code
    assert body["status"] == status
    assert body["more_info"] == f"https://www.twilio.com/docs/errors/{code}"
    return body


def test_wrong_credentials_are_refused_with_20003(emulator):
    wrong = requests.get(
        api(emulator, "Calls.json"), auth=(emulator.config.account_sid, "wrong"), timeout=5
    )
    missing = requests.get(api(emulator, "Calls.json"), timeout=5)

    assert_twilio_error(wrong, 401, 20003)
    assert_twilio_error(missing, 401, 20003)
    assert wrong.headers["WWW-Authenticate"].startswith("Basic")


def test_an_unknown_parameter_is_refused(emulator):
    response = requests.post(
        api(emulator, "Messages.json"),
        data={"To": "+48601234567", "From": "+48221952400", "Body": "Hej", "Colour": "red"},
        auth=credentials(emulator),
        timeout=5,
    )

    body = assert_twilio_error(response, 400, 20001)
    assert "Colour" in body["message"]


def test_methods_and_paths_the_description_lacks_are_refused(emulator):
    auth = credentials(emulator)
    wrong_method = requests.put(api(emulator, "Calls.json"), auth=auth, timeout=5)
    unknown_path = requests.get(api(emulator, "Telephones.json"), auth=auth, timeout=5)
    bad_sid = requests.get(api(emulator, "Calls/XY123.json"), auth=auth, timeout=5)
    unknown_call = requests.get(
        api(emulator, "Calls/CA" + "0" * 32 + ".json"), auth=auth, timeout=5
    )

    assert_twilio_error(wrong_method, 405, 20004)
    assert_twilio_error(unknown_path, 404, 20404)
    assert_twilio_error(bad_sid, 404, 20404)
    assert_twilio_error(unknown_call, 404, 20404)


def test_required_parameters_enums_and_types_are_checked(emulator):
    auth = credentials(emulator)
    no_to = requests.post(
        api(emulator, "Calls.json"), data={"From": "+48221952400"}, auth=auth, timeout=5
    )
    bad_method = requests.post(
        api(emulator, "Calls.json"),
        data={
            "To": "client:anna",
            "From": "+48221952400",
            "Url": "http://x.test/",
            "Method": "PUT",
        },
        auth=auth,
        timeout=5,
    )
    bad_integer = requests.post(
        api(emulator, "Queues.json"),
        data={"FriendlyName": "q", "MaxSize": "many"},
        auth=auth,
        timeout=5,
    )
    relative_url = requests.post(
        api(emulator, "Calls.json"),
        data={"To": "client:anna", "From": "+48221952400", "Url": "/relative"},
        auth=auth,
        timeout=5,
    )

    assert_twilio_error(no_to, 400, 21201)
    assert "Method" in assert_twilio_error(bad_method, 400, 400)["message"]
    assert "MaxSize" in assert_twilio_error(bad_integer, 400, 400)["message"]
    assert_twilio_error(relative_url, 400, 21205)


def test_the_twilio_client_reports_emulator_errors(twilio_client):
    with pytest.raises(TwilioRestException) as raised:
        twilio_client.calls("CA" + "f" * 32).fetch()

    assert raised.value.status == 404
    assert raised.value.code == 20404


def test_messages_are_sent_and_reported(centre, emulator, twilio_client, phone):
    message = twilio_client.messages.create(
        to="+48601234567",
        from_="+48221952400",
        body="Twój numer zgłoszenia: 123",
        status_callback=centre.url + "/sms-status",
    )

    assert message.sid.startswith("SM")
    assert message.status == "queued"
    assert message.body == "Twój numer zgłoszenia: 123"
    callbacks = centre.wait_for("/sms-status", count=2)
    assert [seen.form["MessageStatus"] for seen in callbacks] == ["sent", "delivered"]
    assert all(seen.signed for seen in callbacks)
    assert twilio_client.messages(message.sid).fetch().status == "delivered"
    assert [m.sid for m in twilio_client.messages.list(to="+48601234567")] == [message.sid]
    sent = phone.get("/emulator/messages").json()
    assert [(m["to"], m["body"]) for m in sent] == [("+48601234567", "Twój numer zgłoszenia: 123")]


def test_a_message_needs_a_sender_and_a_body(emulator):
    auth = credentials(emulator)
    no_sender = requests.post(
        api(emulator, "Messages.json"), data={"To": "+48601234567", "Body": "x"}, auth=auth
    )
    no_body = requests.post(
        api(emulator, "Messages.json"),
        data={"To": "+48601234567", "From": "+48221952400"},
        auth=auth,
    )

    assert_twilio_error(no_sender, 400, 21603)
    assert_twilio_error(no_body, 400, 21602)


def test_a_live_call_is_redirected_and_ended_through_the_rest_api(centre, phone, twilio_client):
    hold = VoiceResponse()
    hold.pause(length=100)
    centre.twiml("/incoming", hold)
    moved = VoiceResponse()
    moved.say("Przekierowano.", language="pl-PL")
    moved.pause(length=100)
    centre.twiml("/moved", moved)

    sid = phone.call(script=[])
    phone.wait_event(sid, "pause")
    updated = twilio_client.calls(sid).update(url=centre.url + "/moved", method="POST")
    phone.wait_event(sid, "say", "Przekierowano.")
    twilio_client.calls(sid).update(status="completed")
    call = phone.wait_end(sid)

    assert updated.sid == sid
    assert call["status"] == "completed"
    assert centre.requests_to("/moved")[0].form["CallStatus"] == "in-progress"
    with pytest.raises(TwilioRestException) as raised:
        twilio_client.calls(sid).update(url=centre.url + "/moved")
    assert raised.value.code == 21220


def test_an_outbound_call_rings_the_endpoint_and_runs_its_twiml(centre, phone, twilio_client):
    response = VoiceResponse()
    gather = Gather(num_digits=1, action="/outbound-choice")
    gather.say("Oddzwaniamy w sprawie zgłoszenia. Naciśnij 5.", language="pl-PL")
    response.append(gather)
    centre.twiml("/outbound", response)
    done = VoiceResponse()
    done.hangup()
    centre.twiml("/outbound-choice", done)
    phone.post(
        "/emulator/endpoints/+48601999888", {"auto_answer": True, "script": [{"press": "5"}]}
    )

    call = twilio_client.calls.create(
        to="+48601999888",
        from_="+48221952400",
        url=centre.url + "/outbound",
        status_callback=centre.url + "/outbound-status",
        status_callback_event=["initiated", "answered", "completed"],
    )
    phone.wait_end(call.sid)

    first = centre.requests_to("/outbound")[0].form
    assert first["Direction"] == "outbound-api"
    assert first["CallStatus"] == "in-progress"
    assert first["To"] == "+48601999888"
    assert centre.requests_to("/outbound-choice")[0].form["Digits"] == "5"
    statuses = [seen.form["CallStatus"] for seen in centre.wait_for("/outbound-status", 3)]
    assert statuses == ["queued", "in-progress", "completed"]
    assert twilio_client.calls(call.sid).fetch().status == "completed"


def test_an_unanswered_outbound_call_ends_no_answer(centre, phone, twilio_client):
    call = twilio_client.calls.create(
        to="client:away",
        from_="+48221952400",
        twiml="<Response><Say>Halo</Say></Response>",
        timeout=1,
        status_callback=centre.url + "/outbound-status",
    )
    phone.wait_end(call.sid)

    assert centre.wait_for("/outbound-status")[0].form["CallStatus"] == "no-answer"
    assert twilio_client.calls(call.sid).fetch().status == "no-answer"


def test_lists_page_like_twilio(twilio_client):
    for name in ("pierwsza", "druga", "trzecia"):
        twilio_client.queues.create(friendly_name=name)

    names = [queue.friendly_name for queue in twilio_client.queues.list(page_size=2)]
    first_page = twilio_client.queues.page(page_size=2)

    assert names == ["pierwsza", "druga", "trzecia"]
    assert len(list(first_page)) == 2
    assert first_page.next_page_url is not None


def test_responses_have_exactly_the_properties_of_the_description(centre, emulator, phone):
    spec = load_spec()
    auth = credentials(emulator)
    recorder = VoiceResponse()
    recorder.record(max_length=5, action="/recorded")
    centre.twiml("/incoming", recorder)
    queue = VoiceResponse()
    queue.enqueue("kolejka", wait_url="/wait")
    centre.twiml("/recorded", queue)
    wait = VoiceResponse()
    wait.pause(length=5)
    centre.twiml("/wait", wait)
    sid = phone.call(script=[{"record": "Dzień dobry"}])
    centre.wait_for("/wait")
    requests.post(
        api(emulator, "Messages.json"),
        data={"To": "+48601234567", "From": "+48221952400", "Body": "Hej"},
        auth=auth,
        timeout=5,
    )
    queue_sid = phone.get("/emulator/queues").json()[0]["sid"]
    recording_sid = phone.get("/emulator/recordings").json()[0]["sid"]
    message_sid = phone.get("/emulator/messages").json()[0]["sid"]

    checked = [
        ("GET", "Calls.json"),
        ("GET", f"Calls/{sid}.json"),
        ("GET", "Queues.json"),
        ("GET", f"Queues/{queue_sid}.json"),
        ("GET", f"Queues/{queue_sid}/Members.json"),
        ("GET", f"Queues/{queue_sid}/Members/Front.json"),
        ("GET", "Messages.json"),
        ("GET", f"Messages/{message_sid}.json"),
        ("GET", f"Recordings/{recording_sid}.json"),
        ("GET", "Recordings.json"),
        ("GET", f"Calls/{sid}/Recordings.json"),
        ("GET", f"Calls/{sid}/Recordings/{recording_sid}.json"),
    ]
    for method, path in checked:
        response = requests.request(method, api(emulator, path), auth=auth, timeout=5)
        assert response.status_code == 200, (path, response.text)
        operation, _ = spec.match(
            method, f"/2010-04-01/Accounts/{emulator.config.account_sid}/{path}"
        )
        assert set(response.json()) == set(operation.response_schema["properties"]), path
        problems = spec.conformance_problems(operation.response_schema, response.json())
        assert problems == [], (path, problems)
    phone.post(f"/emulator/calls/{sid}/hangup")


def test_recordings_are_listed_by_the_day_they_were_created(emulator, twilio_client):
    from datetime import UTC, datetime

    from emulator.models import Recording

    network = emulator.network
    made = {
        "RE" + "d1".rjust(32, "0"): datetime(2026, 1, 10, 23, 0, tzinfo=UTC),
        "RE" + "d2".rjust(32, "0"): datetime(2026, 1, 11, 0, 30, tzinfo=UTC),
    }
    with network.lock:
        for sid, created in made.items():
            network.recordings[sid] = Recording(
                sid=sid, account_sid=network.config.account_sid, call_sid="CA" + "d" * 32,
                duration=2, transcript="", created_at=created,
            )  # fmt: skip

    def listed(**filters) -> set[str]:
        return {item.sid for item in twilio_client.recordings.list(**filters)} & set(made)

    assert listed(date_created_before=datetime(2026, 1, 10, 23, 59, 59, tzinfo=UTC)) == {
        "RE" + "d1".rjust(32, "0")
    }
    assert listed(date_created_after=datetime(2026, 1, 11, tzinfo=UTC)) == {
        "RE" + "d2".rjust(32, "0")
    }
    assert listed() == set(made)
