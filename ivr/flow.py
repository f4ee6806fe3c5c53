"""TwiML for the IVR's menus and answers, built by pure functions."""

from __future__ import annotations

from twilio.twiml.voice_response import Gather, VoiceResponse

from hotline import speech

LANGUAGE_KEYS = {"1": "pl", "2": "en", "3": "uk", "4": "ro"}
MENU_HINTS = {
    "pl": "dokumenty, zasiłek, konsultant",
    "en": "documents, benefit, consultant",
    "uk": "документи, допомога, консультант",
    "ro": "acte, indemnizație, consultant",
}


def _gather(language: str, action: str, *, speech_input: bool, timeout: int = 6) -> Gather:
    spoken = speech.voice(language)
    if speech_input:
        return Gather(
            input="dtmf speech",
            num_digits=1,
            action=action,
            method="POST",
            timeout=timeout,
            speech_timeout="auto",
            language=spoken.speech_language,
            hints=MENU_HINTS[language],
        )
    return Gather(input="dtmf", num_digits=1, action=action, method="POST", timeout=timeout)


def greeting(language: str, first_name: str | None) -> VoiceResponse:
    """Greet the caller and offer the other languages, then go on to the main menu."""
    response = VoiceResponse()
    gather = _gather(language, "/ivr/language", speech_input=False, timeout=2)
    if first_name:
        text = speech.prompt(language, "greeting_known", first_name=first_name)
    else:
        text = speech.prompt(language, "greeting_anonymous")
    speech.say(gather, language, text)
    for offered in speech.LANGUAGES:
        if offered != language:
            speech.say(gather, offered, speech.prompt(offered, "language_offer"))
    response.append(gather)
    response.redirect("/ivr/menu", method="POST")
    return response


def language_menu(language: str) -> VoiceResponse:
    """Read every language's key in that language."""
    response = VoiceResponse()
    gather = _gather(language, "/ivr/language", speech_input=False, timeout=5)
    for offered in speech.LANGUAGES:
        speech.say(gather, offered, speech.prompt(offered, "language_offer"))
    response.append(gather)
    response.redirect("/ivr/menu", method="POST")
    return response


def main_menu(language: str, lead: str | None = None) -> VoiceResponse:
    """Read the main menu and listen for a key or a spoken choice."""
    response = VoiceResponse()
    gather = _gather(language, "/ivr/menu/choice", speech_input=True)
    if lead:
        speech.say(gather, language, speech.prompt(language, lead))
    speech.say(gather, language, speech.prompt(language, "main_menu"))
    response.append(gather)
    response.redirect("/ivr/menu/silence", method="POST")
    return response


def answer(language: str, topic: str, text: str | None, lead: str | None = None) -> VoiceResponse:
    """Read an answer (or only the options after it) and listen for what comes next."""
    response = VoiceResponse()
    gather = _gather(language, f"/ivr/answer/{topic}/choice", speech_input=False)
    if lead:
        speech.say(gather, language, speech.prompt(language, lead))
    if text:
        speech.say(gather, language, text)
    speech.say(gather, language, speech.prompt(language, "after_answer"))
    response.append(gather)
    response.redirect(f"/ivr/answer/{topic}/silence", method="POST")
    return response


def redirect(url: str) -> VoiceResponse:
    """Continue the call at another IVR URL."""
    response = VoiceResponse()
    response.redirect(url, method="POST")
    return response
