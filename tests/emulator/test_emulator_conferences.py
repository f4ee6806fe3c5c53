"""<Dial><Conference>, the Conference and Participant REST resources, and who hears whom."""

from __future__ import annotations

import time

import requests
from twilio.twiml.voice_response import Dial, VoiceResponse

from emulator.spec import load_spec

CALLER = "+48601234567"
CONSULTANT = "+48601000055"
SUPERVISOR = "+48601000066"
HOTLINE = "+48221952400"
ROOM = "sprawa-123"


def caller_conference(**options: object) -> VoiceResponse:
    response = VoiceResponse()
    dialing = Dial(action="/after-conference")
    dialing.conference(
        ROOM,
        wait_url="/conference-wait",
        status_callback="/conference-status",
        status_callback_event="start end join leave mute hold modify announcement",
        **options,
    )
    response.append(dialing)
    return response


def say(text: str, then_hang_up: bool = False) -> VoiceResponse:
    response = VoiceResponse()
    response.say(text, language="pl-PL")
    if then_hang_up:
        response.hangup()
    return response


def serve_conference(centre, **options: object) -> None:
    centre.twiml("/incoming", caller_conference(**options))
    wait = say("Proszę czekać na doradcę.")
    wait.pause(length=1)
    centre.twiml("/conference-wait", wait)
    centre.twiml("/after-conference", say("Po konferencji.", then_hang_up=True))


def conference_state(phone, sid: str) -> dict:
    response = phone.get(f"/emulator/conferences/{sid}")
    assert response.status_code == 200, response.text
    return response.json()


def participant(state: dict, call_sid: str) -> dict:
    return next(p for p in state["participants"] if p["call_sid"] == call_sid)


# Waits end as soon as what they wait for happens; the bound only has to outlast a loaded machine.
PATIENCE = 60.0


def wait_for(predicate, timeout: float = PATIENCE, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


def join_caller_and_consultant(centre, phone, twilio_client, **options: object):
    """Put a caller in the room, dial a consultant into it, and wait until both talk."""
    serve_conference(centre, **options)
    phone.post(f"/emulator/endpoints/{CONSULTANT}", {"auto_answer": True})
    caller = phone.call(CALLER, script=[])
    conference_sid = phone.wait_event(caller, "join", timeout=PATIENCE)["conference_sid"]
    # Alone in the room the caller hears the wait document; let it start before anyone joins.
    phone.wait_event(caller, "say", "Proszę czekać", timeout=PATIENCE)
    added = twilio_client.conferences(conference_sid).participants.create(
        from_=HOTLINE, to=CONSULTANT, label="consultant"
    )
    wait_for(
        lambda: conference_state(phone, conference_sid)["status"] == "in-progress",
        what="the conference to start",
    )
    return caller, added.call_sid, conference_sid


def test_a_caller_waits_alone_then_talks_with_a_consultant_dialled_in(centre, phone, twilio_client):
    caller, consultant, conference_sid = join_caller_and_consultant(
        centre, phone, twilio_client, end_conference_on_exit=True
    )

    assert conference_sid.startswith("CF")
    assert "Proszę czekać na doradcę." in phone.said(phone.show(caller))
    assert centre.requests_to("/conference-wait")[0].form["CallSid"] == caller
    listed = twilio_client.conferences.list(friendly_name=ROOM, status="in-progress")
    assert [c.sid for c in listed] == [conference_sid]
    people = twilio_client.conferences(conference_sid).participants.list()
    assert {p.call_sid for p in people} == {caller, consultant}
    assert twilio_client.conferences(conference_sid).participants(
        "consultant"
    ).fetch().call_sid == (consultant)
    state = conference_state(phone, conference_sid)
    assert participant(state, caller)["hears"] == [consultant]
    assert participant(state, consultant)["hears"] == [caller]
    assert phone.show(consultant)["direction"] == "outbound-api"
    assert "participant-added" in phone.kinds(phone.show(consultant))

    phone.post(f"/emulator/calls/{caller}/hangup")
    phone.wait_end(caller)
    phone.wait_end(consultant)

    assert twilio_client.conferences(conference_sid).fetch().status == "completed"
    assert twilio_client.conferences(conference_sid).participants.list() == []
    forms = [seen.form for seen in centre.wait_for("/conference-status", count=6)]
    assert [f["StatusCallbackEvent"] for f in forms] == [
        "participant-join",
        "participant-join",
        "conference-start",
        "participant-leave",
        "participant-leave",
        "conference-end",
    ]
    assert [f["SequenceNumber"] for f in forms] == [str(n) for n in range(6)]
    assert all(f["ConferenceSid"] == conference_sid and f["FriendlyName"] == ROOM for f in forms)
    assert forms[0]["CallSid"] == caller and forms[1]["CallSid"] == consultant
    assert forms[1]["ParticipantLabel"] == "consultant"
    assert forms[0]["Muted"] == forms[0]["Hold"] == forms[0]["Coaching"] == "false"
    assert forms[-1]["ReasonConferenceEnded"] == "participant-with-end-conference-on-exit-left"
    assert forms[-1]["CallSidEndingConference"] == caller
    assert all(seen.signed for seen in centre.requests_to("/conference-status"))


def test_the_caller_on_hold_hears_hold_music_and_is_not_heard(centre, phone, twilio_client):
    caller, consultant, conference_sid = join_caller_and_consultant(centre, phone, twilio_client)
    centre.twiml("/hold-music", say("Muzyka na czekanie."))
    room = twilio_client.conferences(conference_sid)

    held = room.participants(caller).update(
        hold=True, hold_url=centre.url + "/hold-music", hold_method="POST"
    )
    phone.wait_event(caller, "say", "Muzyka na czekanie.")
    on_hold = conference_state(phone, conference_sid)
    time.sleep(0.3)
    room.participants(caller).update(hold=False)
    after = conference_state(phone, conference_sid)

    assert held.hold is True
    assert participant(on_hold, caller)["hears"] == []
    assert participant(on_hold, caller)["heard_by"] == []
    assert participant(on_hold, consultant)["hears"] == []
    assert participant(after, caller)["hears"] == [consultant]
    assert participant(after, caller)["held_seconds"] >= 0.3
    assert centre.requests_to("/hold-music")[0].form["CallSid"] == caller
    kinds = phone.kinds(phone.show(caller))
    assert kinds.index("hold") < kinds.index("unhold")
    forms = [seen.form for seen in centre.wait_for("/conference-status", count=5)]
    assert [f["StatusCallbackEvent"] for f in forms[3:]] == [
        "participant-hold",
        "participant-unhold",
    ]
    assert forms[3]["CallSid"] == caller and forms[3]["Hold"] == "true"
    phone.post(f"/emulator/calls/{caller}/hangup")


def test_a_coach_is_heard_only_by_the_consultant(centre, phone, twilio_client):
    caller, consultant, conference_sid = join_caller_and_consultant(centre, phone, twilio_client)
    phone.post(f"/emulator/endpoints/{SUPERVISOR}", {"auto_answer": True})

    coach = twilio_client.conferences(conference_sid).participants.create(
        from_=HOTLINE, to=SUPERVISOR, coaching=True, call_sid_to_coach=consultant, beep="false"
    )
    phone.wait_event(coach.call_sid, "join")
    state = conference_state(phone, conference_sid)

    assert participant(state, coach.call_sid)["heard_by"] == [consultant]
    assert set(participant(state, coach.call_sid)["hears"]) == {caller, consultant}
    assert participant(state, caller)["hears"] == [consultant]
    fetched = twilio_client.conferences(conference_sid).participants(coach.call_sid).fetch()
    assert fetched.coaching is True
    assert fetched.call_sid_to_coach == consultant
    assert "coach" in phone.kinds(phone.show(coach.call_sid))

    twilio_client.conferences(conference_sid).participants(coach.call_sid).update(coaching=False)
    barged = conference_state(phone, conference_sid)
    assert set(participant(barged, coach.call_sid)["heard_by"]) == {caller, consultant}
    phone.post(f"/emulator/calls/{caller}/hangup")


def test_muting_and_removing_a_participant_through_rest(centre, phone, twilio_client):
    caller, consultant, conference_sid = join_caller_and_consultant(centre, phone, twilio_client)
    room = twilio_client.conferences(conference_sid)

    assert room.participants(consultant).update(muted=True).muted is True
    muted = conference_state(phone, conference_sid)
    assert [p.call_sid for p in room.participants.list(muted=True)] == [consultant]
    room.participants(consultant).delete()
    consultant_call = phone.wait_end(consultant)

    assert participant(muted, consultant)["heard_by"] == []
    assert participant(muted, consultant)["hears"] == [caller]
    assert consultant_call["status"] == "completed"
    assert "mute" in phone.kinds(consultant_call)
    assert [p.call_sid for p in room.participants.list()] == [caller]
    mute_event = next(
        seen.form
        for seen in centre.wait_for("/conference-status", count=4)
        if seen.form["StatusCallbackEvent"] == "participant-mute"
    )
    assert mute_event["CallSid"] == consultant and mute_event["Muted"] == "true"
    phone.post(f"/emulator/calls/{caller}/hangup")


def test_a_call_update_takes_the_caller_out_of_the_conference(centre, phone, twilio_client):
    caller, consultant, conference_sid = join_caller_and_consultant(centre, phone, twilio_client)
    centre.twiml("/moved", say("Przekierowano.", then_hang_up=True))

    twilio_client.calls(caller).update(url=centre.url + "/moved")
    call = phone.wait_end(caller)

    assert phone.said(call)[-1] == "Przekierowano."
    assert "leave" in phone.kinds(call)
    room = twilio_client.conferences(conference_sid)
    assert [p.call_sid for p in room.participants.list()] == [consultant]
    assert room.fetch().status == "in-progress"
    phone.post(f"/emulator/endpoints/{CONSULTANT}/hangup")
    phone.wait_end(consultant)
    assert room.fetch().reason_conference_ended == "last-participant-left"


def test_ending_the_conference_sends_the_caller_on_after_the_dial(centre, phone, twilio_client):
    caller, consultant, conference_sid = join_caller_and_consultant(centre, phone, twilio_client)

    ended = twilio_client.conferences(conference_sid).update(status="completed")
    call = phone.wait_end(caller)

    assert ended.status == "completed"
    assert phone.said(call)[-1] == "Po konferencji."
    assert centre.requests_to("/after-conference")[0].form["CallSid"] == caller
    assert twilio_client.conferences(conference_sid).fetch().reason_conference_ended == (
        "conference-ended-via-api"
    )
    assert phone.wait_end(consultant)["status"] == "completed"


def test_an_announcement_is_heard_by_everyone_in_the_room(centre, phone, twilio_client):
    caller, consultant, conference_sid = join_caller_and_consultant(centre, phone, twilio_client)
    centre.twiml("/announce", say("Rozmowa jest nagrywana."))

    twilio_client.conferences(conference_sid).update(announce_url=centre.url + "/announce")

    for sid in (caller, consultant):
        phone.wait_event(sid, "say", "Rozmowa jest nagrywana.")
    wait_for(
        lambda: any(
            seen.form.get("StatusCallbackEvent") == "announcement-end"
            for seen in centre.wait_for("/conference-status", count=4)
        ),
        what="announcement-end",
    )
    assert centre.requests_to("/announce")[0].form["ConferenceSid"] == conference_sid
    phone.post(f"/emulator/calls/{caller}/hangup")


def test_the_consultants_phone_mutes_its_own_microphone(centre, phone, twilio_client):
    caller, consultant, conference_sid = join_caller_and_consultant(centre, phone, twilio_client)

    muted = phone.post(f"/emulator/endpoints/{CONSULTANT}/mute")
    state = conference_state(phone, conference_sid)
    rest_view = twilio_client.conferences(conference_sid).participants(consultant).fetch()
    unmuted = phone.post(f"/emulator/endpoints/{CONSULTANT}/mute", {"on": False})
    held = phone.post(f"/emulator/endpoints/{CONSULTANT}/hold", {"on": True})
    on_hold = conference_state(phone, conference_sid)

    assert muted.json()["mic_muted"] is True
    assert participant(state, consultant)["heard_by"] == []
    assert rest_view.muted is False
    assert unmuted.json()["mic_muted"] is False
    assert held.json()["phone_hold"] is True
    assert participant(on_hold, consultant)["hears"] == []
    assert "phone-mute" in phone.kinds(phone.show(consultant))
    phone.post(f"/emulator/endpoints/{CONSULTANT}/hangup")
    phone.wait_end(consultant)
    assert phone.post(f"/emulator/endpoints/{CONSULTANT}/mute").status_code == 409


def test_conference_responses_have_exactly_the_properties_of_the_description(
    centre, emulator, phone, twilio_client
):
    caller, consultant, conference_sid = join_caller_and_consultant(centre, phone, twilio_client)
    spec = load_spec()
    auth = (emulator.config.account_sid, emulator.config.auth_token)
    base = f"/2010-04-01/Accounts/{emulator.config.account_sid}/"

    for path in (
        "Conferences.json",
        f"Conferences/{conference_sid}.json",
        f"Conferences/{conference_sid}/Participants.json",
        f"Conferences/{conference_sid}/Participants/{consultant}.json",
    ):
        response = requests.get(emulator.url + base + path, auth=auth, timeout=5)
        assert response.status_code == 200, (path, response.text)
        operation, _ = spec.match("GET", base + path)
        assert set(response.json()) == set(operation.response_schema["properties"]), path
        assert spec.conformance_problems(operation.response_schema, response.json()) == [], path
    unknown = requests.get(
        emulator.url + base + "Conferences/CF" + "0" * 32 + ".json", auth=auth, timeout=5
    )
    assert unknown.status_code == 404
    phone.post(f"/emulator/calls/{caller}/hangup")


def test_a_participant_who_does_not_answer_leaves_the_list(centre, phone, twilio_client):
    serve_conference(centre)
    caller = phone.call(CALLER, script=[])
    conference_sid = phone.wait_event(caller, "join")["conference_sid"]
    room = twilio_client.conferences(conference_sid)

    added = room.participants.create(
        from_=HOTLINE,
        to="client:nieobecny",
        # Long enough that the reject below always comes first, however loaded the machine
        # (the emulator scales ring time by its time scale).
        timeout=600,
        status_callback=centre.url + "/participant-call",
        status_callback_event=["initiated", "completed"],
    )
    ringing = [p.status for p in room.participants.list() if p.call_sid == added.call_sid]
    phone.post("/emulator/endpoints/client:nieobecny/reject")
    phone.wait_end(added.call_sid)

    assert ringing in (["queued"], ["ringing"])
    assert [p.call_sid for p in room.participants.list()] == [caller]
    statuses = [seen.form["CallStatus"] for seen in centre.wait_for("/participant-call", 2)]
    assert statuses == ["queued", "busy"]
    state = conference_state(phone, conference_sid)
    assert "participant-failed" in [event["kind"] for event in state["events"]]
    assert state["status"] == "init"
    phone.post(f"/emulator/calls/{caller}/hangup")


def test_coaching_needs_someone_to_coach(centre, phone, twilio_client):
    caller, consultant, conference_sid = join_caller_and_consultant(centre, phone, twilio_client)
    auth = (twilio_client.username, twilio_client.password)
    base = f"{phone.base}/2010-04-01/Accounts/{twilio_client.account_sid}/Conferences"

    refused = requests.post(
        f"{base}/{conference_sid}/Participants.json",
        data={"From": HOTLINE, "To": SUPERVISOR, "Coaching": "true"},
        auth=auth,
        timeout=5,
    )
    stranger = requests.post(
        f"{base}/{conference_sid}/Participants/{consultant}.json",
        data={"CallSidToCoach": "CA" + "1" * 32},
        auth=auth,
        timeout=5,
    )

    assert refused.status_code == 400
    assert "CallSidToCoach" in refused.json()["message"]
    assert stranger.status_code == 400
    phone.post(f"/emulator/calls/{caller}/hangup")


def test_an_announcement_to_one_participant_is_heard_only_by_them(centre, phone, twilio_client):
    caller, consultant, conference_sid = join_caller_and_consultant(centre, phone, twilio_client)
    centre.twiml("/whisper", say("Klient czeka od pięciu minut."))

    twilio_client.conferences(conference_sid).participants(consultant).update(
        announce_url=centre.url + "/whisper"
    )
    phone.wait_event(consultant, "say", "Klient czeka od pięciu minut.")

    assert centre.requests_to("/whisper")[0].form["CallSid"] == consultant
    assert "Klient czeka od pięciu minut." not in phone.said(phone.show(caller))
    phone.post(f"/emulator/calls/{caller}/hangup")


def test_the_live_rooms_name_who_is_in_them_by_label(centre, phone, twilio_client):
    """After a Redis failover the router asks the network who is with each caller."""
    from hotline.telephony import TwilioTelephony

    caller, consultant, _ = join_caller_and_consultant(centre, phone, twilio_client)

    rooms = TwilioTelephony(twilio_client, HOTLINE).live_rooms()

    # The caller joined by TwiML without a participantLabel: listed by CallSid.
    assert {name: sorted(labels) for name, labels in rooms.items()} == {
        ROOM: sorted(["consultant", caller])
    }
    phone.post(f"/emulator/calls/{caller}/hangup")
    phone.post(f"/emulator/calls/{consultant}/hangup")
    wait_for(
        lambda: not TwilioTelephony(twilio_client, HOTLINE).live_rooms(), what="the room's end"
    )


def test_a_participant_muted_while_ringing_joins_muted(centre, phone, twilio_client):
    serve_conference(centre)
    caller = phone.call(CALLER, script=[])
    conference_sid = phone.wait_event(caller, "join")["conference_sid"]
    room = twilio_client.conferences(conference_sid)

    added = room.participants.create(from_=HOTLINE, to="client:ewa", label="ewa")
    room.participants("ewa").update(muted=True)
    phone.post("/emulator/endpoints/client:ewa/answer")
    phone.wait_event(added.call_sid, "join")
    state = conference_state(phone, conference_sid)

    assert room.participants(added.call_sid).fetch().muted is True
    assert participant(state, added.call_sid)["heard_by"] == []
    assert participant(state, caller)["heard_by"] == [added.call_sid]
    phone.post(f"/emulator/calls/{caller}/hangup")


def test_the_consultants_phone_shows_who_coaches_it_and_what_the_room_does_to_it(
    centre, phone, twilio_client
):
    caller, consultant, conference_sid = join_caller_and_consultant(centre, phone, twilio_client)
    room = twilio_client.conferences(conference_sid)
    talking = phone.get(f"/emulator/endpoints/{CONSULTANT}").json()["conference"]
    phone.post(f"/emulator/endpoints/{SUPERVISOR}", {"auto_answer": True})
    coach = room.participants.create(
        from_=HOTLINE,
        to=SUPERVISOR,
        label="supervisor",
        coaching=True,
        call_sid_to_coach=consultant,
    )
    phone.wait_event(coach.call_sid, "join")
    coached = phone.get(f"/emulator/endpoints/{CONSULTANT}").json()["conference"]
    supervisors_phone = phone.get(f"/emulator/endpoints/{SUPERVISOR}").json()["conference"]
    room.participants("consultant").update(hold=True)
    held = phone.get(f"/emulator/endpoints/{CONSULTANT}").json()["conference"]
    room.participants("consultant").update(hold=False, muted=True)
    muted = phone.get(f"/emulator/endpoints/{CONSULTANT}").json()["conference"]

    assert talking["sid"] == conference_sid and talking["label"] == "consultant"
    assert talking["hears"] == [CALLER] and talking["coached_by"] == []
    assert coached["coached_by"] == ["supervisor"]
    assert set(coached["hears"]) == {CALLER, "supervisor"}
    assert coached["heard_by"] == [CALLER, "supervisor"]
    assert supervisors_phone["heard_by"] == ["consultant"], "the caller never hears the coach"
    assert (held["hold"], held["hears"], held["heard_by"]) == (True, [], [])
    assert muted["muted"] is True and muted["heard_by"] == []
    assert muted["hears"] == [CALLER, "supervisor"]
    phone.post(f"/emulator/endpoints/{CONSULTANT}/hangup")
    phone.wait_end(consultant)
    assert phone.get(f"/emulator/endpoints/{CONSULTANT}").json()["conference"] is None
    phone.post(f"/emulator/calls/{caller}/hangup")
