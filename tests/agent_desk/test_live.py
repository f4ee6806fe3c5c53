"""The desk's and the board's event streams: who hears what, and catching up after a break."""

from __future__ import annotations

import json
import queue
import threading
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from agent_desk.streams import LiveStreams, message, threads_for_streams
from consultants.models import Consultant
from customers.models import Customer
from hotline.db import db
from routing import keys
from routing.engine import QueueEntry
from routing.events import id_order
from routing.live import ConsultantState
from routing.service import set_consultant_state
from tests.agent_desk.test_desk import api, sign_in

# A bound on waits that end as soon as the event comes.
PATIENCE_SECONDS = 60.0
SID = "CA" + "6" * 32
QUEUE = "QU" + "6" * 32


@dataclass
class Message:
    """One server-sent event as the browser reads it."""

    id: str
    event: str
    data: dict  # type: ignore[type-arg]


class Stream:
    """Reads an event stream as EventSource does, on a thread of its own (as gunicorn serves
    each stream on a thread of its own)."""

    def __init__(self, client: FlaskClient, path: str, last_event_id: str = "") -> None:
        headers = {"Accept": "text/event-stream"}
        if last_event_id:
            headers["Last-Event-ID"] = last_event_id
        self.response = client.get(path, headers=headers, buffered=False)
        self.chunks: queue.Queue[str] = queue.Queue()
        self.leaving = threading.Event()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()
        self.buffer = ""

    def _read(self) -> None:
        chunks: Iterator[bytes] = iter(self.response.response)  # type: ignore[arg-type]
        try:
            while not self.leaving.is_set():
                chunk = next(chunks, None)
                if chunk is None:
                    break
                self.chunks.put(chunk.decode() if isinstance(chunk, bytes) else chunk)
        finally:
            self.response.close()

    def next(self) -> Message | None:
        """Return the next event, or None for a keep-alive comment (nothing happened)."""
        while "\n\n" not in self.buffer:
            self.buffer += self.chunks.get(timeout=PATIENCE_SECONDS)
        block, self.buffer = self.buffer.split("\n\n", 1)
        fields: dict[str, str] = {}
        for line in block.splitlines():
            name, _colon, value = line.partition(":")
            if name:
                fields[name] = fields.get(name, "") + value.strip()
        if "event" not in fields:
            return None  # a comment or the retry hint
        return Message(fields.get("id", ""), fields["event"], json.loads(fields["data"]))

    def until(self, wanted, most: int = 200) -> Message:  # type: ignore[no-untyped-def]
        """Read events until one satisfies wanted (keep-alives come every few tenths of a
        second, so this ends on a slow machine too, however long the event takes)."""
        for _ in range(most):
            found = self.next()
            if found is not None and wanted(found):
                return found
        raise AssertionError("the stream never carried the event")

    def close(self) -> None:
        """Leave, as a browser tab that closes."""
        self.leaving.set()
        self.reader.join(timeout=PATIENCE_SECONDS)


def kinds(found: Message) -> list[str]:
    return [event["kind"] for event in found.data["events"]]


@pytest.fixture
def live(app: Flask) -> LiveStreams:
    streams: LiveStreams = app.extensions["hotline.live"]
    streams.heartbeat = 0.2
    streams.board_refresh = 0.3
    return streams


@pytest.fixture
def people(demo) -> dict[str, Consultant]:  # type: ignore[no-untyped-def]
    found = db.session.scalars(select(Consultant)).all()
    return {person.login: person for person in found}


def signed_in(app: Flask, login: str) -> tuple[FlaskClient, str]:
    client = app.test_client()
    _response, token = sign_in(client, login)
    return client, token


def offer_jan_to_anna(app: Flask) -> None:
    """Put Jan (Anna's customer) in the queue and let the router pair him with her."""
    engine = app.extensions["hotline.routing"].engine
    jan = db.session.scalars(select(Customer).where(Customer.phone == "+48601000001")).one()
    entry = QueueEntry(
        call_sid=SID, caller_number=jan.phone, customer_id=jan.id, advisor_id=jan.advisor_id
    )
    engine.arrive(entry, QUEUE)
    made = engine.tick(20).assignments
    assert [offer.call_sid for offer in made] == [SID]


def test_an_offer_reaches_the_consultant_it_is_for_and_nobody_else(app, live, people):
    anna, anna_token = signed_in(app, "anna")
    piotr, piotr_token = signed_in(app, "piotr")
    api(anna, anna_token, "/desk/api/state", {"state": "available"})
    api(piotr, piotr_token, "/desk/api/state", {"state": "available"})
    annas, piotrs = Stream(anna, "/desk/api/events"), Stream(piotr, "/desk/api/events")
    first = annas.until(lambda m: m.event == "desk")
    assert first.data["desk"]["state"] == "available" and first.id
    assert piotrs.until(lambda m: m.event == "desk").data["desk"]["state"] == "available"

    offer_jan_to_anna(app)
    offered = annas.until(lambda m: "call.offered" in kinds(m))
    assert offered.data["desk"]["state"] == "ringing"
    assert offered.data["desk"]["call"]["customer"]["name"] == "Jan Wiśniewski"
    assert offered.data["desk"]["call"]["own_customer"] is True
    assert offered.id == offered.data["events"][-1]["id"]

    # Piotr's own change comes through; nothing about Anna's call came before it.
    api(piotr, piotr_token, "/desk/api/state", {"state": "break", "reason": "lunch"})
    own = piotrs.until(lambda m: m.event == "desk")
    assert [(e["kind"], e["consultant_id"]) for e in own.data["events"]] == [
        ("consultant.state", people["piotr"].id)
    ]
    assert own.data["desk"]["state"] == "break" and own.data["desk"]["call"] is None
    annas.close()
    piotrs.close()


def test_a_page_that_reconnects_gets_what_it_missed_since_its_last_event_id(app, live, people):
    anna, token = signed_in(app, "anna")
    piotr, piotr_token = signed_in(app, "piotr")
    api(anna, token, "/desk/api/state", {"state": "available"})
    stream = Stream(anna, "/desk/api/events")
    last = stream.until(lambda m: m.event == "desk").id
    stream.close()

    api(piotr, piotr_token, "/desk/api/state", {"state": "available"})
    offer_jan_to_anna(app)
    back = Stream(anna, "/desk/api/events", last_event_id=last)
    caught_up = back.until(lambda m: m.event == "desk")
    assert kinds(caught_up) == ["call.offered"], "Anna's own events only, once each"
    assert caught_up.data["gap"] is False
    assert caught_up.data["desk"]["state"] == "ringing"
    assert id_order(caught_up.id) > id_order(last)

    # Reconnecting from the newest id brings nothing twice.
    back.close()
    again = Stream(anna, "/desk/api/events", last_event_id=caught_up.id)
    assert kinds(again.until(lambda m: m.event == "desk")) == []
    again.close()


def test_a_last_event_id_the_stream_no_longer_holds_says_events_may_be_missing(
    app, live, people, redis_client
):
    anna, token = signed_in(app, "anna")
    api(anna, token, "/desk/api/state", {"state": "available"})
    api(anna, token, "/desk/api/state", {"state": "break", "reason": "lunch"})
    oldest = redis_client.xrange(keys.EVENTS, count=1)[0][0].decode()
    redis_client.xdel(keys.EVENTS, oldest)  # as trimming at the maximum length does
    stream = Stream(anna, "/desk/api/events", last_event_id=oldest)
    caught_up = stream.until(lambda m: m.event == "desk")
    assert caught_up.data["gap"] is True
    assert caught_up.data["desk"]["state"] == "break", "the state now is right all the same"
    stream.close()

    for nonsense_id in ("yesterday, or 1-2-3", "²-³"):  # digits to str.isdigit, not to Redis
        nonsense = Stream(anna, "/desk/api/events", last_event_id=nonsense_id)
        fresh = nonsense.until(lambda m: m.event == "desk")
        assert fresh.data["events"] == [] and fresh.data["gap"] is False
        nonsense.close()


def test_signing_out_ends_the_open_pages_streams(app, live, people):
    anna, token = signed_in(app, "anna")
    stream = Stream(anna, "/desk/api/events")
    stream.until(lambda m: m.event == "desk")
    other_tab = app.test_client()
    with anna.session_transaction() as cookie:
        copied = dict(cookie)
    with other_tab.session_transaction() as cookie:
        cookie.update(copied)
    other_tab.post("/desk/logout", headers={"X-CSRF-Token": token})
    assert stream.until(lambda m: m.event != "desk").event == "signed-out"
    assert anna.get("/desk/api/events").status_code == 401


def test_the_board_stream_follows_the_queue(app, live, people):
    supervisor, _token = signed_in(app, "anna")
    stream = Stream(supervisor, "/desk/api/board/events")
    first = stream.until(lambda m: m.event == "board")
    assert first.data["live"]["on_the_line"] == 0
    engine = app.extensions["hotline.routing"].engine
    engine.arrive(QueueEntry(call_sid=SID, caller_number="+48600000000"), QUEUE)
    changed = stream.until(lambda m: m.event == "board" and m.data["live"]["on_the_line"] == 1)
    assert id_order(changed.id) > id_order(first.id)
    stream.close()


def test_the_board_stream_is_refused_to_a_consultant_who_is_not_a_supervisor(app, live, people):
    piotr, _token = signed_in(app, "piotr")
    assert piotr.get("/desk/api/board/events").status_code == 403
    assert app.test_client().get("/desk/api/events").status_code == 401


def test_past_its_share_of_threads_a_process_refuses_more_streams_and_pages_poll(app, live, people):
    live.threads = 3  # two kept for requests, one for a stream
    anna, _token = signed_in(app, "anna")
    for _ in range(3):  # answers never read give their place back once the server closes them
        answer = anna.head("/desk/api/events")
        assert answer.status_code == 200
        answer.close()
    first = Stream(anna, "/desk/api/events")
    first.until(lambda m: m.event == "desk")
    refused = anna.get("/desk/api/events")
    assert refused.status_code == 503 and refused.headers["Retry-After"] == "30"
    assert anna.get("/desk/api/state").status_code == 200, "requests still have their threads"
    first.close()
    again = Stream(anna, "/desk/api/events")
    assert again.until(lambda m: m.event == "desk")
    again.close()


def test_a_fifth_of_a_process_threads_and_at_least_two_are_kept_for_requests():
    assert threads_for_streams(160) == 128
    assert threads_for_streams(8) == 6
    assert threads_for_streams(3) == 1


def test_a_message_is_one_event_in_the_wire_format():
    text = message("desk", {"a": "line\nbreak"}, "1-2")
    assert text == 'id: 1-2\nevent: desk\ndata: {"a": "line\\nbreak"}\n\n'


def test_the_state_api_answers_what_the_stream_carries(app, live, people):
    anna, token = signed_in(app, "anna")
    engine = app.extensions["hotline.routing"].engine
    set_consultant_state(engine, people["anna"], ConsultantState.AVAILABLE)
    offer_jan_to_anna(app)
    stream = Stream(anna, "/desk/api/events")
    streamed = stream.until(lambda m: m.event == "desk").data["desk"]
    stream.close()
    assert anna.get("/desk/api/state").json == streamed
