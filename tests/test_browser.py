"""The knowledge pages in headless Chromium (Debian's), on a phone-sized screen."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from tests.conftest import LiveServer

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail("Debian's chromium is missing: `make test` installs it")
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield instance
        instance.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport=PHONE, locale="zh-CN")
    tab = context.new_page()
    yield tab
    context.close()


def test_list_search_and_filter(page: Page, demo_server: LiveServer, artifacts: Path) -> None:
    page.goto(f"{demo_server.url}/knowledge")
    status = page.get_by_role("status")
    total = int(status.inner_text().removeprefix("共 ").split(" ")[0])
    assert total >= 150
    assert page.locator("li.record").count() == 20
    page.screenshot(path=str(artifacts / "knowledge-list-phone.png"), full_page=True)

    page.get_by_label("按标题或文号查找").fill("生育")
    page.keyboard.press("Enter")
    page.wait_for_url("**q=*")
    titles = page.locator("li.record a.title").all_inner_texts()
    assert titles and all("生育" in t for t in titles)

    page.get_by_label("按标题或文号查找").fill("")
    page.get_by_label("事项").select_option(label="税收税费")
    page.get_by_role("button", name="查找").click()
    page.wait_for_url("**life_event=ent_tax*")
    records = page.locator("li.record")
    assert records.count() >= 3
    for index in range(records.count()):
        assert "税收税费" in records.nth(index).locator(".events").inner_text()
    page.screenshot(path=str(artifacts / "knowledge-filter-tax.png"), full_page=True)


def test_repealed_policy_points_to_its_replacement(
    page: Page, demo_server: LiveServer, artifacts: Path
) -> None:
    repealed = httpx.get(f"{demo_server.url}/api/knowledge", params={"status": "已废止"}).json()
    assert repealed["total"] >= 1
    old_id = repealed["items"][0]["id"]
    replacement_id = httpx.get(f"{demo_server.url}/api/knowledge/{old_id}").json()["fields"][
        "replaced_by"
    ]
    replacement_title = httpx.get(f"{demo_server.url}/api/knowledge/{replacement_id}").json()[
        "title"
    ]

    page.goto(f"{demo_server.url}/knowledge/{old_id}")
    notice = page.get_by_role("note").filter(has_text="已废止")
    assert "不再作为办理依据" in notice.inner_text()
    page.screenshot(path=str(artifacts / "knowledge-repealed.png"), full_page=True)
    notice.get_by_role("link").click()
    page.wait_for_url(f"**/knowledge/{replacement_id}")
    assert page.locator("h1").inner_text() == replacement_title


def test_keyboard_reaches_the_search_box(page: Page, demo_server: LiveServer) -> None:
    page.goto(f"{demo_server.url}/knowledge")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "跳到正文"
    for _ in range(3):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "q":
            break
    assert page.evaluate("document.activeElement.id") == "q"
