"""When consultants work: weekly hours minus public holidays, for the IVR and for callbacks."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

import holidays

from hotline.settings import Settings

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
RULE = re.compile(
    r"^(?P<first>[a-z]{3})(?:-(?P<last>[a-z]{3}))?\s+(?P<open>\d{1,2}:\d{2})-(?P<close>\d{1,2}:\d{2})$"
)


class HoursError(ValueError):
    """The opening-hours setting cannot be read."""


@dataclass(frozen=True)
class OpeningHours:
    """Weekly hours (e.g. "mon-fri 08:00-18:00; sat 09:00-13:00") and the holidays they skip."""

    weekly: dict[int, tuple[time, time]]
    timezone: ZoneInfo
    country: str = "PL"
    extra_closed: frozenset[date] = frozenset()

    @classmethod
    def parse(
        cls, text: str, timezone: str = "Europe/Warsaw", country: str = "PL", closed: str = ""
    ) -> OpeningHours:
        """Read a setting such as "mon-fri 08:00-18:00; sat 09:00-13:00"."""
        weekly: dict[int, tuple[time, time]] = {}
        for part in filter(None, (p.strip().lower() for p in text.split(";"))):
            match = RULE.match(part)
            if not match:
                raise HoursError(
                    f"cannot read opening hours {part!r}; use e.g. 'mon-fri 08:00-18:00'"
                )
            first, last = match["first"], match["last"] or match["first"]
            if first not in DAYS or last not in DAYS:
                raise HoursError(f"unknown day in {part!r}")
            opens, closes = _clock(match["open"]), _clock(match["close"])
            for day in range(DAYS.index(first), DAYS.index(last) + 1):
                weekly[day] = (opens, closes)
        try:
            extra = frozenset(date.fromisoformat(d.strip()) for d in closed.split(",") if d.strip())
        except ValueError as exc:
            raise HoursError(f"closed days must be YYYY-MM-DD dates: {closed!r}") from exc
        return cls(weekly, ZoneInfo(timezone), country, extra)

    @classmethod
    def for_consultants(cls, settings: Settings) -> OpeningHours:
        """Return when consultants answer, as settings say."""
        return cls.parse(
            settings.consultant_hours,
            settings.timezone,
            settings.holiday_country,
            settings.closed_days,
        )

    def is_open(self, moment: datetime) -> bool:
        """Tell whether consultants answer at this moment."""
        local = moment.astimezone(self.timezone)
        if self._closed_on(local.date()):
            return False
        hours = self.weekly.get(local.weekday())
        if hours is None:
            return False
        opens, closes = hours
        now = local.time()
        return opens <= now < closes if closes != time(0) else opens <= now

    def next_opening(self, moment: datetime, horizon_days: int = 15) -> datetime | None:
        """Return the first opening time at or after moment (None if none within the horizon)."""
        if self.is_open(moment):
            return moment
        local = moment.astimezone(self.timezone)
        for offset in range(horizon_days):
            day = local.date() + timedelta(days=offset)
            hours = self.weekly.get(day.weekday())
            if hours is None or self._closed_on(day):
                continue
            start = datetime.combine(day, hours[0], tzinfo=self.timezone)
            if start >= moment:
                return start
        return None

    def _closed_on(self, day: date) -> bool:
        return day in self.extra_closed or bool(
            self.country and day in _holidays(self.country, day.year)
        )


def _clock(text: str) -> time:
    hour, minute = (int(x) for x in text.split(":"))
    if hour == 24 and minute == 0:
        return time(0)
    if not (0 <= hour < 24 and 0 <= minute < 60):
        raise HoursError(f"{text!r} is not a time of day")
    return time(hour, minute)


@cache
def _holidays(country: str, year: int) -> holidays.HolidayBase:
    return holidays.country_holidays(country, years=year)
