"""TwiML for waiting in the queue and being connected, built by pure functions."""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import urlencode

from twilio.twiml.voice_response import Dial, Gather, VoiceResponse

from hotline import speech
from routing import prompts, urls

# The recordings package's webhook (routing does not import it).
RECORDING_STATUS_URL = "/recordings/status"
RECORDING_TRANSCRIPTION_URL = "/recordings/transcription"
CONSULTANT_LANGUAGE = speech.DEFAULT_LANGUAGE
# Said before the caller's place and wait: news about their own advisor matters most to them,
# and they may choose before anyone else can take the call (bench/day: heard at 7.5 s).
LEADING_OFFERS = frozenset({"advisor_callback_offer"})
# Said in place of the expected wait when nobody is at work to give one.
UNSTAFFED_OFFERS = frozenset({"unstaffed_offer", "unstaffed_voicemail_offer"})


def enqueue(
    language: str, queue_name: str, announce: str | None = "queue_joining"
) -> VoiceResponse:
    """Tell the caller they are being put through, then place them in the queue."""
    response = VoiceResponse()
    if announce:
        speech.say(response, language, speech.prompt(language, announce))
    response.enqueue(
        queue_name,
        action=urls.QUEUE_RESULT,
        method="POST",
        wait_url=urls.WAIT,
        wait_url_method="POST",
    )
    return response


def wait_message(
    language: str,
    position: int,
    minutes: int | None,
    pause_seconds: int,
    *,
    offers: Sequence[str] = (),
    callback_minutes: int | None = None,
    hold_music_url: str = "",
) -> VoiceResponse:
    """Announce the caller's place and expected wait, then hold until the next announcement.

    With offers (prompt keys such as "callback_offer" or "max_wait_offer"; with callback_minutes
    a leading offer also says how soon advisors usually call back) everything plays
    inside a Gather, so a key pressed at any moment of the wait reaches the wait-key URL.
    On silence the document simply ends, and Twilio asks for the wait URL again itself, with
    the Queue* parameters (a Redirect there would come without them).
    """
    response = VoiceResponse()
    target: VoiceResponse | Gather = response
    if offers:
        target = Gather(input="dtmf", num_digits=1, action=urls.WAIT_KEY, method="POST", timeout=2)
    for offer in offers:
        if offer not in LEADING_OFFERS:
            continue
        if callback_minutes is None:
            text = prompts.text(language, offer)
        else:
            text = prompts.text(language, f"{offer}_usual", minutes=callback_minutes)
        speech.say(target, language, text)
    unstaffed = [offer for offer in offers if offer in UNSTAFFED_OFFERS]
    for offer in unstaffed:
        speech.say(target, language, prompts.text(language, offer))
    speech.say(target, language, speech.prompt(language, "queue_position", position=position))
    if minutes is not None:
        key = "queue_estimate_one" if minutes == 1 else "queue_estimate"
        speech.say(target, language, speech.prompt(language, key, minutes=minutes))
    elif not unstaffed:
        speech.say(target, language, speech.prompt(language, "queue_hold"))
    for offer in offers:
        if offer not in LEADING_OFFERS and offer not in UNSTAFFED_OFFERS:
            speech.say(target, language, prompts.text(language, offer))
    if hold_music_url:
        target.play(hold_music_url)
    else:
        target.pause(length=pause_seconds)
    if offers:
        response.append(target)
    return response


def callback_confirmed(language: str, key: str = "callback_confirmed") -> VoiceResponse:
    """Confirm a callback request and hang up; the request keeps the caller's place."""
    response = VoiceResponse()
    speech.say(response, language, prompts.text(language, key))
    response.hangup()
    return response


def leave_queue() -> VoiceResponse:
    """End the wait; the Enqueue action decides what happens next."""
    response = VoiceResponse()
    response.leave()
    return response


def recording_notice(language: str, decline_key: str | None) -> VoiceResponse:
    """Tell the caller their call with a consultant is recorded, and how to decline it.

    With decline_key the notice plays inside a Gather whose key reaches the consent URL; on
    silence the Redirect takes them there without one. Either way they then join the queue.
    """
    response = VoiceResponse()
    if decline_key:
        gather = Gather(
            input="dtmf",
            num_digits=1,
            action=urls.RECORDING_CONSENT,
            method="POST",
            timeout=3,
            finish_on_key="",
        )
        speech.say(gather, language, prompts.text(language, "recording_notice"))
        offer = prompts.text(language, "recording_decline_offer", key=spoken_key(decline_key))
        speech.say(gather, language, offer)
        response.append(gather)
    else:
        speech.say(response, language, prompts.text(language, "recording_notice"))
    response.redirect(urls.RECORDING_CONSENT, method="POST")
    return response


def spoken_key(key: str) -> str:
    """Return a key as a prompt says it ("9", "*", "#")."""
    return key


def recording_status_url(call_sid: str) -> str:
    """Return the recording status callback of a call's room (kind=call names what it is)."""
    return f"{RECORDING_STATUS_URL}?{urlencode({'kind': 'call', 'call': call_sid})}"


def voicemail(language: str, max_seconds: int, number_known: bool = False) -> VoiceResponse:
    """Record a message for the centre; the recordings package stores it when it is ready.

    A caller whose number came with the call is not asked to say it.
    """
    response = VoiceResponse()
    ask = "voicemail_prompt_known" if number_known else "voicemail_prompt"
    speech.say(response, language, prompts.text(language, ask))
    response.record(
        action=urls.VOICEMAIL_DONE,
        method="POST",
        max_length=max_seconds,
        play_beep=True,
        recording_status_callback=f"{RECORDING_STATUS_URL}?{urlencode({'language': language})}",
        recording_status_callback_method="POST",
        # Twilio transcribes messages of 2 to 120 seconds and posts the text (or a failure).
        transcribe=True,
        transcribe_callback=f"{RECORDING_TRANSCRIPTION_URL}?{urlencode({'language': language})}",
    )
    speech.say(response, language, prompts.text(language, "voicemail_thanks"))
    response.hangup()
    return response


def voicemail_done(language: str) -> VoiceResponse:
    """Thank the caller for their message and end the call."""
    response = VoiceResponse()
    speech.say(response, language, prompts.text(language, "voicemail_thanks"))
    response.hangup()
    return response


def callback_dial(
    number: str, *, action: str, timeout: int, caller_id: str | None
) -> VoiceResponse:
    """Tell the consultant whom they call back, then dial the customer."""
    response = VoiceResponse()
    text = prompts.text(CONSULTANT_LANGUAGE, "callback_intro")
    speech.say(response, CONSULTANT_LANGUAGE, text)
    dial = Dial(action=action, method="POST", timeout=timeout, caller_id=caller_id)
    dial.number(number)
    response.append(dial)
    return response


def consultant_message(key: str) -> VoiceResponse:
    """Tell the consultant something about a callback and end their leg."""
    response = VoiceResponse()
    speech.say(response, CONSULTANT_LANGUAGE, prompts.text(CONSULTANT_LANGUAGE, key))
    response.hangup()
    return response


def music(url: str) -> VoiceResponse:
    """Play the centre's own music to a caller waiting in a room, over and over."""
    response = VoiceResponse()
    response.play(url, loop=0)
    return response


def hold(pause_seconds: int) -> VoiceResponse:
    """Keep the caller waiting quietly (the wait URL's fallback)."""
    response = VoiceResponse()
    response.pause(length=pause_seconds)
    return response


# The caller's label among their room's participants.
CALLER_LABEL = "caller"


def room(call_sid: str) -> str:
    """Return the name of the conference room a caller and their consultants meet in."""
    return f"call-{call_sid}"


def caller_room(
    language: str, call_sid: str, *, music: bool = False, record: bool = False
) -> VoiceResponse:
    """Tell the caller they are being put through, and bring them into their call's room.

    The room starts when a consultant joins it; until then the caller hears the wait music
    (Twilio's own unless the centre has its own, music). The room ends when the caller leaves it,
    and their call goes on at the Dial's action. With record, the room is recorded from its
    start (the caller, its first participant, on the first channel) and reports the recording
    to the recordings package.
    """
    response = VoiceResponse()
    speech.say(response, language, speech.prompt(language, "connecting"))
    dial = Dial(action=urls.room_left(call_sid), method="POST")
    dial.conference(
        room(call_sid),
        start_conference_on_enter=False,
        end_conference_on_exit=True,
        beep=False,
        participant_label=CALLER_LABEL,
        # The room reports its start and end (its sid) and holds, for hold time: the first
        # participant's statusCallback is the room's, and the caller is always the first.
        status_callback=urls.room_status(call_sid),
        status_callback_method="POST",
        status_callback_event="start end hold",
        **({"wait_url": urls.MUSIC, "wait_method": "POST"} if music else {}),
        **(
            {
                "record": "record-from-start",
                "recording_status_callback": recording_status_url(call_sid),
                "recording_status_callback_method": "POST",
                "recording_status_callback_event": "in-progress completed absent",
            }
            if record
            else {}
        ),
    )
    response.append(dial)
    return response


def consultant_room(call_sid: str, consultant_id: int) -> VoiceResponse:
    """Bring the consultant who answered into the caller's room, which starts with them.

    The room ends when they hang up (unless they hand the call on first), so the caller is
    never left alone in it.
    """
    response = VoiceResponse()
    dial = Dial()
    dial.conference(
        room(call_sid),
        start_conference_on_enter=True,
        end_conference_on_exit=True,
        beep=False,
        participant_label=consultant_label(consultant_id),
    )
    response.append(dial)
    return response


def put_through(
    language: str, number: str, name: str, *, caller_id: str, timeout: int = 40
) -> VoiceResponse:
    """Tell a caller whom they are put through to, then dial that outside number.

    If nobody answers there, the caller hears so before the call ends.
    """
    response = VoiceResponse()
    speech.say(response, language, prompts.text(language, "transfer_outside", name=name))
    dial = Dial(timeout=timeout, caller_id=caller_id)
    dial.number(number)
    response.append(dial)
    speech.say(response, language, prompts.text(language, "transfer_failed"))
    response.hangup()
    return response


def consultant_label(consultant_id: int) -> str:
    """Return the label a consultant has among the room's participants."""
    return f"consultant-{consultant_id}"


def consultant_of_label(label: str) -> int | None:
    """Return the consultant a room participant's label names, or None for anyone else (the
    caller, a supervisor, a participant without a label)."""
    prefix = consultant_label(0).removesuffix("0")
    number = label.removeprefix(prefix)
    if label.startswith(prefix) and number.isdigit():
        return int(number)
    return None


def screen(call_sid: str, consultant_id: int, timeout: int = 8) -> VoiceResponse:
    """Ask whoever answered the desk phone to press 1; silence or another key declines it."""
    return press_one(urls.screen_key(call_sid, consultant_id), "screen_call", timeout)


def press_one(action: str, prompt_key: str, timeout: int) -> VoiceResponse:
    """Say a prompt to whoever answered a desk phone and gather one key for action; silence
    hangs up, so that a voicemail box, which presses nothing, never takes the call."""
    response = VoiceResponse()
    gather = Gather(input="dtmf", num_digits=1, action=action, method="POST", timeout=timeout)
    speech.say(gather, CONSULTANT_LANGUAGE, prompts.text(CONSULTANT_LANGUAGE, prompt_key))
    response.append(gather)
    response.hangup()
    return response


def screen_declined() -> VoiceResponse:
    """End the desk phone's leg: the caller keeps their place in the queue."""
    return consultant_message("screen_declined")


def goodbye(language: str, texts: Sequence[str] = ()) -> VoiceResponse:
    """Say texts, thank the caller and end the call."""
    response = VoiceResponse()
    for text in texts:
        speech.say(response, language, text)
    speech.say(response, language, speech.prompt(language, "goodbye"))
    response.hangup()
    return response


def empty() -> VoiceResponse:
    """Return an empty document (Twilio ignores it after a hangup)."""
    return VoiceResponse()


def supervisor_label(supervisor_id: int) -> str:
    """Return the label a supervisor has among the room's participants."""
    return f"supervisor-{supervisor_id}"


def supervisor_room(
    call_sid: str, supervisor_id: int, *, muted: bool, coach: str | None
) -> VoiceResponse:
    """Bring a supervisor into a live call's room: muted to listen in, coaching the consultant's
    leg coach (heard by the consultant alone), or neither to barge in.

    They join without a beep, neither start nor end the room, and leave it without ending the
    call; when the room ends their call goes on at the Dial's action.
    """
    response = VoiceResponse()
    dial = Dial(action=urls.supervise_left(call_sid, supervisor_id), method="POST")
    dial.conference(
        room(call_sid),
        muted=muted,
        coach=coach,
        start_conference_on_enter=False,
        end_conference_on_exit=False,
        beep=False,
        participant_label=supervisor_label(supervisor_id),
    )
    response.append(dial)
    return response


def supervisor_screen(call_sid: str, supervisor_id: int, timeout: int = 8) -> VoiceResponse:
    """Ask whoever answered a supervisor's desk phone to press 1, so that a voicemail box never
    sits in on a caller's conversation."""
    return press_one(
        urls.supervise_screen_key(call_sid, supervisor_id), "supervise_screen", timeout
    )


def supervision_over() -> VoiceResponse:
    """Tell the supervisor the call they wanted has ended, and hang up."""
    return consultant_message("supervise_over")
