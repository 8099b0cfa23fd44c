"""The web chat's JSON API over real HTTP: sessions, replays, history, staff notices, limits."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from bot.store.repository import ConversationStore
from knowledge.store.base import make_engine, make_session_factory
from tests.conftest import LiveServer, copy_of_demo


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, demo_database: str) -> Iterator[LiveServer]:
    url = copy_of_demo(demo_database, tmp_path_factory.mktemp("chat"))
    with LiveServer(url) as live:
        yield live


@pytest.fixture
def browser_session(server: LiveServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=20) as client:
        yield client


def say(client: httpx.Client, **body: str) -> dict[str, object]:
    response = client.post("/api/chat/messages", json=body)
    assert response.status_code == 200, response.text
    data: dict[str, object] = response.json()
    return data


def test_a_session_cookie_is_issued_and_kept(browser_session: httpx.Client) -> None:
    first = browser_session.post("/api/chat/messages", json={"payload": "menu"})
    cookie = first.cookies.get("pa_chat")
    assert cookie and "httponly" in first.headers["set-cookie"].lower()

    second = browser_session.post("/api/chat/messages", json={"text": "社保"})
    assert "set-cookie" not in second.headers
    assert second.json()["action"] == "clarify"
    assert (
        browser_session.post("/api/chat/messages", json={"text": "1"}).json()["action"] == "answer"
    )


def test_a_resent_message_is_answered_once(browser_session: httpx.Client) -> None:
    say(browser_session, text="转人工", message_id="web-1")
    first = say(browser_session, text="1", message_id="web-2")
    again = say(browser_session, text="1", message_id="web-2")

    assert (
        first["consultation_number"]
        and again["consultation_number"] == first["consultation_number"]
    )
    assert again["extra"]["replayed"] == "1"  # type: ignore[index]


def test_an_answer_reads_the_same_live_and_after_a_reload(browser_session: httpx.Client) -> None:
    # The reply is encoded once for the response and once to be kept; both must say the same.
    response = browser_session.post("/api/chat/messages", json={"text": "生孩子有什么补贴"})
    live = response.json()
    kept = browser_session.get("/api/chat/history").json()["exchanges"][-1]["reply"]

    assert response.headers["content-type"] == "application/json"
    assert live["action"] == "answer" and live["parts"][0]["type"] == "card"
    assert live["parts"][0]["facts"] and live["records"][0]["life_events"]
    assert "message_row" in live.pop("extra") and kept.pop("extra") == {}
    assert live == kept


def test_history_survives_a_page_reload(browser_session: httpx.Client) -> None:
    say(browser_session, text="开一家奶茶店需要办哪些证")
    history = browser_session.get("/api/chat/history").json()

    assert history["exchanges"][-1]["user"] == "开一家奶茶店需要办哪些证"
    assert history["exchanges"][-1]["reply"]["action"] == "answer"


def test_staff_notices_reach_only_their_user(
    server: LiveServer, browser_session: httpx.Client
) -> None:
    say(browser_session, payload="menu")
    session = browser_session.cookies["pa_chat"]
    database = server.settings.database_url
    engine = make_engine(database)
    store = ConversationStore(make_session_factory(engine))
    notice = store.post_notice("web", session, "您好，您的问题已答复：……", "ZX261122000009")
    engine.dispose()

    mine = browser_session.get("/api/chat/updates", params={"after": notice - 1}).json()
    with httpx.Client(base_url=server.url) as stranger:
        stranger.post("/api/chat/messages", json={"payload": "menu"})
        theirs = stranger.get("/api/chat/updates", params={"after": 0}).json()

    assert [n["text"] for n in mine["notices"]] == ["您好，您的问题已答复：……"]
    assert theirs["notices"] == []


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"text": "社" * 10_000}, 200),
        ({"text": "社" * 10_001}, 422),
        ({"text": 5}, 422),
        ({"payload": "x" * 201}, 422),
    ],
)
def test_limits_and_malformed_bodies(
    browser_session: httpx.Client, body: dict[str, object], status: int
) -> None:
    assert browser_session.post("/api/chat/messages", json=body).status_code == status


def test_not_json_is_a_clear_error(browser_session: httpx.Client) -> None:
    response = browser_session.post(
        "/api/chat/messages", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert response.status_code == 422 and "请求参数不正确" in response.json()["detail"]


def test_a_forged_session_cookie_gets_a_new_session(server: LiveServer) -> None:
    with httpx.Client(base_url=server.url, cookies={"pa_chat": "<script>"}) as client:
        response = client.post("/api/chat/messages", json={"payload": "menu"})
    assert response.cookies.get("pa_chat") not in (None, "<script>")
