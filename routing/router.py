"""The router process: pairs waiting callers with free consultants and runs the timers."""

from __future__ import annotations

import logging
import signal
import time
from types import FrameType

import redis
from twilio.base.exceptions import TwilioRestException

from hotline.settings import Settings
from hotline.telephony import Telephony
from routing.engine import Assignment, RoutingEngine

log = logging.getLogger(__name__)


class Router:
    """One routing loop; several may run at once, since every step is atomic in Redis."""

    def __init__(self, engine: RoutingEngine, telephony: Telephony, settings: Settings) -> None:
        self.engine = engine
        self.telephony = telephony
        self.settings = settings
        self.running = True

    @property
    def offer_seconds(self) -> float:
        """How long an offer may stay unanswered before the router takes it back."""
        return self.settings.ring_timeout_seconds + 30.0

    def deliver(self, assignment: Assignment) -> None:
        """Take the assigned caller out of the Twilio queue to ring the consultant."""
        url = (
            f"{self.settings.public_url}/routing/connect?consultant={assignment.consultant_id}"
        )
        try:
            self.telephony.dequeue_caller(assignment.queue_sid, assignment.call_sid, url)
        except TwilioRestException as exc:
            log.warning(
                "call %s could not be dequeued (%s); treating it as gone",
                assignment.call_sid,
                exc.msg,
            )
            self.engine.finish(assignment.call_sid, "abandoned")
        except Exception:
            log.exception("call %s: dequeue failed; returning it to the queue", assignment.call_sid)
            self.engine.return_offer(assignment.call_sid, assignment.consultant_id)

    def run_timers(self) -> None:
        """Take back offers that rang too long without any answer from Twilio."""
        for call_sid, consultant_id in self.engine.expired_offers():
            log.warning("call %s: offer to %s expired", call_sid, consultant_id)
            self.engine.return_offer(call_sid, consultant_id)

    def step(self) -> bool:
        """Route at most one call; tell whether anything happened."""
        self.run_timers()
        assignment = self.engine.assign_next(self.offer_seconds)
        if assignment is None:
            return False
        log.info("call %s offered to consultant %s", assignment.call_sid, assignment.consultant_id)
        self.deliver(assignment)
        return True

    def run(self, idle_wait: float = 1.0) -> None:
        """Loop until stopped by SIGTERM or SIGINT, surviving Redis outages."""

        def stop(_signum: int, _frame: FrameType | None) -> None:
            self.running = False

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        log.info("router started")
        while self.running:
            try:
                if not self.step():
                    self.engine.wait_for_work(idle_wait)
            except redis.RedisError:
                log.exception("Redis unavailable; retrying shortly")
                time.sleep(1.0)
        log.info("router stopped")
