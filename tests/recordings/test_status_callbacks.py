"""A recording's status callback is kept before it is acknowledged, and stored once."""

from __future__ import annotations

from sqlalchemy import select

from hotline.db import db
from hotline.jobs import jobs
from hotline.redis_client import redis_conn
from recordings import tasks
from recordings.models import Recording

CALL = "CA" + "3" * 32
SID = "RE" + "3" * 32


def report(status: str = "completed", duration: str = "9") -> dict[str, str]:
    return {
        "CallSid": CALL,
        "RecordingSid": SID,
        "RecordingUrl": "https://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/" + SID,
        "RecordingStatus": status,
        "RecordingDuration": duration,
    }


def stored() -> list[tuple[str, int | None, str | None]]:
    db.session.expire_all()
    return [
        (r.status, r.duration_seconds, r.language) for r in db.session.scalars(select(Recording))
    ]


def test_a_duplicate_callback_stores_the_message_once(twilio, demo):
    for _ in range(3):
        assert twilio.post("/recordings/status?language=uk", report()).status_code == 200

    assert stored() == [("completed", 9, "uk")]


def test_a_late_in_progress_report_does_not_undo_a_finished_recording(twilio, demo):
    twilio.post("/recordings/status", report("completed"))
    twilio.post("/recordings/status", report("in-progress", duration=""))

    assert stored() == [("completed", 9, None)]


def test_an_unknown_language_in_the_callback_is_not_kept(twilio, demo):
    twilio.post("/recordings/status?language=xx", report())

    assert stored() == [("completed", 9, None)]


def test_a_callback_that_redis_cannot_take_is_stored_at_once(twilio, demo, settings):
    redis_conn.configure("redis://127.0.0.1:1/0")  # nothing listens there

    response = twilio.post("/recordings/status", report())

    assert response.status_code == 200
    assert stored() == [("completed", 9, None)]


def test_a_callback_that_cannot_be_kept_is_answered_503_so_twilio_may_retry(
    twilio, demo, settings, tmp_path
):
    redis_conn.configure("redis://127.0.0.1:1/0")  # nothing listens there: nowhere to keep it
    db.configure(f"sqlite:///{tmp_path}")  # a folder: no database can be opened there
    try:
        response = twilio.post("/recordings/status", report())
    finally:
        db.configure(settings.database_url)

    assert response.status_code == 503
    assert stored() == []


def test_the_callback_answers_before_the_database_has_the_message(twilio, demo, redis_client):
    jobs.synchronous = False  # as in production: the worker stores it

    assert twilio.post("/recordings/status", report()).status_code == 200
    assert stored() == []
    (queued,) = jobs.queue().get_jobs()
    assert queued.retries_left == 10

    queued.perform()
    queued.perform()  # a retry after a half-finished first run changes nothing
    assert stored() == [("completed", 9, None)]


def test_storing_a_report_twice_keeps_one_row(app, demo):
    first = tasks.store_recording_report(SID, CALL, "https://x/rec", "completed", 5, "pl")
    again = tasks.store_recording_report(SID, CALL, "https://x/rec", "completed", 5, "pl")

    assert first == again
    assert stored() == [("completed", 5, "pl")]
