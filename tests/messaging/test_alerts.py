"""Job alerts by text: subscribing, one text a day of new offers, and STOP by text."""

from __future__ import annotations

from datetime import UTC, date, datetime

from rq.job import Job
from sqlalchemy import select

from hotline.db import db
from hotline.jobs import jobs
from messaging import alerts
from messaging.models import JobAlert
from tests.conftest import sent_messages
from tests.twiml import parse

JAN = "+48601000001"
SID = "CA" + "4" * 32


def subscribe(number=JAN, region_code="14", occupation=None):
    return alerts.subscribe(
        number,
        "pl",
        region_code=region_code,
        occupation=occupation,
        customer_id=None,
        call_sid=SID,
    )


def test_a_subscriber_gets_one_text_of_new_offers_a_day(content, phone_network):
    subscribe()
    welcome = [m for m in sent_messages(phone_network) if m["to"] == JAN]
    assert welcome, "subscribing sends a welcome text"
    assert alerts.send_due(date.today()) == 1
    assert alerts.send_due(date.today()) == 0, "one text a day"
    texts = [m for m in sent_messages(phone_network) if m["to"] == JAN]
    assert "STOP" in texts[-1]["body"]
    alert = db.session.scalars(select(JobAlert)).one()
    assert alert.sent_vacancy_ids and alert.last_sent_on == date.today()


def test_subscribing_again_replaces_the_older_subscription(content):
    older = subscribe()
    newer = subscribe(region_code="12", occupation="spawacz")
    assert alerts.active_for(JAN) == newer
    db.session.refresh(older)
    assert older.stopped_by == "replaced"
    assert newer.occupation == "spawacz"


def test_stop_by_text_ends_the_alerts(twilio, content):
    subscribe()
    reply = twilio.post("/ivr/sms", {"From": JAN, "To": "+48221952400", "Body": "stop"})
    assert "wyłączone" in reply.data.decode()
    assert alerts.active_for(JAN) is None
    stopped = db.session.scalars(select(JobAlert)).one()
    assert stopped.stopped_by == "sms"


def test_a_text_that_is_not_stop_gets_no_reply(twilio, content):
    subscribe()
    reply = twilio.post("/ivr/sms", {"From": JAN, "To": "+48221952400", "Body": "dziękuję"})
    assert parse(reply.data).find("Message") is None
    assert alerts.active_for(JAN) is not None


def test_the_daily_run_is_scheduled_once_for_the_next_morning(app):
    evening = datetime(2025, 3, 4, 19, 0, tzinfo=UTC)
    job_id = alerts.schedule_next(evening)
    assert alerts.schedule_next(evening) == job_id == "job-alerts-2025-03-05"
    job = Job.fetch(job_id, connection=jobs.queue().connection)
    assert job.func_name == "messaging.tasks.run_job_alerts"
    assert callable(job.func)
