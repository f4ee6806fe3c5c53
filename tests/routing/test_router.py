"""The router loop in one process: delivery, failed deliveries, and offers a dead router left."""

from __future__ import annotations

from hotline.settings import Settings
from hotline.telephony import NotOnTheNetwork, TelephonyError
from routing import keys
from routing.live import ConsultantState
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
        raise NotOnTheNetwork("Call is not in the queue", 404)


def test_the_router_takes_the_caller_out_of_the_queue_to_ring_the_consultant(redis_client):
    engine = make_engine(redis_client)
    network = RecordingNetwork()
    caller(engine, "CA1")
    consultant(engine, 4)
    Router(engine, network, Settings(public_url="https://h.example")).step()
    assert network.dequeued == [
        (QUEUE_SID, "CA1", "https://h.example/routing/connect?consultant=4")
    ]
    # ... and rings the consultant, whose call joins the caller's room once answered.
    assert network.placed == [
        (
            "client:consultant-4",
            "https://h.example/routing/join?call=CA1&consultant=4",
            "https://h.example/routing/leg-status?call=CA1&consultant=4",
        )
    ]
    entry = engine.entry("CA1")
    assert entry.delivered_at and entry.consultant_leg == "CA" + f"{1:032d}"


class NoConsultantNetwork(RecordingNetwork):
    """A network that takes the caller out of the queue but cannot ring the consultant."""

    def place_call(self, *args: object, **kwargs: object) -> str:
        raise TelephonyError("the consultant's client is not registered", 400)


def test_a_consultant_who_cannot_be_rung_sends_the_caller_back_to_their_place(redis_client):
    engine = make_engine(redis_client)
    network = NoConsultantNetwork()
    caller(engine, "CA1")
    consultant(engine, 4)
    Router(engine, network, Settings(public_url="https://h.example")).step()
    assert network.redirected == [("CA1", "https://h.example/routing/requeue")]
    entry = engine.entry("CA1")
    assert (entry.state, entry.requeue, entry.consultant_id) == ("waiting", True, None)


def test_an_offer_twilio_refuses_is_withdrawn_without_blaming_the_consultant(redis_client):
    engine = make_engine(redis_client)
    caller(engine, "CA1")
    consultant(engine, 4)
    Router(engine, UnreachableNetwork(), Settings()).step()
    assert engine.consultant(4).state == ConsultantState.AVAILABLE
    entry = engine.entry("CA1")
    assert (entry.state, entry.requeue) == ("waiting", True), "routable once back in queue"


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
    assert engine.consultant(4).state == ConsultantState.RINGING


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
    assert engine.entry("CA1").outcome == "abandoned"
    assert engine.consultant(4).state == ConsultantState.AVAILABLE


def connected_call(engine, clock, sid="CA1", consultant_id=4):
    """A caller answered by a consultant, as the desk and the Dial leave it."""
    caller(engine, sid, number="+48601000001")
    consultant(engine, consultant_id)
    [offer] = engine.tick(50).assignments
    engine.connected(offer.call_sid, offer.consultant_id)
    return offer


def test_a_call_that_ended_without_its_callbacks_is_closed_and_the_consultant_wraps_up(
    redis_client,
):
    clock = Clock()
    engine = make_engine(redis_client, clock)
    connected_call(engine, clock)
    closed: list[str] = []
    router = Router(engine, RecordingNetwork({"CA1": None}), Settings(), closed.append)
    clock.advance(60)
    router.reconcile()
    assert engine.consultant(4).state == ConsultantState.ON_CALL, "asked only after 2 min"
    clock.advance(61)
    router.reconcile()
    assert engine.entry("CA1").outcome == "answered"
    consultant_now = engine.consultant(4)
    assert (consultant_now.state, consultant_now.call_sid) == ("wrap-up", "CA1")
    assert closed == ["CA1"], "the call's record is persisted"
    assert "handle_ewma" not in engine.stats(), "its unknown length does not skew estimates"


def test_a_long_call_still_in_progress_is_left_alone(redis_client):
    clock = Clock()
    engine = make_engine(redis_client, clock)
    connected_call(engine, clock)
    network = RecordingNetwork({"CA1": "in-progress"})
    clock.advance(600)
    Router(engine, network, Settings()).reconcile()
    assert network.asked == ["CA1"]
    assert engine.consultant(4).state == ConsultantState.ON_CALL
    assert engine.entry("CA1").state == "connected"


def test_a_consultant_left_on_a_call_whose_entry_already_ended_is_released(redis_client):
    clock = Clock()
    engine = make_engine(redis_client, clock)
    connected_call(engine, clock)
    # The entry was closed, but the consultant's side of it was lost.
    redis_client.hset(keys.entry("CA1"), "state", "ended")
    clock.advance(130)
    Router(engine, RecordingNetwork({"CA1": "completed"}), Settings()).reconcile()
    assert engine.consultant(4).state == ConsultantState.WRAP_UP


def test_when_the_network_cannot_answer_nothing_is_closed(redis_client):
    class Silent(RecordingNetwork):
        def call_status(self, call_sid: str) -> str | None:
            raise TelephonyError("unavailable", 500)

    clock = Clock()
    engine = make_engine(redis_client, clock)
    connected_call(engine, clock)
    caller(engine, "CA2")
    clock.advance(300)
    Router(engine, Silent(), Settings()).reconcile()
    assert engine.consultant(4).state == ConsultantState.ON_CALL
    assert engine.entry("CA2").state == "waiting"


def test_a_silent_waiting_caller_the_network_has_hung_up_gives_up_their_place(redis_client):
    clock = Clock()
    engine = make_engine(redis_client, clock)
    caller(engine, "CA1", number="+48601000001")
    caller(engine, "CA2", number="+48601000002")
    clock.advance(100)
    engine.mark_waiting("CA2", QUEUE_SID)  # CA2's wait URL still runs
    clock.advance(100)
    closed: list[str] = []
    network = RecordingNetwork({"CA1": "completed", "CA2": "completed"})
    Router(engine, network, Settings(), closed.append).reconcile()
    assert network.asked == ["CA1"], "only a caller silent for over 3 minutes is looked up"
    assert engine.entry("CA1").outcome == "abandoned"
    assert engine.position("CA2") == (1, 1), "the caller behind moves up"
    assert closed == ["CA1"]


def test_the_network_reports_call_status_or_none_for_an_unknown_call(settings):
    from hotline.telephony import make_telephony

    telephony = make_telephony(settings)
    assert telephony.call_status("CA" + "0" * 32) is None
    sid = telephony.place_call("client:consultant-9", "https://hotline.example.org/x")
    assert telephony.call_status(sid) in {"queued", "ringing", "in-progress", "completed"}
    # A call the centre placed has no caller who phoned in; nor has a call that never was.
    assert telephony.incoming_caller(sid) is None
    assert telephony.incoming_caller("CA" + "0" * 32) is None


def test_the_network_names_the_caller_of_a_call_that_phoned_in(settings, phone_network):
    import requests

    from hotline.telephony import make_telephony
    from tests.conftest import control_headers

    placed = requests.post(
        f"{phone_network.url}/emulator/calls",
        json={"from": "+48601000077", "script": [{"hangup": True}]},
        headers=control_headers(phone_network),
        timeout=10,
    )
    assert placed.status_code in (200, 201), placed.text

    assert make_telephony(settings).incoming_caller(placed.json()["sid"]) == "+48601000077"


def test_after_redis_was_replaced_a_caller_alone_in_their_room_comes_back_to_the_queue(
    redis_client,
):
    engine = make_engine(redis_client)
    network = RecordingNetwork()
    caller(engine, "CA-waiting")  # in a room, but Redis lost their offer: nobody is coming
    caller(engine, "CA-talking")
    consultant(engine, 4)
    router = Router(engine, network, Settings(public_url="https://h.example"))
    router.step()
    engine.connected("CA-talking", 4)
    network.rooms = {
        "call-CA-waiting": ["caller"],
        "call-CA-talking": ["caller", "consultant-4"],
        "call-CA-unknown": ["caller"],
        "consult-x": ["consultant-4"],
    }
    assert router.bring_back_stranded() == 2
    assert network.redirected == [
        ("CA-waiting", "https://h.example/routing/requeue"),
        ("CA-unknown", "https://h.example/routing/requeue"),
    ]


def test_after_redis_was_replaced_a_caller_talking_with_a_consultant_stays_with_them(
    redis_client,
):
    """The old master had the answer; the promoted replica had only the offer, or not even
    that: the network shows who is in the room, and the call is theirs again."""
    engine = make_engine(redis_client)
    network = RecordingNetwork()
    caller(engine, "CA-offered")
    consultant(engine, 4)
    router = Router(engine, network, Settings(public_url="https://h.example"))
    router.step()  # offered to 4; the answer was lost with the old server
    caller(engine, "CA-waiting")  # only the wait reached the replica
    consultant(engine, 5)  # ... where 5 is still free
    engine.redis.delete(keys.DIRTY_CALLS, keys.DIRTY_CONSULTANTS)
    network.rooms = {
        "call-CA-offered": ["caller", "consultant-4"],
        "call-CA-waiting": ["consultant-7", "caller"],
    }
    consultant(engine, 7)
    assert router.bring_back_stranded() == 0
    assert network.redirected == []
    for call_sid, consultant_id in (("CA-offered", 4), ("CA-waiting", 7)):
        entry = engine.entry(call_sid)
        assert (entry.state, entry.consultant_id) == ("connected", consultant_id)
        held = engine.consultant(consultant_id)
        assert (held.state, held.call_sid) == (ConsultantState.ON_CALL, call_sid)
    # Nobody else is offered either call, and telling Redis again changes nothing more.
    router.step()
    assert [sid for _, sid, _ in network.dequeued] == ["CA-offered"]
    assert not engine.adopt("CA-offered", 4)


def test_after_redis_was_replaced_a_consultant_alone_in_a_room_takes_nobody_from_the_queue(
    redis_client,
):
    """Found by bench/chaos: the caller had gone back to the queue from the room a consultant
    answered into; that consultant alone there is no conversation to keep."""
    engine = make_engine(redis_client)
    network = RecordingNetwork()
    caller(engine, "CA-back")
    engine.mark_waiting("CA-back", QUEUE_SID)
    router = Router(engine, network, Settings(public_url="https://h.example"))
    network.rooms = {"call-CA-back": ["consultant-8"]}
    network.inbound = {"CA-back": "+48601000001"}

    assert router.bring_back_stranded() == 0

    assert engine.entry("CA-back").state == "waiting"
    assert network.redirected == []


def test_after_redis_was_replaced_a_click_to_call_room_is_left_alone(redis_client):
    """A consultant's call to a customer has a room but no queue entry: nothing to bring back."""
    engine = make_engine(redis_client)
    network = RecordingNetwork()
    router = Router(engine, network, Settings(public_url="https://h.example"))
    network.rooms = {"call-CA-outbound": ["consultant-4", "caller"]}
    assert router.bring_back_stranded() == 0
    assert network.redirected == []
    assert engine.entry("CA-outbound") is None


def lost_call_in_its_room(redis_client):  # type: ignore[no-untyped-def]
    """A new master that lost every trace of CA-lost, while the network shows its caller (who
    phoned in) talking with consultant 4, whom Redis thinks free."""
    engine = make_engine(redis_client)
    network = RecordingNetwork()
    consultant(engine, 4)
    router = Router(engine, network, Settings(public_url="https://h.example"))
    network.rooms = {"call-CA-lost": ["caller", "consultant-4"]}
    network.inbound = {"CA-lost": "+48601000001"}
    return engine, network, router


def test_after_redis_lost_every_trace_of_a_call_its_consultant_is_on_it_again(redis_client):
    """The caller joined, was offered and answered within the replication window: the new
    master has no entry at all, and the consultant looks free. The network says a caller phoned
    in on that call and a consultant is with them."""
    engine, network, router = lost_call_in_its_room(redis_client)
    caller(engine, "CA-next")  # the next caller must not ring consultant 4

    assert router.bring_back_stranded() == 0
    router.step()

    entry = engine.entry("CA-lost")
    assert (entry.state, entry.consultant_id, entry.caller_number) == (
        "connected",
        4,
        "+48601000001",
    )
    assert engine.consultant(4).state == ConsultantState.ON_CALL
    assert network.placed == [], "nobody else rings a consultant who is talking"
    # The room's end closes the call as answered, as any call.
    assert engine.close("CA-lost", "answered")
    assert engine.consultant(4).state == ConsultantState.WRAP_UP


def test_a_call_written_again_after_a_failover_can_be_transferred_and_queue_again(redis_client):
    """Found by bench/chaos in CI: the entry written again had no score, so when its consultant
    transferred the caller, every wait request failed in Redis and nobody took them."""
    engine, network, router = lost_call_in_its_room(redis_client)
    router.bring_back_stranded()

    assert engine.transfer("CA-lost", 4, "queue") == 1
    engine.mark_waiting("CA-lost", QUEUE_SID)
    consultant(engine, 5)
    router.step()

    assert engine.entry("CA-lost").consultant_id == 5
    assert [sid for _, sid, _ in network.dequeued] == ["CA-lost"]
