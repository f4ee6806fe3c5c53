from __future__ import annotations

import pytest
from sqlalchemy import select

from hotline.db import db
from messaging.models import OutboundSms
from routing.engine import RoutingEngine
from tests.conftest import sent_messages
from tests.twiml import parse, spoken, verbs

SID = "CA" + "2" * 32
KNOWN = {"CallSid": SID, "From": "+48601000001", "To": "+48221952400", "CallStatus": "ringing"}
ANONYMOUS = {**KNOWN, "From": "+48500999888"}


def gather(root):
    found = root.find("Gather")
    assert found is not None, verbs(root)
    return found


def same_page(one, other) -> bool:
    """Tell whether two pages read the same words and listen the same way."""
    return (
        verbs(one) == verbs(other)
        and spoken(one) == spoken(other)
        and gather(one).attrib == gather(other).attrib
        and one.find("Redirect").text == other.find("Redirect").text
    )


def press(twilio, step, digits, caller=KNOWN):
    return parse(twilio.post(f"/ivr/{step}/input", {**caller, "Digits": digits}).data)


def say(twilio, step, words, caller=KNOWN):
    params = {**caller, "SpeechResult": words, "Confidence": "0.7"}
    return parse(twilio.post(f"/ivr/{step}/input", params).data)


def test_known_caller_is_greeted_by_name_in_their_language(twilio, demo):
    root = parse(twilio.post("/ivr/incoming", {**KNOWN, "From": "+48 601 000 003"}).data)
    assert gather(root).find("Say").get("language") == "uk-UA"
    assert "Oksana" in spoken(root)
    assert verbs(root) == ["Gather", "Redirect"]
    assert root.find("Redirect").text == "/ivr/menu?language=uk"


def test_known_caller_goes_straight_to_the_menu(twilio, demo):
    greeting = parse(twilio.post("/ivr/incoming", KNOWN).data)
    first_page = greeting.find("Redirect").text
    assert first_page == "/ivr/menu?language=pl"
    root = parse(twilio.post(first_page, KNOWN).data)
    assert gather(root).get("action") == "/ivr/menu/input"
    assert gather(root).get("input") == "dtmf speech"
    assert same_page(root, parse(twilio.post("/ivr/start", KNOWN).data))


def test_unknown_caller_is_asked_for_a_pesel_and_can_skip(twilio, demo):
    greeting = parse(twilio.post("/ivr/incoming", ANONYMOUS).data)
    assert greeting.find("Redirect").text == "/ivr/identify?language=pl"
    root = parse(twilio.post("/ivr/identify?language=pl", ANONYMOUS).data)
    assert same_page(root, parse(twilio.post("/ivr/start", ANONYMOUS).data))
    assert "PESEL" in spoken(root)
    assert gather(root).get("finishOnKey") == "#"
    menu = press(twilio, "identify", "", ANONYMOUS)
    assert gather(menu).get("action") == "/ivr/menu/input"


def test_a_first_page_named_with_its_language_needs_no_stored_journey(twilio, demo, redis_client):
    lost = {**KNOWN, "CallSid": "CA" + "7" * 32}
    root = parse(twilio.post("/ivr/menu?language=en", lost).data)
    assert gather(root).find("Say").get("language") == "en-GB"
    assert gather(root).get("action") == "/ivr/menu/input"
    assert redis_client.get(f"ivr:call:{lost['CallSid']}") is None


def test_a_language_the_ivr_does_not_speak_falls_back_to_the_journeys(twilio, demo):
    twilio.post("/ivr/incoming", {**KNOWN, "From": "+48 601 000 003"})
    root = parse(twilio.post("/ivr/menu?language=xx", KNOWN).data)
    assert gather(root).find("Say").get("language") == "uk-UA"


def test_bad_pesel_checksum_three_times_offers_a_consultant_or_going_on_without(twilio, demo):
    twilio.post("/ivr/incoming", ANONYMOUS)
    first = press(twilio, "identify", "85031212340", ANONYMOUS)
    assert "nieprawidłowy" in spoken(first)
    press(twilio, "identify", "12345", ANONYMOUS)
    third = press(twilio, "identify", "85031212341", ANONYMOUS)
    assert "także jest nieprawidłowy" in spoken(third)
    assert gather(third).get("action") == "/ivr/identify_help/input"
    menu = press(twilio, "identify_help", "9", ANONYMOUS)
    assert gather(menu).get("action") == "/ivr/menu/input"


def test_valid_pesel_identifies_the_caller_and_their_language_but_says_no_name(twilio, demo):
    twilio.post("/ivr/incoming", ANONYMOUS)
    root = press(twilio, "identify", "79092313574", ANONYMOUS)  # Ion Popescu, Romanian
    # Anyone may key in a PESEL they know: the line must not tell them whose it is.
    assert "Ion" not in spoken(root) and "Popescu" not in spoken(root)
    assert "v-am găsit" in spoken(root)
    assert gather(root).find("Say").get("language") == "ro-RO"


def test_valid_pesel_of_nobody_is_said_plainly(twilio, demo):
    twilio.post("/ivr/incoming", ANONYMOUS)
    root = press(twilio, "identify", "02070803628", ANONYMOUS)
    assert "Nie znaleźliśmy" in spoken(root)


def test_language_key_switches_the_menu_language(twilio, demo):
    twilio.post("/ivr/incoming", KNOWN)
    root = parse(twilio.post("/ivr/language", {**KNOWN, "Digits": "2"}).data)
    assert "A consultant: 0" in spoken(root)


def test_benefit_documents_answer_includes_the_callers_office(twilio, demo):
    twilio.post("/ivr/incoming", KNOWN)
    root = press(twilio, "menu", "1")
    assert "świadectwa pracy" in spoken(root)
    assert gather(root).get("action") == "/ivr/answer/input"
    while "Twój urząd pracy" not in spoken(root):
        assert "Część" in spoken(root), "the office follows the last part"
        root = parse(twilio.post("/ivr/answer/silence", KNOWN).data)


def test_answer_by_text_reaches_the_emulators_messages_endpoint(twilio, demo, phone_network):
    twilio.post("/ivr/incoming", KNOWN)
    press(twilio, "menu", "1")
    root = press(twilio, "answer", "1")
    assert "Wyślemy SMS" in spoken(root)
    press(twilio, "answer", "1")  # a second press sends nothing new
    stored = db.session.scalars(select(OutboundSms)).all()
    assert [m.status for m in stored] == ["sent"]
    texts = [m for m in sent_messages(phone_network) if m["to"] == "+48601000001"]
    assert texts and "świadectwa pracy" in texts[-1]["body"]


@pytest.mark.parametrize(
    ("words", "expected"),
    [("potrzebuję dokumentów", "świadectwa pracy"), ("chcę rozmawiać z konsultantem", None)],
)
def test_spoken_menu_choices(twilio, demo, redis_client, words, expected):
    twilio.post("/ivr/incoming", KNOWN)
    root = say(twilio, "menu", words)
    if expected:
        assert expected in spoken(root)
    else:
        assert root.find("Enqueue") is not None


def test_wrong_key_reprompts_then_three_failures_offer_a_consultant(twilio, demo):
    twilio.post("/ivr/incoming", KNOWN)
    assert "Nie rozpoznaliśmy" in spoken(press(twilio, "menu", "7"))
    second = parse(twilio.post("/ivr/menu/silence", KNOWN).data)
    assert "Nie usłyszeliśmy" in spoken(second)
    third = say(twilio, "menu", "blablabla")
    assert gather(third).get("action") == "/ivr/offer/input"
    queued = parse(twilio.post("/ivr/offer/silence", KNOWN).data)
    assert queued.find("Enqueue") is not None, "silence at the offer puts the caller through"


def test_pressing_zero_queues_the_caller_with_what_the_ivr_knows(twilio, demo, redis_client):
    twilio.post("/ivr/incoming", KNOWN)
    press(twilio, "menu", "1")
    root = press(twilio, "answer", "0")
    enqueue = root.find("Enqueue")
    assert enqueue.text == "consultants"
    entry = RoutingEngine(redis_client).entry(SID)
    assert entry.topic == "benefit_documents"
    assert entry.customer_id and entry.advisor_id


def test_star_repeats_and_nine_returns_to_the_menu_everywhere(twilio, demo):
    twilio.post("/ivr/incoming", KNOWN)
    press(twilio, "menu", "1")
    assert "świadectwa pracy" in spoken(press(twilio, "answer", "*"))
    for step in ("answer", "region", "eligibility", "closed"):
        assert gather(press(twilio, step, "9")).get("action") == "/ivr/menu/input", step


def test_every_page_ends_with_a_redirect_so_silence_never_hangs_up(twilio, demo):
    twilio.post("/ivr/incoming", KNOWN)
    for step in ("menu", "answer", "region", "region_list", "eligibility", "closed", "offer"):
        root = parse(twilio.post(f"/ivr/{step}", KNOWN).data)
        assert verbs(root)[-1] == "Redirect", step
        assert root.find("Redirect").text == f"/ivr/{step}/silence"


def test_unknown_step_gets_an_apology_and_a_consultant_not_an_error_page(twilio, demo):
    twilio.post("/ivr/incoming", KNOWN)
    response = twilio.post("/ivr/nonsense", KNOWN)
    assert response.status_code == 200
    root = parse(response.data)
    assert "problem techniczny" in spoken(root)
    assert root.find("Enqueue") is not None


CALLERS = {
    "pl": ("+48601000001", "pl-PL", "konsultant"),
    "en": ("+447400123456", "en-GB", "a person please"),
    "uk": ("+48601000003", "uk-UA", "з людиною"),
    "ro": ("+48601000004", "ro-RO", "vreau un operator"),
}


@pytest.mark.parametrize("language", list(CALLERS))
def test_0_during_the_greeting_reaches_a_consultant(twilio, demo, redis_client, language):
    number, _say_language, _words = CALLERS[language]
    caller = {**KNOWN, "From": number}
    greeting = parse(twilio.post("/ivr/incoming", caller).data)
    assert "speech" in gather(greeting).get("input").split()
    root = parse(twilio.post("/ivr/language", {**caller, "Digits": "0"}).data)
    assert root.find("Enqueue") is not None, verbs(root)
    assert RoutingEngine(redis_client).entry(SID) is not None


@pytest.mark.parametrize("language", list(CALLERS))
def test_asking_for_a_person_during_the_greeting_reaches_a_consultant(
    twilio, demo, redis_client, language
):
    number, say_language, words = CALLERS[language]
    caller = {**KNOWN, "From": number}
    greeting = parse(twilio.post("/ivr/incoming", caller).data)
    assert gather(greeting).get("language") == say_language
    params = {**caller, "SpeechResult": words, "Confidence": "0.6"}
    root = parse(twilio.post("/ivr/language", params).data)
    assert root.find("Enqueue") is not None, verbs(root)
    assert RoutingEngine(redis_client).entry(SID).language == language


def test_other_words_during_the_greeting_lead_on_to_the_first_page(twilio, demo):
    twilio.post("/ivr/incoming", KNOWN)
    params = {**KNOWN, "SpeechResult": "dzień dobry", "Confidence": "0.6"}
    root = parse(twilio.post("/ivr/language", params).data)
    assert root.find("Enqueue") is None
    assert gather(root).get("action") == "/ivr/menu/input"
