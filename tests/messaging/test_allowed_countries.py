"""Texts go only to numbers in the allowed countries: a spoofed caller ID from abroad neither
subscribes a victim nor runs up the centre's bill, and the caller hears what to do instead."""

from __future__ import annotations

import logging
from datetime import date

import pytest
from sqlalchemy import select

from hotline.db import db
from hotline.jobs import jobs
from hotline.outbound import OutboundPolicy, outbound
from messaging import alerts, sms
from messaging.models import JobAlert, OutboundSms, SmsStatus
from messaging.tasks import send_sms
from tests.conftest import sent_messages
from tests.ivr.test_views import press, say
from tests.twiml import spoken

SID = "CA" + "6" * 32
GERMAN_MOBILE = "+4915112345678"
UKRAINIAN_MOBILE = "+380501234567"
POLISH_MOBILE = "+48601000001"


@pytest.fixture
def poland_and_ukraine():
    outbound.configure(outbound.current().link_domains, ("PL", "UA"))
    yield
    outbound.policy = OutboundPolicy()


def test_only_numbers_in_the_allowed_countries_can_be_texted(app):
    assert sms.can_text(POLISH_MOBILE)
    assert sms.is_mobile(GERMAN_MOBILE) and not sms.can_text(GERMAN_MOBILE)
    assert not sms.can_text(UKRAINIAN_MOBILE)


def test_the_allowed_countries_are_a_setting(app, poland_and_ukraine):
    assert sms.can_text(UKRAINIAN_MOBILE) and not sms.can_text(GERMAN_MOBILE)


def test_a_text_to_a_number_abroad_is_refused_and_logged_without_the_number(
    app, phone_network, caplog
):
    with caplog.at_level(logging.INFO):
        refused = sms.send_faq(GERMAN_MOBILE, "pl", call_sid=SID, topic="documents", body="x")
    assert refused is None
    assert db.session.scalars(select(OutboundSms)).all() == []
    assert not [m for m in sent_messages(phone_network) if m["to"] == GERMAN_MOBILE]
    assert "outside the allowed countries" in caplog.text
    assert "15112345678" not in caplog.text and SID in caplog.text


def test_nobody_abroad_is_subscribed_to_job_alerts(app, phone_network):
    alert = alerts.subscribe(
        GERMAN_MOBILE, "pl", region_code="14", occupation=None, customer_id=None, call_sid=SID
    )
    assert alert is None
    assert db.session.scalars(select(JobAlert)).all() == []
    assert not [m for m in sent_messages(phone_network) if m["to"] == GERMAN_MOBILE]


def test_a_subscription_from_before_the_countries_changed_gets_no_more_alerts(
    content, phone_network, poland_and_ukraine
):
    jobs.synchronous = False  # the welcome text waits in Redis for a worker
    try:
        alerts.subscribe(
            UKRAINIAN_MOBILE, "uk", region_code="14", occupation=None, customer_id=None,
            call_sid=SID,
        )  # fmt: skip
    finally:
        jobs.synchronous = True
    outbound.policy = OutboundPolicy()
    queued = db.session.scalars(select(OutboundSms)).one()
    assert send_sms(queued.id) is None, "a text queued before the change is not sent either"
    db.session.refresh(queued)
    assert queued.status == SmsStatus.FAILED and "allowed countries" in (queued.error or "")
    assert alerts.send_due(date.today()) == 0


def test_a_caller_from_abroad_who_asks_for_alerts_hears_what_to_do_instead(
    twilio, content, phone_network
):
    caller = {"CallSid": SID, "From": GERMAN_MOBILE, "To": "+48221952400"}
    twilio.post("/ivr/incoming", caller)
    twilio.post("/ivr/start", caller)
    press(twilio, "menu", "6", caller)
    heard = spoken(say(twilio, "region", "Białystok", caller))
    assert "tylko na numery komórkowe" in heard and "konsultant: naciśnij 0" in heard.lower()
    assert db.session.scalars(select(JobAlert)).all() == []
