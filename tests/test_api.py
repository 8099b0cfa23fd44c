"""The JSON API and pages over real HTTP on a loopback port."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import httpx
import pytest

from knowledge.enums import Kind, Publication, Status
from knowledge.store.wiring import open_knowledge
from tests.conftest import LIFE_EVENTS, LiveServer
from tests.test_store import policy


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    url = f"sqlite:///{tmp_path_factory.mktemp('api') / 'api.db'}"
    kb = open_knowledge(url, LIFE_EVENTS)
    new = policy("new", title="示范区育儿补贴实施细则（2025年版）")
    kb.store.upsert(
        [
            new,
            policy(
                "old",
                title="示范区育儿补贴实施细则（2021年版）",
                status=Status.REPEALED,
                replaced_by="new",
            ),
            policy("draft", title="尚未发布的育儿补贴草案", publication=Publication.DRAFT),
            policy("i-1", kind=Kind.INTERPRETATION, title="一图读懂育儿补贴", interprets="new"),
            policy("xss", title="<script>alert('x')</script>育儿"),
        ],
        actor="seed",
    )
    kb.store.upsert([replace(new, summary="每孩每年3600元，按年申领")], actor="editor")
    kb.close()
    with LiveServer(url) as live:
        yield live


@pytest.fixture
def client(server: LiveServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=10) as http:
        yield http


def test_health(client: httpx.Client) -> None:
    body = client.get("/healthz").json()
    assert body["status"] == "ok" and body["records"] == 5 and body["kb_version"] >= 1


def test_list_searches_titles_and_hides_drafts(client: httpx.Client) -> None:
    page = client.get("/api/knowledge", params={"q": "育儿补贴"}).json()

    ids = {item["id"] for item in page["items"]}
    assert ids == {"new", "old", "i-1"}
    assert page["total"] == 3


def test_filters_validate_their_values(client: httpx.Client) -> None:
    response = client.get("/api/knowledge", params={"status": "作废"})
    assert response.status_code == 422
    assert "可选：现行有效、已修订、已废止、已失效" in response.json()["detail"]

    assert client.get("/api/knowledge", params={"limit": 0}).status_code == 422
    assert client.get("/api/knowledge", params={"life_event": "火星"}).status_code == 422
    repealed = client.get("/api/knowledge", params={"status": "已废止"}).json()
    assert [i["id"] for i in repealed["items"]] == ["old"]


def test_detail_has_history_and_interpretations(client: httpx.Client) -> None:
    detail = client.get("/api/knowledge/new").json()

    assert detail["version"] == 2
    assert [v["version"] for v in detail["history"]] == [2, 1]
    assert [i["id"] for i in detail["interpretations"]] == ["i-1"]
    old = client.get("/api/knowledge/new/versions/1").json()
    assert old["fields"]["summary"] == "每孩每年3600元"


def test_drafts_and_unknown_ids_are_not_found(client: httpx.Client) -> None:
    assert client.get("/api/knowledge/draft").status_code == 404
    missing = client.get("/api/knowledge/none")
    assert missing.status_code == 404 and "没有编号为 none 的记录" in missing.json()["detail"]


def test_pages_escape_html_and_point_to_replacements(client: httpx.Client) -> None:
    listing = client.get("/knowledge", params={"q": "育儿"}, headers={"accept": "text/html"})
    assert "&lt;script&gt;alert" in listing.text and "<script>alert" not in listing.text

    old = client.get("/knowledge/old", headers={"accept": "text/html"}).text
    assert "本文件已废止" in old and 'href="/knowledge/new"' in old

    missing = client.get("/knowledge/none", headers={"accept": "text/html"})
    assert missing.status_code == 404 and "没有找到" in missing.text


def test_a_very_long_query_is_answered(client: httpx.Client) -> None:
    response = client.get("/api/knowledge", params={"q": "补" * 5_000})
    assert response.status_code == 200 and response.json()["total"] == 0


def test_openapi_is_published(client: httpx.Client) -> None:
    spec = client.get("/openapi.json").json()
    assert "/api/knowledge" in spec["paths"]


def test_search_says_when_meaning_is_in(tmp_path: Path) -> None:
    # The real model on a five-record base: words answer at once, meaning joins within seconds.
    url = f"sqlite:///{tmp_path / 'meaning.db'}"
    kb = open_knowledge(url, LIFE_EVENTS)
    kb.store.upsert(
        [
            policy("allowance", title="生育津贴发放办法", summary="生育津贴按月平均工资计发"),
            policy("license", title="食品经营许可管理办法", summary="开餐馆要办食品经营许可证"),
        ],
        actor="seed",
    )
    kb.close()
    with (
        LiveServer(url, semantic_search=True) as live,
        httpx.Client(base_url=live.url, timeout=10) as http,
    ):
        deadline = time.monotonic() + 60
        body = http.get("/api/search", params={"q": "生孩子能领多少钱"}).json()
        while not body["by_meaning"] and time.monotonic() < deadline:
            time.sleep(0.2)
            body = http.get("/api/search", params={"q": "生孩子能领多少钱"}).json()

        assert body["by_meaning"]
        assert body["hits"][0]["id"] == "allowance"
        assert live.settings.vector_cache_path.exists()  # the next start embeds nothing
