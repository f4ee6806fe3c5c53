"""Keeping track of recordings Twilio reports."""

from __future__ import annotations

import logging

from hotline.db import db, get_or_create
from hotline.telephony import telephony
from recordings.models import Recording

log = logging.getLogger(__name__)


def recording_status(
    recording_sid: str, call_sid: str, url: str, status: str, duration: int | None
) -> Recording:
    """Store or update what Twilio says about a recording; repeats change nothing new."""
    with db.transaction() as session:
        recording, _created = get_or_create(
            session, Recording, {"call_sid": call_sid, "url": url}, recording_sid=recording_sid
        )
        recording.status = status or recording.status
        recording.duration_seconds = (
            duration if duration is not None else recording.duration_seconds
        )
    log.info("call %s: recording %s is %s", call_sid, recording_sid, recording.status)
    return recording


def audio(recording: Recording) -> bytes:
    """Return a recording's audio (WAV) from the phone network that holds it."""
    return telephony.current().fetch_recording(recording.recording_sid)
