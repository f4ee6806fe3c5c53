"""The eligibility pre-check: yes/no questions, then an indicative outcome with its disclaimer."""

from __future__ import annotations

from twilio.twiml.voice_response import VoiceResponse

from hotline.settings import Settings
from ivr import flow, understanding
from ivr.journey import Journey
from ivr.steps import CallInput, GoTo, Shown, failed, heard, p
from knowledge import service as knowledge


def eligibility_prompt(settings: Settings, journey: Journey, lead: str | None) -> VoiceResponse:
    """Ask the next yes/no question, or read the indicative outcome."""
    rules = knowledge.eligibility_rules(journey.language)
    question = rules.next_question(journey.answers)
    texts = [lead or ""]
    if question is not None:
        texts += [question.text, p(journey, "yes_no")]
        return flow.page(journey.language, "eligibility", texts, speech_input=True)
    outcome = rules.decide(journey.answers)
    if outcome is not None:
        heard(journey, "precheck", outcome=outcome.outcome)
    # The outcome says it is indicative; the disclaimer was read before the first question.
    texts += [outcome.text if outcome else "", p(journey, "eligibility_after")]
    return flow.page(journey.language, "eligibility", texts)


def eligibility_handle(settings: Settings, journey: Journey, given: CallInput) -> Shown:
    """Record a yes or no and move on."""
    rules = knowledge.eligibility_rules(journey.language)
    question = rules.next_question(journey.answers)
    if question is None:
        return failed(journey, "eligibility", "not_understood")
    answer = (
        rules.answer(given.digits)
        if given.digits
        else understanding.yes_or_no(journey.language, given.said)
    )
    if answer is None:
        return failed(journey, "eligibility", "not_understood")
    journey.answers = {**journey.answers, question.id: answer}
    return GoTo("eligibility")


def question_open(journey: Journey) -> bool:
    """Tell whether the pre-check still has a question for this caller."""
    return knowledge.eligibility_rules(journey.language).next_question(journey.answers) is not None


def restart(journey: Journey) -> GoTo:
    """Start the pre-check again (star after an outcome)."""
    journey.answers = {}
    return GoTo("eligibility", lead=introduction(journey))


def introduction(journey: Journey) -> str:
    """Say what the pre-check is, that only the office decides, and how to answer."""
    disclaimer = knowledge.eligibility_rules(journey.language).disclaimer
    return f"{p(journey, 'eligibility_intro')} {disclaimer}"
