"""The staff JSON API over real HTTP: sessions, rights, claims, conflicts and bad input."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import httpx
import pytest

from knowledge.store.wiring import KnowledgeBase
from tests.conftest import LiveServer
from tests.console_support import (
    STAFF,
    create_staff,
    log_in,
    open_consultation,
    queue_parts,
)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    database = tmp_path_factory.mktemp("console-api") / "console.db"
    with LiveServer(f"sqlite:///{database}") as live:
        yield live


@pytest.fixture(scope="module")
def kb(server: LiveServer) -> Iterator[KnowledgeBase]:
    with queue_parts(server) as (knowledge, parts):
        create_staff(parts, STAFF)
        yield knowledge


@pytest.fixture(scope="module")
def clients(server: LiveServer, kb: KnowledgeBase) -> Iterator[dict[str, httpx.Client]]:
    logged_in = {name: log_in(server, name) for name in STAFF}
    yield logged_in
    for client in logged_in.values():
        client.close()


def api(number: str, action: str = "") -> str:
    return f"/api/consultations/{number}" + (f"/{action}" if action else "")


def test_without_a_staff_session_everything_is_401(server: LiveServer, kb: KnowledgeBase) -> None:
    number = open_consultation(kb)
    with httpx.Client(base_url=server.url) as anonymous:
        answers = [
            anonymous.get("/api/consultations"),
            anonymous.get(api(number)),
            anonymous.post(api(number, "claim"), headers={"X-CSRF-Token": "guess"}),
            anonymous.post(api(number, "reply"), json={"text": "你好"}),
            anonymous.get("/api/console/session"),
            anonymous.get("/console/kb-search", params={"q": "生育"}),
        ]
    assert [a.status_code for a in answers] == [401] * len(answers)
    assert answers[0].json()["detail"] == "请先以工作人员身份登录"


def test_list_get_claim_reply_and_close(
    clients: dict[str, httpx.Client], kb: KnowledgeBase
) -> None:
    lim = clients["lim"]
    number = open_consultation(kb, question="异地住院回来怎么报销？")

    unassigned = lim.get("/api/consultations", params={"queue": "unassigned"}).json()
    assert unassigned["queue"] == "unassigned"
    assert number in [c["number"] for c in unassigned["items"]]
    assert unassigned["counts"]["unassigned"] >= 1 and set(unassigned["counts"]) == {
        "mine", "department", "unassigned", "due_soon", "overdue", "all",
    }  # fmt: skip

    one = lim.get(api(number)).json()
    assert (one["status"], one["status_label"], one["department"]) == (
        "pending", "待受理", "医疗保障局",
    )  # fmt: skip
    assert one["transcript"][0]["text"] == "异地住院回来怎么报销？"
    assert one["candidates"][0]["id"] == "medical-faq-cross-province"
    assert one["due_at"] and one["urgency"] in ("on_time", "due_soon", "overdue")

    claimed = lim.post(api(number, "claim")).json()
    assert (claimed["status"], claimed["assignee"]) == ("in_progress", "lim")
    mine = lim.get("/api/consultations", params={"queue": "mine"}).json()["items"]
    assert number in [c["number"] for c in mine]

    replied = lim.post(
        api(number, "reply"), json={"text": "请持住院票据到参保地医保经办机构报销。"}
    )
    assert replied.status_code == 200
    body = replied.json()
    assert body["status"] == "answered"
    assert [e["kind"] for e in body["events"]] == ["created", "claimed", "replied"]
    assert body["events"][-1]["actor"] == "lim"
    assert [d["status"] for d in body["deliveries"]] == ["pending"]

    closed = lim.post(api(number, "close"))
    assert closed.status_code == 200 and closed.json()["status"] == "closed"


def test_a_transfer_moves_the_consultation_to_the_other_department(
    clients: dict[str, httpx.Client], kb: KnowledgeBase
) -> None:
    number = open_consultation(kb, question="个体户怎么申报个税？")
    moved = clients["lim"].post(
        api(number, "transfer"), json={"department": "税务局", "reason": "属于税收事项"}
    )
    assert moved.status_code == 200
    assert (moved.json()["department"], moved.json()["status"]) == ("税务局", "pending")
    transfer = moved.json()["events"][-1]
    assert transfer["kind"] == "transferred" and transfer["text"] == "属于税收事项"
    assert transfer["detail"] == {"from": "医疗保障局", "to": "税务局"}

    assert clients["lim"].get(api(number)).status_code == 403
    assert clients["zhao"].post(api(number, "claim")).json()["assignee"] == "zhao"


def test_another_departments_consultation_is_403(
    clients: dict[str, httpx.Client], kb: KnowledgeBase
) -> None:
    number = open_consultation(kb)
    zhao = clients["zhao"]

    for answer in (
        zhao.get(api(number)),
        zhao.post(api(number, "claim")),
        zhao.post(api(number, "reply"), json={"text": "你好"}),
        zhao.post(api(number, "close")),
    ):
        assert answer.status_code == 403
        assert "医疗保障局" in answer.json()["detail"]
    listed = zhao.get("/api/consultations", params={"queue": "all"}).json()["items"]
    assert number not in [c["number"] for c in listed]
    assert clients["chief"].get(api(number)).status_code == 200  # an admin sees every department
    assert clients["lim"].get(api(number)).json()["status"] == "pending"


def test_exactly_one_of_two_concurrent_claims_wins(
    clients: dict[str, httpx.Client], kb: KnowledgeBase
) -> None:
    number = open_consultation(kb)
    start = threading.Barrier(2)
    answers: dict[str, httpx.Response] = {}

    def claim(username: str) -> None:
        start.wait()
        answers[username] = clients[username].post(api(number, "claim"))

    threads = [threading.Thread(target=claim, args=(name,)) for name in ("lim", "wang")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    codes = sorted(answer.status_code for answer in answers.values())
    assert codes == [200, 409], {k: v.text for k, v in answers.items()}
    winner = next(name for name, answer in answers.items() if answer.status_code == 200)
    loser = next(answer for answer in answers.values() if answer.status_code == 409)
    assert winner in loser.json()["detail"]
    final = clients["lim"].get(api(number)).json()
    assert final["assignee"] == winner
    assert [e["kind"] for e in final["events"]].count("claimed") == 1


def test_replying_to_a_closed_consultation_is_409(
    clients: dict[str, httpx.Client], kb: KnowledgeBase
) -> None:
    number = open_consultation(kb)
    lim = clients["lim"]
    assert lim.post(api(number, "close")).status_code == 200

    answer = lim.post(api(number, "reply"), json={"text": "迟到的答复"})

    assert answer.status_code == 409
    detail = answer.json()["detail"]
    assert number in detail and "已关闭" in detail and "不能答复" in detail
    assert lim.post(api(number, "close")).status_code == 409
    assert lim.post(api(number, "reopen")).json()["status"] == "in_progress"


def test_a_100_kb_reply_is_refused_with_a_clear_message(
    clients: dict[str, httpx.Client], kb: KnowledgeBase
) -> None:
    number = open_consultation(kb)
    text = "医保报销说明" * 5_700  # 34,200 characters, about 100 KB in UTF-8
    assert len(text.encode("utf-8")) > 100_000

    answer = clients["lim"].post(api(number, "reply"), json={"text": text})

    assert answer.status_code == 422
    assert answer.json()["detail"] == "答复过长（34200 字），最多 20000 字"
    events = clients["lim"].get(api(number)).json()["events"]
    assert [e["kind"] for e in events] == ["created"]


def test_html_in_a_reply_is_kept_as_text_and_escaped_on_the_page(
    clients: dict[str, httpx.Client], kb: KnowledgeBase
) -> None:
    number = open_consultation(kb)
    text = '<script>alert("x")</script><b onmouseover="steal()">加粗</b>'
    lim = clients["lim"]

    stored = lim.post(api(number, "reply"), json={"text": text}).json()
    assert stored["events"][-1]["text"] == text

    page = lim.get(f"/console/c/{number}", headers={"Accept": "text/html"})
    assert page.status_code == 200
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page.text
    assert "<script>alert" not in page.text and "<b onmouseover" not in page.text


def test_a_transfer_to_an_unknown_department_names_the_valid_ones(
    clients: dict[str, httpx.Client], kb: KnowledgeBase
) -> None:
    number = open_consultation(kb)

    answer = clients["lim"].post(
        api(number, "transfer"), json={"department": "宇宙管理局", "reason": "试试"}
    )

    assert answer.status_code == 422
    detail = answer.json()["detail"]
    assert detail.startswith("没有“宇宙管理局”这个部门，可选：")
    assert "税务局" in detail and "医疗保障局" in detail
    assert clients["lim"].get(api(number)).json()["department"] == "医疗保障局"


def test_bad_input_is_422_in_chinese(clients: dict[str, httpx.Client], kb: KnowledgeBase) -> None:
    number = open_consultation(kb)
    lim = clients["lim"]

    unknown_queue = lim.get("/api/consultations", params={"queue": "urgent"})
    empty_reply = lim.post(api(number, "reply"), json={"text": "   "})
    missing_field = lim.post(api(number, "transfer"), json={"department": "税务局"})

    assert (
        unknown_queue.status_code == 422
        and "unassigned（待认领）" in unknown_queue.json()["detail"]
    )
    assert empty_reply.status_code == 422 and empty_reply.json()["detail"] == "答复不能为空"
    assert missing_field.status_code == 422 and "reason" in missing_field.json()["detail"]
    assert lim.get(api("ZX000000999999")).status_code == 404


def test_a_missing_or_wrong_csrf_token_is_403(
    server: LiveServer, clients: dict[str, httpx.Client], kb: KnowledgeBase
) -> None:
    number = open_consultation(kb)
    lim = clients["lim"]
    cookies = lim.cookies

    with httpx.Client(base_url=server.url, cookies=cookies) as no_header:
        missing = no_header.post(api(number, "claim"))
        wrong = no_header.post(api(number, "claim"), headers={"X-CSRF-Token": "forged"})

    assert (missing.status_code, wrong.status_code) == (403, 403)
    assert "CSRF" in missing.json()["detail"]
    assert lim.get(api(number)).json()["assignee"] == ""
