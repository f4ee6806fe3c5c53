"""The desk's API for call control on the softphone: hold, transfer, consult, three-way."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Response, g, jsonify, request

from agent_desk import call_control
from agent_desk.errors import DeskError
from agent_desk.views import bp
from hotline.access import Permission, requires


class UnreadableBody(ValueError):
    """A request body that is not a JSON object (or a form)."""


def _body() -> dict[str, Any]:
    """Return the request's JSON object (or form), refusing anything else."""
    if request.is_json:
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            raise UnreadableBody("send a JSON object")
        return body
    return request.form.to_dict()


def _acted(action: Callable[[dict[str, Any]], None]) -> Any:
    """Run a call-control action on the request's body and answer with the call as it is
    now; a body that cannot be read is refused (400), an action that cannot be taken too (409)."""
    try:
        body = _body()
    except UnreadableBody as exc:
        return jsonify(error=str(exc)), 400
    try:
        action(body)
    except DeskError as exc:
        return jsonify(error=str(exc)), 409
    return jsonify(call_control.call_view(g.consultant))


@bp.get("/api/call")
@requires(Permission.TAKE_CALLS)
def call_controls() -> Response:
    """Return the call's room and whom the call may go to, for the softphone's controls."""
    return jsonify(call_control.call_view(g.consultant))


@bp.post("/api/call/hold")
@requires(Permission.TAKE_CALLS)
def call_hold() -> Any:
    """Put the caller on hold (on: true) or take them off it."""
    return _acted(lambda body: call_control.hold(g.consultant, body.get("on", True) is not False))


@bp.post("/api/call/recording")
@requires(Permission.TAKE_CALLS)
def call_recording() -> Any:
    """Pause the call's recording (paused: true) for a sensitive part, or resume it."""
    return _acted(
        lambda body: call_control.pause_recording(
            g.consultant, body.get("paused", True) is not False
        )
    )


@bp.post("/api/call/transfer")
@requires(Permission.TAKE_CALLS)
def call_transfer() -> Any:
    """Transfer the call cold: to a colleague, the advisor, the office, a language, the queue,
    or an outside number."""
    return _acted(lambda body: call_control.transfer(g.consultant, body))


@bp.post("/api/call/consult")
@requires(Permission.TAKE_CALLS)
def call_consult() -> Any:
    """Ring a colleague or an outside number into the call (three_way: the caller hears)."""
    return _acted(lambda body: call_control.consult(g.consultant, body))


@bp.post("/api/call/join")
@requires(Permission.TAKE_CALLS)
def call_join() -> Any:
    """Bring the caller in to talk with everyone in the call."""
    return _acted(lambda _body: call_control.join_all(g.consultant))


@bp.post("/api/call/hand-over")
@requires(Permission.TAKE_CALLS)
def call_hand_over() -> Any:
    """Leave the caller with the colleague or outside party consulted (a warm transfer)."""
    return _acted(lambda body: call_control.hand_over(g.consultant, str(body.get("note") or "")))


@bp.post("/api/call/end-party")
@requires(Permission.TAKE_CALLS)
def call_end_party() -> Any:
    """End the consultation or three-way call."""
    return _acted(lambda _body: call_control.end_party(g.consultant))
