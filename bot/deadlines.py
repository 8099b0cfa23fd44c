"""Deadlines counted in working days, with China's public holidays and adjusted working weekends.

A consultation received on a working day is answered within N working days, the day of receipt
not counted (the practice of 政务公开 and 12345: "3个工作日内"). Received on a holiday or a
weekend, the count starts from the next working day. `chinese-calendar` knows the State
Council's holiday arrangements year by year; a year it does not know yet falls back to Monday to
Friday, and `WorkingCalendar.knows` says so.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

import chinese_calendar

CHINA = ZoneInfo("Asia/Shanghai")
DUE_SOON = timedelta(days=1)  # flagged when less than one calendar day is left


class Urgency(StrEnum):
    ON_TIME = "on_time"
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"

    @property
    def label(self) -> str:
        return {"on_time": "正常", "due_soon": "即将到期", "overdue": "已超期"}[self.value]


@dataclass(frozen=True)
class WorkingCalendar:
    def knows(self, day: date) -> bool:
        try:
            chinese_calendar.is_workday(day)
        except NotImplementedError:
            return False
        return True

    def is_workday(self, day: date) -> bool:
        try:
            return bool(chinese_calendar.is_workday(day))
        except NotImplementedError:
            return day.weekday() < 5  # a year the holiday table does not cover yet

    def add_working_days(self, start: date, days: int) -> date:
        """The date `days` working days after `start` (start itself not counted)."""
        current = start
        remaining = days
        while remaining > 0:
            current += timedelta(days=1)
            if self.is_workday(current):
                remaining -= 1
        return current

    def working_days_between(self, start: date, end: date) -> int:
        """Working days after `start` up to and including `end` (0 when end <= start)."""
        count, current = 0, start
        while current < end:
            current += timedelta(days=1)
            count += self.is_workday(current)
        return count

    def working_hours_between(self, start: datetime, end: datetime) -> float:
        """Elapsed hours counting only working days (a reply over a weekend costs nothing)."""
        if end <= start:
            return 0.0
        hours = 0.0
        cursor, end = start.astimezone(CHINA), end.astimezone(CHINA)
        while cursor < end:
            next_midnight = datetime.combine(cursor.date() + timedelta(days=1), datetime.min.time())
            next_midnight = next_midnight.replace(tzinfo=cursor.tzinfo)
            stop = min(end, next_midnight)
            if self.is_workday(cursor.date()):
                hours += (stop - cursor).total_seconds() / 3600
            cursor = stop
        return hours


@dataclass(frozen=True)
class DeadlinePolicy:
    """Working days allowed per kind of request (configurable in settings)."""

    days: Mapping[str, int] = field(default_factory=lambda: {"consultation": 3, "disclosure": 20})
    calendar: WorkingCalendar = field(default_factory=WorkingCalendar)

    def due(self, kind: str, received: datetime) -> datetime:
        """End of the last allowed working day, in China's time (working days are local)."""
        allowed = self.days.get(kind, self.days["consultation"])
        local = received.astimezone(CHINA)
        day = self.calendar.add_working_days(local.date(), allowed)
        # Stored in UTC: SQLite keeps no time zone and reads every stored time back as UTC.
        return datetime.combine(day, time(23, 59, 59), tzinfo=CHINA).astimezone(UTC)

    def urgency(self, due: datetime, now: datetime, *, done: bool) -> Urgency:
        if done:
            return Urgency.ON_TIME
        if now > due:
            return Urgency.OVERDUE
        if due - now <= DUE_SOON:
            return Urgency.DUE_SOON
        return Urgency.ON_TIME
