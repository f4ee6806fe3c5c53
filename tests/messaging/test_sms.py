"""Text messages the centre sends: stored once, sent by a job, carrying what was read out."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from hotline.db import db
from knowledge import service as knowledge
from messaging import sms
from messaging.models import OutboundSms
from tests.conftest import sent_messages

SID = "CA" + "3" * 32
MOBILE = "+48601000001"


def texts_to(phone_network, number=MOBILE):
    return [m for m in sent_messages(phone_network) if m["to"] == number]


def test_only_mobile_numbers_can_be_texted():
    assert sms.can_text(MOBILE)
    assert not sms.can_text("+48221952400"), "a landline"
    assert not sms.can_text("")
    assert not sms.can_text(None)
    assert not sms.can_text("not a number")


def test_an_answer_is_texted_once_and_reaches_the_emulators_messages_endpoint(app, phone_network):
    answer = dict(call_sid=SID, topic="benefit_documents", body="Zabierz świadectwa pracy.")
    first = sms.send_faq(MOBILE, "pl", **answer)
    again = sms.send_faq(MOBILE, "pl", **answer)
    assert again.id == first.id, "a second press sends nothing new"
    stored = db.session.scalars(select(OutboundSms)).all()
    assert [(m.kind, m.status, m.call_sid) for m in stored] == [("faq", "sent", SID)]
    assert "świadectwa pracy" in texts_to(phone_network)[-1]["body"]


def test_the_offers_read_out_are_texted_and_recorded(content, phone_network):
    offers = knowledge.current_vacancies("14", None, 0, 3)
    ids = [vacancy.id for vacancy in offers]
    message = sms.send_vacancies(MOBILE, "pl", call_sid=SID, vacancy_ids=ids)
    assert message.kind == "vacancies" and message.vacancy_ids == ids
    body = texts_to(phone_network)[-1]["body"]
    assert all(vacancy.external_id in body for vacancy in offers)


def test_the_trainings_read_out_are_texted_and_recorded(content, phone_network):
    courses = knowledge.trainings("12", 0, 3)
    ids = [course.id for course in courses]
    message = sms.send_trainings(MOBILE, "en", call_sid=SID, training_ids=ids)
    assert message.kind == "trainings" and message.training_ids == ids
    body = texts_to(phone_network)[-1]["body"]
    assert all(f"{course.starts_on:%d.%m.%Y}" in body for course in courses)
    assert all(course.external_id in body for course in courses)


def test_a_text_keeps_its_footer_and_only_the_lines_that_fit():
    body = sms.fit(
        "Header", ["- one", "- two", "- three"], "Footer", limit=len("Header\n- one\nFooter")
    )
    assert body == "Header\n- one\nFooter"
    assert sms.fit("Header", []) == "Header"


def test_a_vacancy_line_names_pay_and_the_offer_number(content):
    vacancy = knowledge.current_vacancies("14", None, 0, 1, today=date.today())[0]
    line = sms.vacancy_line(vacancy.id)
    assert line.startswith(f"- {vacancy.title}, {vacancy.city}")
    assert line.endswith(f"(nr {vacancy.external_id})")
    assert sms.vacancy_line(10**9) == ""
