"""Messaging's Twilio webhook: texts sent to the hotline number."""

from __future__ import annotations

from flask import Blueprint, request
from twilio.twiml.messaging_response import MessagingResponse

from hotline.webhooks import twilio_webhook
from messaging import alerts, urls

bp = Blueprint("messaging", __name__)


# The numbers' messaging webhook is configured with this URL, so it keeps the IVR's prefix.
@bp.post(urls.INBOUND_SMS)
@twilio_webhook(fallback=lambda _sid: MessagingResponse())
def incoming_sms() -> MessagingResponse:
    """Take a text sent to the hotline number: STOP ends job alerts."""
    reply = alerts.handle_reply(request.form.get("From", ""), request.form.get("Body", ""))
    response = MessagingResponse()
    if reply:
        response.message(reply)
    return response
