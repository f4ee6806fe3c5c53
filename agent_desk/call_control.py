"""The desk's call controls: hold, transfer, consult and three-way calls, each audited.

The consultant acts on the call they are on (their live state says which); routing.control
does it in the caller's room, and each action is written to the audit trail with who did it,
when, and on which call.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select

from agent_desk import labels
from agent_desk.errors import DeskError
from consultants.models import Consultant
from customers.audit import audit
from customers.contacts import contacts_of_call
from hotline.db import db
from hotline.speech import LANGUAGES
from knowledge.directory import DirectoryError, directory, directory_entry, normalise_number
from routing import consent, control, legs
from routing.control import CallControlError
from routing.extension import services as routing_services
from routing.live import ConsultantState, LiveEntry

log = logging.getLogger(__name__)

# What a caller may be transferred back to the queue about: the IVR's topics.
TOPICS = (
    "general",
    "benefit_documents",
    "vacancies",
    "training",
    "eures",
    "eligibility",
    "job_alerts",
)


def _settings() -> Any:
    return routing_services().settings


def current_call(consultant: Consultant) -> LiveEntry:
    """Return the call the consultant is on, or refuse."""
    engine = routing_services().engine
    live = engine.consultant(consultant.id)
    entry = engine.entry(live.call_sid) if live.call_sid else None
    if live.state != ConsultantState.ON_CALL or entry is None:
        raise DeskError("you are not on a call")
    return entry


def _audited(consultant: Consultant, entry: LiveEntry, action: str, **details: object) -> None:
    with db.transaction():
        audit(consultant.id, entry.customer_id, action, {"call_sid": entry.call_sid, **details})
    log.info("call %s: consultant %s: %s", entry.call_sid, consultant.id, action)


def _refused(exc: CallControlError | DirectoryError) -> DeskError:
    return DeskError(str(exc))


def hold(consultant: Consultant, on: bool) -> None:
    """Put the caller on hold, or take them off it."""
    entry = current_call(consultant)
    try:
        control.hold(routing_services(), entry.call_sid, consultant.id, on)
    except CallControlError as exc:
        raise _refused(exc) from exc
    _audited(consultant, entry, "call.hold" if on else "call.resume")


def pause_recording(consultant: Consultant, paused: bool) -> None:
    """Pause the call's recording for a sensitive part, or resume it; audited."""
    entry = current_call(consultant)
    try:
        control.pause_recording(routing_services(), entry.call_sid, consultant.id, paused)
    except CallControlError as exc:
        raise _refused(exc) from exc
    _audited(consultant, entry, "call.recording-pause" if paused else "call.recording-resume")


def outside_party(body: Mapping[str, Any]) -> tuple[str, str]:
    """Return the number and name of an outside party: a directory entry, or a typed number."""
    if body.get("directory_id"):
        try:
            entry = directory_entry(int(body["directory_id"]))
        except (TypeError, ValueError):
            entry = None
        if entry is None:
            raise DeskError("that directory entry does not exist")
        return entry.number, entry.name
    try:
        number = normalise_number(str(body.get("number") or ""), _settings().outside_countries)
    except DirectoryError as exc:
        raise _refused(exc) from exc
    return number, str(body.get("name") or "").strip() or number


def transfer(consultant: Consultant, body: Mapping[str, Any]) -> None:
    """Transfer the call cold: to a colleague, the caller's advisor or office team, a language,
    the queue with a topic, or an outside number."""
    entry = current_call(consultant)
    kind = str(body.get("kind") or "")
    note = str(body.get("note") or "")
    routing = routing_services()
    try:
        if kind == "outside":
            number, name = outside_party(body)
            control.transfer_out(routing, entry.call_sid, consultant.id, number, name)
            _save_note(consultant, entry, note)
            _audited(consultant, entry, "call.transfer", to="outside", number=number, name=name)
            return
        target = str(body.get("target") or "")
        if kind == "consultant":
            target = str(_colleague(body.get("target")).id)
        elif kind == "language" and target not in LANGUAGES:
            raise DeskError("choose a language")
        topic = str(body.get("topic") or "")
        if topic and topic not in TOPICS:
            raise DeskError("choose a topic from the list")
        control.transfer(
            routing, entry.call_sid, consultant.id, kind, target, topic=topic, note=note,
            handed_to=_target_in_words(entry, kind, target, topic),
        )  # fmt: skip
    except CallControlError as exc:
        raise _refused(exc) from exc
    _save_note(consultant, entry, note)
    _audited(consultant, entry, "call.transfer", to=kind, target=target, topic=topic)


def _target_in_words(entry: LiveEntry, kind: str, target: str, topic: str) -> str:
    """Say where a cold transfer sends the call, for the call's legs."""
    if kind == "consultant":
        colleague = db.session.get(Consultant, int(target))
        return colleague.name if colleague else "a colleague"
    if kind == "advisor":
        return "the caller's advisor"
    if kind == "office":
        return f"the {target or entry.office or ''} office team".replace("  ", " ")
    if kind == "language":
        return f"a consultant speaking {target}"
    return f"the queue ({topic})" if topic else "the queue"


def _colleague(value: object) -> Consultant:
    try:
        colleague = db.session.get(Consultant, int(str(value)))
    except ValueError:
        colleague = None
    if colleague is None:
        raise DeskError("choose a colleague")
    return colleague


def _save_note(consultant: Consultant, entry: LiveEntry, note: str) -> None:
    """Keep the note written for the next consultant on the consultant's own contact."""
    if not note.strip():
        return
    for contact in contacts_of_call(entry.call_sid):
        if contact.consultant_id == consultant.id and not contact.notes:
            with db.transaction():
                contact.notes = note.strip()


def consult(consultant: Consultant, body: Mapping[str, Any]) -> None:
    """Ring a colleague or an outside number into the call: privately (a consultation, the
    caller on hold) or with the caller listening (a three-way call)."""
    entry = current_call(consultant)
    three_way = bool(body.get("three_way"))
    routing = routing_services()
    try:
        if body.get("colleague_id"):
            colleague = _colleague(body["colleague_id"])
            control.consult(
                routing, entry.call_sid, consultant.id, colleague_id=colleague.id,
                name=colleague.name, three_way=three_way,
            )  # fmt: skip
            whom: dict[str, object] = {"colleague_id": colleague.id}
        else:
            number, name = outside_party(body)
            control.consult(
                routing, entry.call_sid, consultant.id, number=number, name=name,
                three_way=three_way,
            )  # fmt: skip
            whom = {"number": number, "name": name}
    except CallControlError as exc:
        raise _refused(exc) from exc
    _audited(consultant, entry, "call.three-way" if three_way else "call.consult", **whom)


def join_all(consultant: Consultant) -> None:
    """Bring the caller in to talk with the consultant and the one consulted."""
    entry = current_call(consultant)
    try:
        control.join_all(routing_services(), entry.call_sid, consultant.id)
    except CallControlError as exc:
        raise _refused(exc) from exc
    _audited(consultant, entry, "call.consult-join")


def hand_over(consultant: Consultant, note: str = "") -> None:
    """Leave the caller with the one consulted (a warm transfer)."""
    entry = current_call(consultant)
    party = control.room_state(routing_services(), entry.call_sid).party
    try:
        control.hand_over(routing_services(), entry.call_sid, consultant.id, note)
    except CallControlError as exc:
        raise _refused(exc) from exc
    _save_note(consultant, entry, note)
    to: dict[str, object] = {}
    if party is not None and party.consultant_id is not None:
        to = {"colleague_id": party.consultant_id}
    elif party is not None:
        to = {"number": party.number, "name": party.name}
    _audited(consultant, entry, "call.transfer", to="warm", **to)


def end_party(consultant: Consultant) -> None:
    """End the consultation or three-way call: the one rung in leaves."""
    entry = current_call(consultant)
    try:
        control.end_party(routing_services(), entry.call_sid, consultant.id)
    except CallControlError as exc:
        raise _refused(exc) from exc
    _audited(consultant, entry, "call.consult-end")


def call_view(consultant: Consultant) -> dict[str, object]:
    """Return what the softphone's call controls show: the room, and whom the consultant may
    hand the call to."""
    routing = routing_services()
    engine = routing.engine
    live = engine.consultant(consultant.id)
    view: dict[str, object] = {"call_sid": None}
    entry = engine.entry(live.call_sid) if live.call_sid else None
    if live.state == ConsultantState.ON_CALL and entry is not None:
        room = control.room_state(routing, entry.call_sid)
        party = room.party
        view = {
            "call_sid": entry.call_sid,
            "mine": entry.consultant_id == consultant.id,
            "held": room.held,
            "recorded": consent.recorded(engine.redis, entry.call_sid),
            "recording_live": consent.recording_live(engine.redis, entry.call_sid),
            "recording_paused": consent.paused(engine.redis, entry.call_sid),
            "party": None
            if party is None
            else {
                "name": party.name or party.number,
                "kind": party.kind,
                "state": party.state,
                "joined": party.joined,
                "colleague": party.consultant_id is not None,
            },
            "transferred": handed_over(entry, consultant),
        }
    office = None
    if entry is not None and entry.office:
        office = entry.office
    colleagues = db.session.scalars(
        select(Consultant).where(Consultant.id != consultant.id).order_by(Consultant.name)
    )
    view["colleagues"] = [
        {"id": c.id, "name": c.name, "state": state, "state_label": labels.label("state", state)}
        for c in colleagues
        for state in [str(engine.consultant(c.id).state)]
    ]
    view["directory"] = [
        {"id": e.id, "name": e.name, "number": e.number, "description": e.description}
        for e in directory(office)
    ]
    view["languages"] = list(LANGUAGES)
    view["topics"] = list(TOPICS)
    view["topic_labels"] = {topic: labels.label("topic", topic) for topic in TOPICS}
    return view


def handed_over(entry: LiveEntry, consultant: Consultant) -> dict[str, object] | None:
    """Return what the receiver of a transferred call is told: who transferred it, their note,
    and the notes of everyone who spoke with the caller before."""
    if not entry.transfers or entry.transferred_by is None:
        return None
    by = db.session.get(Consultant, entry.transferred_by)
    room = control.room_state(routing_services(), entry.call_sid)
    names = {c.id: c.name for c in db.session.scalars(select(Consultant))}
    earlier = [
        {"consultant": names.get(contact.consultant_id or 0, "?"), "notes": contact.notes}
        for contact in contacts_of_call(entry.call_sid)
        if contact.consultant_id != consultant.id and contact.notes and contact.notes != room.note
    ]
    # Who had the call, in turn (a party brought into a three-way call never had it).
    chain = [
        names.get(leg.consultant_id, "?")
        for leg in legs.legs_of(routing_services().engine.redis, entry.call_sid)
        if leg.consultant_id is not None
    ]
    return {
        "by": by.name if by else "a colleague",
        "note": room.note,
        "earlier": earlier,
        "chain": chain,
    }
