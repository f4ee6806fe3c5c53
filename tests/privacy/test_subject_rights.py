"""Access and erasure requests for a demo customer, with every table checked afterwards."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import inspect, select

from customers.models import AuditEntry, Contact, Customer
from hotline.db import Base, db
from hotline.telephony import make_telephony, telephony
from knowledge.models import is_title_search
from messaging.models import JobAlert, OutboundSms
from privacy import holds
from privacy.subject_rights import (
    ERASED,
    ErasureRefused,
    erase_customer,
    export_customer,
    export_html,
)
from recordings.models import Recording
from routing.board import day_figures
from routing.models import CallbackAttempt, CallbackRequest, CallRecord
from tests.privacy.helpers import NOW, customer, leave_traces

JAN, MARIA = "+48601000001", "+48601000002"


def every_value_in_the_database() -> str:
    """Dump every column of every row of every table as one text to search."""
    seen = []
    for table in Base.metadata.sorted_tables:
        for row in db.session.execute(table.select()).all():
            seen.append(repr(tuple(row)))
    return "\n".join(seen)


@pytest.fixture
def jan_and_maria(app, demo, phone_network):
    jan, maria = customer(JAN), customer(MARIA)
    jan_traces = leave_traces(phone_network, jan, "41", NOW - timedelta(days=2))
    leave_traces(phone_network, maria, "42", NOW - timedelta(days=2))
    return jan, maria, jan_traces


def test_an_export_holds_every_kind_of_data_about_the_customer_and_nobody_elses(jan_and_maria):
    jan, maria, traces = jan_and_maria

    export = export_customer(None, jan.id)

    assert export["customer"]["pesel"] == jan.pesel and export["customer"]["phone"] == JAN
    sections = export["sections"]
    assert {name: len(rows) for name, rows in sections.items()} == {
        "contacts": 1,
        "call_records": 1,
        "callback_requests": 1,
        "callback_attempts": 1,
        "recordings": 1,
        "sms": 1,
        "job_alerts": 1,
        "audit_entries": 1,
        "legal_holds": 0,
    }
    assert sections["recordings"][0]["recording_sid"] == traces.voicemail_sid
    text = json.dumps(export, ensure_ascii=False)
    assert MARIA not in text and maria.pesel not in text
    page = export_html(export)
    assert "Wiśniewski" in page and "Calls to the hotline (1)" in page and JAN in page
    audited = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "customer.exported")
    ).one()
    assert audited.customer_id == jan.id and audited.changes["contacts"] == 1


def test_an_erasure_leaves_nothing_that_names_the_customer_and_the_board_counts_unchanged(
    jan_and_maria, phone_network
):
    jan, maria, traces = jan_and_maria
    identifiers = [jan.pesel, JAN, "Wiśniewski", "Targowa", "Jan asked"]
    board_before = day_figures(NOW - timedelta(days=30))
    rows_before = {
        model: db.session.query(model).count()
        for model in (CallRecord, Contact, CallbackRequest, CallbackAttempt, AuditEntry)
    }

    counts = erase_customer(None, jan.id, telephony.current())

    db.session.expire_all()
    everything = every_value_in_the_database()
    assert [found for found in identifiers if found in everything] == []
    assert MARIA in everything and maria.pesel in everything  # nobody else's data went
    assert day_figures(NOW - timedelta(days=30)) == board_before
    for model, before in rows_before.items():
        extra = 1 if model is AuditEntry else 0  # the erasure's own entry
        assert db.session.query(model).count() == before + extra, model
    assert phone_network.network.recording(traces.voicemail_sid) is None
    assert db.session.scalars(select(Recording.call_sid)).all() != [traces.call_sid]
    assert db.session.scalars(select(OutboundSms.to_number)).all() == [MARIA]
    assert db.session.scalars(select(JobAlert.phone)).all() == [MARIA]
    erased = db.session.get(Customer, jan.id)
    assert (erased.first_name, erased.pesel, erased.phone, erased.address) == (
        ERASED,
        None,
        None,
        None,
    )
    entry = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "customer.erased")
    ).one()
    assert entry.changes == counts and counts["recordings"] == 1
    # every table of the schema was looked at by the search above (the offers' title index,
    # a copy of vacancies' titles kept by the database, names nobody)
    tables = {name for name in inspect(db.engine).get_table_names() if not is_title_search(name)}
    assert tables - {"alembic_version"} == set(Base.metadata.tables)


def test_an_erasure_run_again_finds_nothing_more(jan_and_maria):
    jan, _maria, _traces = jan_and_maria
    erase_customer(None, jan.id, telephony.current())

    again = erase_customer(None, jan.id, telephony.current())

    assert again["recordings"] == again["sms"] == again["job_alerts"] == 0


def test_a_customer_on_legal_hold_cannot_be_erased(jan_and_maria):
    jan, _maria, _traces = jan_and_maria
    holds.place_hold(None, jan.id, "court case")

    with pytest.raises(ErasureRefused, match="legal hold"):
        erase_customer(None, jan.id, telephony.current())
    assert customer(JAN).pesel == jan.pesel


def test_an_erasure_the_phone_network_refuses_changes_nothing(jan_and_maria, settings):
    jan, _maria, _traces = jan_and_maria
    refusing = make_telephony(settings.with_overrides(twilio_auth_token="wrong"))

    with pytest.raises(ErasureRefused, match="did not delete 1 recording"):
        erase_customer(None, jan.id, refusing)
    assert customer(JAN).first_name == "Jan"
