"""The staff console in headless Chromium: a citizen asks for a person in the web chat, a staff
member claims the consultation, answers with a citation found in the knowledge base, and the
answer reaches the citizen's chat."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import Browser, Page, expect

from config.settings import PROJECT_ROOT
from tests.conftest import LiveServer, copy_of_demo
from tests.console_support import STAFF, create_staff, open_consultation, queue_parts
from tests.test_browser import PHONE, browser  # noqa: F401  (the shared Chromium fixture)
from tests.test_chat_browser import ask, click_and_wait

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 860}
DOCS = PROJECT_ROOT / "docs" / "screenshots"
CITED = "birth-policy-merge-maternity-medical"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, demo_database: str) -> Iterator[LiveServer]:
    url = copy_of_demo(demo_database, tmp_path_factory.mktemp("console-ui"))
    # A quick deliverer: the reply reaches the chat within a poll or two, not after seconds.
    with LiveServer(url, delivery_interval_seconds=0.2) as live:
        with queue_parts(live) as (kb, parts):
            create_staff(parts, {"lim": STAFF["lim"]})
            # Company in the queue, so its screenshot shows more than one row.
            open_consultation(kb, question="异地住院回来后，票据怎么报销？", user="citizen-a")
            open_consultation(kb, question="医保个人账户能给父母买药吗？", user="citizen-b")
        yield live


def screenshot(page: Page, artifacts: Path, name: str, *, full_page: bool = False) -> None:
    """Into test-artifacts/; with UPDATE_DOC_SCREENSHOTS=1 also a small palette copy into
    docs/screenshots/ (a test run must not rewrite tracked files)."""
    path = artifacts / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    if os.environ.get("UPDATE_DOC_SCREENSHOTS") != "1":
        return
    DOCS.mkdir(parents=True, exist_ok=True)
    with Image.open(path) as image:
        small = image.convert("RGB").quantize(colors=64)
        small.save(DOCS / f"{name}.png", optimize=True)


def test_a_citizen_gets_the_staff_reply_with_a_citation(
    browser: Browser,  # noqa: F811
    server: LiveServer,
    artifacts: Path,
) -> None:
    citizen = browser.new_context(viewport=PHONE, locale="zh-CN")
    staff = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    try:
        chat = citizen.new_page()
        chat.goto(server.url + "/")
        expect(chat.locator("li.msg.bot").first).to_contain_text("政策咨询助手")  # the greeting
        ask(chat, "生育津贴怎么申领")
        confirm = ask(chat, "转人工").get_by_role("button", name="1. 确认转人工")
        opened = click_and_wait(chat, confirm).locator(".consultation").inner_text()
        number = re.search(r"ZX\d{12}", opened)
        assert number, opened
        _answer_in_the_console(staff.new_page(), server, artifacts, number.group(0))

        staff_reply = chat.locator("li.msg.staff")
        expect(staff_reply).to_contain_text("国办发〔2019〕10号", timeout=15_000)
        expect(staff_reply).to_contain_text(number.group(0))
        expect(staff_reply).to_contain_text(f"/knowledge/{CITED}")
        staff_reply.scroll_into_view_if_needed()
        screenshot(chat, artifacts, "console-reply-in-chat")
    finally:
        staff.close()
        citizen.close()


def _answer_in_the_console(console: Page, server: LiveServer, artifacts: Path, number: str) -> None:
    console.goto(server.url + "/console")
    expect(console).to_have_url(re.compile(r"/console/login$"))
    expect(console.get_by_label("用户名")).to_be_focused()
    screenshot(console, artifacts, "console-login")
    # By keyboard alone: the name field has the focus, Tab to the password, Enter to log in.
    console.keyboard.type("lim")
    console.keyboard.press("Tab")
    console.keyboard.type(STAFF["lim"][3])
    console.keyboard.press("Enter")
    expect(console.get_by_role("heading", name="咨询队列")).to_be_visible()

    console.get_by_role("link", name=re.compile(r"^待认领 \d+$")).click()
    row = console.get_by_role("row").filter(has_text=number)
    expect(row).to_contain_text("生育津贴怎么申领")
    expect(row).to_contain_text("医疗保障局")
    screenshot(console, artifacts, "console-queue")
    row.get_by_role("link", name=number).click()

    expect(console.get_by_role("heading", name=re.compile(f"咨询 {number}"))).to_be_visible()
    expect(console.locator("ol.transcript")).to_contain_text("生育津贴怎么申领")
    console.get_by_role("button", name="认领").click()
    expect(console.locator("p.flash")).to_have_text("已认领")

    reply = console.get_by_label(re.compile("^答复内容"))
    reply.fill("您好，生育津贴由用人单位向参保地医保经办机构申领。依据：")
    search = console.get_by_label("检索政策库，把结果作为引用插入答复")
    search.fill("生育保险 合并实施")
    search.press("Enter")
    found = console.locator("#kb-results li").filter(has_text="合并实施的意见")
    expect(found).to_contain_text("国办发〔2019〕10号")
    found.get_by_role("button", name=re.compile("^插入引用")).click()
    expect(reply).to_be_focused()
    expect(reply).to_have_value(
        re.compile(
            r"依据：\n《国务院办公厅关于全面推进生育保险和职工基本医疗保险合并实施的意见》"
            rf"（国办发〔2019〕10号）详见 http://127\.0\.0\.1:\d+/knowledge/{CITED}$"
        )
    )
    console.get_by_role("button", name="发送答复").click()
    expect(console.locator("p.flash")).to_have_text("答复已保存，正在发送给群众")

    # The deliverer runs every 0.2 s in the server; the page shows the delivery once reloaded.
    for _ in range(20):
        if console.locator(".delivery.sent").count():
            break
        console.wait_for_timeout(250)
        console.reload()
    expect(console.locator(".delivery.sent")).to_contain_text("已送达")
    expect(console.locator("ol.events")).to_contain_text("答复已送达")
    screenshot(console, artifacts, "console-consultation", full_page=True)


def test_html_from_citizens_and_staff_is_shown_as_text(
    browser: Browser,  # noqa: F811
    server: LiveServer,
) -> None:
    with queue_parts(server) as (kb, _):
        number = open_consultation(kb, question="<img src=x onerror=alert(1)>报销？")
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    try:
        page = context.new_page()
        dialogs: list[str] = []
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        page.goto(f"{server.url}/console/c/{number}")
        page.get_by_label("用户名").fill("lim")
        page.get_by_label("密码").fill(STAFF["lim"][3])
        page.get_by_role("button", name="登录").click()

        expect(page.locator(".question-text")).to_have_text("<img src=x onerror=alert(1)>报销？")
        page.get_by_label(re.compile("^答复内容")).fill("<script>alert(2)</script>请见附件")
        page.get_by_role("button", name="发送答复").click()
        expect(page.locator("li.event.replied .event-text")).to_have_text(
            "<script>alert(2)</script>请见附件"
        )
        assert dialogs == [] and page.locator("main img").count() == 0
    finally:
        context.close()
