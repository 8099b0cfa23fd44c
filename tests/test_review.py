"""FAQ review on SQLite and PostgreSQL: drafts from replies, three levels, rejection, edits,
publication with the approvers in the history, the KB version, and the audit log."""

from __future__ import annotations

import json
import threading
import uuid
from dataclasses import replace
from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.store.models import AuditRow
from knowledge.enums import Kind, Publication
from knowledge.errors import StoreError
from knowledge.record import RecordContent
from knowledge.review import ReviewDesk
from knowledge.review_types import (
    Actor,
    AuditEntry,
    Decision,
    DraftForm,
    DraftInvalidError,
    ReplySource,
    Review,
    ReviewConflictError,
    ReviewNotAllowedError,
)
from knowledge.store.base import make_session_factory
from knowledge.store.review_repository import ReviewRepository, open_reviews
from knowledge.store.wiring import KnowledgeBase

DEPARTMENTS = {"卫生健康委员会": "12320", "医疗保障局": "12393"}
AUTHOR = Actor("wang.staff", may_review=False)
R1, R2, R3 = (Actor(f"reviewer{i}", may_review=True) for i in (1, 2, 3))
ADMIN = Actor("admin", may_review=True)
POLICY = RecordContent(
    id="policy-birth-allowance",
    kind=Kind.POLICY,
    title="生育津贴申领办法",
    body="职工生育津贴由用人单位向医保经办机构申领。",
    department="医疗保障局",
    published_date=date(2025, 3, 1),
    life_events=("birth",),
)


def write_audit(session: Session, entry: AuditEntry) -> None:
    """What the console passes in: an entry in the shared audit log, in the same transaction."""
    session.add(
        AuditRow(
            actor=entry.actor,
            action=entry.action,
            target=entry.target,
            detail=json.dumps(entry.detail, ensure_ascii=False),
        )
    )


@pytest.fixture
def desk(kb: KnowledgeBase) -> ReviewDesk:
    kb.store.upsert([POLICY], actor="import")
    return open_reviews(kb, DEPARTMENTS, levels=3, audit=write_audit)


def source() -> ReplySource:
    # A fresh number per test: the audit log is not emptied between PostgreSQL tests.
    return ReplySource(
        number=f"ZX{uuid.uuid4().hex[:12].upper()}",
        question="生育津贴怎么领？",
        answer="生育津贴由您所在单位向医保经办机构申领，发放到单位后再转给您。",
        audience="individual",
        life_event="birth",
        department="医疗保障局",
        candidates=(("policy-birth-allowance", "生育津贴申领办法"),),
    )


def draft(desk: ReviewDesk, **changes: object) -> str:
    reply = source()
    form = replace(
        desk.prefill(reply),
        alt_questions=("生育津贴在哪里申请", "产假工资怎么发"),
        policy_id=POLICY.id,
    )
    return desk.create_draft(reply, replace(form, **changes), AUTHOR).id  # type: ignore[arg-type]


def audit_actions(kb: KnowledgeBase, record_id: str) -> list[tuple[str, str]]:
    with make_session_factory(kb.engine)() as session:
        stmt = select(AuditRow).where(AuditRow.target == record_id).order_by(AuditRow.pk)
        return [(row.actor, row.action) for row in session.scalars(stmt)]


def test_a_reply_prefills_the_draft_form(desk: ReviewDesk) -> None:
    form = desk.prefill(source())

    assert form.question == "生育津贴怎么领？"
    assert form.answer.startswith("生育津贴由您所在单位")
    assert (form.life_events, form.department, form.audience) == (
        ("birth",),
        "医疗保障局",
        "individual",
    )


def test_a_draft_waits_for_review_and_is_not_searchable(
    desk: ReviewDesk, kb: KnowledgeBase
) -> None:
    before = kb.store.kb_version()
    record_id = draft(desk)

    case = desk.case(record_id)
    content = case.record.content
    assert record_id.startswith("faq-zx")
    assert (content.kind, content.publication) == (Kind.FAQ, Publication.PENDING_REVIEW)
    assert content.alt_questions == ("生育津贴在哪里申请", "产假工资怎么发")
    assert (content.department, content.hotline) == ("医疗保障局", "12393")
    assert case.origin is not None and case.origin.policy_id == POLICY.id
    assert (case.author, case.next_level) == (AUTHOR.username, 1)
    assert kb.store.kb_version() == before


def test_three_levels_publish_and_the_history_names_the_approvers(
    desk: ReviewDesk, kb: KnowledgeBase
) -> None:
    record_id = draft(desk)
    before = kb.store.kb_version()

    desk.approve(record_id, R1, "内容准确")
    desk.approve(record_id, R2)
    assert desk.case(record_id).next_level == 3
    assert kb.store.kb_version() == before  # nothing public changed yet
    case = desk.approve(record_id, R3, "同意发布")

    assert case.publication is Publication.PUBLISHED
    assert kb.store.kb_version() == before + 1  # the search indexes reload on this
    newest = kb.store.history(record_id)[0]
    assert newest.publication is Publication.PUBLISHED
    assert newest.note == (
        "审核通过并发布：第1级（初审） reviewer1；第2级（复审） reviewer2；第3级（终审） reviewer3"
    )
    levels = [(r.level, r.reviewer, r.decision) for r in case.reviews]
    assert levels == [(n, f"reviewer{n}", Decision.APPROVE) for n in (1, 2, 3)]
    assert audit_actions(kb, record_id) == [
        ("wang.staff", "faq_draft"),
        ("reviewer1", "review_approve"),
        ("reviewer2", "review_approve"),
        ("reviewer3", "review_approve"),
        ("reviewer3", "faq_publish"),
    ]


def test_the_same_reviewer_cannot_decide_two_levels(desk: ReviewDesk) -> None:
    record_id = draft(desk)
    desk.approve(record_id, R1)

    with pytest.raises(ReviewNotAllowedError, match="每一级须由不同的审核人员"):
        desk.approve(record_id, R1)
    with pytest.raises(ReviewNotAllowedError):
        desk.reject(record_id, R1, "再看看")
    assert desk.case(record_id).next_level == 2


def test_the_author_cannot_review_their_own_draft(kb: KnowledgeBase) -> None:
    kb.store.upsert([POLICY], actor="import")
    desk = open_reviews(kb, DEPARTMENTS, levels=3, audit=write_audit)
    reply = source()
    reviewer_author = Actor("li.reviewer", may_review=True)
    record_id = desk.create_draft(reply, desk.prefill(reply), reviewer_author).id

    with pytest.raises(ReviewNotAllowedError, match="不能审核自己撰写的问答"):
        desk.approve(record_id, reviewer_author)


def test_the_staff_role_may_not_review(desk: ReviewDesk) -> None:
    record_id = draft(desk)

    with pytest.raises(ReviewNotAllowedError, match="只有审核人员或管理员"):
        desk.approve(record_id, Actor("zhao.staff", may_review=False))
    assert desk.case(record_id).approvals == ()


def test_a_rejection_sends_the_draft_back_with_the_comment(
    desk: ReviewDesk, kb: KnowledgeBase
) -> None:
    record_id = draft(desk)
    desk.approve(record_id, R1)
    before = kb.store.kb_version()

    with pytest.raises(DraftInvalidError, match="退回时请写明理由"):
        desk.reject(record_id, R2, "  ")
    case = desk.reject(record_id, R2, "请补充申领时限")

    assert case.publication is Publication.DRAFT
    assert case.next_level is None
    assert case.last_rejection is not None
    assert (case.last_rejection.level, case.last_rejection.comment) == (2, "请补充申领时限")
    assert (
        kb.store.history(record_id)[0].note == "第2级（复审）审核退回（reviewer2）：请补充申领时限"
    )
    assert kb.store.kb_version() == before
    with pytest.raises(ReviewConflictError, match="不在待审核状态"):
        desk.approve(record_id, R3)
    assert audit_actions(kb, record_id)[-1] == ("reviewer2", "review_reject")


def test_the_authors_edit_restarts_the_review(desk: ReviewDesk, kb: KnowledgeBase) -> None:
    record_id = draft(desk)
    desk.approve(record_id, R1)
    desk.approve(record_id, R2)
    version = desk.case(record_id).record.version

    form = replace(desk.prefill(source()), answer="生育津贴由单位申领；单位未参保的，由个人申领。")
    case = desk.edit(record_id, form, AUTHOR)

    assert case.record.version == version + 1
    assert (case.publication, case.approvals, case.next_level) == (
        Publication.PENDING_REVIEW,
        (),
        1,
    )
    assert len(case.reviews) == 2  # the earlier version's decisions stay on record
    desk.approve(record_id, R2)  # a new version: who approved before may start again
    assert desk.case(record_id).next_level == 2
    assert ("wang.staff", "faq_edit") in audit_actions(kb, record_id)


def test_after_a_rejection_the_edit_resubmits_from_level_one(desk: ReviewDesk) -> None:
    record_id = draft(desk)
    desk.reject(record_id, R1, "答案太笼统")

    form = replace(desk.prefill(source()), answer="由单位在产假结束后向医保经办机构申领。")
    case = desk.edit(record_id, form, AUTHOR)

    assert (case.publication, case.next_level) == (Publication.PENDING_REVIEW, 1)
    assert desk.case(record_id).last_rejection is not None


def test_only_the_author_edits_and_only_before_publication(desk: ReviewDesk) -> None:
    record_id = draft(desk)
    form = replace(desk.prefill(source()), answer="另一种说法")

    with pytest.raises(ReviewNotAllowedError, match="只有作者本人"):
        desk.edit(record_id, form, R1)
    same = desk.form_of(desk.case(record_id))
    with pytest.raises(ReviewConflictError, match="内容没有变化"):
        desk.edit(record_id, same, AUTHOR)
    for reviewer in (R1, R2, R3):
        desk.approve(record_id, reviewer)
    with pytest.raises(ReviewConflictError, match="已发布"):
        desk.edit(record_id, form, AUTHOR)


def test_an_invalid_form_reports_every_problem(desk: ReviewDesk, kb: KnowledgeBase) -> None:
    reply = source()
    form = DraftForm(
        question="",
        answer="答" * 20_001,
        life_events=("no-such-event",),
        department="不存在的局",
        policy_id="no-such-policy",
    )

    with pytest.raises(DraftInvalidError) as caught:
        desk.create_draft(reply, form, AUTHOR)

    problems = "\n".join(caught.value.problems)
    for expected in ("答案过长", "主管部门", "no-such-policy", "人生事件", "问题：必填"):
        assert expected in problems
    assert not kb.store.existing_ids([f"faq-{reply.number.lower()}"])


def test_two_drafts_from_one_consultation_get_distinct_ids(desk: ReviewDesk) -> None:
    reply = source()
    first = desk.create_draft(reply, desk.prefill(reply), AUTHOR).id
    second = desk.create_draft(reply, desk.prefill(reply), AUTHOR).id

    assert second == f"{first}-2"


def test_the_queue_shows_each_reviewer_what_they_may_decide(desk: ReviewDesk) -> None:
    record_id = draft(desk)
    desk.approve(record_id, R1)

    assert [c.id for c in desk.queue(R2).waiting] == [record_id]
    assert desk.queue(R2).by_level == {2: 1}
    mine = desk.queue(R1)
    assert mine.waiting == ()
    assert [(c.id, "第1级" in why) for c, why in mine.others] == [(record_id, True)]
    author = desk.queue(AUTHOR)
    assert (author.waiting, author.others) == ((), ())
    assert [c.id for c in author.mine] == [record_id]


def test_one_level_of_a_version_is_recorded_once(desk: ReviewDesk, kb: KnowledgeBase) -> None:
    # Two reviewers who loaded the page together both try level 1: the database keeps one.
    record_id = draft(desk)
    version = desk.case(record_id).record.version
    ledger = ReviewRepository(make_session_factory(kb.engine), write_audit)

    def decision(reviewer: str) -> Review:
        at = desk.case(record_id).record.updated_at
        return Review(record_id, version, 1, reviewer, Decision.APPROVE, "", at)

    ledger.decide(decision("reviewer1"), AuditEntry("reviewer1", "review_approve", record_id))
    with pytest.raises(ReviewConflictError, match="第1级已由其他审核人员处理"):
        ledger.decide(decision("reviewer2"), AuditEntry("reviewer2", "review_approve", record_id))
    assert [r.reviewer for r in desk.case(record_id).approvals] == ["reviewer1"]
    assert audit_actions(kb, record_id).count(("reviewer2", "review_approve")) == 0


def test_two_reviewers_deciding_one_level_at_once_leave_one_decision(
    desk: ReviewDesk, kb: KnowledgeBase
) -> None:
    # Two connections at the same moment: the row lock and the unique key let exactly one win.
    record_id = draft(desk)
    record = desk.case(record_id).record
    ledger = ReviewRepository(make_session_factory(kb.engine), write_audit)
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def decide(reviewer: str) -> None:
        review = Review(
            record_id, record.version, 1, reviewer, Decision.APPROVE, "", record.updated_at
        )
        start.wait()
        try:
            ledger.decide(review, AuditEntry(reviewer, "review_approve", record_id))
            outcomes.append("recorded")
        except ReviewConflictError:
            outcomes.append("conflict")

    threads = [threading.Thread(target=decide, args=(name,)) for name in ("reviewer1", "reviewer2")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes) == ["conflict", "recorded"]
    assert len(desk.case(record_id).approvals) == 1
    approvals = [a for a in audit_actions(kb, record_id) if a[1] == "review_approve"]
    assert len(approvals) == 1  # the loser's audit entry was rolled back with its decision


def test_a_decision_on_a_superseded_version_is_refused(desk: ReviewDesk, kb: KnowledgeBase) -> None:
    # A reviewer still looking at the old version while the author saved a new one.
    record_id = draft(desk)
    stale = desk.case(record_id).record
    desk.edit(record_id, replace(desk.prefill(source()), answer="新的答案"), AUTHOR)
    ledger = ReviewRepository(make_session_factory(kb.engine), write_audit)

    review = Review(
        record_id, stale.version, 1, "reviewer1", Decision.APPROVE, "", stale.updated_at
    )
    with pytest.raises(ReviewConflictError, match="刚刚被修改"):
        ledger.decide(review, AuditEntry("reviewer1", "review_approve", record_id))
    with pytest.raises(StoreError, match="已被修改"):
        kb.store.set_publication(
            record_id, Publication.PUBLISHED, actor="reviewer1", expected_version=stale.version
        )
    assert desk.case(record_id).publication is Publication.PENDING_REVIEW


def test_the_number_of_levels_is_a_setting(kb: KnowledgeBase) -> None:
    kb.store.upsert([POLICY], actor="import")
    desk = open_reviews(kb, DEPARTMENTS, levels=1, audit=write_audit)
    reply = source()
    record_id = desk.create_draft(reply, desk.prefill(reply), AUTHOR).id

    case = desk.approve(record_id, ADMIN)

    assert case.publication is Publication.PUBLISHED
    assert kb.store.history(record_id)[0].note == "审核通过并发布：第1级 admin"
