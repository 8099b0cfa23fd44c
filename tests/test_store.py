"""The knowledge store on SQLite and PostgreSQL: upsert, history, KB version, listing, stats."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from knowledge.enums import Audience, Kind, Publication, Status
from knowledge.errors import RecordNotFoundError
from knowledge.queries import RecordQuery
from knowledge.record import RecordContent
from knowledge.store.wiring import KnowledgeBase


def policy(record_id: str = "p-1", **changes: object) -> RecordContent:
    base = RecordContent(
        id=record_id,
        kind=Kind.POLICY,
        title="关于实施育儿补贴制度的通知",
        body="3周岁以下婴幼儿每孩每年发放补贴3600元。",
        summary="每孩每年3600元",
        doc_number="示范府办〔2025〕1号",
        issuing_agency="示范区人民政府办公室",
        department="卫生健康委员会",
        hotline="12320",
        published_date=date(2025, 7, 28),
        life_events=("birth",),
        topics=("育儿补贴",),
        region="示范区",
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def test_upsert_creates_then_reports_unchanged(kb: KnowledgeBase) -> None:
    first = kb.store.upsert([policy()], actor="t")
    again = kb.store.upsert([policy()], actor="t")

    assert first.created == ["p-1"]
    assert again.unchanged == ["p-1"] and not again.created and not again.updated
    stored = kb.store.get("p-1")
    assert stored.content == policy()
    assert stored.version == 1


def test_editing_keeps_the_earlier_version_readable(kb: KnowledgeBase) -> None:
    kb.store.upsert([policy()], actor="alice", note="首次导入")
    edited = policy(body="3周岁以下婴幼儿每孩每年发放补贴3600元，按年申领。")
    result = kb.store.upsert([edited], actor="bob", note="补充申领方式")

    assert result.updated == ["p-1"]
    history = kb.store.history("p-1")
    assert [v.version for v in history] == [2, 1]
    assert history[1].content.body == policy().body
    assert history[0].content.body == edited.body
    assert (history[0].changed_by, history[0].note) == ("bob", "补充申领方式")
    assert kb.store.get("p-1").version == 2


def test_kb_version_moves_only_when_published_content_changes(kb: KnowledgeBase) -> None:
    start = kb.store.kb_version()
    kb.store.upsert([policy("draft-1", publication=Publication.DRAFT)], actor="t")
    assert kb.store.kb_version() == start  # a draft is invisible to search

    kb.store.upsert([policy()], actor="t")
    after_publish = kb.store.kb_version()
    assert after_publish == start + 1

    kb.store.upsert([policy()], actor="t")  # unchanged
    assert kb.store.kb_version() == after_publish

    kb.store.set_publication("p-1", Publication.OFFLINE, actor="t")
    assert kb.store.kb_version() == after_publish + 1
    assert kb.store.get("p-1").content.publication is Publication.OFFLINE
    assert kb.store.history("p-1")[0].note == "发布状态改为已下线"


def test_dry_run_writes_nothing(kb: KnowledgeBase) -> None:
    result = kb.store.upsert([policy()], actor="t", dry_run=True)

    assert result.created == ["p-1"]
    assert kb.store.count() == 0
    assert kb.store.kb_version() == 0


def test_life_events_are_replaced_in_order(kb: KnowledgeBase) -> None:
    kb.store.upsert([policy(life_events=("birth", "medical"))], actor="t")
    kb.store.upsert([policy(life_events=("medical", "social_insurance"))], actor="t")

    assert kb.store.get("p-1").content.life_events == ("medical", "social_insurance")
    birth = kb.store.list(RecordQuery(life_event="birth"))
    assert birth.total == 0


def test_listing_filters_and_counts(kb: KnowledgeBase) -> None:
    records = [
        policy("a"),
        policy(
            "b", title="小微企业所得税优惠", audience=Audience.ENTERPRISE, life_events=("ent_tax",)
        ),
        policy("c", title="旧版育儿补贴办法", status=Status.REPEALED, replaced_by="a"),
        policy(
            "d", title="创业补贴（草稿）", publication=Publication.DRAFT, life_events=("startup",)
        ),
        policy("e", title="两类对象都适用", audience=Audience.BOTH, life_events=("startup",)),
    ]
    kb.store.upsert(records, actor="t")

    def ids(**filters: object) -> list[str]:
        page = kb.store.list(RecordQuery(**filters))  # type: ignore[arg-type]
        return sorted(r.id for r in page.items)

    assert ids(text="育儿补贴") == ["a", "c"]
    assert ids(text="示范府办〔2025〕1号", statuses=(Status.REPEALED,)) == ["c"]
    assert ids(audience=Audience.ENTERPRISE) == ["b", "e"]  # 个人和企业 counts for both
    assert ids(life_event="startup", publications=(Publication.PUBLISHED,)) == ["e"]
    assert ids(text="100%_") == []  # LIKE wildcards are literal
    page = kb.store.list(RecordQuery(limit=2, offset=2))
    assert (page.total, len(page.items)) == (5, 2)


def test_stats_by_kind_status_event_audience(kb: KnowledgeBase) -> None:
    kb.store.upsert(
        [
            policy("a"),
            policy("b", kind=Kind.FAQ, audience=Audience.ENTERPRISE, life_events=("ent_tax",)),
            policy("c", status=Status.EXPIRED, life_events=("birth", "medical")),
        ],
        actor="t",
    )
    stats = kb.store.stats()

    assert stats.total == 3
    assert stats.by_kind == {"policy": 2, "faq": 1}
    assert stats.by_status == {"in_force": 2, "expired": 1}
    assert stats.by_life_event == {"birth": 2, "medical": 1, "ent_tax": 1}
    assert stats.by_audience == {"individual": 2, "enterprise": 1}


def test_iter_contents_streams_everything_in_id_order(kb: KnowledgeBase) -> None:
    kb.store.upsert([policy(f"r-{n:03d}") for n in range(25)], actor="t")

    ids = [c.id for c in kb.store.iter_contents(batch=7)]

    assert ids == [f"r-{n:03d}" for n in range(25)]


def test_unknown_record_is_a_clear_error(kb: KnowledgeBase) -> None:
    with pytest.raises(RecordNotFoundError, match="没有编号为 nope 的记录"):
        kb.store.get("nope")


def test_interpretations_are_found_from_their_policy(kb: KnowledgeBase) -> None:
    reading = policy("i-1", kind=Kind.INTERPRETATION, interprets="p-1", title="图解育儿补贴")
    kb.store.upsert([policy(), reading], actor="t")

    assert [r.id for r in kb.store.interpretations_of("p-1")] == ["i-1"]
