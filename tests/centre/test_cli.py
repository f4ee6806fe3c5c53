"""The hotline command tells a newcomer whether consultants answer now, and how to demo at any
hour."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime

from click.testing import CliRunner

from centre.cli import AROUND_THE_CLOCK, consultants_now, main
from hotline.settings import Settings

SUNDAY_NIGHT = datetime(2026, 12, 6, 22, 12, tzinfo=UTC)


def test_out_of_hours_the_banner_says_when_consultants_are_back_and_how_to_demo_anyway() -> None:
    said = consultants_now(Settings(), SUNDAY_NIGHT)
    assert "away until Mon 07 Dec 08:00" in said
    assert "--around-the-clock" in said


def test_christmas_skips_to_the_next_working_day() -> None:
    said = consultants_now(Settings(), datetime(2026, 12, 24, 18, 0, tzinfo=UTC))
    assert "away until Mon 28 Dec 08:00" in said


def test_around_the_clock_hours_answer_on_a_sunday_night_and_a_holiday() -> None:
    settings = Settings.from_env({**AROUND_THE_CLOCK})
    assert consultants_now(settings, SUNDAY_NIGHT).startswith("answering now")
    assert consultants_now(settings, datetime(2026, 12, 25, 3, 0, tzinfo=UTC)).startswith(
        "answering now"
    )


def test_the_fallback_document_names_a_normalised_backup_line_and_refuses_a_bad_one() -> None:
    runner = CliRunner()
    made = runner.invoke(main, ["fallback-twiml", "--backup-number", "22 123 45 67"])
    assert made.exit_code == 0, made.output
    root = ET.fromstring(made.output)
    assert root.find("Dial/Number").text == "+48221234567"
    assert [verb.tag for verb in root][-1] == "Hangup"
    refused = runner.invoke(main, ["fallback-twiml", "--backup-number", "call Anna"])
    assert refused.exit_code == 2 and "not a phone number" in refused.output
