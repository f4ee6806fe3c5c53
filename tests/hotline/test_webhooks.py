from __future__ import annotations

from hotline.db import db
from hotline.redis_client import redis_conn
from tests.twiml import parse, spoken, verbs

CALL = {"CallSid": "CA" + "1" * 32, "From": "+48601000001", "To": "+48221952400"}


def test_missing_signature_is_refused(twilio):
    response = twilio.post("/ivr/incoming", CALL, signature=None)
    assert response.status_code == 403


def test_forged_signature_is_refused(twilio):
    response = twilio.post("/ivr/incoming", CALL, signature="bm90IGEgc2lnbmF0dXJl")
    assert response.status_code == 403


def test_signature_for_other_params_is_refused(twilio):
    signed = twilio.validator.compute_signature(
        "https://hotline.example.org/ivr/incoming", {**CALL, "From": "+48999999999"}
    )
    assert twilio.post("/ivr/incoming", CALL, signature=signed).status_code == 403


def test_signature_is_checked_against_public_url_with_query(twilio, demo):
    path = "/routing/leg-status?call=CA1&consultant=1"
    response = twilio.post(path, {**CALL, "CallStatus": "completed"})
    assert response.status_code == 200


def test_a_failing_flow_apologises_instead_of_an_error(twilio, demo, settings, tmp_path):
    redis_conn.configure("redis://127.0.0.1:1/0")  # nothing listens there
    db.configure(f"sqlite:///{tmp_path}")  # a folder: no database opens there either
    try:
        response = twilio.post("/ivr/incoming", CALL)
    finally:
        db.configure(settings.database_url)
    assert response.status_code == 200
    assert response.mimetype == "text/xml"
    root = parse(response.data)
    assert "problem" in spoken(root)
    assert verbs(root)[-1] == "Hangup"


def test_status_callback_twice_is_harmless(twilio, demo):
    params = {**CALL, "CallStatus": "completed", "CallDuration": "12"}
    assert twilio.post("/ivr/status", params).status_code == 200
    assert twilio.post("/ivr/status", params).status_code == 200


def test_signature_over_the_url_with_its_default_port_is_accepted(twilio, demo):
    # Twilio sometimes signs https://host:443/...; the library's full check still runs when
    # the signature over the URL exactly as configured does not match.
    signed = twilio.validator.compute_signature(
        "https://hotline.example.org:443/ivr/incoming", CALL
    )
    assert twilio.post("/ivr/incoming", CALL, signature=signed).status_code == 200
