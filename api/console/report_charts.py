"""Bar charts of the report page, measured here and drawn as inline SVG by the template.

No script and no chart library: the page works without JavaScript, prints as it is shown, and
loads nothing from another site. Each bar shows a whole (consultations received) with a darker
part (resolved), so one chart answers "how many" and "how many done".
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from bot.reports import Report, Row

BAR_WIDTH = 420  # SVG units for the longest bar
ROW_HEIGHT = 26
LABEL_WIDTH = 170
MAX_BARS = 26  # every life event and "未识别"; more would not read as a chart


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    part: int
    width: float
    part_width: float
    text: str  # written after the bar
    y: int  # top of the bar's row

    @property
    def baseline(self) -> int:
        return self.y + 15  # of the texts beside an 18-unit bar


LABEL_END = LABEL_WIDTH - 8  # labels end here, right-aligned
BAR_START = LABEL_WIDTH


@dataclass(frozen=True)
class Chart:
    title: str
    legend: str
    bars: tuple[Bar, ...]

    @property
    def height(self) -> int:
        return len(self.bars) * ROW_HEIGHT + 8

    @property
    def width(self) -> int:
        return LABEL_WIDTH + BAR_WIDTH + 110


def chart(title: str, legend: str, items: Iterable[tuple[str, int, int, str]]) -> Chart:
    """`items`: (label, whole, part, text after the bar)."""
    listed = list(items)[:MAX_BARS]
    top = max((whole for _, whole, _, _ in listed), default=0) or 1
    bars = tuple(
        Bar(
            label=label,
            value=whole,
            part=part,
            width=round(BAR_WIDTH * whole / top, 1),
            part_width=round(BAR_WIDTH * min(part, whole) / top, 1),
            text=text,
            y=index * ROW_HEIGHT + 4,
        )
        for index, (label, whole, part, text) in enumerate(listed)
    )
    return Chart(title, legend, bars)


def received_chart(title: str, rows: Iterable[Row]) -> Chart:
    def text(row: Row) -> str:
        rate = row.figures.counts.resolution_rate
        done = f"{rate * 100:.0f}%" if rate is not None else "—"
        return f"{row.figures.counts.received} 件 · 办结 {done}"

    return chart(
        title,
        "浅色为收到件数，深色为其中已办结",
        (
            (row.label, row.figures.counts.received, row.figures.counts.resolved, text(row))
            for row in rows
        ),
    )


def bot_and_staff_chart(report: Report) -> Chart | None:
    if report.bot is None:
        return None
    staff = report.overall.counts.staff_answered
    bot, handed = report.bot.answered, report.bot.handed_over
    return chart(
        "机器人与工作人员答复",
        "机器人按消息计（条），工作人员按咨询计（件）",
        [
            ("机器人自行答复", bot, bot, f"{bot} 条"),
            ("转人工", handed, 0, f"{handed} 条"),
            ("工作人员答复", staff, staff, f"{staff} 件"),
        ],
    )
