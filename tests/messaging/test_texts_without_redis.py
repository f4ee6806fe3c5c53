"""A text asked for while Redis is down is stored, and sent once Redis is back."""

from __future__ import annotations

from hotline.jobs import jobs
from hotline.redis_client import redis_conn
from messaging.sms import queue_sms, requeue_unsent, sms_job_id


def test_a_text_stored_while_redis_is_down_is_queued_by_the_upkeep_once_it_is_back(
    app, redis_client, settings
):
    jobs.synchronous = False
    redis_conn.configure("redis://127.0.0.1:1/0")  # nothing listens there
    try:
        message = queue_sms("+48601000001", "faq", "Dokumenty: dowód", dedupe_key="faq:CA1:docs")
    finally:
        redis_conn.configure(settings.redis_url)
    assert message is not None and message.status == "queued"
    assert jobs.queue().fetch_job(sms_job_id(message.id)) is None

    assert requeue_unsent(older_than_seconds=0) == 1

    assert jobs.queue().fetch_job(sms_job_id(message.id)) is not None
    assert requeue_unsent(older_than_seconds=0) == 0  # its job is there: nothing twice
