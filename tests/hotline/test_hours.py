from __future__ import annotations

from datetime import UTC, datetime

import pytest

from hotline.hours import HoursError, OpeningHours

HOURS = OpeningHours.parse("mon-fri 08:00-18:00; sat 09:00-13:00", closed="2026-12-31")


@pytest.mark.parametrize(
    ("moment", "is_open"),
    [
        ("2026-11-23T07:30:00+00:00", True),  # Monday 08:30 in Warsaw
        ("2026-11-23T06:59:00+00:00", False),  # Monday 07:59 in Warsaw
        ("2026-11-23T17:00:00+00:00", False),  # Monday 18:00 in Warsaw: closed
        ("2026-11-28T10:00:00+00:00", True),  # Saturday 11:00
        ("2026-11-29T10:00:00+00:00", False),  # Sunday
        ("2026-11-11T10:00:00+00:00", False),  # Independence Day (Wednesday)
        ("2026-12-24T10:00:00+00:00", False),  # Christmas Eve, a holiday since 2025
        ("2026-12-31T10:00:00+00:00", False),  # an extra closed day from settings
        ("2026-07-01T05:30:00+00:00", False),  # 07:30 in Warsaw in summer time
        ("2026-07-01T06:30:00+00:00", True),  # 08:30 in Warsaw in summer time
    ],
)
def test_opening_hours_follow_warsaw_time_and_holidays(moment, is_open):
    assert HOURS.is_open(datetime.fromisoformat(moment)) is is_open


def test_round_the_clock():
    always = OpeningHours.parse("mon-sun 00:00-24:00", country="PL")
    assert always.is_open(datetime(2026, 11, 29, 3, 0, tzinfo=UTC))


@pytest.mark.parametrize("text", ["weekdays 8-18", "mon-fri 08:00-25:00", "xyz 08:00-10:00"])
def test_unreadable_hours_are_a_clear_error(text):
    with pytest.raises(HoursError):
        OpeningHours.parse(text)
