"""hotline retention purge and hotline privacy, as an administrator runs them."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from centre.cli import main
from hotline.db import db
from recordings.models import Recording
from tests.conftest import AUTH_TOKEN
from tests.privacy.helpers import LONG_AGO, customer, leave_traces


@pytest.fixture
def environment(settings, phone_network) -> dict[str, str]:
    return {
        "DATABASE_URL": settings.database_url,
        "REDIS_URL": settings.redis_url or "",
        "TWILIO_API_URL": phone_network.url,
        "TWILIO_ACCOUNT_SID": phone_network.config.account_sid,
        "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
    }


def test_a_dry_run_from_the_command_line_counts_and_keeps_everything(
    app, demo, phone_network, environment
):
    leave_traces(phone_network, customer("+48601000001"), "51", LONG_AGO)

    result = CliRunner().invoke(main, ["retention", "purge", "--dry-run"], env=environment)

    assert result.exit_code == 0, result.output
    assert "voicemail          would delete 1" in result.output
    assert db.session.scalar(select(func.count(Recording.id))) == 1
    purged = CliRunner().invoke(main, ["retention", "purge"], env=environment)
    assert "voicemail          deleted 1" in purged.output
    assert db.session.scalar(select(func.count(Recording.id))) == 0


def test_an_export_from_the_command_line_writes_json_html_and_the_audio(
    app, demo, phone_network, environment, tmp_path
):
    jan = customer("+48601000001")
    traces = leave_traces(phone_network, jan, "52", LONG_AGO)

    result = CliRunner().invoke(
        main, ["privacy", "export", str(jan.id), "--out", str(tmp_path)], env=environment
    )

    assert result.exit_code == 0, result.output
    export = json.loads((tmp_path / f"customer-{jan.id}.json").read_text(encoding="utf-8"))
    assert export["customer"]["last_name"] == "Wiśniewski"
    assert "Wiśniewski" in (tmp_path / f"customer-{jan.id}.html").read_text(encoding="utf-8")
    assert (tmp_path / f"recording-{traces.voicemail_sid}.wav").read_bytes()[:4] == b"RIFF"


def test_an_erasure_needs_confirming_and_a_hold_stops_it(app, demo, environment):
    jan = customer("+48601000001")
    runner = CliRunner()
    held = runner.invoke(
        main, ["privacy", "hold", str(jan.id), "--reason", "court"], env=environment
    )
    assert held.exit_code == 0, held.output

    refused = runner.invoke(main, ["privacy", "erase", str(jan.id), "--yes"], env=environment)
    assert refused.exit_code != 0 and "legal hold" in refused.output
    unconfirmed = runner.invoke(
        main, ["privacy", "erase", str(jan.id)], env=environment, input="n\n"
    )
    assert unconfirmed.exit_code != 0
    db.session.expire_all()
    assert customer("+48601000001").pesel == jan.pesel
