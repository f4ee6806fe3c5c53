from __future__ import annotations

from routing.engine import RoutingEngine
from tests.twiml import parse, spoken, verbs

SID = "CA" + "2" * 32
KNOWN = {"CallSid": SID, "From": "+48601000001", "To": "+48221952400", "CallStatus": "ringing"}
ANONYMOUS = {**KNOWN, "From": "+48500999888"}


def gather_action(root):
    gather = root.find("Gather")
    assert gather is not None, verbs(root)
    return gather.get("action")


def test_known_caller_is_greeted_by_name_in_their_language(twilio, demo):
    root = parse(twilio.post("/ivr/incoming", {**KNOWN, "From": "+48 601 000 003"}).data)
    gather = root.find("Gather")
    assert gather.find("Say").get("language") == "uk-UA"
    assert "Oksana" in spoken(root)
    assert verbs(root) == ["Gather", "Redirect"]


def test_unknown_caller_hears_the_anonymous_greeting_in_polish(twilio, demo):
    root = parse(twilio.post("/ivr/incoming", ANONYMOUS).data)
    assert "Dzień dobry, tu infolinia" in spoken(root)
    assert root.find("Gather/Say").get("language") == "pl-PL"


def test_language_key_switches_the_menu_language(twilio, demo):
    twilio.post("/ivr/incoming", ANONYMOUS)
    root = parse(twilio.post("/ivr/language", {**ANONYMOUS, "Digits": "2"}).data)
    assert "To speak to a consultant, press 0" in spoken(root)
    assert gather_action(root) == "/ivr/menu/choice"


def test_benefit_documents_answer_includes_the_callers_office(twilio, demo):
    twilio.post("/ivr/incoming", KNOWN)
    root = parse(twilio.post("/ivr/menu/choice", {**KNOWN, "Digits": "1"}).data)
    text = spoken(root)
    assert "świadectwa pracy" in text
    assert "ul. Grochowska 171B" in text
    assert gather_action(root) == "/ivr/answer/benefit_documents/choice"


def test_spoken_choice_reaches_the_answer(twilio, demo):
    twilio.post("/ivr/incoming", KNOWN)
    params = {**KNOWN, "SpeechResult": "potrzebuję dokumentów", "Confidence": "0.8"}
    root = parse(twilio.post("/ivr/menu/choice", params).data)
    assert "świadectwa pracy" in spoken(root)


def test_wrong_key_reprompts_then_three_failures_reach_a_consultant(twilio, demo):
    twilio.post("/ivr/incoming", KNOWN)
    first = parse(twilio.post("/ivr/menu/choice", {**KNOWN, "Digits": "7"}).data)
    assert "Nie rozpoznaliśmy" in spoken(first)
    second = parse(twilio.post("/ivr/menu/silence", KNOWN).data)
    assert "Nie usłyszeliśmy" in spoken(second)
    third = parse(twilio.post("/ivr/menu/choice", {**KNOWN, "Digits": "#"}).data)
    assert third.find("Enqueue") is not None


def test_pressing_zero_queues_the_caller_with_what_the_ivr_knows(twilio, demo, redis_client):
    twilio.post("/ivr/incoming", KNOWN)
    twilio.post("/ivr/menu/choice", {**KNOWN, "Digits": "1"})
    root = parse(twilio.post("/ivr/answer/benefit_documents/choice", {**KNOWN, "Digits": "0"}).data)
    enqueue = root.find("Enqueue")
    assert enqueue.text == "consultants"
    assert enqueue.get("waitUrl") == "/routing/wait"
    entry = RoutingEngine(redis_client).entry(SID)
    assert entry["topic"] == "benefit_documents"
    assert entry["customer_id"] and entry["advisor_id"]
    assert entry["caller_number"] == "+48601000001"


def test_star_repeats_and_nine_returns_to_the_menu(twilio, demo):
    twilio.post("/ivr/incoming", KNOWN)
    path = "/ivr/answer/benefit_documents/choice"
    repeat = parse(twilio.post(path, {**KNOWN, "Digits": "*"}).data)
    assert "świadectwa pracy" in spoken(repeat)
    menu = parse(twilio.post(path, {**KNOWN, "Digits": "9"}).data)
    assert gather_action(menu) == "/ivr/menu/choice"


def test_every_gather_is_followed_by_a_redirect_so_silence_never_hangs_up(twilio, demo):
    twilio.post("/ivr/incoming", KNOWN)
    for path, params in [
        ("/ivr/incoming", KNOWN),
        ("/ivr/menu", KNOWN),
        ("/ivr/menu/choice", {**KNOWN, "Digits": "1"}),
        ("/ivr/answer/benefit_documents/silence", KNOWN),
    ]:
        root = parse(twilio.post(path, params).data)
        assert verbs(root)[-1] == "Redirect", path
