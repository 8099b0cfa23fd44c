"""SQL of the reports: counts grouped in the database, and the few timestamps medians need.

Plain `CASE WHEN … THEN 1 ELSE 0 END` sums and `GROUP BY` run the same on SQLite and
PostgreSQL. Medians of working hours cannot be computed in SQL (the working calendar lives in
Python), so only the consultations that were answered or closed are read row by row, and only
their times and groups.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import astuple, dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, case, func, or_, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot.consultations import ConsultationStatus
from bot.report_period import Period
from bot.reports import Counts, Dimension, ReportData, Timing
from bot.store.models import ConsultationRow, ProcessedMessageRow
from knowledge.store.base import make_session_factory

OPEN = (ConsultationStatus.PENDING.value, ConsultationStatus.IN_PROGRESS.value)
RESOLVED = (ConsultationStatus.ANSWERED.value, ConsultationStatus.CLOSED.value)
# The bot could not answer these: search found nothing good, a clarification failed, the answer
# was marked unhelpful, or the message was not a policy question. ("asked": the user wanted a
# person; that says nothing about the knowledge base unless nobody has answered yet.)
BOT_UNANSWERED = ("escalate", "clarify_failed", "unhelpful", "route")
MAX_UNANSWERED = 5_000  # the most recent; grouping is quadratic in distinct wordings

_C = ConsultationRow
_COLUMNS = {
    Dimension.LIFE_EVENT: _C.life_event,
    Dimension.AUDIENCE: _C.audience,
    Dimension.DEPARTMENT: _C.department,
    Dimension.CHANNEL: _C.channel,
}


@dataclass(frozen=True)
class ReportScope:
    period: Period
    department: str | None = None  # None: every department (an admin's report)
    audience: str | None = None  # "enterprise" for the quarterly enterprise report


class ReportStore:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    @classmethod
    def on(cls, engine: Engine) -> ReportStore:
        return cls(make_session_factory(engine))

    def read(self, scope: ReportScope, now: datetime, *, bot: bool = True) -> ReportData:
        """One snapshot: every query runs in one transaction, so the parts add up."""
        now = now.astimezone(UTC)
        with self._sessions() as session, session.begin():
            where = _where(scope)
            totals = session.execute(select(*_sums(now)).where(*where)).one()
            by = {
                dimension: [
                    (row[0] or "", _counts(row[1:]))
                    for row in session.execute(
                        select(column, *_sums(now)).where(*where).group_by(column)
                    )
                ]
                for dimension, column in _COLUMNS.items()
            }
            timings = [_timing(row) for row in session.execute(_timings(where))]
            unanswered = list(session.scalars(_unanswered(where)))
            # Bot messages carry no department or audience: only a report on everything has them.
            whole = scope.department is None and scope.audience is None
            actions = _bot_actions(session, scope.period) if bot and whole else None
        return ReportData(
            totals=_counts(totals),
            by=_merge_blank(by),
            timings=timings,
            bot_actions=actions,
            unanswered=unanswered,
        )


def _where(scope: ReportScope) -> list[ColumnElement[bool]]:
    start, end = scope.period.bounds()
    where = [_C.created_at >= start, _C.created_at < end]
    if scope.department is not None:
        where.append(_C.department == scope.department)
    if scope.audience is not None:
        where.append(_C.audience == scope.audience)
    return where


def _flag(condition: ColumnElement[bool]) -> ColumnElement[Any]:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _sums(now: datetime) -> list[ColumnElement[Any]]:
    responded_at = func.coalesce(_C.first_response_at, _C.closed_at)
    return [
        func.count(_C.pk),
        _flag(_C.first_response_at.is_not(None)),
        _flag(_C.status.in_(RESOLVED)),
        _flag(responded_at.is_not(None)),
        _flag(responded_at > _C.due_at),
        _flag(_C.status.in_(OPEN) & (_C.due_at < now)),
        _flag(_C.satisfaction == "good"),
        _flag(_C.satisfaction == "bad"),
    ]


def _counts(values: Sequence[Any]) -> Counts:
    return Counts(*(int(v or 0) for v in values))


def _merge_blank(
    by: dict[Dimension, list[tuple[str, Counts]]],
) -> dict[Dimension, list[tuple[str, Counts]]]:
    # NULL and "" both mean "not recognised"; they arrive as two groups on PostgreSQL.
    merged: dict[Dimension, list[tuple[str, Counts]]] = {}
    for dimension, rows in by.items():
        out: dict[str, Counts] = {}
        for key, counts in rows:
            if key in out:
                old = out[key]
                counts = Counts(
                    *(a + b for a, b in zip(astuple(old), astuple(counts), strict=True))
                )
            out[key] = counts
        merged[dimension] = list(out.items())
    return merged


def _timings(where: list[ColumnElement[bool]]) -> Select[*tuple[Any, ...]]:
    return select(
        _C.life_event,
        _C.audience,
        _C.department,
        _C.channel,
        _C.status,
        _C.created_at,
        _C.first_response_at,
        _C.answered_at,
        _C.closed_at,
    ).where(*where, or_(_C.first_response_at.is_not(None), _C.status.in_(RESOLVED)))


def _timing(row: Any) -> Timing:
    life_event, audience, department, channel, status, created, first, answered, closed = row
    resolved: datetime | None = None
    if status in RESOLVED:
        # Resolved when answered (the last reply), or when closed without an answer.
        resolved = _aware(answered) or _aware(closed)
    return Timing(
        keys={
            Dimension.LIFE_EVENT: life_event or "",
            Dimension.AUDIENCE: audience or "",
            Dimension.DEPARTMENT: department or "",
            Dimension.CHANNEL: channel or "",
        },
        created_at=_aware(created) or datetime.now(UTC),
        first_response_at=_aware(first),
        resolved_at=resolved,
    )


def _unanswered(where: list[ColumnElement[bool]]) -> Select[str]:
    return (
        select(_C.question)
        .where(*where, or_(_C.status.in_(OPEN), _C.reason.in_(BOT_UNANSWERED)))
        .order_by(_C.created_at.desc())
        .limit(MAX_UNANSWERED)
    )


def _bot_actions(session: Session, period: Period) -> dict[str, dict[str, int]]:
    start, end = period.bounds()
    pm = ProcessedMessageRow
    stmt = (
        select(pm.channel, pm.action, func.count(pm.pk))
        .where(pm.received_at >= start, pm.received_at < end)
        .group_by(pm.channel, pm.action)
    )
    out: dict[str, dict[str, int]] = {}
    for channel, action, count in session.execute(stmt):
        out.setdefault(channel or "", {})[action or ""] = int(count)
    return out


def _aware(moment: datetime | None) -> datetime | None:
    # SQLite returns naive datetimes for timezone-aware columns; they were stored in UTC.
    if moment is None:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
