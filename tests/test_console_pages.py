"""The console's HTML pages over real HTTP: log-in, redirects, CSRF on forms, refusals."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import closing

import httpx
import pytest

from knowledge.store.wiring import KnowledgeBase
from tests.conftest import LiveServer
from tests.console_support import STAFF, create_staff, log_in, open_consultation, queue_parts

HTML = {"Accept": "text/html"}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    database = tmp_path_factory.mktemp("console-pages") / "console.db"
    with LiveServer(f"sqlite:///{database}") as live:
        yield live


@pytest.fixture(scope="module")
def kb(server: LiveServer) -> Iterator[KnowledgeBase]:
    with queue_parts(server) as (knowledge, parts):
        create_staff(parts, STAFF)
        yield knowledge


@pytest.fixture(scope="module")
def lim(server: LiveServer, kb: KnowledgeBase) -> Iterator[httpx.Client]:
    client = log_in(server, "lim")
    client.headers.update(HTML)
    yield client
    client.close()


def form_token(page: httpx.Response) -> str:
    match = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert match, "the page has no form token"
    return match.group(1)


def test_pages_send_a_visitor_without_a_session_to_log_in(server: LiveServer) -> None:
    with httpx.Client(base_url=server.url, headers=HTML) as anonymous:
        queue = anonymous.get("/console")
        one = anonymous.get("/console/c/ZX261122000001")
        post = anonymous.post("/console/c/ZX261122000001/claim", data={"csrf": "x"})
        login = anonymous.get("/console/login")

    assert (queue.status_code, queue.headers["location"]) == (303, "/console/login")
    assert one.headers["location"] == "/console/login?next=%2Fconsole%2Fc%2FZX261122000001"
    assert (post.status_code, post.headers["location"]) == (303, "/console/login")
    assert login.status_code == 200
    assert '<label for="username">用户名</label>' in login.text
    assert '<label for="password">密码</label>' in login.text


def test_log_in_goes_to_the_page_asked_for_but_never_off_site(
    server: LiveServer, kb: KnowledgeBase
) -> None:
    form = {"username": "wang", "password": STAFF["wang"][3]}
    with httpx.Client(base_url=server.url) as client:
        inside = client.post("/console/login", data={**form, "next": "/console?queue=mine"})
        again = client.get("/console/login")
    with httpx.Client(base_url=server.url) as client:
        outside = client.post("/console/login", data={**form, "next": "//evil.example/x"})

    assert inside.headers["location"] == "/console?queue=mine"
    assert again.headers["location"] == "/console"  # already logged in
    assert outside.headers["location"] == "/console"


def test_a_log_in_posted_from_another_site_is_refused(
    server: LiveServer, kb: KnowledgeBase
) -> None:
    form = {"username": "wang", "password": STAFF["wang"][3]}
    answer = httpx.post(
        f"{server.url}/console/login", data=form, headers={"Sec-Fetch-Site": "cross-site", **HTML}
    )
    assert answer.status_code == 403 and "其他网站" in answer.text
    assert "pa_staff" not in answer.cookies


def test_the_queue_page_shows_tabs_with_counts_and_the_table(
    lim: httpx.Client, kb: KnowledgeBase
) -> None:
    number = open_consultation(kb, question="门诊费用<怎么>报销")

    page = lim.get("/console", params={"queue": "unassigned"})

    assert page.status_code == 200
    tabs = re.findall(
        r'<a href="/console\?queue=(\w+)"[^>]*>(\S+) <span class="count">(\d+)', page.text
    )
    assert [label for _, label, _ in tabs] == [
        "我的",
        "本部门",
        "待认领",
        "即将到期",
        "已超期",
        "全部",
    ]
    assert 'href="/console?queue=unassigned" aria-current="page"' in page.text
    assert f'<a href="/console/c/{number}">{number}</a>' in page.text
    assert "门诊费用&lt;怎么&gt;报销" in page.text
    for heading in ("编号", "问题", "部门", "状态", "办理人", "办理期限"):
        assert f'<th scope="col">{heading}</th>' in page.text
    assert lim.get("/console", params={"queue": "nope"}).status_code == 422


def test_another_departments_consultation_page_is_403(
    server: LiveServer, kb: KnowledgeBase
) -> None:
    number = open_consultation(kb)
    with closing(log_in(server, "zhao")) as zhao:
        page = zhao.get(f"/console/c/{number}", headers=HTML)
        missing = zhao.get("/console/c/ZX000000999999", headers=HTML)

    assert page.status_code == 403
    assert "无权访问" in page.text and f"咨询 {number} 属于医疗保障局，您无权查看" in page.text
    assert missing.status_code == 404 and "没有找到" in missing.text


def test_forms_need_the_csrf_token(lim: httpx.Client, kb: KnowledgeBase) -> None:
    number = open_consultation(kb)

    refused = lim.post(f"/console/c/{number}/claim", data={"csrf": "forged"})
    assert refused.status_code == 403 and "CSRF" in refused.text
    token = form_token(lim.get(f"/console/c/{number}"))
    claimed = lim.post(f"/console/c/{number}/claim", data={"csrf": token})

    assert (claimed.status_code, claimed.headers["location"]) == (303, f"/console/c/{number}")
    page = lim.get(f"/console/c/{number}")
    assert '<p class="flash" role="status">已认领</p>' in page.text
    assert "尚未认领" not in page.text and "lim" in page.text


def test_a_refused_reply_is_explained_and_the_draft_kept(
    lim: httpx.Client, kb: KnowledgeBase
) -> None:
    number = open_consultation(kb)
    token = form_token(lim.get(f"/console/c/{number}"))
    draft = "很长的答复<草稿>" * 3_000

    page = lim.post(f"/console/c/{number}/reply", data={"csrf": token, "text": draft})

    assert page.status_code == 422
    assert "答复过长（27000 字），最多 20000 字" in page.text
    assert "很长的答复&lt;草稿&gt;很长的答复" in page.text  # the textarea still holds it


def test_the_whole_life_of_a_consultation_through_the_forms(
    server: LiveServer, lim: httpx.Client, kb: KnowledgeBase
) -> None:
    number = open_consultation(kb)
    token = form_token(lim.get(f"/console/c/{number}"))

    def post(action: str, **fields: str) -> httpx.Response:
        return lim.post(f"/console/c/{number}/{action}", data={"csrf": token, **fields})

    assert post("note", text="已电话联系群众").status_code == 303
    assert post("reply", text="请到参保地医保窗口办理。").status_code == 303
    assert post("close").status_code == 303
    assert post("reopen").status_code == 303
    moved = post("transfer", department="税务局", reason="涉及个税")
    assert (moved.status_code, moved.headers["location"]) == (303, "/console")

    queue = lim.get("/console")
    assert f"咨询 {number} 已转至税务局" in queue.text
    with closing(log_in(server, "zhao")) as zhao:
        history = zhao.get(f"/console/c/{number}", headers=HTML).text
    labels = re.findall(r"<strong>(\S+)</strong>\s*<span class=\"actor\">", history)
    # The deliverer runs on its own clock: "答复已送达" may land anywhere after the reply.
    staff_actions = [label for label in labels if label != "答复已送达"]
    assert staff_actions == ["提交咨询", "内部备注", "答复", "关闭", "重新打开", "转办"]
    assert "从医疗保障局转至税务局" in history and "已电话联系群众" in history
    assert re.search(r'<li class="delivery (pending|sent)">', history)  # the reply's delivery


def test_log_out_needs_the_token_and_ends_the_session(
    server: LiveServer, kb: KnowledgeBase
) -> None:
    with closing(log_in(server, "wang")) as wang:
        wang.headers.update(HTML)
        token = form_token(wang.get("/console"))
        assert wang.post("/console/logout", data={"csrf": "forged"}).status_code == 403
        out = wang.post("/console/logout", data={"csrf": token})
        after = wang.get("/console")
        login = wang.get("/console/login")

    assert out.headers["location"] == "/console/login"
    assert after.headers["location"] == "/console/login"
    assert "您已安全退出" in login.text
