"""The router process: runs the timers, pairs waiting calls with free consultants, delivers.

Its state is all in Redis. Each pass (a tick) runs the due timers (tier widening, the end of
timed wrap-up, callback retries) and makes the pairings in one Lua script; the router then
hands each offer to Twilio. Killed at any moment and restarted, it picks up where it was:
offers it made but never delivered are claimed again once their short lease runs out, and
pending callbacks lost from Redis come back from the database.
"""

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

RESWEEP_SECONDS = 30.0
# A caller whose wait URL has not run for this long, and whom Twilio cannot find in the
# queue, is gone: their hang-up callbacks were lost.
GONE_AFTER_SECONDS = 180.0


class Router:
    """One routing loop; several may run at once, since every step is atomic in Redis."""

    def __init__(self, engine: RoutingEngine, telephony: Telephony, settings: Settings) -> None:
        self.engine = engine
        self.telephony = telephony
        self.settings = settings
        self.running = True
        self.next_due: float | None = None
        self.last_claim = 0.0

    @property
    def offer_seconds(self) -> float:
        """How long an offer may stay unanswered before the router takes it back."""
        return self.settings.ring_timeout_seconds + 30.0

    def deliver(self, assignment: Assignment) -> None:
        """Hand an offer to Twilio: dequeue the caller, or ring the consultant for a callback."""
        base = self.settings.public_url
        call_sid, consultant_id = assignment.call_sid, assignment.consultant_id
        try:
            if assignment.callback:
                address = self.engine.consultant(consultant_id).get("address")
                query = f"call={call_sid}&consultant={consultant_id}"
                leg = self.telephony.place_call(
                    address or f"client:consultant-{consultant_id}",
                    f"{base}/routing/callback/connect?{query}",
                    status_callback=f"{base}/routing/callback/status?{query}",
                )
                self.engine.delivered(call_sid, leg)
            else:
                url = f"{base}/routing/connect?consultant={consultant_id}"
                self.telephony.dequeue_caller(assignment.queue_sid, call_sid, url)
                self.engine.delivered(call_sid)
        except Exception as exc:
            self.undeliverable(assignment, exc)

    def undeliverable(self, assignment: Assignment, exc: Exception) -> None:
        """Take back an offer Twilio would not take."""
        call_sid, consultant_id = assignment.call_sid, assignment.consultant_id
        if isinstance(exc, TwilioRestException):
            log.warning("call %s could not be delivered: %s", call_sid, exc.msg)
        else:
            log.exception("call %s: delivery failed", call_sid, exc_info=exc)
        if assignment.callback:
            # The desk could not be rung: leave this consultant out until they are ready.
            self.engine.return_offer(call_sid, consultant_id)
        elif self.caller_gone(call_sid):
            log.warning("call %s: caller gone without a hang-up callback; abandoned", call_sid)
            self.engine.close(call_sid, "abandoned")
        else:
            # The caller is not in the queue (gone, or on their way back in): the call is
            # routable again when its wait URL runs, and closed if they hung up.
            self.engine.withdraw_offer(call_sid, consultant_id)

    def caller_gone(self, call_sid: str) -> bool:
        """Tell whether a caller's wait URL has been silent too long to be still waiting."""
        seen = self.engine.entry(call_sid).get("seen_at")
        if not seen:
            return False
        return self.engine.clock() - float(seen) > GONE_AFTER_SECONDS

    def run_timers(self) -> None:
        """Take back offers that rang too long, and redeliver offers a dead router left."""
        for call_sid, consultant_id in self.engine.expired_offers():
            log.warning("call %s: offer to %s expired", call_sid, consultant_id)
            self.engine.return_offer(call_sid, consultant_id)
        now = self.engine.clock()
        if now - self.last_claim >= 1.0:
            self.last_claim = now
            for assignment in self.engine.claim_undelivered():
                log.warning("call %s: redelivering an offer left undelivered", assignment.call_sid)
                self.deliver(assignment)

    def step(self) -> bool:
        """Run one tick and deliver its offers; tell whether there may be more to do at once."""
        self.run_timers()
        tick = self.engine.tick(self.offer_seconds)
        self.next_due = tick.next_due
        for assignment in tick.assignments:
            self.deliver(assignment)
        return tick.more

    def recover(self) -> None:
        """Bring back pending callbacks that Redis lost (the database keeps every request)."""
        from routing.service import restore_callbacks

        try:
            restored = restore_callbacks(self.settings)
        except Exception:
            log.exception("could not restore callbacks from the database")
            return
        if restored:
            log.warning("restored %s pending callbacks from the database", restored)

    def idle_wait(self, longest: float) -> float:
        """Return how long to sleep: until the next timer, at most longest seconds."""
        if self.next_due is None:
            return longest
        return max(0.01, min(longest, self.next_due - self.engine.clock()))

    def run(self, idle_wait: float = 1.0, restore: bool = True) -> None:
        """Loop until stopped by SIGTERM or SIGINT, surviving Redis outages."""

        def stop(_signum: int, _frame: FrameType | None) -> None:
            self.running = False

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        log.info("router started")
        if restore:
            self.recover()
        last_sweep = 0.0
        while self.running:
            try:
                if time.monotonic() - last_sweep > RESWEEP_SECONDS:
                    self.engine.resweep()
                    last_sweep = time.monotonic()
                if not self.step():
                    self.engine.wait_for_work(self.idle_wait(idle_wait))
            except redis.RedisError:
                log.exception("Redis unavailable; retrying shortly")
                time.sleep(1.0)
        log.info("router stopped")
