"""Report periods: days of China's calendar, [start, end), and quarters such as 2026Q3."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from bot.deadlines import CHINA

_QUARTER = re.compile(r"^\s*(\d{4})\s*[Qq季]?\s*([1-4])\s*$")
MAX_DAYS = 3 * 366  # a longer report is a mistake in the dates, not a question anyone asks


class PeriodError(ValueError):
    """A period that cannot be reported on; the message is for the user."""


@dataclass(frozen=True)
class Period:
    start: date  # first day, included
    end: date  # day after the last one: the period is [start, end)

    def __post_init__(self) -> None:
        if self.end <= self.start:
            raise PeriodError("结束日期应晚于开始日期")
        if (self.end - self.start).days > MAX_DAYS:
            raise PeriodError(f"统计区间最长 {MAX_DAYS} 天")

    @classmethod
    def quarter(cls, year: int, number: int) -> Period:
        if not 1 <= number <= 4:
            raise PeriodError("季度应为 1 到 4")
        start = date(year, 3 * number - 2, 1)
        end = date(year + 1, 1, 1) if number == 4 else date(year, 3 * number + 1, 1)
        return cls(start, end)

    @classmethod
    def parse_quarter(cls, text: str) -> Period:
        match = _QUARTER.match(text)
        if not match:
            raise PeriodError(f"季度应写成 2026Q3 这样的形式，收到“{text}”")
        return cls.quarter(int(match.group(1)), int(match.group(2)))

    @classmethod
    def parse(cls, start: str, end: str) -> Period:
        try:
            return cls(date.fromisoformat(start.strip()), date.fromisoformat(end.strip()))
        except ValueError as exc:
            if isinstance(exc, PeriodError):
                raise
            raise PeriodError(f"日期应写成 2026-07-01 这样的形式：{exc}") from exc

    @property
    def last_day(self) -> date:
        return self.end - timedelta(days=1)

    @property
    def label(self) -> str:
        return f"{self.start:%Y-%m-%d} 至 {self.last_day:%Y-%m-%d}"

    @property
    def quarter_label(self) -> str:
        """2026年第三季度, for a period that is one quarter."""
        number = (self.start.month - 1) // 3 + 1
        return f"{self.start.year}年第{'一二三四'[number - 1]}季度"

    @property
    def quarter_code(self) -> str:
        return f"{self.start.year}Q{(self.start.month - 1) // 3 + 1}"

    def bounds(self) -> tuple[datetime, datetime]:
        """The period in UTC: days are China's, the database keeps UTC (SQLite compares the
        stored wall-clock text, so the bounds must be in the same zone as the rows)."""
        return _utc_midnight(self.start), _utc_midnight(self.end)


def _utc_midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=CHINA).astimezone(UTC)


def default_period(today: date) -> Period:
    """The previous quarter and the current one up to today: what the office looks at first."""
    current = Period.quarter(today.year, (today.month - 1) // 3 + 1)
    previous_end = current.start
    previous = previous_end - timedelta(days=1)
    start = Period.quarter(previous.year, (previous.month - 1) // 3 + 1).start
    return Period(start, today + timedelta(days=1))


def previous_quarter(today: date) -> Period:
    """The last complete quarter: the one a quarterly report is published for."""
    current_start = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    last = current_start - timedelta(days=1)
    return Period.quarter(last.year, (last.month - 1) // 3 + 1)
