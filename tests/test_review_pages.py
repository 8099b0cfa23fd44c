"""The review pages over real HTTP: drafting from a reply, refusals, CSRF, escaping, the audit."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import closing

import httpx
import pytest
from sqlalchemy import select

from bot.queue_types import Role
from bot.store.models import AuditRow
from knowledge.enums import Kind, Publication
from knowledge.record import RecordContent
from knowledge.store.base import make_session_factory
from knowledge.store.wiring import KnowledgeBase
from tests.conftest import LiveServer
from tests.console_support import STAFF, create_staff, log_in, open_consultation, queue_parts

HTML = {"Accept": "text/html"}
REVIEWERS = {
    f"rev{n}": (f"审核员{n}", "政务公开办", Role.REVIEWER, f"password-rev-{n}") for n in (1, 2, 3)
}
POLICY = RecordContent(
    id="medical-policy-cross-province",
    kind=Kind.POLICY,
    title="跨省异地就医直接结算办法",
    body="参保人员跨省住院费用可直接结算。",
    department="医疗保障局",
)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    database = tmp_path_factory.mktemp("review-pages") / "review.db"
    with LiveServer(f"sqlite:///{database}") as live:
        yield live


@pytest.fixture(scope="module")
def kb(server: LiveServer) -> Iterator[KnowledgeBase]:
    with queue_parts(server) as (knowledge, parts):
        create_staff(parts, STAFF | REVIEWERS)
        knowledge.store.upsert([POLICY], actor="import")
        yield knowledge


@pytest.fixture(scope="module")
def lim(server: LiveServer, kb: KnowledgeBase) -> Iterator[httpx.Client]:
    client = log_in(server, "lim")
    client.headers.update(HTML)
    yield client
    client.close()


def reviewer(server: LiveServer, name: str) -> httpx.Client:
    client = log_in(server, name, REVIEWERS[name][3])
    client.headers.update(HTML)
    return client


def form_token(page: httpx.Response) -> str:
    match = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert match, "the page has no form token"
    return match.group(1)


def replied(lim: httpx.Client, kb: KnowledgeBase, answer: str) -> str:
    number = open_consultation(kb)
    token = form_token(lim.get(f"/console/c/{number}"))
    sent = lim.post(f"/console/c/{number}/reply", data={"csrf": token, "text": answer})
    assert sent.status_code == 303
    return number


def submit_draft(lim: httpx.Client, number: str, **changes: str) -> httpx.Response:
    page = lim.get(f"/console/c/{number}/faq-draft")
    assert page.status_code == 200
    fields = {
        "csrf": form_token(page),
        "question": "异地住院怎么报销？",
        "alt_questions": "在外地住院能直接结算吗\n跨省住院报销",
        "answer": "办理异地就医备案后，跨省住院费用可直接结算。",
        "life_events": "medical",
        "department": "医疗保障局",
        "audience": "individual",
        "policy_id": POLICY.id,
    }
    return lim.post(f"/console/c/{number}/faq-draft", data=fields | changes)


def test_the_draft_form_is_prefilled_from_the_reply(lim: httpx.Client, kb: KnowledgeBase) -> None:
    number = replied(lim, kb, "请先办理异地就医备案。")

    page = lim.get(f"/console/c/{number}/faq-draft")

    assert page.status_code == 200
    assert 'value="异地住院怎么报销？"' in page.text
    assert ">请先办理异地就医备案。</textarea>" in page.text
    assert '<option value="医疗保障局" selected>' in page.text
    assert 'value="medical" checked' in page.text
    assert "medical-faq-cross-province" in page.text  # the candidates the bot had shown


def test_no_draft_before_a_reply_and_none_from_another_department(
    server: LiveServer, lim: httpx.Client, kb: KnowledgeBase
) -> None:
    number = open_consultation(kb)

    early = lim.get(f"/console/c/{number}/faq-draft")
    with closing(log_in(server, "zhao")) as zhao:
        other = zhao.get(f"/console/c/{number}/faq-draft", headers=HTML)

    assert early.status_code == 409 and "还没有答复" in early.text
    assert other.status_code == 403 and "您无权查看" in other.text


def test_a_draft_needs_the_csrf_token(lim: httpx.Client, kb: KnowledgeBase) -> None:
    number = replied(lim, kb, "请先办理异地就医备案。")

    forged = submit_draft(lim, number, csrf="forged")

    assert forged.status_code == 403 and "CSRF" in forged.text


def test_an_invalid_draft_is_explained_and_kept(lim: httpx.Client, kb: KnowledgeBase) -> None:
    number = replied(lim, kb, "请先办理异地就医备案。")

    page = submit_draft(lim, number, department="", policy_id="no-such", answer="<b>保留</b>")

    assert page.status_code == 422
    assert "请选择主管部门" in page.text and "知识库中没有编号为“no-such”的政策" in page.text
    assert "&lt;b&gt;保留&lt;/b&gt;</textarea>" in page.text


def test_html_in_a_draft_is_shown_as_text(lim: httpx.Client, kb: KnowledgeBase) -> None:
    number = replied(lim, kb, "请先办理异地就医备案。")

    created = submit_draft(lim, number, answer="<script>alert(1)</script>备案后结算")
    page = lim.get(created.headers["location"])

    assert "&lt;script&gt;alert(1)&lt;/script&gt;备案后结算" in page.text
    assert "<script>alert(1)" not in page.text


def test_three_reviewers_publish_and_the_audit_log_has_each_step(
    server: LiveServer, lim: httpx.Client, kb: KnowledgeBase
) -> None:
    number = replied(lim, kb, "请先办理异地就医备案。")
    created = submit_draft(lim, number)
    assert created.status_code == 303
    path = created.headers["location"]
    record_id = path.rsplit("/", 1)[1]
    assert "等待第1级（初审）审核" in lim.get(path).text

    own = lim.post(f"{path}/approve", data={"csrf": form_token(lim.get(path))})
    assert own.status_code == 403 and "只有审核人员或管理员可以审核" in own.text
    for name in ("rev1", "rev2", "rev3"):
        with closing(reviewer(server, name)) as client:
            queue = client.get("/console/reviews")
            assert record_id in queue.text
            page = client.get(path)
            done = client.post(
                f"{path}/approve", data={"csrf": form_token(page), "comment": "同意"}
            )
            assert done.status_code == 303
            again = client.post(f"{path}/approve", data={"csrf": form_token(page)})
            assert again.status_code in (403, 409)

    published = lim.get(path).text
    assert "已发布" in published and "终审通过，问答已发布" not in published  # flash was rev3's
    assert kb.store.get(record_id).content.publication is Publication.PUBLISHED
    note = kb.store.history(record_id)[0].note
    assert note.endswith("第1级（初审） rev1；第2级（复审） rev2；第3级（终审） rev3")
    with make_session_factory(kb.engine)() as session:
        stmt = select(AuditRow.actor, AuditRow.action).where(AuditRow.target == record_id)
        actions = [tuple(row) for row in session.execute(stmt.order_by(AuditRow.pk))]
    assert actions == [
        ("lim", "faq_draft"),
        ("rev1", "review_approve"),
        ("rev2", "review_approve"),
        ("rev3", "review_approve"),
        ("rev3", "faq_publish"),
    ]


def test_a_rejection_reaches_the_author_who_edits_and_resubmits(
    server: LiveServer, lim: httpx.Client, kb: KnowledgeBase
) -> None:
    number = replied(lim, kb, "请先办理异地就医备案。")
    path = submit_draft(lim, number).headers["location"]
    with closing(reviewer(server, "rev1")) as rev1:
        token = form_token(rev1.get(path))
        empty = rev1.post(f"{path}/reject", data={"csrf": token, "comment": ""})
        assert empty.status_code == 422 and "退回时请写明理由" in empty.text
        rejected = rev1.post(f"{path}/reject", data={"csrf": token, "comment": "请写明备案渠道"})
        assert rejected.status_code == 303

    mine = lim.get("/console/reviews").text
    assert "已退回：请写明备案渠道" in mine
    form = lim.get(f"{path}/edit")
    assert "退回意见（rev1）：请写明备案渠道" in form.text
    fields = {
        "csrf": form_token(form),
        "question": "异地住院怎么报销？",
        "answer": "通过国家医保服务平台办理异地就医备案后，跨省住院费用可直接结算。",
        "life_events": "medical",
        "department": "医疗保障局",
        "audience": "individual",
    }
    saved = lim.post(f"{path}/edit", data=fields)
    assert saved.status_code == 303
    page = lim.get(path).text
    assert "重新从第1级（初审）开始审核" in page and "待审核" in page
    with closing(reviewer(server, "rev2")) as rev2:
        assert rev2.get(f"{path}/edit").status_code == 403
