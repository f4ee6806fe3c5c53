"""Queues: the wait loop, Leave, hangups while waiting, the Members API and <Dial><Queue>."""

from __future__ import annotations

from twilio.twiml.voice_response import Dial, VoiceResponse


def enqueue(name: str = "consultants", wait_url: str | None = "/wait") -> VoiceResponse:
    response = VoiceResponse()
    response.enqueue(name, action="/after-queue", wait_url=wait_url)
    response.say("Po kolejce.", language="pl-PL")
    return response


def hold(text: str = "Proszę czekać.") -> VoiceResponse:
    response = VoiceResponse()
    response.say(text, language="pl-PL")
    response.pause(length=2)
    return response


def said_after(text: str) -> VoiceResponse:
    response = VoiceResponse()
    response.say(text, language="pl-PL")
    response.hangup()
    return response


def test_wait_url_is_replayed_with_queue_parameters(centre, phone):
    centre.twiml("/incoming", enqueue())
    centre.twiml("/wait", hold())
    centre.twiml("/after-queue", said_after("Koniec."))

    sid = phone.call(script=[])
    waits = centre.wait_for("/wait", count=3)
    form = waits[0].form

    assert form["QueueSid"].startswith("QU")
    assert form["QueuePosition"] == "1"
    assert form["CurrentQueueSize"] == "1"
    assert form["MaxQueueSize"] == "100"
    assert form["QueueTime"].isdigit()
    assert form["AvgQueueTime"].isdigit()
    assert form["CallSid"] == sid
    assert all(seen.signed for seen in waits)
    phone.post(f"/emulator/calls/{sid}/hangup")
    phone.wait_end(sid)


def test_members_api_takes_the_caller_out_and_the_call_goes_on_at_url(centre, phone, twilio_client):
    centre.twiml("/incoming", enqueue())
    centre.twiml("/wait", hold())
    centre.twiml("/after-queue", said_after("Nie powinno być słychać."))
    centre.twiml("/consultant-ready", said_after("Łączę z doradcą."))

    first = phone.call("+48601000001", script=[])
    phone.wait_event(first, "enqueue")
    second = phone.call("+48601000002", script=[])
    phone.wait_event(second, "enqueue")
    queue = next(q for q in twilio_client.queues.list() if q.friendly_name == "consultants")
    members = twilio_client.queues(queue.sid).members.list()
    assert [member.call_sid for member in members] == [first, second]
    assert [member.position for member in members] == [1, 2]

    member = (
        twilio_client.queues(queue.sid)
        .members("Front")
        .update(url=centre.url + "/consultant-ready", method="POST")
    )

    assert member.call_sid == first
    call = phone.wait_end(first)
    assert phone.said(call)[-1] == "Łączę z doradcą."
    assert centre.requests_to("/consultant-ready")[0].form["CallSid"] == first
    action = centre.requests_to("/after-queue")[0].form
    assert action["QueueResult"] == "redirected"
    assert action["QueueSid"] == queue.sid
    assert [m.call_sid for m in twilio_client.queues(queue.sid).members.list()] == [second]
    twilio_client.queues(queue.sid).members(second).update(
        url=centre.url + "/consultant-ready", method="POST"
    )
    phone.wait_end(second)


def test_leave_ends_the_wait_and_the_action_gets_queue_result_leave(centre, phone):
    centre.twiml("/incoming", enqueue())
    wait = VoiceResponse()
    wait.say("Wszyscy doradcy są zajęci.", language="pl-PL")
    wait.leave()
    centre.twiml("/wait", wait)
    centre.twiml("/after-queue", said_after("Prosimy zadzwonić później."))

    call = phone.wait_end(phone.call(script=[]))

    form = centre.requests_to("/after-queue")[0].form
    assert form["QueueResult"] == "leave"
    assert form["QueueSid"].startswith("QU")
    assert form["QueueTime"].isdigit()
    assert phone.said(call)[-1] == "Prosimy zadzwonić później."


def test_a_caller_hanging_up_in_the_queue_reaches_the_action(centre, phone):
    centre.twiml("/incoming", enqueue())
    centre.twiml("/wait", hold())
    centre.twiml("/after-queue", said_after("Nie powinno być słychać."))

    call = phone.wait_end(phone.call(script=[{"wait": 10}, {"hangup": True}]))

    form = centre.wait_for("/after-queue")[0].form
    assert form["QueueResult"] == "hangup"
    assert form["CallStatus"] == "completed"
    assert "Nie powinno być słychać." not in phone.said(call)
    queues = phone.get("/emulator/queues").json()
    assert queues[0]["members"] == []


def test_a_full_queue_sends_the_caller_to_the_action(centre, phone, twilio_client):
    twilio_client.queues.create(friendly_name="consultants", max_size=1)
    centre.twiml("/incoming", enqueue())
    centre.twiml("/wait", hold())
    centre.twiml("/after-queue", said_after("Kolejka pełna."))

    waiting = phone.call("+48601000001", script=[])
    centre.wait_for("/wait")
    turned_away = phone.wait_end(phone.call("+48601000002", script=[]))

    assert centre.requests_to("/after-queue")[0].form["QueueResult"] == "queue-full"
    assert phone.said(turned_away)[-1] == "Kolejka pełna."
    phone.post(f"/emulator/calls/{waiting}/hangup")


def test_a_wait_document_may_not_dial(centre, phone):
    centre.twiml("/incoming", enqueue())
    wait = VoiceResponse()
    wait.dial("+48601000009")
    centre.twiml("/wait", wait)
    centre.twiml("/after-queue", said_after("Błąd kolejki."))

    call = phone.wait_end(phone.call(script=[]))

    assert centre.requests_to("/after-queue")[0].form["QueueResult"] == "error"
    assert "error" in phone.kinds(call)


def test_dial_queue_bridges_the_front_caller_until_the_agent_hangs_up(centre, phone, twilio_client):
    centre.twiml("/incoming", enqueue())
    centre.twiml("/wait", hold())
    centre.twiml("/after-queue", said_after("Dziękujemy za rozmowę."))
    agent_twiml = VoiceResponse()
    dial = Dial(action="/agent-done", timeout=5)
    dial.queue("consultants", url="/whisper")
    agent_twiml.append(dial)
    centre.twiml("/agent", agent_twiml)
    whisper = VoiceResponse()
    whisper.say("Łączymy z doradcą.", language="pl-PL")
    centre.twiml("/whisper", whisper)
    centre.twiml("/agent-done", said_after("Rozmowa zakończona."))
    phone.post("/emulator/endpoints/client:anna", {"auto_answer": True, "hangup_after": 0.4})

    caller = phone.call(script=[])
    centre.wait_for("/wait")
    agent_call = twilio_client.calls.create(
        to="client:anna", from_="+48221952400", url=centre.url + "/agent"
    )

    caller_view = phone.wait_end(caller)
    agent_view = phone.wait_end(agent_call.sid)
    bridged = centre.wait_for("/after-queue")[0].form
    assert bridged["QueueResult"] == "bridged"
    assert "Łączymy z doradcą." in phone.said(caller_view)
    assert phone.said(caller_view)[-1] == "Dziękujemy za rozmowę."
    assert "connected" in phone.kinds(caller_view)
    dial_result = centre.requests_to("/agent-done")[0].form
    assert dial_result["DialCallStatus"] == "completed"
    assert dial_result["DialCallSid"] == caller
    assert int(dial_result["DialCallDuration"]) >= 1
    assert agent_view["direction"] == "outbound-api"
    whisper_request = centre.requests_to("/whisper")[0].form
    assert whisper_request["DequeingCallSid"] == agent_call.sid


def test_a_rest_redirect_takes_the_caller_out_of_the_queue(centre, phone, twilio_client):
    centre.twiml("/incoming", enqueue())
    centre.twiml("/wait", hold())
    centre.twiml("/after-queue", said_after("Nie powinno być słychać."))

    sid = phone.call(script=[])
    centre.wait_for("/wait")
    twilio_client.calls(sid).update(
        twiml='<Response><Say language="pl-PL">Oddzwonimy.</Say></Response>'
    )
    call = phone.wait_end(sid)

    assert centre.wait_for("/after-queue")[0].form["QueueResult"] == "redirected"
    assert phone.said(call)[-1] == "Oddzwonimy."
    assert phone.get("/emulator/queues").json()[0]["members"] == []


def test_an_interactive_caller_answers_a_gather_in_the_wait_document(centre, phone):
    centre.twiml("/incoming", enqueue())
    wait = VoiceResponse()
    gather = wait.gather(num_digits=1, action="/wait-choice", timeout=100)
    gather.say("Naciśnij 1, aby zamówić oddzwonienie.", language="pl-PL")
    centre.twiml("/wait", wait)
    choice = VoiceResponse()
    choice.say("Zamówiono oddzwonienie.", language="pl-PL")
    choice.leave()
    centre.twiml("/wait-choice", choice)
    centre.twiml("/after-queue", said_after("Do usłyszenia."))

    sid = phone.call()
    phone.wait_event(sid, "gather")
    phone.post(f"/emulator/calls/{sid}/input", {"digits": "1"})
    call = phone.wait_end(sid)

    choice_request = centre.requests_to("/wait-choice")[0].form
    assert choice_request["Digits"] == "1"
    assert choice_request["CallSid"] == sid
    assert "QueueSid" not in choice_request, "a Gather's action is not the waitUrl request"
    assert centre.requests_to("/after-queue")[0].form["QueueResult"] == "leave"
    assert phone.said(call)[-2:] == ["Zamówiono oddzwonienie.", "Do usłyszenia."]


def test_only_twilios_own_requests_for_the_wait_url_carry_the_queue_parameters(centre, phone):
    centre.twiml("/incoming", enqueue())
    wait = hold("Proszę czekać.")
    wait.redirect("/wait?again=1")
    centre.twiml("/wait", wait)
    centre.twiml("/after-queue", said_after("Koniec."))

    sid = phone.call(script=[])
    waits = centre.wait_for("/wait", count=4)
    phone.post(f"/emulator/calls/{sid}/hangup")
    phone.wait_end(sid)

    own = [seen.form for seen in waits if "again" not in seen.url]
    redirected = [seen.form for seen in waits if "again" in seen.url]
    assert own and redirected
    assert all(form["QueueSid"].startswith("QU") and "QueuePosition" in form for form in own)
    assert not [form for form in redirected if "QueueSid" in form or "QueueTime" in form]
    assert all(form["CallSid"] == sid for form in redirected)
