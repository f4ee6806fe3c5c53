"""<Dial>: ringing clients and numbers, taking the front caller of a <Queue>, conferences."""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from emulator.conferencing import conference
from emulator.exceptions import ApplicationError, CallEnded, CallRedirected
from emulator.models import ADDRESS_PATTERN, Bridge, Call, StatusCallback
from emulator.screening import screen
from emulator.twiml import DIAL_NOUNS, Fetch, Verb, client_identity, dial_targets

if TYPE_CHECKING:
    from emulator.engine import CallRunner

SCREENING_JOIN_SECONDS = 20.0


def dial(runner: CallRunner, verb: Verb, document_url: str) -> Fetch | None:
    """Ring the nouns until one answers and talk until a side hangs up; return the action."""
    targets = dial_targets(verb)
    for noun in targets:
        if noun.name not in DIAL_NOUNS:
            raise ApplicationError(f"the emulator cannot dial <{noun.name}>", document_url)
    if not targets:
        raise ApplicationError("<Dial> with nothing to dial", document_url)
    action = runner.resolve(verb.attr("action"), document_url)
    method = (verb.attr("method") or "POST").upper()
    timeout = verb.number("timeout", 30)
    time_limit = verb.number("timeLimit", 14400)
    queue_nouns = [noun for noun in targets if noun.name == "Queue"]
    conference_nouns = [noun for noun in targets if noun.name == "Conference"]
    if conference_nouns:
        conference(runner, conference_nouns[0], document_url, time_limit)
        params: dict[str, str] = {}
    elif queue_nouns:
        params = _dial_queue(
            runner, queue_nouns[0], document_url, timeout, time_limit, action, method
        )
    else:
        caller_id = verb.attr("callerId") or runner.call.from_
        params = _dial_endpoints(
            runner, verb, targets, document_url, caller_id, timeout, time_limit, action
        )
    if action is None:
        return None
    return Fetch(action, method, params)


@dataclass
class DialLeg:
    """One leg a <Dial> rings, with the runner that reports its progress and screens it."""

    call: Call
    runner: CallRunner
    address: str
    screen: Fetch | None = None
    screening: threading.Thread | None = None
    reported_end: bool = False


def _dial_endpoints(
    runner: CallRunner,
    verb: Verb,
    targets: list[Verb],
    document_url: str,
    caller_id: str,
    timeout: float,
    time_limit: float,
    action: str | None,
) -> dict[str, str]:
    method = (verb.attr("method") or "POST").upper()
    legs = [_ring_leg(runner, noun, document_url, caller_id) for noun in targets]
    answered: DialLeg | None = None
    connected: Call | None = None
    try:
        runner.pause(
            timeout,
            until=lambda: (
                all(leg.call.is_final for leg in legs)
                or any(leg.call.status == "in-progress" for leg in legs)
            ),
        )
        answered = next((leg for leg in legs if leg.call.status == "in-progress"), None)
        for leg in legs:
            if leg is not answered and not leg.call.is_final:
                leg.call.record("hangup", "nobody answered" if answered is None else "canceled")
                runner.network.set_status(leg.call, _unanswered_status(leg.call, answered))
        _report_ended(legs)
        if answered is not None:
            answered.runner.report_progress("answered")
            if answered.screen is None or _screen(runner, answered):
                connected = answered.call
        if connected is not None:
            _talk_on_leg(runner, verb, connected, time_limit)
    except CallEnded:
        runner.ending = True
        for leg in legs:
            runner.network.end_call(leg.call, "the caller hung up", by_caller=False)
        runner.notify(action, method, _dial_params(legs, answered, connected, "canceled"))
        raise
    except CallRedirected:
        for leg in legs:
            runner.network.end_call(leg.call, "the caller was redirected", by_caller=False)
        raise
    finally:
        for leg in legs:
            if leg.screening is not None:
                leg.screening.join(SCREENING_JOIN_SECONDS)
        _report_ended(legs)
        for leg in legs:
            leg.runner.webhooks.close()
    if connected is not None:
        return _dial_params(legs, answered, connected, "completed")
    statuses = {leg.call.status for leg in legs}
    status = "no-answer"
    if statuses == {"busy"}:
        status = "busy"
    elif "failed" in statuses and answered is None:
        status = "failed"
    runner.call.record("dial", f"dial ended: {status}", status=status)
    return _dial_params(legs, answered, None, status)


def _ring_leg(runner: CallRunner, noun: Verb, document_url: str, caller_id: str) -> DialLeg:
    """Create the leg for one noun, report it initiated and ring its endpoint."""
    address = "client:" + client_identity(noun) if noun.name == "Client" else noun.text.strip()
    call = runner.network.create_dial_leg(runner.call, address, caller_id)
    call.status_callback = _noun_status_callback(runner, noun, document_url)
    leg = DialLeg(call, runner.network.runner_for(call), address)
    screen_url = runner.resolve(noun.attr("url"), document_url)
    if screen_url is not None:
        leg.screen = Fetch(screen_url, (noun.attr("method") or "POST").upper())
    runner.call.record("dial", f"dialling {address}", to=address, dial_call_sid=call.sid)
    leg.runner.report_progress("initiated")
    if not ADDRESS_PATTERN.match(address):
        runner.call.record("error", f"cannot dial {address!r}: not a number or client")
        runner.network.set_status(call, "failed")
    elif runner.network.ring(call, address):
        runner.call.record("ringing", f"ringing {address}", to=address)
        call.record("ringing", f"ringing {address} for {caller_id}")
        leg.runner.report_progress("ringing")
    else:
        runner.call.record("dial", f"{address} is busy", to=address)
        runner.network.set_status(call, "busy")
    return leg


def _noun_status_callback(
    runner: CallRunner, noun: Verb, document_url: str
) -> StatusCallback | None:
    callback = runner.resolve(noun.attr("statusCallback"), document_url)
    if callback is None:
        return None
    events = (noun.attr("statusCallbackEvent") or "completed").replace(",", " ")
    return StatusCallback(
        callback,
        (noun.attr("statusCallbackMethod") or "POST").upper(),
        frozenset(events.split()),
    )


def _unanswered_status(call: Call, answered: DialLeg | None) -> str:
    if call.answered is not None:
        return "completed"
    return "no-answer" if answered is None else "canceled"


def _screen(runner: CallRunner, leg: DialLeg) -> bool:
    """Run the noun's url on the answered leg while the caller waits; True if it bridges."""
    assert leg.screen is not None
    call = leg.call
    runner.call.record(
        "screen",
        f"{leg.address} answered: screening with {leg.screen.url}",
        url=leg.screen.url,
        dial_call_sid=call.sid,
    )
    call.record("screen", f"screening with {leg.screen.url}", url=leg.screen.url)
    thread = threading.Thread(
        target=screen,
        args=(leg.runner, leg.screen.url, leg.screen.method),
        name=f"screen-{call.sid}",
        daemon=True,
    )
    with runner.network.changed:
        call.screening = True
        call.thread = thread
    leg.screening = thread
    thread.start()
    runner.pause(call.max_duration, until=lambda: call.screened or not call.screening)
    if call.screened and not call.is_final:
        runner.call.record(
            "bridged", f"{leg.address} accepted the call after screening", dial_call_sid=call.sid
        )
        return True
    runner.call.record(
        "screened-out",
        f"{leg.address} did not take the call: the screening ended the leg",
        dial_call_sid=call.sid,
    )
    return False


def _report_ended(legs: list[DialLeg]) -> None:
    for leg in legs:
        if leg.call.is_final and not leg.reported_end:
            leg.reported_end = True
            leg.runner.report_progress("completed")


def _dial_params(
    legs: list[DialLeg], answered: DialLeg | None, connected: Call | None, status: str
) -> dict[str, str]:
    chosen = answered or (legs[0] if legs else None)
    if connected is not None and status == "canceled":
        status = "completed"
    params = {"DialCallStatus": status}
    if chosen is not None:
        params["DialCallSid"] = chosen.call.sid
        params["DialCallDuration"] = str(connected.duration if connected else 0)
    return params


def _talk_on_leg(runner: CallRunner, verb: Verb, leg: Call, time_limit: float) -> None:
    address = leg.endpoint_address or leg.to
    runner.call.record("connected", f"connected to {address}", to=address, dial_call_sid=leg.sid)
    leg.record("connected", f"{address} answered: talking to {runner.call.from_}")
    endpoint = runner.network.endpoint(address)
    hang_up_at = math.inf
    if endpoint.hangup_after is not None and leg.answered is not None:
        hang_up_at = leg.answered + endpoint.hangup_after
    limit = time.monotonic() + time_limit
    on_star = verb.flag("hangupOnStar")
    runner.listening(on_star)
    try:
        while not leg.is_final:
            now = time.monotonic()
            if now >= hang_up_at:
                runner.network.end_call(leg, f"{address} hung up", by_caller=True)
                break
            if now >= limit:
                runner.call.record("hangup", "the dial reached its time limit")
                runner.network.end_call(leg, "time limit reached", by_caller=False)
                return
            runner.pause(min(hang_up_at, limit) - now, until=lambda: leg.is_final, on_input=on_star)
            with runner.network.changed:
                step = runner.call.caller.take() if on_star else None
            if step is not None and step.kind == "press" and "*" in step.value:
                runner.call.record("input", "pressed *: leaving the conversation", digits="*")
                runner.network.end_call(leg, "the caller pressed *", by_caller=False)
                return
    finally:
        runner.listening(False)
    runner.call.record("hangup", f"{address} hung up", to=address)


def _dial_queue(
    runner: CallRunner,
    noun: Verb,
    document_url: str,
    timeout: float,
    time_limit: float,
    action: str | None,
    method: str,
) -> dict[str, str]:
    name = noun.text
    queue = runner.network.queue_named(name)
    runner.call.record("dial", f"dialling queue {name}", queue=name)
    if queue is None:
        runner.call.record("dial", f"queue {name} does not exist", queue=name)
        return {"DialCallStatus": "failed"}
    url = runner.resolve(noun.attr("url"), document_url)
    url_method = (noun.attr("method") or "POST").upper()
    taken: list[Bridge] = []

    def take_front() -> bool:
        bridge = runner.network.take_front_for_bridge(queue, runner.call, url, url_method)
        if bridge is not None:
            taken.append(bridge)
        return bool(taken)

    try:
        runner.pause(timeout, until=take_front)
        if not taken:
            runner.call.record("dial", f"nobody waited in queue {name}", queue=name)
            return {"DialCallStatus": "no-answer", "QueueSid": queue.sid}
        _talk_to_queued_caller(runner, taken[0], time_limit)
    except CallEnded:
        runner.ending = True
        for bridge in taken:
            runner.network.end_bridge(bridge, runner.call.sid)
            runner.notify(action, method, _bridge_params(bridge, queue.sid))
        raise
    except CallRedirected:
        for bridge in taken:
            runner.network.end_bridge(bridge, runner.call.sid)
        raise
    runner.network.end_bridge(taken[0], runner.call.sid)
    return _bridge_params(taken[0], queue.sid)


def _talk_to_queued_caller(runner: CallRunner, bridge: Bridge, time_limit: float) -> None:
    runner.pause(time_limit, until=lambda: bridge.state != "pending")
    if bridge.state != "connected":
        return
    caller = runner.network.call(bridge.caller_call_sid)
    who = caller.from_ if caller else bridge.caller_call_sid
    runner.call.record("connected", f"connected to {who}", dial_call_sid=bridge.caller_call_sid)
    if not runner.pause(time_limit, until=lambda: bridge.state == "ended"):
        runner.call.record("hangup", "time limit reached")
        return
    runner.call.record("hangup", f"{who} hung up")


def _bridge_params(bridge: Bridge, queue_sid: str) -> dict[str, str]:
    return {
        "DialCallStatus": "completed" if bridge.connected is not None else "failed",
        "DialCallSid": bridge.caller_call_sid,
        "DialCallDuration": str(bridge.duration),
        "QueueSid": queue_sid,
    }
