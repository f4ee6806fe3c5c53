"""The hotline command tells a newcomer whether consultants answer now, and how to demo at any
hour."""

from __future__ import annotations

from datetime import UTC, datetime

from centre.cli import AROUND_THE_CLOCK, consultants_now
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


def test_the_demo_logins_say_who_supervises_and_who_administers() -> None:
    from centre.cli import demo_login
    from centre.demo import CONSULTANTS

    said = ", ".join(demo_login(person) for person in CONSULTANTS)
    assert said == "anna (supervisor, content editor), piotr, olena, mihai (administrator)"
