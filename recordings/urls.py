"""The path of the recordings' Twilio webhook, named once for the views and the TwiML."""

from __future__ import annotations

PREFIX = "/recordings"
# Twilio reports here, in the background, when a recording is ready (recordingStatusCallback).
STATUS = PREFIX + "/status"
