"""Reports on a small hand-made data set whose figures are known, on SQLite and PostgreSQL.

The consultations straddle the Mid-Autumn holiday (Fri 25 Sep 2026), the National Day week
(1–7 Oct) and the adjusted working Saturday (10 Oct), and the China-day edges of the period.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from io import BytesIO

import pytest
from openpyxl import load_workbook

from bot.deadlines import CHINA, DeadlinePolicy, WorkingCalendar
from bot.question_groups import group_questions, normalise
from bot.report_export import export_xlsx
from bot.report_period import Period, PeriodError, previous_quarter
from bot.report_service import ReportService
from bot.reports import Dimension, Report
from bot.store.models import ConsultationRow, ProcessedMessageRow
from bot.store.report_repository import ReportStore
from config.settings import CONFIG_DIR
from indexer.resources import load_resources
from knowledge.store.base import make_session_factory
from knowledge.store.wiring import KnowledgeBase

NOW = datetime(2026, 10, 20, 12, 0, tzinfo=CHINA)
PERIOD = Period(date(2026, 9, 1), date(2026, 11, 1))
POLICY = DeadlinePolicy()
DICTIONARY, STOPWORDS = CONFIG_DIR / "dictionary.txt", CONFIG_DIR / "stopwords.txt"
SYNONYMS = CONFIG_DIR / "synonyms.yaml"


def cst(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=CHINA)


@dataclass(frozen=True)
class Case:
    key: str
    audience: str
    life_event: str
    department: str
    channel: str
    reason: str
    status: str
    created: datetime
    question: str
    first_response: datetime | None = None
    closed: datetime | None = None
    satisfaction: str = ""


CASES = (
    # Thu 16:00 -> Mon 10:00 across the Mid-Autumn holiday and the weekend: 8 + 10 = 18 h.
    Case("A", "individual", "birth", "卫生健康委员会", "web", "escalate", "answered",
         cst(9, 24, 16), "生育津贴怎么领取？", cst(9, 28, 10), satisfaction="good"),
    # Wed 20:00 -> Thu 8 Oct 09:00 across National Day: 4 + 9 = 13 h; closed the next day.
    Case("B", "enterprise", "ent_tax", "税务局", "wechat", "escalate", "closed",
         cst(9, 30, 20), "小微企业有哪些税收优惠", cst(10, 8, 9), cst(10, 9, 10)),
    # Fri 10:00 -> the working Saturday 11:00: 14 + 11 = 25 h.
    Case("C", "enterprise", "ent_tax", "税务局", "telegram", "route", "answered",
         cst(10, 9, 10), "小微企业税收优惠政策有哪些", cst(10, 10, 11), satisfaction="bad"),
    # Mon 12 Oct 09:00 -> Mon 19 Oct 09:00, after its due day (Thu 15): 15 + 4 x 24 + 9 = 120 h.
    Case("D", "individual", "birth", "卫生健康委员会", "web", "escalate", "answered",
         cst(10, 12, 9), "请问生育津贴怎么领取", cst(10, 19, 9)),
    # Still waiting, due Fri 16 Oct: overdue now.
    Case("E", "individual", "housing", "住房和城乡建设局", "wechat", "asked", "pending",
         cst(10, 13, 10), "公租房怎么申请"),
    # Claimed, due Thu 22 Oct: open but not overdue.
    Case("F", "enterprise", "ent_opening", "市场监督管理局", "web", "escalate", "in_progress",
         cst(10, 19, 10), "注册公司要几天"),
    # Closed without a reply after 5 working hours.
    Case("G", "individual", "", "政务服务管理局", "web", "route", "closed",
         cst(10, 14, 10), "小区路灯坏了没人修", closed=cst(10, 14, 15)),
    # Ten minutes into 1 Sep in China is still 31 Aug in UTC: inside the period all the same.
    Case("H", "individual", "education", "教育局", "wechat", "escalate", "pending",
         cst(9, 1, 0, 10), "您好，生育津贴在哪里领取呢？"),
    # Outside the period on either side.
    Case("X", "individual", "birth", "卫生健康委员会", "web", "escalate", "pending",
         cst(8, 31, 23, 50), "不算在内的问题"),
    Case("Y", "individual", "birth", "卫生健康委员会", "web", "escalate", "pending",
         cst(11, 1, 0, 5), "也不算在内的问题"),
)  # fmt: skip
MESSAGES = (
    ("web", "answer", cst(9, 2, 10)),
    ("web", "answer", cst(10, 2, 10)),
    ("wechat", "answer", cst(10, 3, 10)),
    ("wechat", "clarify", cst(10, 3, 11)),
    ("web", "escalate", cst(10, 12, 9)),
    ("wechat", "escalate", cst(10, 13, 10)),
    ("telegram", "route", cst(10, 9, 10)),
    ("web", "menu", cst(10, 9, 9)),
    ("web", "answer", cst(8, 31, 23)),  # the day before the period
)


def fill(kb: KnowledgeBase) -> None:
    sessions = make_session_factory(kb.engine)
    with sessions() as session, session.begin():
        for case in CASES:
            answered = case.first_response if case.status in ("answered", "closed") else None
            session.add(
                ConsultationRow(
                    number=f"ZXT{case.key}",
                    channel=case.channel,
                    user_id=f"user-{case.key}",
                    question=case.question,
                    audience=case.audience,
                    life_event=case.life_event,
                    department=case.department,
                    reason=case.reason,
                    status=case.status,
                    satisfaction=case.satisfaction,
                    created_at=case.created.astimezone(UTC),
                    updated_at=case.created.astimezone(UTC),
                    due_at=POLICY.due("consultation", case.created).astimezone(UTC),
                    first_response_at=_utc(case.first_response),
                    answered_at=_utc(answered),
                    closed_at=_utc(case.closed),
                )
            )
        for index, (channel, action, at) in enumerate(MESSAGES):
            session.add(
                ProcessedMessageRow(
                    channel=channel,
                    message_id=f"m{index}",
                    user_id="u",
                    text="问题",
                    action=action,
                    received_at=at.astimezone(UTC),
                )
            )


def _utc(moment: datetime | None) -> datetime | None:
    return moment.astimezone(UTC) if moment else None


@pytest.fixture(scope="module")
def words() -> Callable[[str], list[str]]:
    """The search analyzer's word splitter, as the console uses it."""
    resources = load_resources(DICTIONARY, STOPWORDS, SYNONYMS)
    return resources.analyzer().words


@pytest.fixture
def service(kb: KnowledgeBase, words: Callable[[str], list[str]]) -> ReportService:
    fill(kb)
    return ReportService.of(ReportStore.on(kb.engine), WorkingCalendar(), kb.taxonomy, words)


@pytest.fixture
def report(service: ReportService) -> Report:
    return service.report(PERIOD, None, NOW)


def test_working_hours_skip_the_weekend_and_the_holidays() -> None:
    calendar = WorkingCalendar()
    assert calendar.working_hours_between(cst(9, 24, 16), cst(9, 28, 10)) == 18
    assert calendar.working_hours_between(cst(9, 30, 20), cst(10, 8, 9)) == 13
    assert calendar.working_hours_between(cst(10, 9, 10), cst(10, 10, 11)) == 25


def test_the_overall_figures(report: Report) -> None:
    counts = report.overall.counts
    assert counts.received == 8
    assert counts.staff_answered == 4
    assert counts.resolved == 5
    assert counts.resolution_rate == pytest.approx(5 / 8)
    assert (counts.responded, counts.responded_late, counts.open_overdue) == (5, 1, 2)
    assert counts.on_time_rate == pytest.approx(4 / 7)
    assert counts.satisfaction_rate == pytest.approx(1 / 2)
    # First responses 18, 13, 25, 120 h; resolutions add G's 5 h.
    assert report.overall.median_first_response_hours == pytest.approx(21.5)
    assert report.overall.median_resolution_hours == pytest.approx(18)


def test_the_bot_answered_four_of_seven_questions(report: Report) -> None:
    assert report.bot is not None
    assert (report.bot.answered, report.bot.handed_over, report.bot.other) == (4, 3, 1)
    assert report.bot.answer_rate == pytest.approx(4 / 7)
    by_channel = {key: (a, h) for key, _, a, h in report.bot.by_channel}
    assert by_channel == {"web": (2, 1), "wechat": (2, 1), "telegram": (0, 1)}


def test_breakdowns_use_chinese_names(report: Report) -> None:
    def received(dimension: Dimension) -> dict[str, int]:
        return {r.label: r.figures.counts.received for r in report.breakdowns[dimension]}

    assert received(Dimension.LIFE_EVENT) == {
        "出生": 2, "税收税费": 2, "住房": 1, "开办": 1, "入学": 1, "未识别": 1,
    }  # fmt: skip
    assert received(Dimension.AUDIENCE) == {"个人": 5, "企业": 3}
    assert received(Dimension.CHANNEL) == {"网页": 4, "微信公众号": 3, "Telegram": 1}
    assert received(Dimension.DEPARTMENT)["卫生健康委员会"] == 2
    assert list(received(Dimension.LIFE_EVENT))[-1] == "未识别"  # the remainder comes last
    birth = next(r for r in report.breakdowns[Dimension.LIFE_EVENT] if r.key == "birth")
    assert birth.figures.median_first_response_hours == pytest.approx((18 + 120) / 2)
    assert birth.figures.counts.responded_late == 1


def test_a_department_sees_its_own_consultations_and_no_bot_figures(
    service: ReportService,
) -> None:
    report = service.report(PERIOD, "税务局", NOW)
    assert report.overall.counts.received == 2
    assert report.bot is None
    assert [r.label for r in report.breakdowns[Dimension.DEPARTMENT]] == ["税务局"]


def test_the_quarterly_enterprise_report(service: ReportService) -> None:
    fourth = service.enterprise(Period.quarter(2026, 4), None, NOW)
    # B arrived on 30 Sep at 20:00 in China: the third quarter, though it is answered in the
    # fourth.
    assert fourth.overall.counts.received == 2
    assert fourth.overall.counts.resolution_rate == pytest.approx(1 / 2)
    assert fourth.overall.counts.on_time_rate == pytest.approx(1.0)
    assert {r.label for r in fourth.by_department} == {"税务局", "市场监督管理局"}
    assert {r.label for r in fourth.by_life_event} == {"税收税费", "开办"}
    third = service.enterprise(Period.quarter(2026, 3), None, NOW)
    assert third.overall.counts.received == 1


def test_unanswered_questions_are_grouped(report: Report) -> None:
    top = report.unanswered[0]
    assert top.count == 3  # A, D and H: three wordings of one question
    assert top.representative == "生育津贴怎么领取"
    assert sum(g.count for g in report.unanswered) == 8


def test_grouping_merges_wordings_and_keeps_subjects_apart(
    words: Callable[[str], list[str]],
) -> None:
    groups = group_questions(
        [
            "您好，请问异地就医怎么备案？",
            "异地就医怎么备案",
            "异地就医怎么备案，谢谢",
            "异地就医备案网上怎么办呢？",
            "转学手续怎么办理",
            "退休手续怎么办理",
            "（用户要求人工服务，未提出具体问题）",
        ],
        words,
    )
    assert [(g.representative, g.count) for g in groups] == [
        ("异地就医怎么备案", 4),
        ("转学手续怎么办理", 1),
        ("退休手续怎么办理", 1),
    ]
    assert groups[0].examples == ("异地就医备案网上怎么办呢？",)
    assert normalise("您好，请问 生育津贴怎么领？谢谢") == "生育津贴怎么领"


def test_periods_and_quarters() -> None:
    assert Period.parse_quarter("2026Q3") == Period(date(2026, 7, 1), date(2026, 10, 1))
    assert Period.parse_quarter("2026q4").quarter_label == "2026年第四季度"
    assert previous_quarter(date(2026, 1, 15)) == Period.quarter(2025, 4)
    assert PERIOD.bounds()[0] == datetime(2026, 8, 31, 16, tzinfo=UTC)
    for bad in (("2026-10-01", "2026-09-01"), ("2026-13-01", "2026-14-01")):
        with pytest.raises(PeriodError):
            Period.parse(*bad)
    with pytest.raises(PeriodError):
        Period.parse_quarter("2026Q5")


def test_the_workbook_has_the_sheets_and_numbers(service: ReportService, report: Report) -> None:
    enterprise = service.enterprise(Period.quarter(2026, 4), None, NOW)
    book = load_workbook(BytesIO(export_xlsx(report, enterprise)))
    assert book.sheetnames == ["概览", "按人生事件", "按部门", "按渠道", "涉企诉求", "未答复问题"]
    overview = {row[0]: row[1] for row in book["概览"].iter_rows(values_only=True) if row[0]}
    assert overview["收到咨询（件）"] == 8
    assert overview["办结率"] == pytest.approx(5 / 8)
    assert overview["首次响应用时中位数（工作小时）"] == pytest.approx(21.5)
    assert overview["机器人自行答复（条消息）"] == 4
    events = list(book["按人生事件"].iter_rows(min_row=3, values_only=True))
    assert events[0][:2] == ("人生事件", "收到咨询（件）")
    assert ("出生", 2) in [row[:2] for row in events]
    assert book["按人生事件"]["E4"].number_format == "0.0%"
    enterprise_rows = list(book["涉企诉求"].iter_rows(values_only=True))
    assert ("合计", 2) in [row[:2] for row in enterprise_rows]
    unanswered = list(book["未答复问题"].iter_rows(min_row=4, values_only=True))
    assert unanswered[0][:3] == (1, "生育津贴怎么领取", 3)
