"""The FAQ editor: drafts checked before they are kept, published by another editor as
reviewer, callers hearing only published texts, and the completeness check on the page."""

from __future__ import annotations

from sqlalchemy import select

from consultants.models import Consultant
from hotline.db import db
from knowledge import service as knowledge
from knowledge.models import FaqEntry
from tests.administration.helpers import signed_in
from tests.twiml import parse, spoken


def second_editor() -> None:
    """Make Piotr a content editor too, so that someone can review Anna's drafts."""
    with db.transaction() as session:
        piotr = session.scalars(select(Consultant).where(Consultant.login == "piotr")).one()
        piotr.roles = ["consultant", "content_editor"]


def draft(client, token, topic="benefit_documents", language="pl", **changes):  # type: ignore[no-untyped-def]
    text = {
        "title": "Dokumenty do rejestracji",
        "body": "Weź dowód osobisty i świadectwa pracy. Zapisz się na praca.gov.pl.",
        "sms_body": "Dowód osobisty, świadectwa pracy. Więcej: https://psz.praca.gov.pl",
        "source": "Ustawa o rynku pracy, art. 62",
        **changes,
    }
    return client.post(f"/desk/faq/{topic}/{language}", data={**text, "csrf_token": token})


def test_a_draft_waits_for_review_and_callers_keep_hearing_the_published_text(app, demo):
    second_editor()
    before = knowledge.spoken_answer("benefit_documents", "pl")
    anna, token = signed_in(app, "anna")
    assert draft(anna, token).status_code == 302
    knowledge.forget_cached()
    assert knowledge.spoken_answer("benefit_documents", "pl") == before
    own = anna.post("/desk/faq/benefit_documents/pl/publish", data={"csrf_token": token})
    assert "another editor must review" in anna.get(own.headers["Location"]).get_data(as_text=True)
    piotr, piotr_token = signed_in(app, "piotr")
    piotr.post("/desk/faq/benefit_documents/pl/publish", data={"csrf_token": piotr_token})
    heard = knowledge.spoken_answer("benefit_documents", "pl")
    assert heard is not None and heard.body.startswith("Weź dowód osobisty")
    entry = db.session.scalars(
        select(FaqEntry).where(FaqEntry.topic == "benefit_documents", FaqEntry.language == "pl")
    ).one()
    assert (entry.reviewed_by, entry.source, entry.draft) == (
        "Piotr Kowalski",
        "Ustawa o rynku pracy, art. 62",
        None,
    )


def test_a_text_with_a_foreign_link_or_without_a_source_is_not_kept(app, demo):
    anna, token = signed_in(app, "anna")
    refused = draft(anna, token, sms_body="Zasiłek: https://zasilek-szybko.com/pesel", source="")
    page = refused.get_data(as_text=True)
    assert refused.status_code == 400
    assert "text message links outside the allowed domains (zasilek-szybko.com)" in page
    assert "source is missing" in page
    too_long = draft(anna, token, sms_body="x" * 301)
    assert "text message is longer than 300 characters" in too_long.get_data(as_text=True)
    entry = db.session.scalars(
        select(FaqEntry).where(FaqEntry.topic == "benefit_documents", FaqEntry.language == "pl")
    ).one()
    assert entry.draft is None


def test_a_new_topic_is_heard_by_nobody_until_published_and_the_check_says_what_is_missing(
    app, demo
):
    second_editor()
    anna, token = signed_in(app, "anna")
    assert "Every topic is published in every language" in anna.get("/desk/faq").get_data(
        as_text=True
    )
    draft(anna, token, topic="vouchers", language="pl", title="Bony", body="Bon stażowy.")
    assert knowledge.spoken_answer("vouchers", "pl") is None
    page = anna.get("/desk/faq").get_data(as_text=True)
    assert "vouchers: the pl text is not published yet" in page
    assert "vouchers: no text in uk" in page
    piotr, piotr_token = signed_in(app, "piotr")
    piotr.post("/desk/faq/vouchers/pl/publish", data={"csrf_token": piotr_token})
    knowledge.forget_cached()
    assert knowledge.spoken_answer("vouchers", "pl") is not None
    assert "vouchers: the pl text is not published yet" not in anna.get("/desk/faq").get_data(
        as_text=True
    )


def test_an_administrator_edits_an_office_with_its_hours_in_each_language(app, demo):
    admin, token = signed_in(app, "mihai")
    response = admin.post("/desk/admin/offices/WAW", data={
        "csrf_token": token, "name": "Urząd Pracy m.st. Warszawy", "address": "ul. Grochowska 171B",
        "phone": "22 578 44 00", "opening_hours": "pon.-pt. 8:00-16:00",
        "hours_en": "Mon-Fri 8:00-16:00", "hours_uk": "пн-пт 8:00-16:00", "hours_ro": "",
    })  # fmt: skip
    assert response.status_code == 302
    office = knowledge.office("WAW")
    assert office is not None and office.phone == "+48225784400"
    assert (
        office.hours_in("en") == "Mon-Fri 8:00-16:00"
        and office.hours_in("ro") == "pon.-pt. 8:00-16:00"
    )
    bad = admin.post("/desk/admin/offices/WAW", data={
        "csrf_token": token, "name": "Urząd", "address": "Zobacz www.urzad-pracy.com",
        "opening_hours": "", "phone": "1",
    })  # fmt: skip
    page = bad.get_data(as_text=True)
    assert bad.status_code == 400 and "opening hours is missing" in page
    assert "address links outside the allowed domains (urzad-pracy.com)" in page


def test_a_caller_hears_their_office_hours_in_their_own_language(app, demo, twilio):
    admin, token = signed_in(app, "mihai")
    office = knowledge.office("WAW")
    assert office is not None
    admin.post("/desk/admin/offices/WAW", data={
        "csrf_token": token, "name": office.name, "address": office.address,
        "opening_hours": office.opening_hours, "hours_en": "Monday to Friday, 8 am to 4 pm",
    })  # fmt: skip
    knowledge.forget_cached()
    emma = {"CallSid": "CA" + "7" * 32, "From": "+447400123456", "To": "+48221952400"}
    twilio.post("/ivr/incoming", emma)
    twilio.post("/ivr/start", emma)
    heard = spoken(parse(twilio.post("/ivr/menu/input", {**emma, "Digits": "1"}).data))
    # The answer comes in parts; the office and its hours follow the last one (# skips on).
    for _part in range(5):
        if "Monday to Friday, 8 am to 4 pm" in heard:
            break
        heard = spoken(parse(twilio.post("/ivr/answer/input", {**emma, "Digits": "#"}).data))
    assert "Monday to Friday, 8 am to 4 pm" in heard
