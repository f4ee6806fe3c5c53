"""TwiML for the IVR's pages, built by pure functions.

Every page is one Gather followed by a Redirect to the page's silence URL, so a caller who
says nothing is prompted again and never cut off.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from twilio.twiml import TwiML
from twilio.twiml.voice_response import Gather, VoiceResponse

from hotline import speech
from ivr import urls
from recordings import urls as recording_urls

LANGUAGE_KEYS = {"1": "pl", "2": "en", "3": "uk", "4": "ro"}


# twilio ships no type hints, so VoiceResponse is Any to mypy, which --strict refuses to subclass.
class SharedPage(VoiceResponse):  # type: ignore[misc]
    """A page built once and served to every caller who reaches it, so it refuses changes.

    Most pages are the same for everyone who speaks a language (the main menu, an FAQ
    answer), so each is built and turned into XML once per process, not on every request.
    """

    def __init__(self, built: VoiceResponse) -> None:
        super().__init__()
        self.verbs = tuple(built.verbs)
        self.xml_text: str = built.to_xml()

    def to_xml(self, xml_declaration: bool = True) -> str:
        """Return the XML rendered when the page was built."""
        if xml_declaration:
            return self.xml_text
        rendered: str = super().to_xml(xml_declaration=False)
        return rendered

    def nest(self, verb: TwiML) -> TwiML:
        """Refuse: callers share this page (every verb method and append() come here)."""
        raise TypeError("a shared IVR page cannot be changed; build a new VoiceResponse")


def page(
    language: str,
    step: str,
    texts: Sequence[str],
    *,
    speech_input: bool = False,
    hints: str | None = None,
    num_digits: int | None = 1,
    finish_on_key: str | None = None,
    timeout: int = 6,
) -> VoiceResponse:
    """Say texts while listening for a key (or speech); silence leads to the step's re-prompt."""
    spoken_texts = tuple(text for text in texts if text)
    return _shared_page(
        language, step, spoken_texts, speech_input, hints, num_digits, finish_on_key, timeout
    )


@lru_cache(maxsize=2048)
def _shared_page(
    language: str,
    step: str,
    texts: tuple[str, ...],
    speech_input: bool,
    hints: str | None,
    num_digits: int | None,
    finish_on_key: str | None,
    timeout: int,
) -> SharedPage:
    response = VoiceResponse()
    spoken = speech.voice(language)
    options: dict[str, object] = {
        "action": urls.step_input(step),
        "method": "POST",
        "timeout": timeout,
        "input": "dtmf speech" if speech_input else "dtmf",
    }
    if num_digits is not None:
        options["num_digits"] = num_digits
    if finish_on_key is not None:
        options["finish_on_key"] = finish_on_key
    if speech_input:
        options.update(speech_timeout="auto", language=spoken.speech_language)
        if hints:
            options["hints"] = hints
    gather = Gather(**options)
    for text in texts:
        speech.say(gather, language, text)
    response.append(gather)
    response.redirect(urls.step_silence(step), method="POST")
    return SharedPage(response)


@lru_cache(maxsize=1024)
def greeting(language: str, first_name: str | None, first_step: str) -> VoiceResponse:
    """Greet the caller and offer the other languages, then carry on to their first page;
    0 (or asking for a person, in any of the languages) goes to a consultant at once.

    Nothing about the caller changes between the greeting and their first page, unless they
    press a language key, and that leads elsewhere. So the Redirect names the first page and
    its language, and that page is read without loading the caller's journey.
    """
    return SharedPage(_build_greeting(language, first_name, first_step))


def _build_greeting(language: str, first_name: str | None, first_step: str) -> VoiceResponse:
    response = VoiceResponse()
    # 0, or asking for a person in words, reaches a consultant here too, as everywhere.
    gather = Gather(
        input="dtmf speech",
        num_digits=1,
        action=urls.LANGUAGE,
        method="POST",
        timeout=2,
        speech_timeout="auto",
        language=speech.voice(language).speech_language,
        hints=speech.consultant_hints(),
    )
    if first_name:
        text = speech.prompt(language, "greeting_known", first_name=first_name)
    else:
        text = speech.prompt(language, "greeting_anonymous")
    speech.say(gather, language, text)
    for offered in speech.LANGUAGES:
        if offered != language:
            speech.say(gather, offered, speech.prompt(offered, "language_offer"))
    response.append(gather)
    response.redirect(urls.step(first_step, language), method="POST")
    return response


def language_menu(language: str) -> VoiceResponse:
    """Read every language's key in that language."""
    response = VoiceResponse()
    gather = Gather(input="dtmf", num_digits=1, action=urls.LANGUAGE, method="POST", timeout=5)
    for offered in speech.LANGUAGES:
        speech.say(gather, offered, speech.prompt(offered, "language_offer"))
    response.append(gather)
    response.redirect(urls.step("menu"), method="POST")
    return response


def record_voicemail(
    language: str, max_seconds: int = 120, *, lead: str | None = None, number_known: bool = False
) -> VoiceResponse:
    """Ask for a message and record it, reporting the file to the recordings package.

    A caller whose number came with the call is not asked to say it: the message keeps it.
    """
    response = VoiceResponse()
    if lead:
        speech.say(response, language, lead)
    ask = "voicemail_prompt_known" if number_known else "voicemail_prompt"
    speech.say(response, language, speech.prompt(language, ask))
    response.record(
        action=urls.VOICEMAIL_DONE,
        method="POST",
        max_length=max_seconds,
        timeout=5,
        play_beep=True,
        recording_status_callback=recording_urls.status_url(language),
        recording_status_callback_method="POST",
        # Twilio transcribes messages of 2 to 120 seconds and posts the text (or a failure).
        transcribe=True,
        transcribe_callback=recording_urls.transcription_url(language),
    )
    response.redirect(urls.VOICEMAIL_DONE, method="POST")
    return response


def say_then(language: str, texts: Sequence[str], then: VoiceResponse) -> VoiceResponse:
    """Say texts, then carry on with the verbs of another document."""
    response = VoiceResponse()
    for text in texts:
        speech.say(response, language, text)
    for verb in then.verbs:
        response.append(verb)
    return response
