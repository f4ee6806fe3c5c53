"""The path of messaging's Twilio webhook, named once for the view and the README."""

from __future__ import annotations

# The number's messaging webhook in the Twilio console: keep it, numbers are set up with it.
INBOUND_SMS = "/ivr/sms"
