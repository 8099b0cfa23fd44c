"""The reports page and export over HTTP with a logged-in staff member, and the seeded data set."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime
from io import BytesIO
from pathlib import Path

import httpx
import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from bot.deadlines import CHINA, WorkingCalendar
from bot.queue_types import Role
from bot.report_period import Period
from bot.report_service import ReportService
from bot.reports import Dimension
from bot.seed import SeedPlan, seed_consultations, seed_parts
from bot.store.models import AuditRow, ConsultationEventRow
from bot.store.report_repository import ReportStore
from bot.store.seed_repository import SeedStore
from bot.wiring import open_conversations, open_queue
from knowledge.store.base import make_session_factory
from knowledge.store.wiring import KnowledgeBase, open_knowledge
from tests.conftest import LIFE_EVENTS, LiveServer, settings_for
from tests.test_reports import fill

PASSWORD = "report-password-1"
QUERY = "from=2026-09-01&to=2026-11-01&quarter=2026Q4"
SEED_END = datetime(2026, 11, 22, 10, 0, tzinfo=CHINA)


@pytest.fixture
def served(
    kb: KnowledgeBase, tmp_path: Path, database_url: str
) -> Iterator[tuple[LiveServer, dict[str, str]]]:
    """The hand-made data set served, with an admin and a tax office clerk (names unique: the
    PostgreSQL schema keeps staff between tests)."""
    fill(kb)
    tag = uuid.uuid4().hex[:6]
    names = {"admin": f"rep-admin-{tag}", "tax": f"rep-tax-{tag}"}
    parts = open_queue(settings_for(database_url, tmp_path / "index"), kb)
    parts.staff.create(names["admin"], "报表管理员", "政务公开办", Role.ADMIN, PASSWORD)
    parts.staff.create(names["tax"], "税务窗口", "税务局", Role.STAFF, PASSWORD)
    with LiveServer(database_url, tmp_path / "index") as server:
        yield server, names


def log_in(server: LiveServer, username: str) -> httpx.Client:
    client = httpx.Client(base_url=server.url, timeout=30)
    answer = client.post("/console/login", data={"username": username, "password": PASSWORD})
    assert answer.status_code == 303, answer.text
    return client


def test_the_page_needs_a_staff_session(served: tuple[LiveServer, dict[str, str]]) -> None:
    server, _ = served
    answer = httpx.get(f"{server.url}/console/reports?{QUERY}")
    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/console/login?next=")
    assert httpx.get(f"{server.url}/console/reports.xlsx").status_code == 303


def test_an_admin_sees_every_department(served: tuple[LiveServer, dict[str, str]]) -> None:
    server, names = served
    page = log_in(server, names["admin"]).get(f"/console/reports?{QUERY}")
    assert page.status_code == 200
    html = page.text
    assert "2026-09-01 至 2026-10-31 · 全部部门" in html
    assert '<span class="n">8</span><span>收到咨询（件）</span>' in html
    assert '<span class="n">62.5%</span>' in html  # 办结率
    assert '<span class="n">21.5</span>' in html  # median first response, working hours
    assert html.count("<svg") >= 5 and "<script" not in html and "https://" not in html
    assert "涉企诉求办理情况（2026年第四季度）" in html
    assert "生育津贴怎么领取" in html and "3 次" in html
    assert "公租房怎么申请" in html


def test_a_clerk_sees_only_their_department(served: tuple[LiveServer, dict[str, str]]) -> None:
    server, names = served
    client = log_in(server, names["tax"])
    html = client.get(f"/console/reports?{QUERY}").text
    assert "· 税务局" in html
    assert '<span class="n">2</span><span>收到咨询（件）</span>' in html
    assert "小微企业有哪些税收优惠" in html
    assert "公租房怎么申请" not in html and "卫生健康委员会" not in html
    assert "机器人处理的消息不区分部门" in html
    refused = client.get(f"/console/reports?{QUERY}&department=教育局")
    assert refused.status_code == 403
    assert "您只能查看税务局的报表" in refused.text
    assert client.get("/console/reports?from=2026-10-01&to=2026-09-01").status_code == 422


def test_the_export_is_a_workbook_and_is_audited(
    served: tuple[LiveServer, dict[str, str]], kb: KnowledgeBase
) -> None:
    server, names = served
    answer = log_in(server, names["admin"]).get(f"/console/reports.xlsx?{QUERY}")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert answer.headers["content-disposition"].startswith("attachment;")
    assert "report_20260901-20261031.xlsx" in answer.headers["content-disposition"]
    book = load_workbook(BytesIO(answer.content))
    assert book["概览"]["B6"].value == 8
    with make_session_factory(kb.engine)() as session:
        exports = select(AuditRow).where(
            AuditRow.actor == names["admin"], AuditRow.action == "export_report"
        )
        audit = session.scalars(exports).all()
    assert [a.target for a in audit] == ["2026-09-01 至 2026-10-31"]


def _seed(kb: KnowledgeBase, url: str, index: Path, count: int) -> None:
    settings = settings_for(url, index)
    queue = open_queue(settings, kb)
    conversations = open_conversations(kb, settings)
    parts = seed_parts(queue, conversations, SeedStore.on(kb.engine), kb.taxonomy)
    summary = seed_consultations(parts, SeedPlan(end=SEED_END, count=count), PASSWORD)
    assert summary.consultations == count


def _report(kb: KnowledgeBase) -> ReportService:
    return ReportService.of(ReportStore.on(kb.engine), WorkingCalendar(), kb.taxonomy)


def test_seeding_writes_simulated_times(
    kb: KnowledgeBase, database_url: str, tmp_path: Path
) -> None:
    _seed(kb, database_url, tmp_path / "index", 40)
    with make_session_factory(kb.engine)() as session:
        latest = session.scalar(select(func.max(ConsultationEventRow.at)))
    assert latest is not None
    assert (latest if latest.tzinfo else latest.replace(tzinfo=UTC)) < SEED_END
    report = _report(kb).report(Period(date(2026, 7, 1), date(2026, 11, 23)), None, SEED_END)
    assert report.overall.counts.received == 40
    assert report.bot is not None and report.bot.answered > 40


def test_the_same_seed_gives_the_same_data(tmp_path: Path) -> None:
    figures = []
    for name in ("one", "two"):
        url = f"sqlite:///{tmp_path / name}.db"
        kb = open_knowledge(url, LIFE_EVENTS)
        try:
            _seed(kb, url, tmp_path / f"{name}.index", 30)
            period = Period(date(2026, 7, 1), date(2026, 11, 23))
            figures.append(_report(kb).report(period, None, SEED_END).overall)
        finally:
            kb.close()
    assert figures[0] == figures[1]


def test_a_seeded_data_set_of_520_consultations_reports(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'seeded.db'}"
    kb = open_knowledge(url, LIFE_EVENTS)
    try:
        _seed(kb, url, tmp_path / "index", 520)
        report = _report(kb).report(Period(date(2026, 7, 1), date(2026, 11, 23)), None, SEED_END)
    finally:
        kb.close()
    counts = report.overall.counts
    assert counts.received == 520
    assert counts.open_overdue > 0 and counts.responded_late > 0
    assert len(report.breakdowns[Dimension.LIFE_EVENT]) == len(kb.taxonomy) + 1  # + 未识别
    assert {r.key for r in report.breakdowns[Dimension.AUDIENCE]} >= {"individual", "enterprise"}
    assert {r.key for r in report.breakdowns[Dimension.CHANNEL]} == {"web", "wechat", "telegram"}
    assert len(report.unanswered) == 10
    with LiveServer(url, tmp_path / "index") as server:
        client = httpx.Client(base_url=server.url, timeout=60)
        client.post("/console/login", data={"username": "zxadmin", "password": PASSWORD})
        page = client.get("/console/reports?from=2026-07-01&to=2026-11-23&quarter=2026Q3")
        assert page.status_code == 200
        assert '<span class="n">520</span><span>收到咨询（件）</span>' in page.text
        export = client.get("/console/reports.xlsx?from=2026-07-01&to=2026-11-23")
        assert load_workbook(BytesIO(export.content))["概览"]["B6"].value == 520
