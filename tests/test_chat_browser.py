"""The citizens' web chat in headless Chromium, on a phone-sized screen."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from bot.store.repository import ConversationStore
from knowledge.store.base import make_engine, make_session_factory
from tests.conftest import LiveServer, copy_of_demo
from tests.test_browser import PHONE, browser  # noqa: F401  (the shared Chromium fixture)

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, demo_database: str) -> Iterator[LiveServer]:
    url = copy_of_demo(demo_database, tmp_path_factory.mktemp("chat-ui"))
    with LiveServer(url) as live:
        yield live


@pytest.fixture
def chat(browser: Browser, server: LiveServer) -> Iterator[Page]:  # noqa: F811
    context = browser.new_context(viewport=PHONE, locale="zh-CN")
    page = context.new_page()
    page.goto(server.url + "/")
    expect(page.locator("li.msg.bot").first).to_contain_text("政策咨询助手")
    yield page
    context.close()


def ask(page: Page, text: str) -> Locator:
    """Type a question, send it with Enter, and wait for the reply to it."""
    replies = page.locator("li.msg.bot")
    before = replies.count()
    page.get_by_label("输入您的问题").fill(text)
    page.keyboard.press("Enter")
    expect(replies).to_have_count(before + 1)
    return replies.last


def click_and_wait(page: Page, button: Locator) -> Locator:
    """Click a choice and wait for the reply to it (not the message the button was in)."""
    replies = page.locator("li.msg.bot")
    before = replies.count()
    button.click()
    expect(replies).to_have_count(before + 1)
    return replies.last


def test_a_question_is_answered_with_a_card(chat: Page, artifacts: Path) -> None:
    card = ask(chat, "开一家奶茶店需要办哪些证").locator("article.card")
    expect(card).to_be_visible()
    expect(card.locator(".card-disclaimer")).to_have_text("以上内容仅供参考，以主管部门解释为准。")
    expect(chat.get_by_role("button", name="有用")).to_be_visible()
    chat.screenshot(path=str(artifacts / "chat-answer.png"), full_page=True)


def test_a_clarification_is_picked_with_a_button(chat: Page, artifacts: Path) -> None:
    options = ask(chat, "社保").locator(".choices.numbered button")
    expect(options.first).to_be_visible()
    assert 3 <= options.count() <= 5
    second = options.nth(1).inner_text().split(". ", 1)[1]
    chat.screenshot(path=str(artifacts / "chat-clarify.png"), full_page=True)

    answer = click_and_wait(chat, options.nth(1))

    expect(answer.locator("article.card .card-title")).to_have_text(second)


def test_browsing_a_life_event(chat: Page, artifacts: Path) -> None:
    events = click_and_wait(chat, chat.get_by_role("button", name="1. 个人办事"))
    listing = click_and_wait(chat, events.get_by_role("button", name="1. 出生"))
    records = listing.locator(".choices.numbered button")
    assert records.count() >= 3
    answer = click_and_wait(chat, records.first)

    expect(answer.locator("article.card")).to_be_visible()
    chat.screenshot(path=str(artifacts / "chat-browse.png"), full_page=True)


def test_escalation_returns_a_consultation_number(chat: Page, artifacts: Path) -> None:
    confirm = ask(chat, "转人工").get_by_role("button", name="1. 确认转人工")
    number = click_and_wait(chat, confirm).locator(".consultation")
    expect(number).to_contain_text("咨询编号：ZX")
    chat.screenshot(path=str(artifacts / "chat-escalation.png"), full_page=True)


def test_html_in_a_question_is_shown_not_run(chat: Page) -> None:
    dialogs: list[str] = []
    chat.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    ask(chat, "<img src=x onerror=alert(1)>社保怎么转移")

    expect(chat.locator("li.msg.user").last).to_have_text(
        "<img src=x onerror=alert(1)>社保怎么转移"
    )
    assert dialogs == [] and chat.locator("li.msg img").count() == 0


def test_a_staff_reply_appears_without_reloading(
    chat: Page, server: LiveServer, artifacts: Path
) -> None:
    session = next(c["value"] for c in chat.context.cookies() if c["name"] == "pa_chat")
    engine = make_engine(server.settings.database_url)
    ConversationStore(make_session_factory(engine)).post_notice(
        "web", session, "您好，生育津贴由单位向医保经办机构申领。", "ZX261122000042"
    )
    engine.dispose()

    staff = chat.locator("li.msg.staff")
    expect(staff).to_contain_text("生育津贴由单位向医保经办机构申领", timeout=10_000)
    expect(staff).to_contain_text("ZX261122000042")
    chat.screenshot(path=str(artifacts / "chat-staff-reply.png"), full_page=True)


def test_the_keyboard_reaches_the_question_box(chat: Page) -> None:
    chat.keyboard.press("Tab")
    assert chat.evaluate("document.activeElement.textContent") == "跳到提问框"
    chat.keyboard.press("Enter")
    chat.keyboard.press("Tab")
    focused = chat.evaluate("document.activeElement.id")
    assert focused in ("question", "send")
