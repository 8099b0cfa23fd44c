"""Reading and computing a report in one call: what the console, the export and the CLI use."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from bot.deadlines import WorkingCalendar
from bot.report_period import Period
from bot.reports import (
    ENTERPRISE,
    EnterpriseReport,
    Labels,
    Report,
    build_enterprise_report,
    build_report,
)
from bot.store.report_repository import ReportScope, ReportStore
from config.taxonomy import Taxonomy

ALL_DEPARTMENTS = "全部部门"


@dataclass(frozen=True)
class ReportService:
    store: ReportStore
    calendar: WorkingCalendar
    labels: Labels
    words: Callable[[str], list[str]] | None = None  # the search analyzer's, when there is one

    @classmethod
    def of(
        cls,
        store: ReportStore,
        calendar: WorkingCalendar,
        taxonomy: Taxonomy,
        words: Callable[[str], list[str]] | None = None,
    ) -> ReportService:
        labels = Labels({event.code: event.name for event in taxonomy})
        return cls(store, calendar, labels, words)

    def report(self, period: Period, department: str | None, now: datetime) -> Report:
        """Everything received in `period`; one department's only when `department` is set."""
        data = self.store.read(ReportScope(period, department), now)
        return build_report(
            data,
            period=period,
            scope=department or ALL_DEPARTMENTS,
            now=now,
            calendar=self.calendar,
            labels=self.labels,
            words=self.words,
        )

    def enterprise(
        self, quarter: Period, department: str | None, now: datetime
    ) -> EnterpriseReport:
        data = self.store.read(ReportScope(quarter, department, ENTERPRISE), now, bot=False)
        return build_enterprise_report(
            data, quarter=quarter, calendar=self.calendar, labels=self.labels
        )
