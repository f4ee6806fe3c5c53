"""What a new caller met, tried again through the emulator against the running centre."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import PATIENCE_SECONDS, Centre, wait_for

pytestmark = [pytest.mark.slow, pytest.mark.e2e]

JAN = "+48601000001"
OKSANA = "+48601000003"
# A known caller in each language, and how they might ask for a person in their own words.
CALLERS = {
    "pl": ("+48601000001", "pl-PL", "poproszę konsultanta"),
    "en": ("+447400123456", "en-GB", "I want to talk to a person"),
    "uk": ("+48601000003", "uk-UA", "хочу поговорити з людиною"),
    "ro": ("+48601000004", "ro-RO", "vreau să vorbesc cu un operator"),
}
UNSTAFFED = {
    "pl": "żaden konsultant nie może odebrać",
    "en": "No consultant can take your call right now.",
    "uk": "жоден консультант не може відповісти",
    "ro": "niciun consultant nu vă poate răspunde",
}


def said(call: dict) -> list[str]:  # type: ignore[type-arg]
    return [event.get("text", "") for event in call["events"] if event["kind"] == "say"]


def requests_to(call: dict, path: str) -> list[dict]:  # type: ignore[type-arg]
    return [e for e in call["events"] if e["kind"] == "request" and path in e.get("url", "")]


def everyone_away(centre: Centre) -> None:
    """Sign every demo consultant in and out again: nobody is at work."""
    for login in ("anna", "piotr", "olena", "mihai"):
        desk, token = centre.desk_session(login)
        answer = desk.post(
            f"{centre.web}/desk/api/state",
            json={"state": "offline"},
            headers={"X-CSRF-Token": token},
        )
        assert answer.ok, answer.text


@pytest.mark.parametrize("how", ["key", "words"])
@pytest.mark.parametrize("language", list(CALLERS))
def test_asking_for_a_person_during_the_greeting_reaches_the_queue_and_says_nobody_is_free(
    centre: Centre, language: str, how: str
):
    everyone_away(centre)
    number, say_language, words = CALLERS[language]
    step = {"press": "0"} if how == "key" else {"say": words}
    call = centre.run_call(number, [step])
    assert not [e for e in call["events"] if e["kind"] == "error"], call["events"]
    assert any(e["kind"] == "enqueue" for e in call["events"]), "straight to the queue"
    assert not requests_to(call, "/ivr/menu"), "not via the main menu"
    spoken = said(call)
    told = [i for i, text in enumerate(spoken) if UNSTAFFED[language] in text]
    assert told, spoken
    assert len(spoken) > told[0] + 1, "then their place"
    heard_in = {e.get("language") for e in call["events"] if e["kind"] == "say"}
    assert say_language in heard_in


def test_the_wait_loop_keeps_telling_the_caller_their_place(centre: Centre):
    everyone_away(centre)
    call = centre.run_call(JAN, [{"silence": True}, {"press": "0"}, *[{"silence": True}] * 4])
    assert not [e for e in call["events"] if e["kind"] in ("error", "warning")], call["events"]
    places = [text for text in said(call) if "Twoje miejsce w kolejce" in text]
    assert len(places) >= 4, said(call)
    waits = requests_to(call, "/routing/wait")
    assert len(places) >= len(waits) - 1, "every wait document but the one hung up on says it"


def test_an_advisor_being_rung_with_the_callers_own_call_is_not_said_to_be_busy(centre: Centre):
    everyone_away(centre)
    desk, token = centre.desk_session("olena")
    headers = {"X-CSRF-Token": token}
    identity = (
        "client:" + desk.get(f"{centre.web}/desk/").text.split('data-identity="')[1].split('"')[0]
    )
    assert desk.post(
        f"{centre.web}/desk/api/state", json={"state": "available"}, headers=headers
    ).ok
    scale = float(centre.env["EMULATOR_TIME_SCALE"])
    sid = centre.place_call(
        OKSANA, [{"silence": True}, {"press": "0"}, {"wait": PATIENCE_SECONDS / scale}]
    )
    wait_for(
        lambda: centre.endpoint(identity).get("state") == "ringing", what="Olena's phone to ring"
    )
    assert centre.endpoint_action(identity, "answer").ok
    wait_for(
        lambda: any(e["kind"] == "talk" for e in centre.call(sid)["events"]),
        what="Oksana and Olena to be connected",
    )
    assert centre.endpoint_action(identity, "hangup").ok
    call = wait_for(
        lambda: (lambda c: c if c["status"] == "completed" else None)(centre.call(sid)),
        what="the call to end",
    )
    heard = " ".join(said(call))
    assert "консультант зараз зайнятий" not in heard and "натисніть 3" not in heard, heard
    wrap = wait_for(
        lambda: desk.get(f"{centre.web}/desk/api/state").json().get("wrap_up_contact_id"),
        what="the wrap-up form",
    )
    desk.post(
        f"{centre.web}/desk/wrap-up/{wrap}",
        data={"csrf_token": token, "outcome": "resolved", "notes": "Talked it through."},
    )
    assert desk.post(f"{centre.web}/desk/api/state", json={"state": "offline"}, headers=headers).ok
