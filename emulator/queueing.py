"""<Enqueue> from the waiting caller's side: the wait loop, leaving, and being bridged."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from emulator.exceptions import ApplicationError, CallBridged, CallEnded, CallRedirected
from emulator.models import Bridge
from emulator.twiml import (
    DEQUEUE_ANNOUNCEMENT_VERBS,
    WAIT_DOCUMENT_VERBS,
    Fetch,
    Leave,
    Outcome,
    Verb,
)

if TYPE_CHECKING:
    from emulator.engine import CallRunner

log = logging.getLogger(__name__)

HOLD_MUSIC_SECONDS = 30.0


def enqueue(runner: CallRunner, verb: Verb, document_url: str) -> Outcome | None:
    """Wait in the named queue; return the action to request once the caller leaves it."""
    name = verb.text
    if not name:
        raise ApplicationError("<Enqueue> without a queue name", document_url)
    if verb.attr("workflowSid"):
        raise ApplicationError("the emulator has no TaskRouter (workflowSid)", document_url)
    action = runner.resolve(verb.attr("action"), document_url)
    method = (verb.attr("method") or "POST").upper()
    wait_url = runner.resolve(verb.attr("waitUrl"), document_url)
    wait_method = (verb.attr("waitUrlMethod") or "POST").upper()
    queue = runner.network.queue_for_enqueue(name)
    position = runner.network.join_queue(queue, runner.call)
    if position is None:
        runner.call.record("dequeue", f"queue {name} is full", queue=name, result="queue-full")
        return _after_queue(runner, action, method, "queue-full", queue.sid, 0)
    runner.call.record(
        "enqueue",
        f"waiting in queue {name} (position {position})",
        queue=name,
        position=position,
    )
    log.info("call %s: enqueued in %s at position %s", runner.call.sid, name, position)
    try:
        result = _wait_in_queue(runner, queue.sid, wait_url, wait_method)
    except CallBridged as bridged:
        result = _talk_to_agent(runner, bridged.bridge, action, method)
    except CallRedirected:
        waited = runner.network.leave_queue(runner.call)
        runner.call.record("dequeue", f"left queue {name}: redirected", queue=name)
        runner.notify(action, method, _queue_result("redirected", queue.sid, waited))
        raise
    except CallEnded:
        runner.ending = True
        waited = runner.network.leave_queue(runner.call)
        runner.call.record("dequeue", f"left queue {name}: hangup", queue=name, result="hangup")
        runner.notify(action, method, _queue_result("hangup", queue.sid, waited))
        raise
    waited = runner.network.leave_queue(runner.call)
    runner.call.record("dequeue", f"left queue {name}: {result}", queue=name, result=result)
    return _after_queue(runner, action, method, result, queue.sid, waited)


def _queue_params(runner: CallRunner, queue_sid: str) -> dict[str, str]:
    queue = runner.network.queue(queue_sid)
    if queue is None:
        return {}
    with runner.network.lock:
        member = queue.member(runner.call.sid)
        return {
            "QueueSid": queue.sid,
            "QueuePosition": str(queue.position_of(runner.call.sid) or 0),
            "QueueTime": str(member.wait_time() if member else runner.call.queue_time),
            "AvgQueueTime": str(queue.average_wait_time),
            "CurrentQueueSize": str(len(queue.members)),
            "MaxQueueSize": str(queue.max_size),
        }


def _queue_result(result: str, queue_sid: str, waited: int) -> dict[str, str]:
    return {"QueueResult": result, "QueueSid": queue_sid, "QueueTime": str(waited)}


def _after_queue(
    runner: CallRunner, action: str | None, method: str, result: str, queue_sid: str, waited: int
) -> Fetch | None:
    if action is None:
        return None
    return Fetch(action, method, _queue_result(result, queue_sid, waited))


def _wait_in_queue(
    runner: CallRunner, queue_sid: str, wait_url: str | None, wait_method: str
) -> str:
    """Play the wait experience until the caller leaves; return the QueueResult."""
    while True:
        if wait_url is None:
            runner.call.record("play", "♪ hold music", url=None)
            runner.pause(runner.config.scaled(HOLD_MUSIC_SECONDS))
            continue
        # Twilio sends the Queue* parameters when it requests the waitUrl itself (first, and
        # each time a wait document ends), but not on a <Redirect> or a <Gather> action inside
        # a wait document: those carry the ordinary call parameters only (BEHAVIOUR.md).
        next_step: Fetch | None = Fetch(wait_url, wait_method, _queue_params(runner, queue_sid))
        while next_step is not None:
            try:
                verbs, document_url = runner.fetch_document(
                    next_step.url, next_step.method, next_step.params
                )
                outcome = runner.run_verbs(verbs, document_url, WAIT_DOCUMENT_VERBS)
            except ApplicationError as error:
                runner.call.record(
                    "error",
                    f"wait document failed: {error.reason}",
                    url=error.url,
                    status=error.status,
                )
                return "error"
            if isinstance(outcome, Leave):
                return "leave"
            next_step = outcome if isinstance(outcome, Fetch) else None


def _talk_to_agent(runner: CallRunner, bridge: Bridge, action: str | None, method: str) -> str:
    """Join the agent who dialled the queue until one side hangs up."""
    runner.network.leave_queue(runner.call)
    runner.call.record("dequeue", "an agent takes the call from the queue", result="bridged")
    try:
        if bridge.url:
            verbs, document_url = runner.fetch_document(
                bridge.url,
                bridge.method,
                {
                    "QueueSid": bridge.queue_sid,
                    "QueueTime": str(bridge.queue_time),
                    "DequeingCallSid": bridge.agent_call_sid,
                },
            )
            runner.run_verbs(verbs, document_url, DEQUEUE_ANNOUNCEMENT_VERBS)
        runner.network.connect_bridge(bridge)
        agent = runner.network.call(bridge.agent_call_sid)
        runner.call.record("connected", f"connected to {agent.to if agent else 'the agent'}")
        runner.pause(runner.call.max_duration, until=lambda: bridge.state == "ended")
        runner.call.record("hangup", "the agent hung up")
    except ApplicationError as error:
        runner.network.end_bridge(bridge, runner.call.sid)
        runner.call.record("error", f"announcement failed: {error.reason}", url=error.url)
        return "error"
    except CallEnded:
        runner.ending = True
        runner.network.end_bridge(bridge, runner.call.sid)
        runner.notify(action, method, _queue_result("bridged", bridge.queue_sid, bridge.queue_time))
        raise
    except CallRedirected:
        runner.network.end_bridge(bridge, runner.call.sid)
        raise
    return "bridged"
