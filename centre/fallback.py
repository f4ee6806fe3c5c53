"""The TwiML for the number's fallback URL, which Twilio fetches when the centre cannot answer.

It must be hosted apart from the centre (a TwiML Bin, or any static host), since it is used
exactly when the centre's web process is down or failing. So it is generated once, here, and
pasted where it is hosted; nothing in it asks the centre anything.
"""

from __future__ import annotations

from twilio.twiml.voice_response import Dial, VoiceResponse

from hotline import speech

# The caller's language is not known when the centre cannot be asked: say it in all four,
# Polish first, then the languages most callers who do not speak it speak.
LANGUAGES = ("pl", "uk", "en", "ro")
BACKUP_RING_SECONDS = 40


def fallback_twiml(backup_number: str = "") -> str:
    """Return the fallback document: an apology, then the backup line or a request to call
    again later. backup_number is a line answered apart from the centre (an office's desk,
    a second site), in E.164."""
    response = VoiceResponse()
    for language in LANGUAGES:
        speech.say(response, language, speech.prompt(language, "fallback_apology"))
    if backup_number:
        for language in LANGUAGES:
            speech.say(response, language, speech.prompt(language, "fallback_transfer"))
        dial = Dial(timeout=BACKUP_RING_SECONDS)
        dial.number(backup_number)
        response.append(dial)
    for language in LANGUAGES:
        speech.say(response, language, speech.prompt(language, "fallback_call_later"))
    response.hangup()
    return str(response)
