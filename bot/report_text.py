"""The report as Markdown tables: for the command line and for docs/reports.md."""

from __future__ import annotations

from collections.abc import Iterable

from bot.reports import (
    Dimension,
    EnterpriseReport,
    Figures,
    Report,
    Row,
    hours_text,
    rate_text,
)

ROW_HEADERS = (
    "收到",
    "人工答复",
    "办结",
    "办结率",
    "按时答复率",
    "超期未办",
    "超期答复",
    "首次响应中位数（工作小时）",
    "办结用时中位数（工作小时）",
    "满意率",
)


def figure_cells(figures: Figures) -> list[str]:
    c = figures.counts
    return [
        str(c.received),
        str(c.staff_answered),
        str(c.resolved),
        rate_text(c.resolution_rate),
        rate_text(c.on_time_rate),
        str(c.open_overdue),
        str(c.responded_late),
        hours_text(figures.median_first_response_hours),
        hours_text(figures.median_resolution_hours),
        rate_text(c.satisfaction_rate),
    ]


def _table(headers: Iterable[str], rows: Iterable[Iterable[str]]) -> list[str]:
    heads = list(headers)
    lines = ["| " + " | ".join(heads) + " |", "|" + "---|" * len(heads)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines


def _rows(first: str, rows: Iterable[Row]) -> list[str]:
    return _table((first, *ROW_HEADERS), ([r.label, *figure_cells(r.figures)] for r in rows))


def report_markdown(report: Report, enterprise: EnterpriseReport | None = None) -> str:
    lines = [f"### 咨询办理情况（{report.period.label}，{report.scope}）", ""]
    lines += _rows("范围", [Row("all", "合计", report.overall)])
    if report.bot is not None:
        bot = report.bot
        lines += ["", "#### 机器人与人工", ""]
        lines += _table(
            ("渠道", "机器人自行答复（条）", "转人工（条）"),
            [[label, str(a), str(h)] for _, label, a, h in bot.by_channel]
            + [["合计", str(bot.answered), str(bot.handed_over)]],
        )
        lines += [
            "",
            f"机器人自行答复率 {rate_text(bot.answer_rate)}（其余消息 {bot.other} 条为菜单、"
            f"进度查询、评价等）；工作人员答复咨询 {report.overall.counts.staff_answered} 件。",
        ]
    for dimension in Dimension:
        lines += ["", f"#### 按{dimension.label}", ""]
        lines += _rows(dimension.label, report.breakdowns[dimension])
    if enterprise is not None:
        lines += ["", *enterprise_markdown(enterprise)]
    lines += ["", "#### 机器人未能答复的问题（按相似度归并）", ""]
    lines += _table(
        ("代表问题", "次数", "其他问法"),
        [[g.representative, str(g.count), "；".join(g.examples) or "—"] for g in report.unanswered],
    )
    return "\n".join(lines) + "\n"


def enterprise_markdown(report: EnterpriseReport) -> list[str]:
    lines = [f"#### 涉企诉求办理情况（{report.quarter.quarter_label}）", ""]
    lines += _rows("范围", [Row("all", "合计", report.overall)])
    lines += ["", "按承办部门：", ""]
    lines += _rows("承办部门", report.by_department)
    lines += ["", "按企业事件：", ""]
    lines += _rows("企业事件", report.by_life_event)
    return lines
