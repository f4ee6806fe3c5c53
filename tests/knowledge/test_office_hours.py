"""Office opening hours as offices write them, read into days and times."""

from __future__ import annotations

from datetime import time

import pytest

from knowledge.office_hours import OpeningSpan, read_opening_hours

WEEKDAYS_7_30 = (OpeningSpan(0, 4, time(7, 30), time(15, 30)),)


@pytest.mark.parametrize(
    "text",
    [
        "pon.–pt. 7:30–15:30",
        "pon.-pt. 7.30-15.30",
        "Pn-Pt 7:30 - 15:30",
        "od poniedziałku do piątku 7:30–15:30",
        "poniedziałek–piątek: w godz. 7:30–15:30",
        "mon-fri 07:30-15:30",
    ],
)
def test_the_usual_ways_of_writing_weekday_hours_are_read(text):
    assert read_opening_hours(text) == WEEKDAYS_7_30


def test_several_parts_are_read_in_order():
    assert read_opening_hours("pon.–pt. 8:00–16:00; sob. 9:00–13:00") == (
        OpeningSpan(0, 4, time(8), time(16)),
        OpeningSpan(5, 5, time(9), time(13)),
    )


@pytest.mark.parametrize("text", ["", "zależnie od dnia", "pon.–pt. rano", "xyz 8:00-16:00"])
def test_a_text_that_cannot_be_read_gives_none(text):
    assert read_opening_hours(text) is None
