from __future__ import annotations

from sqlalchemy import select

from hotline.db import db
from knowledge.models import Vacancy
from messaging import alerts
from messaging.models import JobAlert, OutboundSms
from tests.conftest import sent_messages
from tests.ivr.test_views import KNOWN, gather, press, say
from tests.twiml import parse, spoken

JAN = KNOWN  # Jan's office is in Warsaw (mazowieckie)


def start(twilio, caller=JAN):
    twilio.post("/ivr/incoming", caller)
    twilio.post("/ivr/start", caller)


def test_vacancies_for_a_spoken_city_and_occupation(twilio, content):
    start(twilio)
    region = press(twilio, "menu", "2")
    assert "mazowieckie" in spoken(region).lower()
    occupation = say(twilio, "region", "Białystok")
    assert "podlaskie" in spoken(occupation)
    offers = say(twilio, "occupation", "magazynier")
    text = spoken(offers)
    assert "Oferta 1:" in text and "Oferta 3:" in text
    assert "Następne oferty: 1" in text


def test_next_three_and_sms_records_which_offers_were_sent(twilio, content, phone_network):
    start(twilio)
    press(twilio, "menu", "2")
    press(twilio, "region", "1")  # the caller's own region
    first = press(twilio, "occupation", "#")
    assert "Oferta 1:" in spoken(first)
    second = press(twilio, "vacancies", "1")
    assert "Oferta 4:" in spoken(second)
    confirmed = press(twilio, "vacancies", "2")
    assert "Wyślemy SMS" in spoken(confirmed)
    message = db.session.scalars(select(OutboundSms).where(OutboundSms.kind == "vacancies")).one()
    assert len(message.vacancy_ids) == 3
    sent = [
        v.external_id
        for v in db.session.scalars(select(Vacancy).where(Vacancy.id.in_(message.vacancy_ids)))
    ]
    body = [m for m in sent_messages(phone_network) if m["to"] == JAN["From"]][-1]["body"]
    assert all(external_id in body for external_id in sent)


def test_misspelt_region_twice_reads_the_keypad_list(twilio, content):
    start(twilio)
    press(twilio, "menu", "3")
    first = say(twilio, "region", "qwerty zxcv")
    assert "Nie rozpoznaliśmy tej nazwy" in spoken(first)
    second = say(twilio, "region", "asdfgh")
    assert gather(second).get("action") == "/ivr/region_list/input"
    assert "dolnośląskie: 1" in spoken(second)
    page_two = press(twilio, "region_list", "#")
    assert "Początek listy" in spoken(page_two)
    chosen = press(twilio, "region_list", "2")  # the tenth region on the second page
    assert "Szkolenie" in spoken(chosen) or "nie ma szkoleń" in spoken(chosen)


def test_trainings_in_the_region(twilio, content):
    start(twilio)
    press(twilio, "menu", "3")
    root = say(twilio, "region", "województwo małopolskie")
    assert "Szkolenie 1:" in spoken(root)


def test_eures_answer(twilio, content):
    start(twilio)
    root = press(twilio, "menu", "4")
    assert "EURES" in spoken(root)


def test_eligibility_pre_check_gives_a_labelled_indicative_answer(twilio, content):
    start(twilio)
    root = press(twilio, "menu", "5")
    assert "Tak: 1. Nie: 2." in spoken(root)
    for _ in range(12):
        if "Wstępna ocena" in spoken(root):
            break
        root = press(twilio, "eligibility", "1")
    assert "Wstępna ocena" in spoken(root)
    again = press(twilio, "eligibility", "*")
    assert "Tak: 1. Nie: 2." in spoken(again)


def test_eligibility_accepts_spoken_yes_and_no(twilio, content):
    start(twilio)
    press(twilio, "menu", "5")
    root = say(twilio, "eligibility", "tak")
    assert "Nie rozpoznaliśmy" not in spoken(root)


def test_job_alerts_subscribe_by_keypad(twilio, content, phone_network):
    start(twilio)
    press(twilio, "menu", "6")
    offer = press(twilio, "region", "1")
    assert "Aby włączyć powiadomienia, naciśnij 1" in spoken(offer)
    done = press(twilio, "alerts", "1")
    assert "Powiadomienia są włączone" in spoken(done)
    alert = alerts.active_for(JAN["From"])
    assert alert is not None and alert.region_code == "14" and alert.language == "pl"
    assert [m for m in sent_messages(phone_network) if m["to"] == JAN["From"]], "a welcome text"
    assert db.session.scalars(select(JobAlert)).one().stopped_by is None


def test_job_alerts_unsubscribe_by_keypad(twilio, content):
    start(twilio)
    press(twilio, "menu", "6")
    press(twilio, "region", "1")
    press(twilio, "alerts", "1")
    press(twilio, "menu", "6")
    active = parse(twilio.post("/ivr/alerts", JAN).data)
    assert "Aby je wyłączyć, naciśnij 2" in spoken(active)
    assert "wyłączone" in spoken(press(twilio, "alerts", "2"))
    assert alerts.active_for(JAN["From"]) is None


def test_occupation_said_in_ukrainian_or_romanian_finds_the_polish_offers(twilio, content):
    oksana = {**JAN, "From": "+48601000003"}
    start(twilio, oksana)
    press(twilio, "menu", "2", oksana)
    say(twilio, "region", "Mazowieckie", oksana)
    offers = say(twilio, "occupation", "я шукаю роботу зварювальником", oksana)
    assert "Spawacz" in spoken(offers)


def test_occupation_words_map_to_polish_terms():
    from knowledge.service import polish_occupation

    assert polish_occupation("sudor", "ro") == "spawacz"
    assert polish_occupation("водій", "uk") == "kierowca"
    assert polish_occupation("forklift driver", "en") == "operator wózka widłowego"
    assert polish_occupation("spawacz", "pl") == "spawacz"
    assert polish_occupation("astronaut", "en") == "astronaut"
