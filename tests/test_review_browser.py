"""Answer → knowledge in headless Chromium: a staff member turns a reply into an FAQ draft, three
reviewers log in one after another and approve it, and a citizen asking the web chat that
question then gets the new FAQ as the answer."""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from PIL import Image
from playwright.sync_api import Browser, Page, expect

from bot.queue_types import Role
from config.settings import PROJECT_ROOT
from tests.conftest import LiveServer
from tests.console_support import STAFF, create_staff, open_consultation, queue_parts
from tests.test_browser import PHONE, browser  # noqa: F401  (the shared Chromium fixture)
from tests.test_chat_browser import ask

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 900}
DOCS = PROJECT_ROOT / "docs" / "screenshots"
REVIEWERS = {
    f"rev{n}": (f"审核员{n}", "政务公开办", Role.REVIEWER, f"password-rev-{n}") for n in (1, 2, 3)
}
# The demo knowledge base has nothing on lending a medical insurance card: before publication the
# bot answers this with another record.
QUESTION = "医保卡借给别人用会有什么后果？"
ANSWER = (
    "将本人医保卡或医保电子凭证出借给他人使用，属于骗取医保基金的违法行为："
    "医保部门可暂停本人医疗费用联网结算3至12个月，责令退回基金损失；情节严重的依法追究责任。"
)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, demo_database: str) -> Iterator[LiveServer]:
    copy = tmp_path_factory.mktemp("review-ui") / "review.db"
    copy.write_bytes(Path(demo_database.removeprefix("sqlite:///")).read_bytes())
    with LiveServer(f"sqlite:///{copy}") as live:
        with queue_parts(live) as (_, parts):
            create_staff(parts, {"lim": STAFF["lim"]} | REVIEWERS)
        yield live


def screenshot(page: Page, artifacts: Path, name: str) -> None:
    """Into test-artifacts/; with UPDATE_DOC_SCREENSHOTS=1 also a small palette copy into
    docs/screenshots/ (a test run must not rewrite tracked files)."""
    path = artifacts / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    if os.environ.get("UPDATE_DOC_SCREENSHOTS") != "1":
        return
    DOCS.mkdir(parents=True, exist_ok=True)
    with Image.open(path) as image:
        image.convert("RGB").quantize(colors=64).save(DOCS / f"{name}.png", optimize=True)


def replied_consultation(server: LiveServer) -> str:
    """A consultation lim has answered (claiming and replying have their own browser test)."""
    with queue_parts(server) as (kb, parts):
        number = open_consultation(kb, question=QUESTION)
        lim = parts.staff.authenticate("lim", STAFF["lim"][3])
        parts.queue.claim(number, lim)
        parts.queue.reply(number, lim, ANSWER)
    return number


def log_in(page: Page, username: str, password: str) -> None:
    expect(page).to_have_url(re.compile(r"/console/login"))
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()


def test_a_reply_becomes_an_faq_that_the_bot_answers_with(
    browser: Browser,  # noqa: F811
    server: LiveServer,
    artifacts: Path,
) -> None:
    number = replied_consultation(server)
    citizen = browser.new_context(viewport=PHONE, locale="zh-CN")
    try:
        chat = citizen.new_page()
        chat.goto(server.url + "/")
        expect(chat.locator("li.msg.bot").first).to_contain_text("政策咨询助手")  # the greeting
        before = ask(chat, QUESTION).locator("article.card .card-title")
        expect(before).not_to_have_text(QUESTION)  # a draft under review is not public

        record_id = _draft(browser, server, artifacts, number)
        for level, name in enumerate(REVIEWERS, start=1):
            _approve(browser, server, artifacts, record_id, level, name)

        _wait_for_the_index(server, record_id)
        card = ask(chat, QUESTION).locator("article.card")
        expect(card.locator(".card-title")).to_have_text(QUESTION)
        expect(card).to_contain_text("暂停本人医疗费用联网结算3至12个月")
        chat.screenshot(path=str(artifacts / "review-faq-in-chat.png"), full_page=True)
    finally:
        citizen.close()


def _draft(chromium: Browser, server: LiveServer, artifacts: Path, number: str) -> str:
    context = chromium.new_context(viewport=DESKTOP, locale="zh-CN")
    try:
        page = context.new_page()
        page.goto(f"{server.url}/console/c/{number}/faq-draft")
        log_in(page, "lim", STAFF["lim"][3])

        expect(page.get_by_role("heading", name="把答复整理为常见问答")).to_be_visible()
        expect(page.get_by_label("问题（标准问法）")).to_have_value(QUESTION)
        expect(page.get_by_label("答案", exact=True)).to_have_value(ANSWER)
        expect(page.get_by_label("主管部门")).to_have_value("医疗保障局")
        expect(page.get_by_role("checkbox", name="医疗")).to_be_checked()
        page.get_by_label(re.compile("^其他问法")).fill(
            "医保卡能借给亲戚用吗\n把医保卡给别人看病违法吗"
        )
        page.get_by_label(re.compile("^关联政策编号")).fill("medical-policy-outpatient-mutual")
        screenshot(page, artifacts, "review-draft-form")
        page.get_by_role("button", name="提交审核").click()

        expect(page.locator("p.flash")).to_contain_text("等待第1级（初审）审核")
        expect(page.locator("h1")).to_contain_text("待审核")
        # The author may not review: the page offers no decision to them.
        expect(page.get_by_role("button", name="审核通过")).to_have_count(0)
        return page.url.rsplit("/", 1)[1]
    finally:
        context.close()


def _approve(
    chromium: Browser, server: LiveServer, artifacts: Path, record_id: str, level: int, name: str
) -> None:
    context = chromium.new_context(viewport=DESKTOP, locale="zh-CN")
    try:
        page = context.new_page()
        page.goto(f"{server.url}/console/reviews")
        log_in(page, name, REVIEWERS[name][3])

        expect(page.get_by_role("heading", name="问答审核")).to_be_visible()
        waiting = page.locator("#waiting tr").filter(has_text=QUESTION)
        expect(waiting).to_contain_text(f"已通过 {level - 1}/3")
        if level == 1:
            screenshot(page, artifacts, "review-queue")
        waiting.get_by_role("link").click()

        expect(page.get_by_role("heading", name=re.compile(f"第{level}级"))).to_be_visible()
        page.get_by_label(re.compile("^审核意见")).fill(f"第{level}级：内容准确，同意")
        page.get_by_role("button", name="审核通过").click()

        flash = page.locator("p.flash")
        if level < 3:
            expect(flash).to_contain_text(f"等待第{level + 1}级")
            return
        expect(flash).to_contain_text("终审通过，问答已发布")
        expect(page.locator("h1 .badge")).to_have_text("已发布")
        expect(page.locator("ul.versions li").first).to_contain_text(
            "审核通过并发布：第1级（初审） rev1；第2级（复审） rev2；第3级（终审） rev3"
        )
        screenshot(page, artifacts, "review-case")
        assert record_id in page.url
    finally:
        context.close()


def _wait_for_the_index(server: LiveServer, record_id: str) -> None:
    """The index reloads by itself when the KB version moves (watched every 0.2 s here)."""
    deadline = time.monotonic() + 20
    with httpx.Client(base_url=server.url, timeout=5) as client:
        while time.monotonic() < deadline:
            hits = client.get("/api/search", params={"q": QUESTION}).json()["hits"]
            if hits and hits[0]["id"] == record_id:
                return
            time.sleep(0.1)
    pytest.fail(f"the search index never picked up {record_id}")
