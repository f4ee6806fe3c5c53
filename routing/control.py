"""Call control in the caller's room: hold, transfers, consultations and three-way calls.

Caller and consultant meet in a conference room named after the caller's call (CALLS.md), so
that the centre can hold the caller (the Participant resource's Hold, with the centre's hold
music or Twilio's), ring a colleague or an outside party into the room, and let the
consultant leave while the room goes on.

- A **cold transfer** to a colleague, the caller's advisor or office team, a language or the
  queue puts the call back into the routing engine as waiting, with its place and priority,
  for the tier the target names; the caller goes back into the Twilio queue (hearing that
  they keep their place, their position and wait, and the callback offers), and the router
  rings whoever is chosen into a new room of the same name, as for any caller. Waiting in the
  queue rather than on hold in the room means every failure (the colleague misses the ring,
  the caller hangs up, a process dies) takes the path a queued caller already has.
- A **cold transfer out** puts the caller through to an outside number from the office's
  directory; the call's record ends there.
- A **consultation** holds the caller and rings a colleague (or an outside number) into the
  room; the consultant then joins all three, hands over (they leave, the room stays with the
  colleague, who ends it when they hang up), or ends the consultation.
- A **three-way call** rings an interpreter or a partner institution into the room, with the
  caller listening.

Every state lives in Redis (``keys.room``; the legs in ``routing.legs``), and each change of
who holds the call is one Lua script in the engine. Auditing is the desk's (it knows who acts).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from twilio.twiml.voice_response import VoiceResponse

from hotline.telephony import FINAL_CALL_STATUSES, CallControl, TelephonyError, telephony
from routing import consent, keys, legs, twiml, urls
from routing.legs import Leg
from routing.live import STAFFED_STATES, EntryState, LiveEntry
from routing.service import Routing, back_in_queue, bring_back, language_of, schedule_record

log = logging.getLogger(__name__)

TRANSFER_KINDS = ("consultant", "advisor", "office", "language", "queue")
OUTSIDE_LABEL = "outside"
CALLER_LABEL = twiml.CALLER_LABEL
PARTY_FIELDS = (
    "party_label",
    "party_kind",
    "party_state",
    "party_leg",
    "party_consultant_id",
    "party_number",
    "party_name",
    "party_joined",
    "party_by",
)


class CallControlError(ValueError):
    """A call-control action the consultant may not take now, in words they can read."""


@dataclass(frozen=True)
class Party:
    """Someone rung into the caller's room besides its consultant."""

    label: str
    kind: str  # "consult" or "three-way"
    state: str  # "ringing", "in-room", "ended" or "missed"
    leg: str = ""
    consultant_id: int | None = None
    number: str = ""
    name: str = ""
    joined: bool = False  # the caller hears them


@dataclass(frozen=True)
class Room:
    """A call's room as the centre knows it."""

    call_sid: str
    conference_sid: str = ""
    held: bool = False
    party: Party | None = None
    note: str = ""  # what the last consultant to transfer the call wrote for the next
    outside_number: str = ""
    outside_name: str = ""


def room_state(routing: Routing, call_sid: str) -> Room:
    """Return what the centre knows of a call's room."""
    client = routing.engine.redis
    raw = client.hgetall(keys.room(call_sid))
    values = {_text(k): _text(v) for k, v in raw.items()}
    party = None
    if values.get("party_label"):
        consultant = values.get("party_consultant_id") or ""
        party = Party(
            label=values["party_label"],
            kind=values.get("party_kind", "consult"),
            state=values.get("party_state", "ringing"),
            leg=values.get("party_leg", ""),
            consultant_id=int(consultant) if consultant else None,
            number=values.get("party_number", ""),
            name=values.get("party_name", ""),
            joined=values.get("party_joined") == "1",
        )
    return Room(
        call_sid=call_sid,
        conference_sid=values.get("conference_sid", ""),
        held=legs.held_now(legs.hold_events(client, call_sid)),
        party=party,
        note=values.get("note", ""),
        outside_number=values.get("outside_number", ""),
        outside_name=values.get("outside_name", ""),
    )


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _remember(routing: Routing, call_sid: str, **fields: str) -> None:
    client = routing.engine.redis
    pipe = client.pipeline()
    pipe.hset(keys.room(call_sid), mapping=fields)  # type: ignore[arg-type]
    pipe.expire(keys.room(call_sid), keys.ENTRY_TTL_SECONDS)
    pipe.execute()


def _network() -> CallControl:
    return telephony.call_control()


def _owned(routing: Routing, call_sid: str, consultant_id: int) -> LiveEntry:
    """Return the call the consultant is connected to, or refuse."""
    entry = routing.engine.entry(call_sid)
    if entry is None or entry.state != EntryState.CONNECTED or entry.consultant_id != consultant_id:
        raise CallControlError("you are not on that call (any more)")
    if entry.callback:
        raise CallControlError("a callback's customer is not in a room; it cannot be held")
    return entry


def conference_sid(routing: Routing, call_sid: str) -> str:
    """Return the sid of the call's live room: as its callbacks told it, or asked of the
    network when they have not come yet."""
    known = room_state(routing, call_sid).conference_sid
    if known:
        return known
    try:
        found = _network().room_sid(twiml.room(call_sid))
    except TelephonyError as exc:
        raise CallControlError("the phone network did not answer; try again") from exc
    if not found:
        raise CallControlError("the call's room has ended")
    _remember(routing, call_sid, conference_sid=found)
    return found


def _act(what: str, action: Any, *args: Any, **kwargs: Any) -> Any:
    """Ask the network for something, turning its refusal into words for the consultant."""
    try:
        return action(*args, **kwargs)
    except TelephonyError as exc:
        log.warning("%s failed: %s", what, exc)
        raise CallControlError(f"the phone network refused to {what}; try again") from exc


# Hold


def hold(routing: Routing, call_sid: str, consultant_id: int, on: bool) -> None:
    """Put the caller on hold with music (the centre's, or Twilio's own), or take them off.

    Hold time is measured from what the room reports (``room_event``), not from this request.
    """
    _owned(routing, call_sid, consultant_id)
    room = conference_sid(routing, call_sid)
    _hold_caller(routing, room, on)
    log.info("call %s: consultant %s %s the caller", call_sid, consultant_id,
             "holds" if on else "resumes")  # fmt: skip
    routing.engine.publish(
        "call.hold" if on else "call.resume", call_sid=call_sid, consultant_id=consultant_id
    )


# Recording


def pause_recording(routing: Routing, call_sid: str, consultant_id: int, paused: bool) -> None:
    """Pause the recording of the call's room for a sensitive part (a card number, health
    details), or resume it; what is said while it is paused is not recorded at all."""
    _owned(routing, call_sid, consultant_id)
    if not consent.recorded(routing.engine.redis, call_sid):
        raise CallControlError("this call is not being recorded")
    if not consent.recording_live(routing.engine.redis, call_sid):
        raise CallControlError("the recording has not started yet; try again in a moment")
    room = conference_sid(routing, call_sid)
    what = "pause the recording" if paused else "resume the recording"
    _act(what, _network().pause_room_recording, room, paused)
    consent.set_paused(routing.engine.redis, call_sid, paused)
    log.info("call %s: consultant %s %s", call_sid, consultant_id, what)
    routing.engine.publish(
        "call.recording-paused" if paused else "call.recording-resumed",
        call_sid=call_sid,
        consultant_id=consultant_id,
    )


def _hold_caller(routing: Routing, conference: str, on: bool) -> None:
    music = routing.settings.public_url + urls.MUSIC if routing.settings.hold_music_url else None
    _act("hold the caller", _network().hold_participant, conference, CALLER_LABEL, on, music)


def room_event(routing: Routing, call_sid: str, params: dict[str, str]) -> None:
    """Hear what the caller's room reports: its sid, and the caller's holds (once each, in
    the room's own order, however late or repeated)."""
    event = params.get("StatusCallbackEvent", "")
    conference = params.get("ConferenceSid", "")
    if not conference:
        return
    client = routing.engine.redis
    if event == legs.ROOM_END:
        # Only this room's end: a new room of the same name may have started since.
        if _text(client.hget(keys.room(call_sid), "conference_sid") or "") == conference:
            client.hdel(keys.room(call_sid), "conference_sid")
    elif event == "conference-start":
        # The room starts when a consultant joins the caller in it: they met (kept after the
        # room ends, for the call's outcome).
        _remember(routing, call_sid, conference_sid=conference, met="1")
    caller_hold = (
        event in (legs.HOLD, legs.UNHOLD) and params.get("ParticipantLabel") == CALLER_LABEL
    )
    if not (caller_hold or event == legs.ROOM_END):
        return
    try:
        sequence = int(params.get("SequenceNumber", ""))
    except ValueError:
        log.warning("call %s: room event %s without a sequence number", call_sid, event)
        return
    at = legs.moment(routing.engine.clock(), params.get("Timestamp"))
    if legs.note_hold_event(client, call_sid, conference, sequence, event, at):
        log.info("call %s: room %s reports %s", call_sid, conference, event)


# Cold transfers


def transfer(
    routing: Routing,
    call_sid: str,
    consultant_id: int,
    kind: str,
    target: str = "",
    *,
    topic: str = "",
    note: str = "",
    handed_to: str = "",
) -> None:
    """Send the caller back to waiting for a colleague, their advisor or office team, a
    language, or anyone (with a topic), keeping their place and priority.

    The consultant goes to wrap-up; the caller hears that they are transferred and waits in
    the queue until the router rings the one the target names into their room.
    """
    if kind not in TRANSFER_KINDS:
        raise CallControlError(f"unknown kind of transfer {kind!r}")
    entry = _owned(routing, call_sid, consultant_id)
    _no_party(routing, call_sid)
    if kind == "consultant":
        colleague = routing.engine.consultant(int(target))
        if int(target) == consultant_id:
            raise CallControlError("choose a colleague, not yourself")
        if colleague.state not in STAFFED_STATES:
            # Off, on a break or not ready: the call would skip her at once.
            raise CallControlError(f"{colleague.name or 'that colleague'} is not taking calls now")
    engine = routing.engine
    hold_seconds = float(max(routing.settings.tier_advisor_seconds, 30))
    done = engine.transfer(
        call_sid, consultant_id, kind, target, topic=topic, hold_seconds=hold_seconds
    )
    if done == -1:
        raise CallControlError("the caller has no advisor or office to transfer to")
    if done != 1:
        raise CallControlError("you are not on that call (any more)")
    _remember(routing, call_sid, note=note.strip())
    legs.end_legs(
        engine.redis, call_sid, engine.clock(), consultant_id=consultant_id,
        handed_to=handed_to or f"{kind} {target}".strip(),
    )  # fmt: skip
    log.info("call %s: consultant %s transfers it (%s %s)", call_sid, consultant_id, kind, target)
    bring_back(routing, call_sid, urls.TRANSFERRED)
    # The caller leaving ends the room, and the consultant's call with it. A caller transferred
    # the moment the consultant answered may not have reached the room yet: the consultant
    # would wait in it alone, and be there when the caller's next consultant brings them in.
    if entry.consultant_leg:
        try:
            telephony.current().end_call(entry.consultant_leg)
        except TelephonyError as exc:
            log.warning(
                "call %s: could not end consultant %s's leg: %s", call_sid, consultant_id, exc
            )


def transferred(routing: Routing, call_sid: str) -> VoiceResponse:
    """Put a transferred caller back in the queue, where they were."""
    return back_in_queue(routing, call_sid, "transfer_queue")


def transfer_out(
    routing: Routing, call_sid: str, consultant_id: int, number: str, name: str
) -> None:
    """Put the caller through to an outside number; the call's record ends with them."""
    _owned(routing, call_sid, consultant_id)
    _no_party(routing, call_sid)
    engine = routing.engine
    _remember(routing, call_sid, outside_number=number, outside_name=name)
    # Closed first, so that the room's end (the caller leaves it) finds the call over.
    if not engine.close(call_sid, "answered"):
        raise CallControlError("you are not on that call (any more)")
    now = engine.clock()
    legs.end_legs(engine.redis, call_sid, now, consultant_id=consultant_id, handed_to=name)
    legs.start_leg(
        engine.redis,
        call_sid,
        Leg(0, "outside-transfer", now, party_number=number, party_name=name,
            transferred_by=consultant_id, ended_at=now),
    )  # fmt: skip
    schedule_record(call_sid)
    try:
        telephony.current().redirect_call(
            call_sid, routing.settings.public_url + urls.transfer_out(call_sid)
        )
    except TelephonyError as exc:
        log.warning("call %s: could not put the caller through to %s: %s", call_sid, name, exc)
        raise CallControlError(
            "the caller could not be put through; they may have hung up"
        ) from exc


def put_through(routing: Routing, call_sid: str) -> VoiceResponse:
    """Dial the outside number a caller is transferred to."""
    room = room_state(routing, call_sid)
    language = language_of(routing.engine.entry(call_sid))
    if not room.outside_number:
        return twiml.goodbye(language)
    return twiml.put_through(
        language,
        room.outside_number,
        room.outside_name or room.outside_number,
        caller_id=routing.settings.hotline_number,
    )


# Consultations and three-way calls


def _no_party(routing: Routing, call_sid: str) -> None:
    party = room_state(routing, call_sid).party
    if party is not None and party.state in ("ringing", "in-room"):
        raise CallControlError("finish the consultation or three-way call first")


def consult(
    routing: Routing,
    call_sid: str,
    consultant_id: int,
    *,
    colleague_id: int | None = None,
    number: str = "",
    name: str = "",
    three_way: bool = False,
) -> Party:
    """Ring a colleague or an outside number into the caller's room.

    For a consultation the caller is held first, so that the consultant and the one rung in
    talk privately; for a three-way call (an interpreter, a partner institution) the caller
    hears everyone from the start.
    """
    _owned(routing, call_sid, consultant_id)
    _no_party(routing, call_sid)
    engine = routing.engine
    room = conference_sid(routing, call_sid)
    if colleague_id is not None:
        if colleague_id == consultant_id:
            raise CallControlError("choose a colleague, not yourself")
        colleague = engine.consultant(colleague_id)
        if not engine.consult_colleague(colleague_id, call_sid, "reserve"):
            raise CallControlError(f"{colleague.name or 'that colleague'} is not free now")
        label = twiml.consultant_label(colleague_id)
        address = colleague.address or f"client:consultant-{colleague_id}"
        name = name or colleague.name or label
    elif number:
        label, address = OUTSIDE_LABEL, number
    else:
        raise CallControlError("choose a colleague or a number")
    party = Party(
        label=label,
        kind="three-way" if three_way else "consult",
        state="ringing",
        consultant_id=colleague_id,
        number=number,
        name=name,
        joined=three_way,
    )
    # Known before the network is asked: an auto-answering line reports its answer at once,
    # perhaps before the request that rang it has returned.
    _remember(
        routing,
        call_sid,
        party_label=label,
        party_kind=party.kind,
        party_state="ringing",
        party_leg="",
        party_consultant_id="" if colleague_id is None else str(colleague_id),
        party_number=number,
        party_name=name,
        party_joined="1" if three_way else "0",
        party_by=str(consultant_id),
    )
    try:
        if not three_way:
            _hold_caller(routing, room, True)
        leg = _act(
            "ring them in",
            _network().dial_into_room,
            room,
            address,
            label=label,
            status_callback=routing.settings.public_url + urls.party_status(call_sid, label),
            timeout=routing.settings.ring_timeout_seconds,
        )
    except CallControlError:
        engine.redis.hdel(keys.room(call_sid), *PARTY_FIELDS)
        if not three_way:
            try:
                _hold_caller(routing, room, False)
            except CallControlError:
                log.warning("call %s: the caller stays on hold after a failed consult", call_sid)
        if colleague_id is not None:
            engine.consult_colleague(colleague_id, call_sid, "release")
        raise
    _remember(routing, call_sid, party_leg=leg)
    log.info("call %s: consultant %s rings %s in (%s)", call_sid, consultant_id, label, party.kind)
    return party


def party_progress(routing: Routing, call_sid: str, label: str, leg_sid: str, status: str) -> None:
    """Hear the progress of a colleague's or outside party's call into the room."""
    room = room_state(routing, call_sid)
    party = room.party
    if party is None or party.label != label or (party.leg and leg_sid and party.leg != leg_sid):
        return  # an earlier party's late report
    engine = routing.engine
    client = engine.redis
    by = _text(client.hget(keys.room(call_sid), "party_by") or "")
    if status == "in-progress":
        if party.state != "ringing":
            return
        _remember(routing, call_sid, party_state="in-room")
        if party.consultant_id is not None:
            engine.consult_colleague(party.consultant_id, call_sid, "answered")
        legs.start_leg(
            client,
            call_sid,
            Leg(0, party.kind, engine.clock(), consultant_id=party.consultant_id,
                party_number=party.number, party_name=party.name,
                transferred_by=int(by) if by else None),
        )  # fmt: skip
        return
    if status not in FINAL_CALL_STATUSES or party.state in ("ended", "missed"):
        return  # still going, or its end was heard already
    answered = party.state == "in-room"
    _remember(routing, call_sid, party_state="ended" if answered else "missed")
    now = engine.clock()
    if party.consultant_id is not None:
        legs.end_legs(client, call_sid, now, consultant_id=party.consultant_id)
        entry = engine.entry(call_sid)
        owns = entry is not None and entry.consultant_id == party.consultant_id
        if owns and entry is not None and entry.state == EntryState.CONNECTED:
            # They took the call over and have hung up: the room ended with them.
            if engine.close(call_sid, "answered"):
                schedule_record(call_sid)
        elif not owns:
            spoke = answered and (
                party.joined or _text(client.hget(keys.room(call_sid), "party_joined") or "") == "1"
            )
            engine.consult_colleague(party.consultant_id, call_sid, "wrap" if spoke else "release")
    elif answered:
        legs.end_legs(client, call_sid, now, party_number=party.number)
    log.info("call %s: %s left the room (%s)", call_sid, label, status)


def _party_in_room(routing: Routing, call_sid: str) -> Party:
    party = room_state(routing, call_sid).party
    if party is None or party.state != "in-room":
        raise CallControlError("nobody has joined the room yet")
    return party


def join_all(routing: Routing, call_sid: str, consultant_id: int) -> None:
    """Bring the caller back from hold to talk with the consultant and the one rung in."""
    _owned(routing, call_sid, consultant_id)
    _party_in_room(routing, call_sid)
    room = conference_sid(routing, call_sid)
    _hold_caller(routing, room, False)
    _remember(routing, call_sid, party_joined="1")


def hand_over(routing: Routing, call_sid: str, consultant_id: int, note: str = "") -> None:
    """Leave the caller with the one rung in (a warm transfer): the room stays with them.

    The consultant's participant stops ending the room and the new one's starts, before the
    consultant is taken out; the caller comes off hold to meet them.
    """
    _owned(routing, call_sid, consultant_id)
    party = _party_in_room(routing, call_sid)
    engine = routing.engine
    room = conference_sid(routing, call_sid)
    network = _network()
    mine = twiml.consultant_label(consultant_id)
    _act("keep the room open", network.participant_ends_room, room, mine, False)
    _act("hand the room over", network.participant_ends_room, room, party.label, True)
    if not engine.hand_over(call_sid, consultant_id, party.consultant_id):
        _act("keep the room", network.participant_ends_room, room, mine, True)
        raise CallControlError("you are not on that call (any more)")
    # The one rung in is the call's own now, no longer a party to it.
    engine.redis.hdel(keys.room(call_sid), *PARTY_FIELDS)
    _remember(routing, call_sid, note=note.strip())
    legs.end_legs(
        engine.redis, call_sid, engine.clock(), consultant_id=consultant_id,
        handed_to=party.name or party.number,
    )  # fmt: skip
    if room_state(routing, call_sid).held:
        _hold_caller(routing, room, False)
    log.info("call %s: consultant %s hands over to %s", call_sid, consultant_id, party.label)
    try:
        network.remove_participant(room, mine)
    except TelephonyError as exc:
        # Still in the room, but no longer ending it: hanging up leaves the caller there.
        log.warning("call %s: could not take consultant %s out: %s", call_sid, consultant_id, exc)


def end_party(routing: Routing, call_sid: str, consultant_id: int) -> None:
    """Take the colleague or outside party out of the room (or stop their phone ringing)."""
    _owned(routing, call_sid, consultant_id)
    room = room_state(routing, call_sid)
    party = room.party
    if party is None or party.state not in ("ringing", "in-room"):
        raise CallControlError("nobody else is in the call")
    if party.state == "ringing" and party.leg:
        telephony.current().end_call(party.leg)
    else:
        _act("take them out", _network().remove_participant, conference_sid(routing, call_sid),
             party.label)  # fmt: skip
