"""The reports of the consultation queue: figures computed from plain rows.

The store (`bot/store/report_repository.py`) counts in the database and hands over the few
timestamps a median needs; this module turns them into what the office publishes. Every figure is
about the consultations *received* in the period (a cohort), in their state at the time of the
report: "办结率 of what came in during the third quarter", as the quarterly tables are read.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from bot.deadlines import WorkingCalendar
from bot.question_groups import QuestionGroup, group_questions
from bot.report_period import Period

BOT_ANSWERED = ("answer", "clarify")  # the bot gave records itself (clarifying is answering)
BOT_HANDED_OVER = ("escalate", "route")  # the bot offered or opened a consultation
CHANNEL_LABELS = {"web": "网页", "wechat": "微信公众号", "telegram": "Telegram", "cli": "命令行"}
AUDIENCE_LABELS = {"individual": "个人", "enterprise": "企业"}
UNKNOWN = "未识别"
ENTERPRISE = "enterprise"


class Dimension(StrEnum):
    LIFE_EVENT = "life_event"
    AUDIENCE = "audience"
    DEPARTMENT = "department"
    CHANNEL = "channel"

    @property
    def label(self) -> str:
        return {
            "life_event": "人生事件",
            "audience": "服务对象",
            "department": "承办部门",
            "channel": "渠道",
        }[self.value]


@dataclass(frozen=True)
class Counts:
    """What the database counts for one group of consultations."""

    received: int = 0
    staff_answered: int = 0  # a staff member replied at least once
    resolved: int = 0  # status answered or closed: 办结
    responded: int = 0  # replied to or closed: the deadline was met or missed
    responded_late: int = 0  # ... after the due time
    open_overdue: int = 0  # still open and past the due time, now
    satisfied: int = 0
    dissatisfied: int = 0

    @property
    def resolution_rate(self) -> float | None:
        return _rate(self.resolved, self.received)

    @property
    def on_time_rate(self) -> float | None:
        """Answered in time among those whose deadline has been decided: answered (late or not)
        or overdue. Open ones still within their time do not count either way yet."""
        on_time = self.responded - self.responded_late
        return _rate(on_time, self.responded + self.open_overdue)

    @property
    def overdue(self) -> int:
        return self.open_overdue + self.responded_late

    @property
    def satisfaction_rate(self) -> float | None:
        return _rate(self.satisfied, self.satisfied + self.dissatisfied)


@dataclass(frozen=True)
class Timing:
    """One consultation that staff answered or closed: the times a median is made of."""

    keys: Mapping[Dimension, str]
    created_at: datetime
    first_response_at: datetime | None
    resolved_at: datetime | None


@dataclass(frozen=True)
class ReportData:
    """Everything the store reads for one report."""

    totals: Counts
    by: Mapping[Dimension, Sequence[tuple[str, Counts]]]
    timings: Sequence[Timing]
    bot_actions: Mapping[str, Mapping[str, int]] | None  # channel -> action -> messages
    unanswered: Sequence[str]


@dataclass(frozen=True)
class Figures:
    counts: Counts
    median_first_response_hours: float | None
    median_resolution_hours: float | None


@dataclass(frozen=True)
class Row:
    key: str
    label: str
    figures: Figures


@dataclass(frozen=True)
class BotFigures:
    answered: int  # messages the bot answered itself (answer / clarify)
    handed_over: int  # messages it handed to people (escalate / route)
    other: int  # menus, status, feedback, duplicates
    by_channel: tuple[tuple[str, str, int, int], ...]  # (key, label, answered, handed over)

    @property
    def questions(self) -> int:
        return self.answered + self.handed_over

    @property
    def answer_rate(self) -> float | None:
        return _rate(self.answered, self.questions)


@dataclass(frozen=True)
class Report:
    period: Period
    scope: str  # "全部部门" or the department's name
    generated_at: datetime
    overall: Figures
    breakdowns: Mapping[Dimension, tuple[Row, ...]]
    bot: BotFigures | None  # None where it cannot be scoped (a department's report)
    unanswered: tuple[QuestionGroup, ...]


@dataclass(frozen=True)
class EnterpriseReport:
    """涉企诉求办理情况: enterprise consultations of one quarter."""

    quarter: Period
    overall: Figures
    by_department: tuple[Row, ...]
    by_life_event: tuple[Row, ...]


@dataclass(frozen=True)
class Labels:
    life_events: Mapping[str, str] = field(default_factory=dict)  # code -> Chinese name

    def of(self, dimension: Dimension, key: str) -> str:
        if not key:
            return UNKNOWN
        if dimension is Dimension.LIFE_EVENT:
            return self.life_events.get(key, key)
        if dimension is Dimension.AUDIENCE:
            return AUDIENCE_LABELS.get(key, key)
        if dimension is Dimension.CHANNEL:
            return CHANNEL_LABELS.get(key, key)
        return key


def build_report(
    data: ReportData,
    *,
    period: Period,
    scope: str,
    now: datetime,
    calendar: WorkingCalendar,
    labels: Labels,
    words: Callable[[str], list[str]] | None = None,
) -> Report:
    breakdowns = {dimension: _rows(data, dimension, calendar, labels) for dimension in Dimension}
    return Report(
        period=period,
        scope=scope,
        generated_at=now,
        overall=_figures(data.totals, data.timings, calendar),
        breakdowns=breakdowns,
        bot=_bot(data.bot_actions) if data.bot_actions is not None else None,
        unanswered=tuple(group_questions(data.unanswered, words)),
    )


def build_enterprise_report(
    data: ReportData, *, quarter: Period, calendar: WorkingCalendar, labels: Labels
) -> EnterpriseReport:
    return EnterpriseReport(
        quarter=quarter,
        overall=_figures(data.totals, data.timings, calendar),
        by_department=_rows(data, Dimension.DEPARTMENT, calendar, labels),
        by_life_event=_rows(data, Dimension.LIFE_EVENT, calendar, labels),
    )


def median_hours(
    pairs: Sequence[tuple[datetime, datetime | None]], calendar: WorkingCalendar
) -> float | None:
    """Median working hours from the first time to the second, over pairs that have both."""
    hours = [calendar.working_hours_between(a, b) for a, b in pairs if b is not None]
    return statistics.median(hours) if hours else None


def _figures(counts: Counts, timings: Sequence[Timing], calendar: WorkingCalendar) -> Figures:
    return Figures(
        counts=counts,
        median_first_response_hours=median_hours(
            [(t.created_at, t.first_response_at) for t in timings], calendar
        ),
        median_resolution_hours=median_hours(
            [(t.created_at, t.resolved_at) for t in timings], calendar
        ),
    )


def _rows(
    data: ReportData, dimension: Dimension, calendar: WorkingCalendar, labels: Labels
) -> tuple[Row, ...]:
    timings: dict[str, list[Timing]] = {}
    for timing in data.timings:
        timings.setdefault(timing.keys[dimension], []).append(timing)
    rows = [
        Row(key, labels.of(dimension, key), _figures(counts, timings.get(key, []), calendar))
        for key, counts in data.by.get(dimension, ())
    ]
    # Most consultations first; the unrecognised group last, it is a remainder, not a subject.
    rows.sort(key=lambda r: (r.key == "", -r.figures.counts.received, r.label))
    return tuple(rows)


def _bot(actions: Mapping[str, Mapping[str, int]]) -> BotFigures:
    by_channel: list[tuple[str, str, int, int]] = []
    other = 0
    for channel, counts in sorted(actions.items()):
        answered = sum(counts.get(a, 0) for a in BOT_ANSWERED)
        handed = sum(counts.get(a, 0) for a in BOT_HANDED_OVER)
        other += sum(counts.values()) - answered - handed
        label = CHANNEL_LABELS.get(channel, channel or UNKNOWN)
        by_channel.append((channel, label, answered, handed))
    return BotFigures(
        answered=sum(row[2] for row in by_channel),
        handed_over=sum(row[3] for row in by_channel),
        other=other,
        by_channel=tuple(by_channel),
    )


def _rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def hours_text(hours: float | None) -> str:
    return "—" if hours is None else f"{hours:.1f}"


def rate_text(rate: float | None) -> str:
    return "—" if rate is None else f"{rate * 100:.1f}%"
