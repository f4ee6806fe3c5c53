"""A customer's history puts everything the centre did beside the consultants' contacts, each
entry in words: a self-service call and the text it sent (through the emulator), job alerts,
callbacks and voicemails."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from customers.models import Contact, Customer
from hotline.db import db
from hotline.settings import Settings
from messaging import alerts
from recordings.models import Recording
from routing.models import CallbackRequest, CallbackStatus, CallOutcome, CallRecord
from tests.agent_desk.test_desk import sign_in
from tests.ivr.conftest import SKIP_GREETING, Line, serve_line

JAN = "+48601000001"
PATIENCE_SECONDS = 60.0


@pytest.fixture
def line(settings: Settings, app: Any, content: Any) -> Iterator[Line]:
    yield from serve_line(settings)


def jan() -> Customer:
    return db.session.scalars(select(Customer).where(Customer.phone == JAN)).one()


def rows(page: str) -> list[str]:
    """Return the history's rows as plain text, newest first."""
    body = page.split('id="contacts"', 1)[1].split("</table>", 1)[0]
    found = re.findall(r"<tr class=\"history-[^\"]*\">(.*?)</tr>", body, re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", row).split()) for row in found]


def test_a_self_service_call_and_the_text_it_sent_are_on_the_history(
    line: Line, client: Any
) -> None:
    line.call(JAN, [SKIP_GREETING, {"press": "1"}, {"press": "1"}])
    deadline = time.monotonic() + PATIENCE_SECONDS
    while not db.session.scalars(select(CallRecord)).first():
        assert time.monotonic() < deadline, "the call was never recorded"
        time.sleep(0.05)
        db.session.expire_all()
    sign_in(client)

    history = rows(client.get(f"/desk/customers/{jan().id}").get_data(as_text=True))

    assert any("Połączenie obsłużone automatycznie" in row for row in history), history
    (texted,) = [row for row in history if "wysłany przez infolinię automatyczną" in row]
    assert "SMS: Dokumenty do zasiłku dla bezrobotnych" in texted
    assert "wysłano" in texted and "Infolinia urzędów pracy:" in texted


def test_alerts_callbacks_and_voicemails_stand_beside_the_contacts_newest_first(
    app: Any, client: Any, content: Any
) -> None:
    customer = jan()
    base = datetime.now(UTC) - timedelta(days=3)
    db.session.add(
        Contact(
            call_sid="CA" + "1" * 32, customer_id=customer.id, caller_number=JAN,
            channel="phone", topic="eures", started_at=base, outcome="resolved",
            notes="Explained EURES.",
        )
    )  # fmt: skip
    db.session.add(
        CallbackRequest(
            call_sid="CA" + "2" * 32, number=JAN, customer_id=customer.id, topic="vacancies",
            queued_at=base + timedelta(hours=1), requested_at=base + timedelta(hours=1),
            status=CallbackStatus.FAILED, attempts=3,
        )
    )  # fmt: skip
    db.session.add(
        CallRecord(
            call_sid="CA" + "3" * 32, caller_number=JAN, outcome=CallOutcome.VOICEMAIL,
            language="pl", queued_at=base + timedelta(hours=2),
        )
    )  # fmt: skip
    db.session.add(
        Recording(
            recording_sid="RE" + "3" * 32, call_sid="CA" + "3" * 32, url="https://x/RE3",
            status="completed", duration_seconds=14, created_at=base + timedelta(hours=2),
            transcript="Proszę o telefon.", transcript_status="completed",
        )
    )  # fmt: skip
    db.session.add(
        CallRecord(
            call_sid="CA" + "4" * 32, caller_number=JAN, outcome=CallOutcome.ABANDONED,
            customer_id=customer.id, queued_at=base + timedelta(hours=3), wait_seconds=95,
        )
    )  # fmt: skip
    db.session.commit()
    alert = alerts.subscribe(
        JAN, "pl", region_code="14", occupation="spawacz", customer_id=customer.id,
        call_sid="CA" + "5" * 32,
    )  # fmt: skip
    assert alert is not None
    alerts.unsubscribe(JAN, by="sms")
    sign_in(client)

    history = rows(client.get(f"/desk/customers/{customer.id}").get_data(as_text=True))

    kinds = [
        next(
            (name for name, word in WORDS.items() if word in row),
            row,
        )
        for row in history
    ]
    assert kinds == [
        "alert off",
        "welcome text",
        "alert on",
        "abandoned",
        "voicemail",
        "callback",
        "contact",
    ], history
    assert "odpowiedzią STOP" in history[0]
    assert "zawód: spawacz" in history[2]
    assert "czekał(a) 95 s" in history[3]
    assert "Proszę o telefon." in history[4] and "14 s" in history[4]
    assert "nie udało się dodzwonić" in history[5] and "3 próby" in history[5]
    assert "Explained EURES." in history[6] and "Załatwione" in history[6]
    for row in history:
        assert not re.search(r"\b(self-service|job-alert|voicemail|eures|CA[0-9a-f]{32})\b", row)


WORDS = {
    "alert off": "Wyłączono alerty",
    "welcome text": "włączono alerty o ofertach pracy",
    "alert on": "Włączono alerty",
    "abandoned": "rozłączył(a) się, czekając",
    "voicemail": "Zostawił(a) wiadomość głosową",
    "callback": "Poprosił(a) o oddzwonienie",
    "contact": "Rozmowa telefoniczna",
}


def test_a_contact_wrapped_up_with_several_topics_names_them_all(
    app: Any, client: Any, content: Any
) -> None:
    customer = jan()
    db.session.add(
        Contact(
            call_sid="CA" + "5" * 32, customer_id=customer.id, caller_number=JAN,
            channel="phone", topic="eures", topics=["eures", "trainings"],
            started_at=datetime.now(UTC), outcome="resolved", notes="Two things.",
        )
    )  # fmt: skip
    db.session.commit()
    sign_in(client)

    history = rows(client.get(f"/desk/customers/{customer.id}").get_data(as_text=True))

    (row,) = [row for row in history if "Two things." in row]
    assert "Praca za granicą (EURES), Oferty szkoleń" in row, row
