"""The router loop in one process: delivery, failed deliveries, and offers a dead router left."""

from __future__ import annotations

from twilio.base.exceptions import TwilioRestException

from hotline.settings import Settings
from routing.engine import ConsultantState
from routing.router import Router
from tests.routing.helpers import (
    QUEUE_SID,
    Clock,
    RecordingNetwork,
    caller,
    consultant,
    make_engine,
)


class UnreachableNetwork(RecordingNetwork):
    """A network on which the caller has already left the queue."""

    def dequeue_caller(self, queue_sid: str, call_sid: str, url: str) -> None:
        raise TwilioRestException(404, url, "Call is not in the queue")


def test_the_router_takes_the_caller_out_of_the_queue_to_ring_the_consultant(redis_client):
    engine = make_engine(redis_client)
    network = RecordingNetwork()
    caller(engine, "CA1")
    consultant(engine, 4)
    Router(engine, network, Settings(public_url="https://h.example")).step()
    assert network.dequeued == [
        (QUEUE_SID, "CA1", "https://h.example/routing/connect?consultant=4")
    ]
    assert engine.entry("CA1")["delivered_at"]


def test_an_offer_twilio_refuses_is_withdrawn_without_blaming_the_consultant(redis_client):
    engine = make_engine(redis_client)
    caller(engine, "CA1")
    consultant(engine, 4)
    Router(engine, UnreachableNetwork(), Settings()).step()
    assert engine.consultant(4)["state"] == ConsultantState.AVAILABLE
    entry = engine.entry("CA1")
    assert (entry["state"], entry["requeue"]) == ("waiting", "1"), "routable once back in queue"


def test_a_new_router_delivers_an_offer_the_dead_one_made_but_never_sent(redis_client):
    clock = Clock()
    engine = make_engine(redis_client, clock)
    caller(engine, "CA1")
    consultant(engine, 4)
    engine.tick(50)  # the old router paired them, then died before calling Twilio
    network = RecordingNetwork()
    replacement = Router(engine, network, Settings())
    replacement.step()
    assert network.dequeued == [], "the lease protects an offer a live router is delivering"
    clock.advance(16)
    replacement.step()
    assert [sid for _q, sid, _url in network.dequeued] == ["CA1"]
    assert engine.consultant(4)["state"] == ConsultantState.RINGING


def test_the_router_sleeps_only_until_its_next_timer(redis_client):
    clock = Clock()
    engine = make_engine(redis_client, clock)
    consultant(engine, 7, ConsultantState.ON_CALL)
    caller(engine, "CA1", advisor=7, office="WAW")
    router = Router(engine, RecordingNetwork(), Settings())
    router.step()
    assert router.idle_wait(5.0) == 5.0
    clock.advance(57)
    router.step()
    assert router.idle_wait(5.0) == 3.0, "tier 1 ends in 3 seconds"


def test_a_caller_silent_for_minutes_and_missing_from_the_queue_is_closed(redis_client):
    clock = Clock()
    engine = make_engine(redis_client, clock)
    caller(engine, "CA1", number="+48601000001")
    clock.advance(200)  # no wait URL since, no hang-up callback: the caller is gone
    consultant(engine, 4)
    Router(engine, UnreachableNetwork(), Settings()).step()
    assert engine.entry("CA1")["outcome"] == "abandoned"
    assert engine.consultant(4)["state"] == ConsultantState.AVAILABLE
