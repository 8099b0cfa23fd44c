"""The reports page and its Excel export (/console/reports, /console/reports.xlsx).

An admin sees every department (and may pick one); anyone else sees their own department only.
Exporting a workbook takes data out of the system, so it is written to the audit log.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, HTTPException, Query, Request, status
from fastapi.responses import Response

from api.console.report_charts import (
    BAR_START,
    LABEL_END,
    bot_and_staff_chart,
    received_chart,
)
from api.console.web import ConsoleRoute, PageStaffDep, render
from bot.deadlines import CHINA
from bot.queue_types import Staff
from bot.report_export import export_xlsx
from bot.report_period import Period, PeriodError, default_period, previous_quarter
from bot.report_service import ReportService
from bot.reports import Dimension, EnterpriseReport, Report, hours_text, rate_text
from bot.store.report_repository import ReportStore
from bot.wiring import QueueParts

router = APIRouter(route_class=ConsoleRoute, include_in_schema=False)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Filters:
    period: Period
    quarter: Period
    department: str | None  # None: every department

    def query(self) -> str:
        values = {
            "from": self.period.start.isoformat(),
            "to": self.period.end.isoformat(),
            "quarter": self.quarter.quarter_code,
        }
        if self.department:
            values["department"] = self.department
        return urlencode(values)


def _filters(
    request: Request, staff: Staff, start: str, end: str, quarter: str, department: str
) -> Filters:
    today = datetime.now(UTC).astimezone(CHINA).date()
    fallback = default_period(today)
    try:
        period = Period.parse(start or fallback.start.isoformat(), end or fallback.end.isoformat())
        season = Period.parse_quarter(quarter) if quarter else previous_quarter(today)
    except PeriodError as exc:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(exc)) from exc
    if not staff.is_admin:
        if department and department != staff.department:
            raise HTTPException(status.HTTP_403_FORBIDDEN, f"您只能查看{staff.department}的报表")
        return Filters(period, season, staff.department)
    parts: QueueParts = request.app.state.queue
    if department and department not in {d.name for d in parts.departments}:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, f"没有“{department}”这个部门")
    return Filters(period, season, department or None)


def _service(request: Request) -> ReportService:
    state = request.app.state
    search = getattr(state, "search", None)
    # Grouping similar questions splits words as the search index does, when it is loaded.
    words = search.searcher.analyzer.words if search is not None else None
    parts: QueueParts = state.queue
    store = ReportStore.on(state.knowledge.engine)
    return ReportService.of(store, parts.store.deadlines.calendar, state.knowledge.taxonomy, words)


def _reports(request: Request, filters: Filters) -> tuple[Report, EnterpriseReport]:
    service = _service(request)
    now = datetime.now(UTC)
    report = service.report(filters.period, filters.department, now)
    enterprise = service.enterprise(filters.quarter, filters.department, now)
    return report, enterprise


def report_filters(
    request: Request,
    staff: PageStaffDep,
    start: Annotated[str, Query(alias="from", max_length=20)] = "",
    end: Annotated[str, Query(alias="to", max_length=20)] = "",
    quarter: Annotated[str, Query(max_length=10)] = "",
    department: Annotated[str, Query(max_length=200)] = "",
) -> Filters:
    """The page and its export take the same filters, checked the same way."""
    return _filters(request, staff, start, end, quarter, department)


FiltersDep = Annotated[Filters, Depends(report_filters)]


@router.get("/console/reports")
def reports_page(
    request: Request,
    staff: PageStaffDep,
    filters: FiltersDep,
) -> Response:
    report, enterprise = _reports(request, filters)
    parts: QueueParts = request.app.state.queue
    context: dict[str, Any] = {
        "report": report,
        "enterprise": enterprise,
        "filters": filters,
        "export_url": "/console/reports.xlsx?" + filters.query(),
        "departments": [d.name for d in parts.departments] if staff.is_admin else [],
        "dimensions": list(Dimension),
        "charts": _charts(report),
        "enterprise_chart": received_chart("涉企诉求：按承办部门", enterprise.by_department),
        "hours": hours_text,
        "rate": rate_text,
        "label_end": LABEL_END,
        "bar_start": BAR_START,
    }
    return render(request, "console/reports.html", staff, **context)


@router.get("/console/reports.xlsx")
def reports_export(
    request: Request,
    staff: PageStaffDep,
    filters: FiltersDep,
) -> Response:
    report, enterprise = _reports(request, filters)
    body = export_xlsx(report, enterprise)
    parts: QueueParts = request.app.state.queue
    with parts.store.unit() as unit:
        unit.audit(
            staff.username,
            "export_report",
            report.period.label,
            scope=report.scope,
            quarter=filters.quarter.quarter_code,
        )
    name = f"咨询统计_{filters.period.start:%Y%m%d}-{filters.period.last_day:%Y%m%d}.xlsx"
    ascii_name = f"report_{filters.period.start:%Y%m%d}-{filters.period.last_day:%Y%m%d}.xlsx"
    disposition = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"
    return Response(body, media_type=XLSX, headers={"Content-Disposition": disposition})


def _charts(report: Report) -> list[Any]:
    charts: list[Any] = [bot_and_staff_chart(report)]
    titles = {
        Dimension.LIFE_EVENT: "按人生事件",
        Dimension.DEPARTMENT: "按承办部门",
        Dimension.CHANNEL: "按渠道",
        Dimension.AUDIENCE: "按服务对象",
    }
    charts += [received_chart(title, report.breakdowns[d]) for d, title in titles.items()]
    return [c for c in charts if c is not None]
