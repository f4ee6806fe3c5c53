"""The centre's app plus one endpoint that returns fixed TwiML: the benchmark's baseline."""

from __future__ import annotations

from flask import Response
from twilio.twiml.voice_response import VoiceResponse

from centre.app import create_app

app = create_app()
_FIXED = VoiceResponse()
_FIXED.say("Dzień dobry, tu infolinia urzędów pracy.", language="pl-PL", voice="Polly.Ewa")
_FIXED.redirect("/ivr/menu")
FIXED_TWIML = str(_FIXED)


@app.post("/bench/fixed")
def fixed() -> Response:
    """Return the same TwiML every time."""
    return Response(FIXED_TWIML, mimetype="text/xml")
