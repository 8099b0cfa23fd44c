"""The reports page in headless Chromium on the seeded data set: the picture in docs/reports.md."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from urllib.parse import quote

import pytest
from playwright.sync_api import Browser, expect

from bot.deadlines import CHINA
from bot.seed import SeedPlan, seed_consultations, seed_parts
from bot.store.seed_repository import SeedStore
from bot.wiring import open_conversations, open_queue
from knowledge.store.wiring import open_knowledge
from tests.conftest import LIFE_EVENTS, LiveServer, settings_for
from tests.test_browser import browser  # noqa: F401  (the shared Chromium fixture)

pytestmark = pytest.mark.browser
PASSWORD = "demo-password-1"
END = datetime(2026, 11, 22, 10, 0, tzinfo=CHINA)
PAGE = "/console/reports?from=2026-07-01&to=2026-11-23&quarter=2026Q3"


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The data set of docs/reports.md: `manage.py seed-consultations` with its defaults."""
    folder = tmp_path_factory.mktemp("reports")
    url = f"sqlite:///{folder / 'seeded.db'}"
    settings = settings_for(url, folder / "index")
    kb = open_knowledge(url, LIFE_EVENTS)
    try:
        queue = open_queue(settings, kb)
        parts = seed_parts(
            queue, open_conversations(kb, settings), SeedStore.on(kb.engine), kb.taxonomy
        )
        seed_consultations(parts, SeedPlan(end=END), PASSWORD)
    finally:
        kb.close()
    with LiveServer(url, folder / "index") as server:
        yield server


def test_the_report_page_draws_its_charts(
    browser: Browser,  # noqa: F811
    seeded: LiveServer,
    artifacts: Path,
) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.goto(f"{seeded.url}/console/login?next={quote(PAGE, safe='')}")
    page.get_by_label("用户名").fill("zxadmin")
    page.get_by_label("密码").fill(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url("**/console/reports?**")
    expect(page.get_by_role("heading", name="统计报表")).to_be_visible()
    expect(page.locator("figure.chart svg").first).to_be_visible()
    assert page.locator("figure.chart").count() == 6
    expect(page.get_by_role("img", name="按人生事件").first).to_be_visible()
    expect(page.locator(".tiles li").first).to_contain_text("600")
    expect(page.get_by_role("link", name="导出 Excel")).to_have_attribute(
        "href", "/console/reports.xlsx?from=2026-07-01&to=2026-11-23&quarter=2026Q3"
    )
    page.screenshot(path=str(artifacts / "reports.png"), full_page=True)
    context.close()
