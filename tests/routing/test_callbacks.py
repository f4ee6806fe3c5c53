"""Waiting callers' choices: a callback that keeps their place, or voicemail past the max wait."""

from __future__ import annotations

import time
from dataclasses import replace
from functools import partial

import pytest
from sqlalchemy import select

from consultants.models import Consultant
from customers.models import Contact
from hotline.db import db
from hotline.redis_client import redis_conn
from hotline.settings import Settings
from recordings.models import Recording
from routing import extension, keys, service, twiml
from routing.callbacks import CallbackRules
from routing.engine import QueueEntry, RoutingEngine
from routing.live import ConsultantState
from routing.models import CallbackRequest, CallRecord
from routing.router import Router
from tests.conftest import PUBLIC_URL
from tests.routing.helpers import Clock, RecordingNetwork
from tests.twiml import parse, spoken, verbs

SID = "CA" + "5" * 32
JAN = "+48601000001"
CALL = {"CallSid": SID, "From": JAN, "To": "+48221952400"}
QUEUE = "QU" + "9" * 32


def anna() -> Consultant:
    return db.session.scalars(select(Consultant).where(Consultant.login == "anna")).one()


def someone_at_work(redis_client) -> None:
    """Put Piotr on a call, so that the queue is staffed and a wait can be promised."""
    piotr = db.session.scalars(select(Consultant).where(Consultant.login == "piotr")).one()
    RoutingEngine(redis_client).set_state(piotr.id, ConsultantState.ON_CALL)


def jan_waits(redis_client, twilio, number: str = JAN, staffed: bool = True):
    anna_id = anna().id
    if staffed:
        someone_at_work(redis_client)
    RoutingEngine(redis_client).join(
        QueueEntry(call_sid=SID, caller_number=number, advisor_id=anna_id, office="WAW")
    )
    wait = {**CALL, "From": number, "QueueSid": QUEUE, "QueuePosition": "1"}
    return parse(twilio.post("/routing/wait", wait).data)


def press(twilio, digits: str):
    return parse(twilio.post("/routing/wait-key", {**CALL, "Digits": digits}).data)


def request_callback(redis_client, twilio):
    jan_waits(redis_client, twilio)
    root = press(twilio, "1")
    twilio.post("/routing/queue-result", {**CALL, "QueueResult": "hangup", "QueueSid": QUEUE})
    twilio.post("/ivr/status", {**CALL, "CallStatus": "completed"})
    return root


def routing(app) -> service.Routing:
    return app.extensions[extension.NAME]


def router(app, settings, network, clock=None) -> Router:
    """A router process of its own: its routing built from the same settings."""
    own = service.build_routing(settings, redis_conn.raw)
    if clock is not None:
        own.engine.clock = clock
    leg_lost = partial(service.callback_leg_lost, own)
    return Router(own.engine, network, settings, callback_leg_lost=leg_lost)


def anna_available(app):
    set_anna(app, ConsultantState.AVAILABLE)


def test_the_wait_document_offers_a_callback_and_keeps_waiting_on_silence(
    twilio, demo, redis_client
):
    root = jan_waits(redis_client, twilio)
    assert verbs(root) == ["Gather"], "on silence the document ends and Twilio asks again"
    gather = root.find("Gather")
    assert gather.get("action") == "/routing/wait-key" and gather.get("numDigits") == "1"
    assert "naciśnij 1" in spoken(root)
    assert "naciśnij 2" not in spoken(root), "voicemail only past the maximum wait"


def test_an_anonymous_caller_is_not_offered_a_callback(twilio, demo, redis_client):
    root = jan_waits(redis_client, twilio, number="")
    assert root.find("Gather") is None
    assert (
        parse(twilio.post("/routing/wait-key", {**CALL, "Digits": "1"}).data).find("Hangup") is None
    )


def test_pressing_1_requests_a_callback_that_keeps_the_callers_place(twilio, demo, redis_client):
    engine = RoutingEngine(redis_client)
    engine.join(QueueEntry(call_sid="CA-later", queued_at=engine.clock() + 5))
    engine.mark_waiting("CA-later", QUEUE)
    root = request_callback(redis_client, twilio)
    assert "oddzwoni" in spoken(root)
    assert verbs(root)[-1] == "Hangup"
    entry = engine.entry(SID)
    assert (entry.state, entry.callback, entry.callback_number) == ("waiting", True, JAN)
    assert redis_client.zrank(keys.WAITING, SID) == 0, "hanging up after pressing 1 keeps it"
    assert engine.position("CA-later") == (1, 1), "nobody is on the line for a callback"
    assert redis_client.ttl(keys.entry(SID)) == -1, "a callback does not expire"
    request = db.session.scalars(select(CallbackRequest)).one()
    assert (request.call_sid, request.number, request.status) == (SID, JAN, "pending")
    record = db.session.scalars(select(CallRecord).where(CallRecord.call_sid == SID)).one()
    assert record.outcome == "callback"


def test_a_callback_rings_the_consultant_then_dials_the_customer(
    app, settings, twilio, demo, redis_client
):
    request_callback(redis_client, twilio)
    anna_available(app)
    network = RecordingNetwork()
    router(app, settings, network).step()
    consultant_id = anna().id
    query = f"call={SID}&consultant={consultant_id}"
    assert network.placed == [
        (
            f"client:consultant-{consultant_id}",
            f"{PUBLIC_URL}/routing/callback/connect?{query}",
            f"{PUBLIC_URL}/routing/callback/status?{query}",
        )
    ]
    leg = {
        "CallSid": "CA" + "1" * 32,
        "From": "client:x",
        "To": f"client:consultant-{consultant_id}",
    }
    root = parse(twilio.post(f"/routing/callback/connect?{query}", leg).data)
    dial = root.find("Dial")
    assert dial.find("Number").text == JAN
    assert dial.get("callerId") == settings.hotline_number
    assert dial.get("action") == f"/routing/callback/result?{query}&attempt=1"
    engine = RoutingEngine(redis_client)
    assert engine.consultant(consultant_id).state == "on-call"

    done = {**leg, "DialCallStatus": "completed", "DialCallDuration": "95"}
    twilio.post(f"/routing/callback/result?{query}&attempt=1", done)
    assert engine.entry(SID).outcome == "callback"
    assert engine.consultant(consultant_id).state == "wrap-up"
    db.session.expire_all()
    request = db.session.scalars(select(CallbackRequest)).one()
    assert (request.status, request.attempts) == ("completed", 1)
    assert [(a.attempt, a.outcome) for a in request.attempt_log] == [(1, "answered")]
    record = db.session.scalars(select(CallRecord).where(CallRecord.call_sid == SID)).one()
    # Nobody was logged in when Jan queued, so every tier was skipped; his advisor, free first,
    # still took her own customer first.
    assert (record.outcome, record.own_advisor, record.tier) == ("callback", True, "any")
    contact = db.session.scalars(select(Contact).where(Contact.call_sid == SID)).one()
    assert (contact.channel, contact.consultant_id) == ("callback", consultant_id)
    assert contact.customer_id is None, "Jan was queued without his record in this test"


def test_a_callback_is_retried_later_and_given_up_after_three_attempts(
    app, settings, twilio, demo, redis_client
):
    request_callback(redis_client, twilio)
    network = RecordingNetwork()
    consultant_id = anna().id
    query = f"call={SID}&consultant={consultant_id}"
    engine = RoutingEngine(redis_client)
    rules = CallbackRules.from_settings(settings)
    leg = {"CallSid": "CA" + "2" * 32, "From": "client:x", "To": "client:y"}
    due = None
    for attempt, status in ((1, "no-answer"), (2, "busy"), (3, "no-answer")):
        anna_available(app)
        clock = (lambda d=due: d + 1) if due else None
        router(app, settings, network, clock).step()
        assert len(network.placed) == attempt
        twilio.post(f"/routing/callback/connect?{query}", leg)
        result = {**leg, "DialCallStatus": status}
        root = parse(
            twilio.post(f"/routing/callback/result?{query}&attempt={attempt}", result).data
        )
        assert "nie odebrał" in spoken(root)
        twilio.post(f"/routing/callback/status?{query}", {**leg, "CallStatus": "completed"})
        if attempt < 3:
            entry = engine.entry(SID)
            assert entry.state == "scheduled"
            due = redis_client.zscore(keys.CALLBACKS_DUE, SID)
            assert due >= engine.clock() + rules.retry_seconds - 5
            assert rules.within_hours(due)
            assert engine.consultant(consultant_id).state == "available"
            assert router(app, settings, network).step() is False
            assert len(network.placed) == attempt, "not before the retry is due"
    entry = engine.entry(SID)
    assert (entry.state, entry.outcome, entry.callback_status) == (
        "ended",
        "callback",
        "failed",
    )
    db.session.expire_all()
    request = db.session.scalars(select(CallbackRequest)).one()
    assert (request.status, request.attempts) == ("failed", 3)
    assert [(a.attempt, a.outcome) for a in request.attempt_log] == [
        (1, "no-answer"),
        (2, "busy"),
        (3, "no-answer"),
    ]


def anna_dials_jan(app, settings, twilio, network, clock=None) -> tuple[str, dict[str, str]]:
    """Ring Anna for Jan's callback and have her pick up, so that Jan is dialled; return the
    query of the callback's webhooks and what Twilio posts about Anna's leg."""
    anna_available(app)
    router(app, settings, network, clock).step()
    consultant_id = anna().id
    query = f"call={SID}&consultant={consultant_id}"
    leg = {
        "CallSid": routing(app).engine.entry(SID).callback_leg,
        "From": settings.hotline_number,
        "To": f"client:consultant-{consultant_id}",
    }
    dial = parse(twilio.post(f"/routing/callback/connect?{query}", leg).data).find("Dial")
    assert dial.find("Number").text == JAN
    return query, leg


def ewa_waits(engine: RoutingEngine) -> str:
    """Put a caller on the line whom anyone may take; return her call's sid."""
    ewa = "CA" + "6" * 32
    engine.join(QueueEntry(call_sid=ewa, caller_number="+48601000002"))
    engine.mark_waiting(ewa, QUEUE)
    return ewa


def post_result(twilio, query, leg, status, attempt=1):
    result = {**leg, "DialCallStatus": status, "DialCallSid": "CA" + "7" * 32}
    return parse(twilio.post(f"/routing/callback/result?{query}&attempt={attempt}", result).data)


def post_leg_status(twilio, query, leg, status="completed"):
    twilio.post(f"/routing/callback/status?{query}", {**leg, "CallStatus": status})


def test_a_consultant_who_missed_the_customer_is_rung_for_nothing_until_her_leg_has_ended(
    app, settings, twilio, demo, redis_client
):
    request_callback(redis_client, twilio)
    network = RecordingNetwork()
    query, leg = anna_dials_jan(app, settings, twilio, network)
    assert "nie odebrał" in spoken(post_result(twilio, query, leg, "no-answer"))
    engine = RoutingEngine(redis_client)
    assert engine.entry(SID).state == "scheduled"
    ewa = ewa_waits(engine)
    router(app, settings, network).step()
    assert network.dequeued == [], "Anna is still hearing that Jan did not answer"
    held = engine.consultant(anna().id)
    assert (held.state, held.call_sid, held.callback_leg) == ("on-call", SID, leg["CallSid"])

    post_leg_status(twilio, query, leg)
    assert engine.consultant(anna().id).state == "available"
    router(app, settings, network).step()
    assert [call for _queue, call, _url in network.dequeued] == [ewa]


def test_a_leg_that_ends_before_its_result_frees_the_consultant_when_the_result_comes(
    app, settings, twilio, demo, redis_client
):
    request_callback(redis_client, twilio)
    query, leg = anna_dials_jan(app, settings, twilio, RecordingNetwork())
    engine = RoutingEngine(redis_client)
    post_leg_status(twilio, query, leg)
    entry = engine.entry(SID)
    assert (entry.state, entry.callback_attempts) == ("connected", 1), "the result is to come"
    assert engine.consultant(anna().id).state == "on-call"

    post_result(twilio, query, leg, "no-answer")
    assert engine.entry(SID).state == "scheduled"
    assert engine.consultant(anna().id).state == "available", "her leg had already ended"
    post_leg_status(twilio, query, leg)
    assert engine.consultant(anna().id).state == "available"
    assert engine.entry(SID).state == "scheduled", "a repeated report changes nothing"


def test_a_conversation_whose_leg_ends_before_its_result_is_still_wrapped_up(
    app, settings, twilio, demo, redis_client
):
    request_callback(redis_client, twilio)
    query, leg = anna_dials_jan(app, settings, twilio, RecordingNetwork())
    post_leg_status(twilio, query, leg)  # Anna hung up at the end; the two reports raced
    post_result(twilio, query, leg, "completed")
    engine = RoutingEngine(redis_client)
    assert engine.entry(SID).outcome == "callback"
    assert engine.consultant(anna().id).state == "wrap-up"
    db.session.expire_all()
    assert db.session.scalars(select(CallbackRequest.status)).one() == "completed"


def test_a_consultant_whose_leg_ended_unreported_is_freed_by_the_routers_check(
    app, settings, twilio, demo, redis_client
):
    request_callback(redis_client, twilio)
    query, leg = anna_dials_jan(app, settings, twilio, RecordingNetwork())
    post_result(twilio, query, leg, "no-answer")  # and the leg's status callback is lost
    clock = Clock(time.time() + 60)
    network = RecordingNetwork({leg["CallSid"]: "completed"})
    checking = router(app, settings, network, clock)
    checking.reconcile()
    assert network.asked == [], "asked only after two minutes"
    clock.advance(70)
    with app.app_context():
        checking.reconcile()
    assert network.asked == [leg["CallSid"]]
    engine = RoutingEngine(redis_client)
    assert engine.consultant(anna().id).state == "available"
    assert engine.entry(SID).state == "scheduled"


def test_an_attempt_whose_result_and_leg_status_were_both_lost_is_tried_again(
    app, settings, twilio, demo, redis_client
):
    request_callback(redis_client, twilio)
    _query, leg = anna_dials_jan(app, settings, twilio, RecordingNetwork())
    clock = Clock(time.time() + 130)
    with app.app_context():
        router(app, settings, RecordingNetwork({leg["CallSid"]: "completed"}), clock).reconcile()
    engine = RoutingEngine(redis_client)
    entry = engine.entry(SID)
    assert (entry.state, entry.callback_attempts) == ("scheduled", 1)
    assert engine.consultant(anna().id).state == "available"
    db.session.expire_all()
    request = db.session.scalars(select(CallbackRequest)).one()
    assert request.status == "pending" and request.next_attempt_at is not None
    assert [(a.attempt, a.outcome) for a in request.attempt_log] == [(1, "unknown")]


def test_an_attempt_whose_reports_were_lost_but_the_customer_answered_is_not_made_again(
    app, settings, twilio, demo, redis_client
):
    """The network still knows the customer's call, dialled from Anna's leg, was answered."""
    request_callback(redis_client, twilio)
    _query, leg = anna_dials_jan(app, settings, twilio, RecordingNetwork())
    clock = Clock(time.time() + 130)
    network = RecordingNetwork({leg["CallSid"]: "completed"})
    network.children = {leg["CallSid"]: ["completed"]}
    with app.app_context():
        router(app, settings, network, clock).reconcile()
    engine = RoutingEngine(redis_client)
    assert engine.entry(SID).state == "ended"
    assert engine.consultant(anna().id).state != "on-call"
    db.session.expire_all()
    request = db.session.scalars(select(CallbackRequest)).one()
    assert request.status == "completed"
    assert [(a.attempt, a.outcome) for a in request.attempt_log] == [(1, "answered")]


def test_a_late_report_of_an_earlier_leg_leaves_the_next_attempt_alone(
    app, settings, twilio, demo, redis_client
):
    request_callback(redis_client, twilio)
    query, first = anna_dials_jan(app, settings, twilio, RecordingNetwork())
    post_result(twilio, query, first, "no-answer")
    post_leg_status(twilio, query, first)
    due = redis_client.zscore(keys.CALLBACKS_DUE, SID)
    network = RecordingNetwork()
    network.placed.append(("earlier", "", None))  # the next leg gets a sid of its own
    _query, second = anna_dials_jan(app, settings, twilio, network, Clock(due + 1))
    assert second["CallSid"] != first["CallSid"]
    post_leg_status(twilio, query, first)  # Twilio repeats the first leg's end, late
    engine = RoutingEngine(redis_client)
    entry = engine.entry(SID)
    assert (entry.state, entry.callback_attempts) == ("connected", 2)
    assert engine.consultant(anna().id).state == "on-call"
    post_result(twilio, query, second, "completed", attempt=2)
    assert engine.entry(SID).outcome == "callback"
    assert engine.consultant(anna().id).state == "wrap-up"


def test_a_consultant_who_misses_the_callback_ring_is_set_not_ready(
    app, settings, twilio, demo, redis_client
):
    request_callback(redis_client, twilio)
    anna_available(app)
    router(app, settings, RecordingNetwork()).step()
    consultant_id = anna().id
    query = f"call={SID}&consultant={consultant_id}"
    twilio.post(f"/routing/callback/status?{query}", {**CALL, "CallStatus": "no-answer"})
    engine = RoutingEngine(redis_client)
    assert engine.consultant(consultant_id).state == "not-ready"
    assert engine.entry(SID).state == "waiting"
    assert engine.position(SID) == (1, 1)
    assert engine.entry(SID).callback_attempts == 0, "the customer was never dialled"


def test_a_callback_survives_the_loss_of_redis(app, settings, twilio, demo, redis_client):
    request_callback(redis_client, twilio)
    queued_at = RoutingEngine(redis_client).entry(SID).queued_at
    redis_client.flushdb()
    with app.app_context():
        assert service.restore_callbacks(routing(app)) == 1
        assert service.restore_callbacks(routing(app)) == 0
    entry = RoutingEngine(redis_client).entry(SID)
    assert (entry.state, entry.callback) == ("waiting", True)
    assert entry.queued_at == pytest.approx(queued_at, abs=1e-3)
    anna_available(app)
    network = RecordingNetwork()
    router(app, settings, network).step()
    assert len(network.placed) == 1


def test_a_caller_who_cannot_wait_is_called_back_when_consultants_are_in(
    app, settings, demo, redis_client
):
    consultant_id = anna().id
    entry = QueueEntry(call_sid=SID, caller_number=JAN, advisor_id=consultant_id, office="WAW")
    with app.app_context():
        assert service.request_callback_later(routing(app), entry, JAN)
    assert RoutingEngine(redis_client).entry(SID).callback
    assert db.session.scalars(select(CallbackRequest.number)).all() == [JAN]
    network = RecordingNetwork()
    router(app, settings, network).step()
    assert network.placed == [], "nobody is logged in yet"
    anna_available(app)
    router(app, settings, network).step()
    assert [to for to, _url, _status in network.placed] == [f"client:consultant-{consultant_id}"]


def set_anna(app, state):
    with app.app_context():
        service.set_consultant_state(routing(app).engine, anna(), state)


@pytest.mark.parametrize("state", ["on-call", "wrap-up", "break", "not-ready"])
def test_a_caller_whose_advisor_is_busy_may_ask_that_advisor_to_call_back(
    app, twilio, demo, redis_client, state
):
    set_anna(app, ConsultantState(state))
    root = jan_waits(redis_client, twilio)
    said = spoken(root)
    assert "naciśnij 1" in said and "naciśnij 3" in said
    assert said.index("doradca klienta jest teraz zajęty") < said.index("miejsce w kolejce")
    root = press(twilio, "3")
    assert "doradca klienta oddzwoni" in spoken(root)
    assert verbs(root)[-1] == "Hangup"
    entry = RoutingEngine(redis_client).entry(SID)
    assert (entry.callback, entry.pinned, entry.tier) == (True, True, 1)
    assert entry.tier_until - entry.callback_requested_at == 4 * 3600
    request = db.session.scalars(select(CallbackRequest)).one()
    assert (request.for_advisor, request.advisor_id) == (True, anna().id)


@pytest.mark.parametrize(
    ("usual_seconds", "said"),
    [(290, "zwykle w ciągu około 5 min"), (20, "zwykle w ciągu około 2 min"), (1500, None)],
)
def test_the_offer_says_how_soon_advisors_usually_call_back(
    app, twilio, demo, redis_client, usual_seconds, said
):
    redis_client.hset(keys.STATS, "advisor_callback_ewma", repr(float(usual_seconds)))
    set_anna(app, ConsultantState.ON_CALL)
    text = spoken(jan_waits(redis_client, twilio))
    assert "naciśnij 3" in text.lower()
    assert (said in text) if said else ("zwykle" not in text), "no figure past 19 minutes"
    assert verbs(press(twilio, "3"))[-1] == "Hangup"


@pytest.mark.parametrize("state", [None, "available", "offline"])
def test_key_3_is_neither_offered_nor_heard_unless_the_advisor_is_busy(
    app, twilio, demo, redis_client, state
):
    if state:
        set_anna(app, ConsultantState(state))
    root = jan_waits(redis_client, twilio)
    assert "naciśnij 3" not in spoken(root)
    assert verbs(press(twilio, "3")) == []
    assert not RoutingEngine(redis_client).entry(SID).callback


@pytest.mark.parametrize("answered", [False, True])
def test_an_advisor_ringing_with_the_callers_own_call_is_not_busy_to_that_caller(
    app, settings, twilio, demo, redis_client, answered
):
    anna_available(app)
    jan_waits(redis_client, twilio)
    network = RecordingNetwork()
    router(app, settings, network).step()
    assert [sid for _queue, sid, _url in network.dequeued] == [SID], "Jan's call rings Anna"
    if answered:
        RoutingEngine(redis_client).connected(SID, anna().id)
    # The wait URL may run again before Twilio takes Jan out of the queue.
    wait = {**CALL, "QueueSid": QUEUE, "QueuePosition": "1"}
    said = spoken(parse(twilio.post("/routing/wait", wait).data))
    assert "zajęty" not in said and "naciśnij 3" not in said
    assert verbs(press(twilio, "3")) == []
    assert not RoutingEngine(redis_client).entry(SID).callback


def test_an_advisor_ringing_with_someone_elses_call_is_busy(
    app, settings, twilio, demo, redis_client
):
    engine = RoutingEngine(redis_client)
    engine.join(QueueEntry(call_sid="CA-first", advisor_id=anna().id, office="WAW"))
    engine.mark_waiting("CA-first", QUEUE)
    anna_available(app)
    network = RecordingNetwork()
    router(app, settings, network).step()
    assert engine.consultant(anna().id).call_sid == "CA-first"
    assert "naciśnij 3" in spoken(jan_waits(redis_client, twilio))


def test_a_callback_asked_of_the_advisor_is_restored_with_its_hold(
    app, settings, twilio, demo, redis_client
):
    set_anna(app, ConsultantState.ON_CALL)
    jan_waits(redis_client, twilio)
    press(twilio, "3")
    before = RoutingEngine(redis_client).entry(SID)
    stored = db.session.scalars(select(CallbackRequest)).one()
    assert stored.requested_at.timestamp() == pytest.approx(before.callback_requested_at, abs=1e-6)
    redis_client.flushdb()
    set_anna(app, ConsultantState.ON_CALL)
    with app.app_context():
        assert service.restore_callbacks(routing(app)) == 1
    entry = RoutingEngine(redis_client).entry(SID)
    assert (entry.pinned, entry.tier) == (True, 1)
    assert entry.tier_until == pytest.approx(before.tier_until, abs=1e-5)


@pytest.mark.parametrize(
    ("language", "minutes", "said"),
    [
        ("en", 1, "about a minute."),
        ("en", 4, "about 4 minutes."),
        ("ro", 1, "aproximativ un minut."),
        ("pl", 1, "około minuty."),
    ],
)
def test_the_expected_wait_is_said_in_words_that_fit_the_number(language, minutes, said):
    assert said in spoken(parse(str(twiml.wait_message(language, 2, minutes, 20))))


def test_hold_music_plays_between_announcements_while_the_key_is_heard():
    root = parse(
        str(twiml.wait_message("uk", 3, 2, 20, offers=["callback_offer"], hold_music_url="/m.mp3"))
    )
    assert root.find("Gather/Play").text == "/m.mp3"
    assert root.find("Gather/Pause") is None
    assert "натисніть 1" in spoken(root)


class TestPastTheMaximumWait:
    @pytest.fixture
    def settings(self, settings):
        return settings.with_overrides(max_wait_seconds=0)

    def test_the_caller_is_offered_a_callback_or_voicemail(self, twilio, demo, redis_client):
        root = jan_waits(redis_client, twilio)
        assert "naciśnij 1" in spoken(root) and "naciśnij 2" in spoken(root)
        assert verbs(root) == ["Gather"]

    def test_pressing_2_leaves_the_queue_to_record_a_voicemail(self, twilio, demo, redis_client):
        jan_waits(redis_client, twilio)
        assert verbs(press(twilio, "2")) == ["Leave"]
        left = {**CALL, "QueueResult": "leave", "QueueSid": QUEUE}
        root = parse(twilio.post("/routing/queue-result", left).data)
        record = root.find("Record")
        assert record.get("action") == "/routing/voicemail-done"
        assert record.get("recordingStatusCallback") == "/recordings/status?language=pl"
        assert RoutingEngine(redis_client).entry(SID).outcome == "voicemail"
        done = parse(twilio.post("/routing/voicemail-done", {**CALL, "RecordingSid": "RE1"}).data)
        assert verbs(done)[-1] == "Hangup"
        status = {
            **CALL,
            "RecordingSid": "RE" + "7" * 32,
            "RecordingUrl": "https://api.twilio.com/rec",
            "RecordingStatus": "completed",
            "RecordingDuration": "14",
        }
        twilio.post(record.get("recordingStatusCallback"), status)
        twilio.post("/ivr/status", {**CALL, "CallStatus": "completed"})
        assert db.session.scalars(select(Recording.call_sid)).all() == [SID]
        assert db.session.scalars(select(Recording.language)).all() == ["pl"]
        record_row = db.session.scalars(select(CallRecord)).one()
        assert record_row.outcome == "voicemail"

    def test_an_anonymous_caller_may_still_leave_a_voicemail(self, twilio, demo, redis_client):
        root = jan_waits(redis_client, twilio, number="")
        assert "naciśnij 2" in spoken(root) and "naciśnij 1" not in spoken(root)
        assert verbs(press(twilio, "1")) == []


def test_callback_hours_skip_nights_weekends_and_public_holidays():
    from datetime import datetime
    from zoneinfo import ZoneInfo

    zone = ZoneInfo("Europe/Warsaw")
    rules = CallbackRules(retry_seconds=600, days="mon-fri", hours="08:00-18:00")

    def at(*parts: int) -> float:
        return datetime(*parts, tzinfo=zone).timestamp()

    assert rules.within_hours(at(2026, 11, 23, 9, 0))
    assert not rules.within_hours(at(2026, 11, 23, 18, 0))
    assert rules.next_attempt(at(2026, 11, 23, 10, 0)) == at(2026, 11, 23, 10, 10)
    assert rules.next_attempt(at(2026, 11, 27, 17, 55)) == at(2026, 11, 30, 8, 0), "Friday night"
    assert rules.next_attempt(at(2026, 11, 10, 17, 55)) == at(2026, 11, 12, 8, 0), "11 November"


def test_callbacks_follow_consultant_hours_and_closed_days_unless_given_their_own():
    from datetime import datetime
    from zoneinfo import ZoneInfo

    zone = ZoneInfo("Europe/Warsaw")

    def at(*parts: int) -> float:
        return datetime(*parts, tzinfo=zone).timestamp()

    settings = Settings(
        consultant_hours="mon-fri 08:00-18:00; sat 09:00-13:00", closed_days="2026-12-31"
    )
    rules = CallbackRules.from_settings(settings)
    assert rules.within_hours(at(2026, 11, 28, 10, 0)), "Saturday morning, as consultants"
    assert not rules.within_hours(at(2026, 12, 31, 10, 0)), "a closed day"
    own = CallbackRules.from_settings(
        settings.with_overrides(callback_days="mon-fri", callback_hours="09:00-17:00")
    )
    assert not own.within_hours(at(2026, 11, 28, 10, 0))
    assert not own.within_hours(at(2026, 11, 23, 8, 30)) and own.within_hours(at(2026, 11, 23, 9))
    assert not own.within_hours(at(2026, 12, 31, 10, 0)), "closed days apply to their own hours too"


def warsaw(*parts: int) -> float:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    return datetime(*parts, tzinfo=ZoneInfo("Europe/Warsaw")).timestamp()


SUNDAY_NIGHT = warsaw(2026, 11, 22, 23, 12)
MONDAY_MORNING = warsaw(2026, 11, 23, 8, 0)


class TestOutsideCallbackHours:
    """Consultants, and so callbacks, work weekdays from 08:00 to 18:00 in Warsaw."""

    @pytest.fixture
    def settings(self, settings):
        return settings.with_overrides(
            consultant_hours="mon-fri 08:00-18:00", timezone="Europe/Warsaw"
        )

    @pytest.fixture
    def clock(self, app) -> Clock:
        clock = Clock(SUNDAY_NIGHT)
        routing(app).engine.clock = clock
        return clock

    def called_back_on_monday_morning(self, app, settings, clock) -> list:
        """Run a router through the night with Anna free; return what it placed by 08:00."""
        anna_available(app)
        network = RecordingNetwork()
        night = router(app, settings, network, clock)
        night.step()
        assert network.placed == [], "nobody is called back on a Sunday night"
        clock.now = MONDAY_MORNING - 1
        night.step()
        assert network.placed == []
        clock.now = MONDAY_MORNING
        night.step()
        return network.placed

    @pytest.mark.parametrize("key", ["1", "3"])
    def test_a_callback_asked_for_while_waiting_is_first_made_when_callback_hours_begin(
        self, app, settings, twilio, demo, redis_client, clock, key
    ):
        set_anna(app, ConsultantState.ON_CALL)  # so key 3 is offered too
        engine = routing(app).engine
        entry = QueueEntry(call_sid=SID, caller_number=JAN, advisor_id=anna().id, office="WAW")
        engine.join(replace(entry, queued_at=clock()))
        twilio.post("/routing/wait", {**CALL, "QueueSid": QUEUE})
        assert "oddzwoni" in spoken(press(twilio, key))
        twilio.post("/routing/queue-result", {**CALL, "QueueResult": "hangup"})
        assert engine.entry(SID).state == "scheduled"
        assert redis_client.zscore(keys.CALLBACKS_DUE, SID) == MONDAY_MORNING
        request = db.session.scalars(select(CallbackRequest)).one()
        assert request.next_attempt_at.timestamp() == MONDAY_MORNING

        placed = self.called_back_on_monday_morning(app, settings, clock)
        assert [to for to, _url, _status in placed] == [f"client:consultant-{anna().id}"]

    def test_a_callback_asked_for_when_closed_keeps_its_time_when_restored(
        self, app, settings, demo, redis_client, clock
    ):
        entry = QueueEntry(call_sid=SID, caller_number=JAN, queued_at=clock())
        with app.app_context():
            assert service.request_callback_later(routing(app), entry, JAN)
        assert RoutingEngine(redis_client).entry(SID).state == "scheduled"
        redis_client.flushdb()
        clock.advance(600)
        with app.app_context():
            assert service.restore_callbacks(routing(app)) == 1
        restored = RoutingEngine(redis_client).entry(SID)
        assert (restored.state, restored.callback) == ("scheduled", True)
        assert redis_client.zscore(keys.CALLBACKS_DUE, SID) == MONDAY_MORNING

        placed = self.called_back_on_monday_morning(app, settings, clock)
        assert len(placed) == 1

    def test_a_callback_still_waiting_when_callback_hours_end_waits_for_the_next_day(
        self, app, settings, demo, redis_client, clock
    ):
        clock.now = warsaw(2026, 11, 20, 17, 50)  # a Friday, nobody free
        entry = QueueEntry(call_sid=SID, caller_number=JAN, queued_at=clock())
        with app.app_context():
            assert service.request_callback_later(routing(app), entry, JAN)
        assert routing(app).engine.entry(SID).state == "waiting"
        clock.now = warsaw(2026, 11, 20, 18, 30)
        placed = self.called_back_on_monday_morning(app, settings, clock)
        assert len(placed) == 1
        assert routing(app).engine.consultant(anna().id).state == "ringing"


def test_callback_hours_closed_for_weeks_are_looked_at_again_later_without_failing():
    from routing.callbacks import LOOK_AHEAD_DAYS

    closed = ",".join(f"2026-12-{day:02d}" for day in range(1, 32))
    rules = CallbackRules(days="mon-fri", hours="08:00-18:00", closed_days=closed, country="")
    monday = warsaw(2026, 11, 30, 18, 0)
    assert rules.opening_at_or_after(monday) == monday + LOOK_AHEAD_DAYS * 86400
    assert rules.first_attempt(warsaw(2026, 11, 30, 9, 0)) is None, "open: at once"
    assert rules.opening_at_or_after(warsaw(2026, 11, 27, 18, 0)) == warsaw(2026, 11, 30, 8, 0)
