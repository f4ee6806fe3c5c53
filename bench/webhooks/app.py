"""The centre's app plus one endpoint that returns fixed TwiML: the benchmark's baseline."""

from __future__ import annotations

from flask import Response
from twilio.twiml.voice_response import VoiceResponse

from centre.app import create_app, exempt_webhooks
from hotline.access import signed_by_twilio

app = create_app()
_FIXED = VoiceResponse()
_FIXED.say("Dzień dobry, tu infolinia urzędów pracy.", language="pl-PL", voice="Polly.Ewa")
_FIXED.redirect("/ivr/menu")
FIXED_TWIML = str(_FIXED)


@app.post("/bench/fixed")
@signed_by_twilio
def fixed() -> Response:
    """Return the same TwiML every time (marked as a webhook so that the access guard and the
    CSRF check pass it as they pass the webhooks it is compared with; it checks no signature,
    as it never did)."""
    return Response(FIXED_TWIML, mimetype="text/xml")


exempt_webhooks(app)
