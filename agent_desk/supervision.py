"""Supervision at the desk: the live calls a supervisor sees on the board, joining them to listen
in, coach or barge, and a consultant's raised hand; every act is kept on the audit trail."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from sqlalchemy import select

from agent_desk.errors import DeskError
from agent_desk.labels import label
from consultants.access import may_supervise
from consultants.models import Consultant
from customers.audit import audit_call
from hotline.db import db
from routing import service as routing
from routing.extension import services as routing_services
from routing.supervision import (
    Hand,
    LiveCall,
    Mode,
    Supervision,
    SupervisionEvent,
    SupervisionRefused,
    Supervisor,
)

log = logging.getLogger(__name__)

MODES = {mode.value: mode for mode in Mode}


class NotASupervisor(DeskError):
    """Someone without the supervisor's right tried to see or join colleagues' calls."""

    def __init__(self) -> None:
        super().__init__("Only supervisors may see and join colleagues' calls.")


def supervisor_service() -> Supervisor:
    """Return supervision over the running app's routing services."""
    return Supervisor(routing_services())


def viewer_may_supervise(consultant: Consultant | None) -> bool:
    """Tell whether whoever views a desk page may supervise (the one check: may_supervise)."""
    return may_supervise(consultant)


def require_supervisor(consultant: Consultant) -> None:
    """Refuse anyone who may not supervise."""
    if not may_supervise(consultant):
        raise NotASupervisor()


def live_calls(consultant: Consultant) -> dict[str, object]:
    """Return the calls in progress for the board: who is on each, since when, on what topic,
    any raised hand, and who supervises it (no caller's name or number: the board needs none)."""
    require_supervisor(consultant)
    service = supervisor_service()
    calls = service.live_calls()
    now = service.engine.clock()
    names = _names(
        {call.consultant_id for call in calls}
        | {call.supervision.supervisor_id for call in calls if call.supervision}
    )
    mine = service.supervising(consultant.id)
    return {
        "calls": [_call_json(call, names, consultant.id, now) for call in calls],
        "you": _supervision_json(mine, names, consultant.id) if mine else None,
        "hands": sum(1 for call in calls if call.hand is not None),
    }


def live_calls_for(consultant_id: int) -> dict[str, object] | None:
    """Return the calls in progress for a board's stream, read afresh each time, or None once
    its reader may no longer supervise (disabled, or the role taken away meanwhile)."""
    consultant = db.session.get(Consultant, consultant_id)
    if consultant is None or not may_supervise(consultant):
        return None
    return live_calls(consultant)


def supervise(consultant: Consultant, call_sid: str, mode_name: str) -> dict[str, object]:
    """Join a call in a mode (ringing the supervisor's own phone), or change the mode."""
    require_supervisor(consultant)
    mode = MODES.get(mode_name)
    if mode is None:
        raise DeskError(f"unknown mode {mode_name!r}: choose monitor, coach or barge")
    address = routing.consultant_profile(consultant).address or ""
    found = supervisor_service().supervise(call_sid, consultant.id, address, mode)
    return _supervision_json(found, _names({consultant.id}), consultant.id)


def leave(consultant: Consultant, call_sid: str) -> bool:
    """Leave a call one supervises (the call goes on)."""
    require_supervisor(consultant)
    return supervisor_service().leave(call_sid, consultant.id)


def is_supervising(consultant: Consultant) -> bool:
    """Tell whether the consultant is in (or being rung into) a colleague's call now."""
    return supervisor_service().supervising(consultant.id) is not None


def hand(consultant: Consultant) -> dict[str, object]:
    """Return whether the consultant's hand is up on their call now."""
    return _hand_json(supervisor_service().own_hand(consultant.id))


def raise_hand(consultant: Consultant, raised: bool) -> dict[str, object]:
    """Raise (or lower) a hand for a supervisor's help on the consultant's call now."""
    service = supervisor_service()
    if raised:
        return _hand_json(service.raise_hand(consultant.id))
    service.lower_hand(consultant.id)
    return _hand_json(None)


def on_supervision_event(event: SupervisionEvent) -> None:
    """Keep a supervisory act on the audit trail, with its actor, time and call, and the name
    of the consultant whose call it was (the audit page shows names, not ids)."""
    details = dict(event.details)
    colleague = details.get("consultant_id")
    if isinstance(colleague, int):
        details["consultant"] = _names({colleague}).get(colleague, "")
    with db.transaction():
        audit_call(
            event.actor_id,
            event.call_sid,
            f"supervision.{event.action}",
            customer_id=event.customer_id,
            details=details,
        )


REFUSALS = (SupervisionRefused, DeskError)


def _names(ids: Iterable[int]) -> dict[int, str]:
    wanted = set(ids)
    if not wanted:
        return {}
    rows = db.session.execute(
        select(Consultant.id, Consultant.name).where(Consultant.id.in_(wanted))
    )
    return {ident: name for ident, name in rows}


def _call_json(call: LiveCall, names: dict[int, str], viewer: int, now: float) -> dict[str, object]:
    return {
        "call_sid": call.call_sid,
        "consultant": {"id": call.consultant_id, "name": names.get(call.consultant_id, "")},
        "talking_seconds": max(0.0, now - call.answered_at) if call.answered_at else None,
        "topic": call.topic,
        "topic_label": label("topic", call.topic),
        "language": call.language,
        "language_label": label("language", call.language),
        "in_room": call.in_room,
        "hand": None
        if call.hand is None
        else {"raised_seconds": max(0.0, now - call.hand.raised_at)},
        "supervision": _supervision_json(call.supervision, names, viewer)
        if call.supervision
        else None,
    }


def _supervision_json(
    supervision: Supervision, names: dict[int, str], viewer: int
) -> dict[str, object]:
    return {
        "call_sid": supervision.call_sid,
        "supervisor": {
            "id": supervision.supervisor_id,
            "name": names.get(supervision.supervisor_id, ""),
        },
        "mode": supervision.mode.value,
        "joined": supervision.joined,
        "yours": supervision.supervisor_id == viewer,
        # The supervisor's own phone call, so that their softphone can pick it up.
        "leg": supervision.leg if supervision.supervisor_id == viewer else None,
    }


def _hand_json(raised: Hand | None) -> dict[str, object]:
    return {"raised": raised is not None, "call_sid": raised.call_sid if raised else None}
