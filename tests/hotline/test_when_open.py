"""When consultants are next in, said the way a caller says it, holidays included."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from hotline.hours import OpeningHours
from hotline.speech import when_open

WARSAW = ZoneInfo("Europe/Warsaw")
HOURS = OpeningHours.parse("mon-fri 08:00-18:00", country="PL")

CASES = [
    # (local moment the caller rings, {language: what they hear})
    (
        datetime(2026, 12, 7, 19, 30, tzinfo=WARSAW),  # a Monday evening
        {"pl": "jutro od 8:00", "en": "tomorrow from 8:00", "uk": "завтра з 8:00",
         "ro": "mâine de la ora 8:00"},
    ),
    (
        datetime(2026, 12, 8, 6, 15, tzinfo=WARSAW),  # a Tuesday before opening
        {"pl": "dziś od 8:00", "en": "today from 8:00", "uk": "сьогодні з 8:00",
         "ro": "astăzi de la ora 8:00"},
    ),
    (
        datetime(2026, 12, 11, 18, 5, tzinfo=WARSAW),  # a Friday after closing
        {"pl": "w poniedziałek od 8:00", "en": "on Monday from 8:00",
         "uk": "у понеділок з 8:00", "ro": "luni de la ora 8:00"},
    ),
    (
        # Wednesday 23 December: Christmas Eve, both days of Christmas, then a Sunday.
        datetime(2026, 12, 23, 20, 0, tzinfo=WARSAW),
        {"pl": "w poniedziałek od 8:00", "en": "on Monday from 8:00",
         "uk": "у понеділок з 8:00", "ro": "luni de la ora 8:00"},
    ),
    (
        # Thursday 31 December: New Year's Day is a Friday holiday, so Monday 4 January.
        datetime(2026, 12, 31, 18, 0, tzinfo=WARSAW),
        {"pl": "w poniedziałek od 8:00", "en": "on Monday from 8:00",
         "uk": "у понеділок з 8:00", "ro": "luni de la ora 8:00"},
    ),
    (
        # Tuesday 5 January: Epiphany on Wednesday, so Thursday.
        datetime(2027, 1, 5, 18, 30, tzinfo=WARSAW),
        {"pl": "w czwartek od 8:00", "en": "on Thursday from 8:00", "uk": "у четвер з 8:00",
         "ro": "joi de la ora 8:00"},
    ),
]  # fmt: skip


@pytest.mark.parametrize(("moment", "expected"), CASES)
@pytest.mark.parametrize("language", ["pl", "en", "uk", "ro"])
def test_the_next_opening_is_said_as_a_day_and_an_hour(moment, expected, language):
    opening = HOURS.next_opening(moment)
    assert opening is not None
    assert when_open(language, opening, moment) == expected[language]


def test_an_opening_more_than_a_week_away_names_its_date():
    hours = OpeningHours.parse(
        "mon-fri 08:00-18:00", country="PL", closed="2026-12-28,2026-12-29,2026-12-30"
    )
    moment = datetime(2026, 12, 23, 20, 0, tzinfo=WARSAW)
    opening = hours.next_opening(moment)
    assert opening is not None
    assert when_open("pl", opening, moment) == "w czwartek, 31 grudnia, od 8:00"
    assert when_open("en", opening, moment) == "on Thursday, 31 December, from 8:00"
    assert when_open("uk", opening, moment) == "у четвер, 31 грудня, з 8:00"
    assert when_open("ro", opening, moment) == "joi, 31 decembrie, de la ora 8:00"


def test_saturday_hours_are_said_with_their_own_hour():
    hours = OpeningHours.parse("mon-fri 08:00-18:00; sat 09:30-13:00", country="PL")
    moment = datetime(2026, 12, 11, 19, 0, tzinfo=WARSAW)
    opening = hours.next_opening(moment)
    assert opening is not None
    assert when_open("pl", opening, moment) == "jutro od 9:30"
