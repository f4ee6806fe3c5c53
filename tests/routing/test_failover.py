"""A real Redis failover under the centre: one master, one replica, three sentinels.

The replica is held back (SIGSTOP, its link dropped) while a callback is asked for and a caller joins the queue,
so that both writes reach only the master, as asynchronous replication can leave them; then the
master is killed with kill -9 and the sentinels promote the replica. The centre follows the new
master without a restart, and rebuilds what it lost: the router puts the callback back from the
database, and the waiting caller's next wait request brings their entry back.
"""

from __future__ import annotations

import os
import signal
import time
from functools import partial

import pytest
import redis
from sqlalchemy import select

from bench.chaos.sentinel import SentinelGroup, wait_until
from centre.app import create_app
from consultants.models import Consultant
from hotline.db import db
from hotline.redis_client import MASTER_CHECK_SECONDS, RedisConnection, RedisTarget, redis_conn
from hotline.settings import Settings
from routing import extension, service
from routing.engine import QueueEntry
from routing.live import ConsultantState
from routing.router import Router
from tests.conftest import TwilioSigner
from tests.routing.helpers import RecordingNetwork
from tests.twiml import parse, spoken

pytestmark = pytest.mark.slow

JAN, EWA = "+48601000001", "+48601000002"
JAN_CALL, EWA_CALL = "CA" + "a" * 32, "CA" + "b" * 32
QUEUE = "QU" + "9" * 32


@pytest.fixture
def group(tmp_path):
    servers = SentinelGroup(tmp_path / "redis")
    servers.start()
    yield servers
    servers.stop()


def test_the_centre_follows_a_failover_and_rebuilds_what_the_old_master_took_with_it(
    app, settings: Settings, demo, group: SentinelGroup
):
    sentinel_settings = settings.with_overrides(
        redis_url=None,
        redis_sentinels=tuple(group.sentinel_setting.split(",")),
        redis_master_name="hotline",
        redis_password=group.password,
    )
    centre = create_app(sentinel_settings)
    twilio = TwilioSigner(centre.test_client())
    with centre.app_context():
        routing = centre.extensions[extension.NAME]
        engine = routing.engine
        anna = db.session.scalars(select(Consultant).where(Consultant.login == "anna")).one()
        service.set_consultant_state(engine, anna, ConsultantState.ON_CALL)
        network = RecordingNetwork()
        router = Router(
            engine, network, sentinel_settings, restore_callbacks=partial(
                service.restore_callbacks, routing
            ),
        )  # fmt: skip
        assert not router.redis_replaced(), "the first look only notes the server"

        replica = next(s for s in group.servers.values() if s.name == "redis-b")
        assert group.master().name == "redis-a"
        # The replica stops, and the master drops its link: what follows reaches the master only.
        os.kill(replica.process.pid, signal.SIGSTOP)
        master = redis.Redis(port=group.master_port(), password=group.password)
        master.client_kill_filter(_type="replica")
        try:
            for sid, number in ((JAN_CALL, JAN), (EWA_CALL, EWA)):
                engine.join(QueueEntry(call_sid=sid, caller_number=number))
                call = {"CallSid": sid, "From": number, "To": "+48221952400"}
                twilio.post("/routing/wait", {**call, "QueueSid": QUEUE, "QueuePosition": "1"})
            jan = {"CallSid": JAN_CALL, "From": JAN, "To": "+48221952400"}
            said = spoken(parse(twilio.post("/routing/wait-key", {**jan, "Digits": "1"}).data))
            assert said, "Jan hears that he will be called back"
            assert engine.entry(JAN_CALL).callback
            group.servers["redis-a"].kill()
        finally:
            os.kill(replica.process.pid, signal.SIGCONT)
        new = wait_until(lambda: group._new_master(group.servers["redis-a"]), "a new master")
        assert new.name == "redis-b"

        # The new master never heard of either call: asynchronous replication lost them.
        wait_until(lambda: _answers(engine), "the centre to reach the new master")
        assert engine.entry(JAN_CALL) is None and engine.entry(EWA_CALL) is None

        assert router.redis_replaced()
        router.rebuild()
        jan_back = engine.entry(JAN_CALL)
        assert jan_back is not None and jan_back.callback, "the callback is back from the database"

        ewa = {"CallSid": EWA_CALL, "From": EWA, "To": "+48221952400"}
        twilio.post("/routing/wait", {**ewa, "QueueSid": QUEUE, "QueuePosition": "1"})
        ewa_back = engine.entry(EWA_CALL)
        assert ewa_back is not None and ewa_back.state == "waiting", "her wait brings her back"

        # The centre carries on on the new master: a consultant who comes free is offered a
        # caller, and the router delivers the offer.
        service.set_consultant_state(engine, anna, ConsultantState.AVAILABLE)
        while router.step():
            pass
        delivered = {sid for _q, sid, _url in network.dequeued} | {
            url.split("call=")[1].split("&")[0] for _to, url, _cb in network.placed
        }
        assert delivered & {JAN_CALL, EWA_CALL}
    redis_conn.configure(settings.redis_url)


def _answers(engine) -> bool:  # type: ignore[no-untyped-def]
    try:
        engine.redis.ping()
        return True
    except Exception:
        return False


def test_a_process_leaves_the_old_master_before_the_sentinels_demote_it(group: SentinelGroup):
    # After SENTINEL FAILOVER the old master takes writes for several seconds more, until the
    # sentinels turn it into a replica; a process still connected there would write to it
    # while the others write to the new master.
    connection = RedisConnection()
    connection.configure(
        target=RedisTarget(sentinels=tuple(group.sentinels), password=group.password)
    )
    client = connection.raw
    client.set("before", "1")
    old, new = group.failover()
    new_port = group.servers[new].port
    deadline = time.monotonic() + 5 * MASTER_CHECK_SECONDS
    while int(client.info("server")["tcp_port"]) != new_port:
        assert time.monotonic() < deadline, "the process still talks to the old master"
        time.sleep(0.05)
    client.set("after", "1")
    on_new = redis.Redis(port=new_port, password=group.password)
    assert on_new.get("after") == b"1" and on_new.get("before") == b"1"
    assert old != new
