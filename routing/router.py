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
from collections.abc import Callable
from types import FrameType

import redis

from hotline.settings import Settings
from hotline.telephony import FINAL_CALL_STATUSES, Telephony, TelephonyError
from routing import twiml, urls
from routing.engine import Assignment, RoutingEngine
from routing.live import ConsultantState, EntryState, LiveEntry

log = logging.getLogger(__name__)

RESWEEP_SECONDS = 30.0
# A caller whose wait URL has not run for this long, and whom Twilio cannot find in the
# queue, is gone: their hang-up callbacks were lost.
GONE_AFTER_SECONDS = 180.0
# How often the router asks Twilio about calls whose end it may have missed, and how long a
# consultant must have been on one call before it asks.
RECONCILE_SECONDS = 60.0
CHECK_CALL_AFTER_SECONDS = 120.0
# How often the router looks in the database for callbacks that are not in Redis (asked for
# while it was down, or lost with it); and at once when Redis comes back.
RESTORE_SECONDS = 30.0
# How often the router asks which Redis server answers, to notice a restart or a failover
# (a graceful failover raises no error: the client follows the new master by itself), before
# it pairs anyone on what a promoted replica holds.
SERVER_CHECK_SECONDS = 0.25


class Router:
    """One routing loop; several may run at once, since every step is atomic in Redis."""

    def __init__(
        self,
        engine: RoutingEngine,
        telephony: Telephony,
        settings: Settings,
        closed: Callable[[str], None] = lambda _call_sid: None,
        restore_callbacks: Callable[[], int] = lambda: 0,
        callback_leg_lost: Callable[[str, int, str, str], None] = lambda _sid, _id, _leg, _st: None,
    ) -> None:
        self.engine = engine
        self.telephony = telephony
        self.settings = settings
        self.closed = closed  # told of every call the router closes, to persist its record
        # puts back pending callbacks Redis lost, from the database; says how many
        self.restore_callbacks = restore_callbacks
        # told of a consultant's leg of a callback (call, consultant, leg) found over
        # although no webhook said so: frees the consultant, settles a lost attempt
        self.callback_leg_lost = callback_leg_lost
        self.running = True
        self.next_due: float | None = None
        self.last_claim = 0.0
        # The Redis server last seen (its run id), and when it was last asked.
        self.redis_server: str | None = None
        self.last_server_check = 0.0

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
                address = self.engine.consultant(consultant_id).address
                leg = self.telephony.place_call(
                    address or f"client:consultant-{consultant_id}",
                    base + urls.callback_connect(call_sid, consultant_id),
                    status_callback=base + urls.callback_status(call_sid, consultant_id),
                )
                self.engine.delivered(call_sid, leg)
            else:
                url = base + urls.connect(consultant_id)
                self.telephony.dequeue_caller(assignment.queue_sid, call_sid, url)
                self.ring_consultant(assignment)
        except Exception as exc:
            self.undeliverable(assignment, exc)

    def ring_consultant(self, assignment: Assignment) -> None:
        """Ring the consultant for a caller who is on their way into the call's room.

        The consultant's call fetches the way into the room once answered, and reports its
        progress; if it cannot even be placed, the caller goes back to their place at once.
        """
        base = self.settings.public_url
        call_sid, consultant_id = assignment.call_sid, assignment.consultant_id
        address = self.engine.consultant(consultant_id).address
        try:
            leg = self.telephony.place_call(
                address or f"client:consultant-{consultant_id}",
                base + urls.join(call_sid, consultant_id),
                status_callback=base + urls.leg_status(call_sid, consultant_id),
                events=("answered", "completed"),
                timeout=self.settings.ring_timeout_seconds,
            )
        except TelephonyError as exc:
            log.warning(
                "call %s: consultant %s could not be rung: %s", call_sid, consultant_id, exc
            )
            self.engine.return_offer(call_sid, consultant_id, requeue=True)
            self.telephony.redirect_call(call_sid, base + urls.REQUEUE)
            return
        self.engine.delivered(call_sid, consultant_leg=leg)

    def undeliverable(self, assignment: Assignment, exc: Exception) -> None:
        """Take back an offer Twilio would not take."""
        call_sid, consultant_id = assignment.call_sid, assignment.consultant_id
        if isinstance(exc, TelephonyError):
            log.warning("call %s could not be delivered: %s", call_sid, exc)
        else:
            log.exception("call %s: delivery failed", call_sid, exc_info=exc)
        if assignment.callback:
            # The desk could not be rung: leave this consultant out until they are ready.
            self.engine.return_offer(call_sid, consultant_id)
        elif self.caller_gone(call_sid):
            log.warning("call %s: caller gone without a hang-up callback; abandoned", call_sid)
            self.close_call(call_sid, "abandoned")
        else:
            # The caller is not in the queue (gone, or on their way back in): the call is
            # routable again when its wait URL runs, and closed if they hung up.
            self.engine.withdraw_offer(call_sid, consultant_id)

    def caller_gone(self, call_sid: str) -> bool:
        """Tell whether a caller's wait URL has been silent too long to be still waiting."""
        entry = self.engine.entry(call_sid)
        if entry is None or entry.seen_at is None:
            return False
        return self.engine.clock() - entry.seen_at > GONE_AFTER_SECONDS

    def reconcile(self, held_for: float = CHECK_CALL_AFTER_SECONDS) -> None:
        """Close calls the network has ended but whose callbacks never came.

        Status callbacks are lost when the web process is down at the wrong moment, or when
        the phone network restarts. Without this, a consultant would stay on a call that no
        longer exists, and a caller who is gone would hold a place in the queue. Calls held
        for held_for seconds are checked (all of them after Redis was replaced, since the
        end of any call may have been lost with it).
        """
        now = self.engine.clock()
        for consultant_id, call_sid in self.engine.calls_held_since(now - held_for):
            entry = self.engine.entry(call_sid)
            if entry is not None and entry.callback:
                self.reconcile_callback(consultant_id, entry)
                continue
            if self.call_is_over(call_sid):
                log.warning("call %s ended without telling us; closing it", call_sid)
                connected = entry is not None and entry.state == EntryState.CONNECTED
                self.close_call(
                    call_sid, "answered" if connected else "abandoned", end_unknown=True
                )
                now_held = self.engine.consultant(consultant_id)
                if (now_held.state, now_held.call_sid) == (ConsultantState.ON_CALL, call_sid):
                    # The call's entry was closed before, but the consultant never left it.
                    self.engine.set_state(consultant_id, ConsultantState.WRAP_UP)
        for call_sid in self.engine.silent_waiting(now - GONE_AFTER_SECONDS):
            if self.call_is_over(call_sid):
                log.warning("call %s left the queue without telling us; abandoned", call_sid)
                self.close_call(call_sid, "abandoned")

    def reconcile_callback(self, consultant_id: int, entry: LiveEntry) -> None:
        """Free a consultant whose leg of a callback has ended without telling us.

        The leg is the one they were kept on after missing the customer, or else the attempt's
        own; an attempt whose result was lost too is settled by what the network says of the
        customer's call, or as not knowing how it went.
        """
        leg = self.engine.consultant(consultant_id).callback_leg or entry.callback_leg
        if leg and self.call_is_over(leg):
            log.warning(
                "call %s: consultant %s's callback leg %s ended without telling us",
                entry.call_sid,
                consultant_id,
                leg,
            )
            self.callback_leg_lost(entry.call_sid, consultant_id, leg, self.dialled_status(leg))

    def take_back(self, call_sid: str, consultant_id: int) -> None:
        """Take back an offer that rang too long without a word from the network.

        The consultant's call is stopped, and a caller waiting in the room goes back to their
        place in the queue (a callback simply waits for its next turn).
        """
        entry = self.engine.entry(call_sid)
        if entry is None or entry.callback:
            self.engine.return_offer(call_sid, consultant_id)
            return
        if not self.engine.return_offer(call_sid, consultant_id, requeue=True):
            return
        try:
            if entry.consultant_leg:
                self.telephony.end_call(entry.consultant_leg)
            self.telephony.redirect_call(call_sid, self.settings.public_url + urls.REQUEUE)
        except TelephonyError as exc:
            log.warning("call %s: could not bring the caller back: %s", call_sid, exc)

    def close_call(self, call_sid: str, outcome: str, *, end_unknown: bool = False) -> None:
        """Close a call the router found over, and have its record kept if this closed it."""
        if self.engine.close(call_sid, outcome, end_unknown=end_unknown):
            self.closed(call_sid)

    def call_is_over(self, call_sid: str) -> bool:
        """Ask the network whether a call has ended (False when it cannot say)."""
        try:
            status = self.telephony.call_status(call_sid)
        except Exception:
            log.exception("could not ask the network about call %s", call_sid)
            return False
        return status is None or status in FINAL_CALL_STATUSES

    def run_timers(self) -> None:
        """Take back offers that rang too long, and redeliver offers a dead router left."""
        for call_sid, consultant_id in self.engine.expired_offers():
            log.warning("call %s: offer to %s expired", call_sid, consultant_id)
            self.take_back(call_sid, consultant_id)
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

    def recover(self) -> int:
        """Bring back pending callbacks that Redis lost, or that callers asked for while it
        was down (the database keeps every request); return how many came back."""
        try:
            restored = self.restore_callbacks()
        except Exception:
            log.exception("could not restore callbacks from the database")
            return 0
        if restored:
            log.warning("restored %s pending callbacks from the database", restored)
        return restored

    def redis_replaced(self) -> bool:
        """Tell whether another Redis server answers than at the last look (a restart, or a
        failover to a replica): replication is asynchronous, so its last writes may be lost."""
        server = self.engine.server_identity()
        replaced = self.redis_server is not None and server != self.redis_server
        self.redis_server = server
        return replaced

    def rebuild(self) -> None:
        """Rebuild what a replaced Redis may have lost, as after missed call ends.

        Pending callbacks come back from the database at once; calls the network has ended
        while Redis still holds them (a consultant kept on a finished call, a caller kept in
        the queue) are closed at once, every held call being checked with the network;
        waiting callers whose entry was lost get it back at their next wait request
        (RoutingEngine.mark_waiting).
        """
        log.warning("Redis was replaced (a restart or a failover); rebuilding lost state")
        self.recover()
        self.engine.resweep()
        try:
            self.reconcile(held_for=0.0)
            self.bring_back_stranded()
        except redis.RedisError:
            raise
        except Exception:
            log.exception("reconciling calls with the network failed")

    def bring_back_stranded(self) -> int:
        """Put right what a replaced Redis forgot about the callers in their rooms.

        The network's live rooms say where callers are, and who is with them (each joined
        with a participant label). A caller talking with a consultant stays with them: Redis
        learns again that the call is connected and the consultant on it (their answer may
        have been lost with the old server, and a redirect would cut the conversation). A
        caller alone in a room whose call Redis holds neither offered nor connected has nobody
        coming, and goes back to the queue. Return how many callers came back.
        """
        back = 0
        for name, labels in self.telephony.live_rooms().items():
            if not name.startswith(twiml.room("")):
                continue
            call_sid = name.removeprefix(twiml.room(""))
            talking = [
                consultant_id
                for label in labels
                if (consultant_id := twiml.consultant_of_label(label)) is not None
            ]
            if twiml.CALLER_LABEL not in labels:
                # A consultant alone in the room: the caller went elsewhere (back to the queue,
                # where their next wait request rebuilds them), or has not come in yet.
                continue
            entry = self.engine.entry(call_sid)
            if talking:
                # Two consultants in one room are a three-way call's: the call's own consultant
                # is the one Redis may still name, else the first. A room Redis holds no call
                # for is a caller's whose every trace was lost (they phoned in: the network
                # says so) or a click-to-call's, which goes on as it is.
                number = ""
                if entry is None:
                    number = self.incoming_caller(call_sid)
                    if not number:
                        continue
                owner = talking[0]
                if entry is not None and entry.consultant_id in talking:
                    owner = entry.consultant_id
                if self.engine.adopt(call_sid, owner, number):
                    log.warning(
                        "call %s: consultant %s is with the caller; Redis told again",
                        call_sid,
                        owner,
                    )
                continue
            held = (EntryState.OFFERED, EntryState.CONNECTED, EntryState.ENDED)
            if entry is not None and entry.state in held:
                continue
            log.warning(
                "call %s: in its room with no consultant coming; back to the queue", call_sid
            )
            try:
                self.telephony.redirect_call(call_sid, self.settings.public_url + urls.REQUEUE)
                back += 1
            except TelephonyError as exc:
                log.warning("call %s: could not bring the caller back: %s", call_sid, exc)
        return back

    def dialled_status(self, leg_sid: str) -> str:
        """Ask the network how the customer's call dialled from a consultant's leg ended:
        answered ("completed") if any was, else how the newest ended, else "unknown" (the
        attempt is then tried again: calling twice is better than a callback never made)."""
        try:
            statuses = self.telephony.dialled_from(leg_sid)
        except TelephonyError as exc:
            log.warning("could not ask the network what %s dialled: %s", leg_sid, exc)
            return "unknown"
        if "completed" in statuses:
            return "completed"
        ended = [status for status in statuses if status in FINAL_CALL_STATUSES]
        return ended[0] if ended else "unknown"

    def incoming_caller(self, call_sid: str) -> str:
        """Return the number of the caller who phoned the centre on call_sid, or "" for a
        call the centre placed (or one the network cannot tell of)."""
        try:
            return self.telephony.incoming_caller(call_sid) or ""
        except TelephonyError as exc:
            log.warning("could not ask the network about call %s: %s", call_sid, exc)
            return ""

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
        last_sweep = last_reconcile = last_restore = 0.0
        redis_lost = False
        while self.running:
            try:
                if redis_lost or (restore and time.monotonic() - last_restore > RESTORE_SECONDS):
                    # Callbacks asked for while Redis was down wait in the database only.
                    self.engine.redis.ping()
                    if redis_lost:
                        log.warning("Redis is back")
                        # Another server may answer now (a failover): look before routing on
                        # what it holds.
                        self.last_server_check = 0.0
                    redis_lost = False
                    last_restore = time.monotonic()
                    if restore:
                        self.recover()
                if time.monotonic() - self.last_server_check > SERVER_CHECK_SECONDS:
                    self.last_server_check = time.monotonic()
                    if self.redis_replaced():
                        self.rebuild()
                        last_reconcile = time.monotonic()
                if time.monotonic() - last_sweep > RESWEEP_SECONDS:
                    self.engine.resweep()
                    last_sweep = time.monotonic()
                if time.monotonic() - last_reconcile > RECONCILE_SECONDS:
                    last_reconcile = time.monotonic()
                    try:
                        self.reconcile()
                    except redis.RedisError:
                        raise
                    except Exception:
                        log.exception("reconciling calls with the network failed")
                if not self.step():
                    self.engine.wait_for_work(self.idle_wait(idle_wait))
            except redis.RedisError as exc:
                if not redis_lost:
                    log.warning("Redis unavailable; retrying every second: %s", exc)
                redis_lost = True
                time.sleep(1.0)
        log.info("router stopped")
