"""Simulated time for the seeded data set: a settable clock and office-hours arithmetic."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from bot.deadlines import CHINA, WorkingCalendar

OFFICE_OPENS = time(8, 30)
OFFICE_CLOSES = time(17, 30)
# When people write (local hours): mornings and evenings, little at night.
_HOUR_WEIGHTS = {7: 2, 8: 5, 9: 8, 10: 9, 11: 8, 12: 5, 13: 5, 14: 7, 15: 8, 16: 8, 17: 6}
_HOUR_WEIGHTS |= {18: 4, 19: 5, 20: 6, 21: 5, 22: 3, 23: 1, 0: 1, 6: 1}


@dataclass
class SimClock:
    """The queue's clock during seeding: set to each simulated moment before each action."""

    now: datetime

    def __call__(self) -> datetime:
        return self.now


def quarter_start(day: date) -> date:
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def previous_quarter_start(day: date) -> date:
    return quarter_start(quarter_start(day) - timedelta(days=1))


class SimTime:
    def __init__(self, rng: random.Random, calendar: WorkingCalendar) -> None:
        self._rng = rng
        self._calendar = calendar

    def asked_at(self, start: datetime, end: datetime) -> datetime:
        """A moment a citizen writes: more on working days, mostly by day."""
        days = max(1, (end - start).days)
        while True:
            day = start.astimezone(CHINA).date() + timedelta(days=self._rng.randrange(days))
            weight = 1.0 if self._calendar.is_workday(day) else 0.35
            if self._rng.random() > weight:
                continue
            hour = self._rng.choices(list(_HOUR_WEIGHTS), list(_HOUR_WEIGHTS.values()))[0]
            moment = datetime.combine(day, time(hour, self._rng.randrange(60)), tzinfo=CHINA)
            moment += timedelta(seconds=self._rng.randrange(60))
            if start <= moment < end:
                return moment.astimezone(UTC)

    def later(self, moment: datetime, working_hours: float) -> datetime:
        """`working_hours` later, counted as `WorkingCalendar.working_hours_between` counts,
        then moved into office hours: staff act at their desks."""
        cursor = moment.astimezone(CHINA)
        left = timedelta(hours=working_hours)
        while left > timedelta(0):
            midnight = datetime.combine(cursor.date() + timedelta(days=1), time.min, tzinfo=CHINA)
            if not self._calendar.is_workday(cursor.date()):
                cursor = midnight
                continue
            step = min(left, midnight - cursor)
            cursor, left = cursor + step, left - step
        return self.at_desk(cursor).astimezone(UTC)

    def at_desk(self, moment: datetime) -> datetime:
        local = moment.astimezone(CHINA)
        if self._calendar.is_workday(local.date()) and OFFICE_OPENS <= local.time() < OFFICE_CLOSES:
            return local
        day = local.date()
        if local.time() >= OFFICE_CLOSES or not self._calendar.is_workday(day):
            day += timedelta(days=1)
        while not self._calendar.is_workday(day):
            day += timedelta(days=1)
        opens = datetime.combine(day, OFFICE_OPENS, tzinfo=CHINA)
        return opens + timedelta(minutes=self._rng.randrange(90))

    def delay(self, median_hours: float, spread: float = 1.0) -> float:
        """Working hours for a step: log-normal, as waiting times are."""
        return self._rng.lognormvariate(0, spread) * median_hours
