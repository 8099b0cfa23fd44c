"""The report as an Excel workbook (openpyxl): what the office files and forwards.

Numbers are written as numbers (rates as fractions formatted as percentages, hours with one
decimal), so the workbook can be summed and charted again; a figure that cannot be computed (no
consultation to divide by) is an empty cell, not a zero.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from bot.deadlines import CHINA
from bot.reports import Dimension, EnterpriseReport, Figures, Report, Row

Cell = str | int | float | None
PERCENT, HOURS = "0.0%", "0.0"
FIGURE_HEADERS: tuple[tuple[str, str], ...] = (
    ("收到咨询（件）", ""),
    ("工作人员答复（件）", ""),
    ("办结（件）", ""),
    ("办结率", PERCENT),
    ("按时答复率", PERCENT),
    ("超期未办（件）", ""),
    ("超期答复（件）", ""),
    ("首次响应用时中位数（工作小时）", HOURS),
    ("办结用时中位数（工作小时）", HOURS),
    ("满意（件）", ""),
    ("不满意（件）", ""),
    ("满意率", PERCENT),
)
_BOLD = Font(bold=True)
_HEAD_FILL = PatternFill("solid", fgColor="DDEBF7")


def figure_values(figures: Figures) -> list[Cell]:
    c = figures.counts
    return [
        c.received,
        c.staff_answered,
        c.resolved,
        c.resolution_rate,
        c.on_time_rate,
        c.open_overdue,
        c.responded_late,
        _round(figures.median_first_response_hours),
        _round(figures.median_resolution_hours),
        c.satisfied,
        c.dissatisfied,
        c.satisfaction_rate,
    ]


def export_xlsx(report: Report, enterprise: EnterpriseReport) -> bytes:
    book = Workbook()
    overview = book.active
    assert overview is not None
    overview.title = "概览"
    _overview(overview, report)
    sheets = (
        ("按人生事件", Dimension.LIFE_EVENT),
        ("按部门", Dimension.DEPARTMENT),
        ("按渠道", Dimension.CHANNEL),
    )
    for title, dimension in sheets:
        sheet = book.create_sheet(title)
        _title(sheet, f"{report.period.label} 按{dimension.label}统计（{report.scope}）")
        last = _table(sheet, 3, dimension.label, report.breakdowns[dimension])
        if dimension is Dimension.CHANNEL and report.bot is not None:
            _bot_channels(sheet, last + 2, report)
    _enterprise(book.create_sheet("涉企诉求"), enterprise, report.scope)
    _unanswered(book.create_sheet("未答复问题"), report)
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def _overview(sheet: Worksheet, report: Report) -> None:
    _title(sheet, "政策咨询办理情况统计")
    generated = report.generated_at.astimezone(CHINA).strftime("%Y-%m-%d %H:%M")
    info = [("统计区间", report.period.label), ("统计范围", report.scope), ("生成时间", generated)]
    for offset, (label, text) in enumerate(info):
        sheet.cell(2 + offset, 1, label).font = _BOLD
        sheet.cell(2 + offset, 2, text)
    row = 6
    for (name, fmt), value in zip(FIGURE_HEADERS, figure_values(report.overall), strict=True):
        _pair(sheet, row, name, value, fmt)
        row += 1
    if report.bot is not None:
        bot = report.bot
        _pair(sheet, row, "机器人自行答复（条消息）", bot.answered, "")
        _pair(sheet, row + 1, "机器人转人工（条消息）", bot.handed_over, "")
        _pair(sheet, row + 2, "机器人自行答复率", bot.answer_rate, PERCENT)
        row += 3
    sheet.cell(row + 1, 1, "按服务对象").font = _BOLD
    _table(sheet, row + 2, Dimension.AUDIENCE.label, report.breakdowns[Dimension.AUDIENCE])
    sheet.column_dimensions["A"].width = 30
    sheet.column_dimensions["B"].width = 24


def _bot_channels(sheet: Worksheet, top: int, report: Report) -> None:
    assert report.bot is not None
    sheet.cell(top, 1, "机器人处理的消息").font = _BOLD
    _header(sheet, top + 1, ("渠道", "机器人自行答复（条）", "转人工（条）"))
    for line, (_, label, answered, handed) in enumerate(report.bot.by_channel, start=top + 2):
        _values(sheet, line, [label, answered, handed], ("", "", ""))


def _enterprise(sheet: Worksheet, report: EnterpriseReport, scope: str) -> None:
    _title(sheet, f"涉企诉求办理情况（{report.quarter.quarter_label}，{scope}）")
    overall = Row("all", "合计", report.overall)
    row = _table(sheet, 3, "范围", [overall])
    sheet.cell(row + 2, 1, "按承办部门").font = _BOLD
    row = _table(sheet, row + 3, "承办部门", report.by_department)
    sheet.cell(row + 2, 1, "按企业事件").font = _BOLD
    _table(sheet, row + 3, "企业事件", report.by_life_event)


def _unanswered(sheet: Worksheet, report: Report) -> None:
    _title(sheet, f"机器人未能答复的问题（按相似度归并，{report.period.label}）")
    _header(sheet, 3, ("序号", "代表问题", "次数", "其他问法"))
    for index, group in enumerate(report.unanswered, start=1):
        values: list[Cell] = [index, group.representative, group.count, "；".join(group.examples)]
        _values(sheet, 3 + index, values, ("", "", "", ""))
    for letter, width in zip("ABCD", (6, 40, 8, 80), strict=True):
        sheet.column_dimensions[letter].width = width


def _table(sheet: Worksheet, top: int, first: str, rows: Iterable[Row]) -> int:
    """A header and one line per row from line `top`; returns the last line written."""
    _header(sheet, top, (first, *(name for name, _ in FIGURE_HEADERS)))
    formats = ("", *(fmt for _, fmt in FIGURE_HEADERS))
    line = top
    for line, row in enumerate(rows, start=top + 1):
        _values(sheet, line, [row.label, *figure_values(row.figures)], formats)
    sheet.column_dimensions["A"].width = max(sheet.column_dimensions["A"].width or 0, 22)
    for column in range(2, len(formats) + 1):
        sheet.column_dimensions[get_column_letter(column)].width = 14
    if top == 3:  # a sheet that is one table: keep its header and names in view
        sheet.freeze_panes = "B4"
    return line


def _title(sheet: Worksheet, text: str) -> None:
    sheet.cell(1, 1, text).font = Font(bold=True, size=14)


def _header(sheet: Worksheet, line: int, names: Sequence[str]) -> None:
    for column, name in enumerate(names, start=1):
        cell = sheet.cell(line, column, name)
        cell.font, cell.fill = _BOLD, _HEAD_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")


def _values(sheet: Worksheet, line: int, values: Sequence[Cell], formats: Sequence[str]) -> None:
    for column, (value, fmt) in enumerate(zip(values, formats, strict=True), start=1):
        cell = sheet.cell(line, column, value)
        if fmt:
            cell.number_format = fmt


def _pair(sheet: Worksheet, line: int, name: str, value: Cell, fmt: str) -> None:
    sheet.cell(line, 1, name).font = _BOLD
    cell = sheet.cell(line, 2, value)
    if fmt:
        cell.number_format = fmt


def _round(hours: float | None) -> float | None:
    return None if hours is None else round(hours, 2)
