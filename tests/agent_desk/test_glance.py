"""The caller at a glance: the IVR journey, the wait and tier, why the call came to this
consultant, flags, last contacts and what is open, as the desk's pop shows them."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from agent_desk import glance
from consultants.models import Consultant
from customers.models import AuditEntry, Contact, Customer
from hotline.db import db
from recordings.models import Recording
from routing.caller_path import PathStep, note_step, path_of
from routing.engine import RoutingEngine
from routing.live import LiveEntry
from routing.models import CallbackRequest, CallRecord
from tests.agent_desk.test_desk import api, sign_in

SID = "CA" + "6" * 32
UNKNOWN = "+48601999999"


def ring(client, twilio, redis_client, sid, number, *menu):
    """Place a call, take it through the menu (step, digits), and let routing offer it."""
    call = {"CallSid": sid, "From": number, "To": "+48221952400"}
    twilio.post("/ivr/incoming", call)
    for step, digits in menu:
        twilio.post(f"/ivr/{step}/input", {**call, "Digits": digits})
    twilio.post("/routing/wait", {**call, "QueueSid": "QU" + "1" * 32})
    assert RoutingEngine(redis_client).assign_next(30) is not None
    state = client.get("/desk/api/state").json
    assert state["state"] == "ringing"
    return state["call"]


@pytest.fixture
def jan(demo) -> Customer:
    return db.session.scalars(select(Customer).where(Customer.phone == "+48601000001")).one()


def people(login: str) -> Consultant:
    return db.session.scalars(select(Consultant).where(Consultant.login == login)).one()


def test_the_pop_reads_an_unknown_callers_journey_in_polish(client, twilio, demo, redis_client):
    _, token = sign_in(client)
    api(client, token, "/desk/api/state", {"state": "available"})
    call = ring(
        client, twilio, redis_client, SID, UNKNOWN,
        ("identify", ""), ("menu", "1"), ("answer", "1"), ("answer", "0"),
    )  # fmt: skip
    seen = call["glance"]
    assert call["identified_by"] == "none" and call["customer"] is None
    assert seen["journey"] == [
        "Wysłuchał(a) odpowiedzi: Dokumenty do zasiłku dla bezrobotnych.",
        "Wysłano SMS-em: Dokumenty do zasiłku dla bezrobotnych.",
        "Poprosił(a) o konsultanta.",
    ]
    assert seen["why_code"] == "general"
    assert seen["why"] == "Byłeś(-aś) pierwszym wolnym konsultantem."
    assert re.fullmatch(
        r"(Czekał\(a\) .+|Bez czekania), w kolejce do osób mówiących w jego języku\.",
        seen["waited"],
    ), "an unknown caller waits for anyone who speaks Polish"
    assert "benefit_documents" not in str(seen), "no codes reach the consultant"


def test_a_retried_webhook_notes_its_step_once(redis_client):
    note_step(redis_client, SID, "answer", topic="eures")
    note_step(redis_client, SID, "answer", topic="eures")
    note_step(redis_client, SID, "sms", what="answer", topic="eures")
    note_step(redis_client, SID, "answer", topic="eures")
    assert [step.kind for step in path_of(redis_client, SID)] == ["answer", "sms", "answer"]


def test_a_damaged_step_is_skipped_not_fatal(redis_client):
    redis_client.rpush("routing:path:" + SID, "{not json")
    note_step(redis_client, SID, "consultant")
    assert [step.kind for step in path_of(redis_client, SID)] == ["consultant"]


@pytest.mark.parametrize(
    ("step", "english"),
    [
        (PathStep("identified", 0, {"by": "pesel"}), "Identified by the PESEL they keyed in."),
        (PathStep("pesel_invalid", 0, {"tries": 3}), "Keyed in an invalid PESEL 3 times."),
        (
            PathStep("vacancies", 0, {"region": "14", "occupation": "spawacz", "count": 4}),
            "Heard vacancies for spawacz in mazowieckie (4 found).",
        ),
        (
            PathStep("precheck", 0, {"outcome": "likely_benefit_180_days"}),
            "Took the benefit pre-check: benefit likely, for 180 days.",
        ),
        (
            PathStep("sms", 0, {"what": "vacancies", "count": 3}),
            "Sent by text: the vacancies read out (3).",
        ),
        (
            PathStep("region", 0, {"region": "20", "place": "Białystok"}),
            "Asked about Białystok (podlaskie).",
        ),
        (PathStep("something_new", 0, {}), ""),
    ],
)
def test_each_step_reads_as_a_sentence(app, demo, step, english):
    with app.test_request_context(), _english():
        assert glance.journey_line(step) == english


def _english():
    from flask_babel import force_locale

    return force_locale("en_GB")


def test_own_customer_pop_shows_why_flags_contacts_and_whats_open(
    client, twilio, jan, redis_client
):
    anna = people("anna")
    with db.transaction():
        jan.vulnerable = True
        jan.safeguarding = True
        db.session.add(
            Contact(call_sid="CA" + "1" * 32, customer_id=jan.id, consultant_id=anna.id,
                    caller_number=jan.phone, topic="vacancies", topics=["vacancies", "eures"],
                    outcome="follow-up", notes="Wants welding jobs in Germany.",
                    started_at=datetime.now(UTC) - timedelta(days=3),
                    wrapped_up_at=datetime.now(UTC) - timedelta(days=3))
        )  # fmt: skip
        db.session.add(
            CallbackRequest(call_sid="CA" + "2" * 32, number=jan.phone, customer_id=jan.id,
                            topic="eures", queued_at=datetime.now(UTC))
        )  # fmt: skip
        db.session.add(CallRecord(call_sid="CA" + "3" * 32, caller_number=jan.phone,
                                  customer_id=jan.id, outcome="voicemail"))  # fmt: skip
        db.session.add(Recording(recording_sid="RE" + "3" * 32, call_sid="CA" + "3" * 32,
                                 url="http://x/r", status="completed"))  # fmt: skip
    _, token = sign_in(client)
    api(client, token, "/desk/api/state", {"state": "available"})
    call = ring(client, twilio, redis_client, SID, jan.phone, ("menu", "0"))
    seen = call["glance"]
    assert seen["why_code"] == "own_customer"
    assert seen["journey"] == ["Rozpoznany po numerze telefonu.", "Poprosił(a) o konsultanta."]
    assert len(seen["flags"]) == 2 and seen["flags"][1].startswith("Zagrożenie bezpieczeństwa")
    assert call["customer"]["safeguarding"] is True
    (last,) = seen["contacts"]
    assert last["notes"] == "Wants welding jobs in Germany."
    assert last["topics"] == "Oferty pracy, Praca za granicą (EURES)"
    assert last["who"] == "Anna Nowak" and last["outcome"] == "Wymaga dalszych działań"
    assert seen["callbacks"] and "Praca za granicą" in seen["callbacks"][0]
    assert seen["voicemails"] and "nieobsłużona" in seen["voicemails"][0]

    # The desk asks again and again (its stream, a reload): the read is audited once.
    for _ in range(3):
        client.get("/desk/api/state")
    pops = db.session.scalars(
        select(AuditEntry).where(
            AuditEntry.action == "record.pop", AuditEntry.customer_id == jan.id
        )
    ).all()
    assert len(pops) == 1 and pops[0].consultant_id == anna.id


def test_why_names_team_language_or_general(app, demo):
    olena, piotr = people("olena"), people("piotr")
    with app.test_request_context():
        team = LiveEntry(SID, office="WAW", language="pl")
        assert glance.why_routed(team, olena, None) == "team"
        assert glance.why_routed(team, piotr, None) == "general"
        ukrainian = LiveEntry(SID, office="BIA", language="uk")
        assert glance.why_routed(ukrainian, olena, None) == "language"
        pinned = LiveEntry(SID, pinned=True, advisor_id=piotr.id)
        assert glance.why_routed(pinned, piotr, None) == "asked_for_you"


def test_the_wait_names_the_tier(app):
    with app.test_request_context(), _english():
        entry = LiveEntry(SID, queued_at=100.0, offered_at=142.0, offered_tier=2)
        assert glance.waited_line(entry, 500.0) == (
            "Waited 42 seconds, waiting for their advisor's team."
        )
        assert glance.waited_line(LiveEntry(SID), 500.0) == ""
        at_once = LiveEntry(SID, queued_at=100.0, offered_at=100.4, offered_tier=4)
        assert glance.waited_line(at_once, 500.0) == "No wait, open to every consultant."
