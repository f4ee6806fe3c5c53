from __future__ import annotations

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from centre.app import create_app
from hotline.db import db
from recordings.models import Recording
from tests.conftest import TwilioSigner
from tests.ivr.test_views import KNOWN, gather, press
from tests.twiml import parse, spoken


@pytest.fixture
def closed_twilio(settings, demo, redis_client) -> TwilioSigner:
    """A centre whose consultants never work (a Monday minute at midnight only)."""
    app = create_app(settings.with_overrides(consultant_hours="mon 00:00-00:01"))
    return TwilioSigner(FlaskClient(app))


def test_outside_hours_zero_offers_a_callback_or_a_message(closed_twilio):
    closed_twilio.post("/ivr/incoming", KNOWN)
    root = press(closed_twilio, "menu", "0")
    assert "niedostępni" in spoken(root)
    assert gather(root).get("action") == "/ivr/closed/input"
    assert root.find("Enqueue") is None


def test_voicemail_is_recorded_and_reported_to_recordings(closed_twilio):
    closed_twilio.post("/ivr/incoming", KNOWN)
    press(closed_twilio, "menu", "0")
    record = press(closed_twilio, "closed", "2")
    verb = record.find("Record")
    assert verb.get("action") == "/ivr/voicemail/done"
    assert verb.get("recordingStatusCallback") == "/recordings/status?language=pl"
    done = closed_twilio.post(
        "/ivr/voicemail/done",
        {**KNOWN, "RecordingUrl": "https://api.twilio.com/rec/RE1", "RecordingDuration": "7"},
    )
    assert "wiadomość została zapisana" in spoken(parse(done.data))
    status = {
        **KNOWN, "RecordingSid": "RE" + "1" * 32, "RecordingUrl": "https://api.twilio.com/rec/RE1",
        "RecordingStatus": "completed", "RecordingDuration": "7",
    }  # fmt: skip
    callback = verb.get("recordingStatusCallback")
    assert closed_twilio.post(callback, status).status_code == 200
    assert closed_twilio.post(callback, status).status_code == 200
    stored = db.session.scalars(select(Recording)).all()
    assert [(r.kind, r.status, r.duration_seconds, r.language) for r in stored] == [
        ("voicemail", "completed", 7, "pl")
    ]


def test_callback_request_outside_hours_is_kept_for_the_morning(closed_twilio):
    from routing.models import CallbackRequest

    closed_twilio.post("/ivr/incoming", KNOWN)
    press(closed_twilio, "menu", "0")
    root = press(closed_twilio, "closed", "1")
    assert "oddzwoni" in spoken(root)
    assert root.find("Hangup") is not None
    press(closed_twilio, "closed", "1")
    requests = db.session.scalars(select(CallbackRequest)).all()
    assert [r.number for r in requests] == ["+48601000001"]
