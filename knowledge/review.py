"""Answer → knowledge: FAQ drafts written from staff replies, reviewed level by level, published.

The rules (the office's 三级审核 by default; the number of levels is a setting):
- a draft is an FAQ record in 待审核, written by a staff member from a consultation's reply;
- each level is decided by a reviewer or an admin who is neither the author nor anyone who
  approved an earlier level of the same version;
- a rejection sends the record back to 草稿 with the reviewer's comment; the author's edit makes a
  new version, and since decisions belong to a version the review starts again at level 1;
- when the last level approves, the record is published through `KnowledgeStore.set_publication`
  (which bumps the KB version the search indexes watch), with a version note naming who
  approved each level.
Every action writes the audit log through the ledger.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime

from config.taxonomy import Taxonomy
from knowledge.enums import Publication
from knowledge.errors import StoreError
from knowledge.queries import RecordQuery
from knowledge.record import RecordContent
from knowledge.review_drafts import (
    clean_comment,
    draft_content,
    draft_record_id,
    form_of,
    prefill,
)
from knowledge.review_types import (
    Actor,
    AuditEntry,
    Decision,
    DraftForm,
    DraftOrigin,
    ReplySource,
    Review,
    ReviewCase,
    ReviewConflictError,
    ReviewLedger,
    ReviewNotAllowedError,
    ReviewQueue,
    level_label,
)
from knowledge.store.repository import KnowledgeStore

Clock = Callable[[], datetime]
_OPEN = (Publication.PENDING_REVIEW, Publication.DRAFT)
_LISTED = 500  # drafts and pending records are few; more than this is an import to clean up


def _utcnow() -> datetime:
    return datetime.now(UTC)


class ReviewDesk:
    def __init__(
        self,
        knowledge: KnowledgeStore,
        ledger: ReviewLedger,
        taxonomy: Taxonomy,
        departments: Mapping[str, str],  # name -> hotline
        levels: int = 3,
        clock: Clock = _utcnow,
    ) -> None:
        if levels < 1:
            raise ValueError("review levels must be at least 1")
        self._knowledge = knowledge
        self._ledger = ledger
        self._taxonomy = taxonomy
        self._departments = dict(departments)
        self.levels = levels
        self._clock = clock

    @property
    def taxonomy(self) -> Taxonomy:
        return self._taxonomy

    @property
    def departments(self) -> list[str]:
        return list(self._departments)

    # -- drafting ------------------------------------------------------------------------------

    def prefill(self, source: ReplySource) -> DraftForm:
        return prefill(source, self._taxonomy, self._departments)

    def create_draft(self, source: ReplySource, form: DraftForm, author: Actor) -> ReviewCase:
        # Two drafts of one consultation in the same instant could pick the same id; the origin
        # row's key then refuses the second, which is enough for something that rare.
        record_id = draft_record_id(source.number, self._taken)
        content = self._content(record_id, form)
        self._knowledge.upsert(
            [content], actor=author.username, note=f"由咨询 {source.number} 的答复生成"
        )
        origin = DraftOrigin(
            record_id, source.number, author.username, form.policy_id.strip(), self._clock()
        )
        detail = {"consultation": source.number, "policy": origin.policy_id}
        self._ledger.add_origin(origin, AuditEntry(author.username, "faq_draft", record_id, detail))
        return self.case(record_id)

    def edit(self, record_id: str, form: DraftForm, actor: Actor) -> ReviewCase:
        """The author's new version, submitted for review again from level 1."""
        case = self.case(record_id)
        if actor.username != case.author:
            raise ReviewNotAllowedError("只有作者本人可以修改这条问答")
        if case.publication not in _OPEN:
            raise ReviewConflictError(f"该问答已{case.publication.label}，不能在审核流程中修改")
        content = self._content(record_id, form)
        was = case.publication
        note = "退回后修改，重新提交审核" if was is Publication.DRAFT else "修改后重新开始审核"
        policy = form.policy_id.strip()
        relinked = case.origin is not None and case.origin.policy_id != policy
        result = self._knowledge.upsert([content], actor=actor.username, note=note)
        if result.unchanged and not relinked:
            raise ReviewConflictError("内容没有变化，无需重新提交")
        detail = {"from": was.value, "version": str(self._knowledge.get(record_id).version)}
        if policy:
            detail["policy"] = policy
        entry = AuditEntry(actor.username, "faq_edit", record_id, detail)
        self._ledger.set_policy(record_id, policy, entry)
        return self.case(record_id)

    def form_of(self, case: ReviewCase) -> DraftForm:
        """The form for editing a draft: its current content and linked policy."""
        return form_of(case.record.content, case.origin.policy_id if case.origin else "")

    def _content(self, record_id: str, form: DraftForm) -> RecordContent:
        return draft_content(
            record_id,
            form,
            self._taxonomy,
            self._departments,
            lambda policy: bool(self._knowledge.existing_ids([policy])),
        )

    def _taken(self, record_id: str) -> bool:
        return bool(self._knowledge.existing_ids([record_id]))

    # -- reading -------------------------------------------------------------------------------

    def case(self, record_id: str, *, with_history: bool = False) -> ReviewCase:
        record = self._knowledge.get(record_id)  # RecordNotFoundError when there is none
        origin = self._ledger.origins([record_id]).get(record_id)
        reviews = self._ledger.reviews([record_id]).get(record_id, [])
        needed = with_history or origin is None
        history = tuple(self._knowledge.history(record_id)) if needed else ()
        # Imported 待审核 records have no origin: the first version's author wrote them.
        author = origin.author if origin else history[-1].changed_by
        return ReviewCase(
            record, author, origin, tuple(reviews), self.levels, history if with_history else ()
        )

    def queue(self, actor: Actor) -> ReviewQueue:
        page = self._knowledge.list(RecordQuery(publications=_OPEN, limit=_LISTED))
        ids = [r.id for r in page.items]
        origins = self._ledger.origins(ids)
        reviews = self._ledger.reviews(ids)
        cases = []
        for record in page.items:
            origin = origins.get(record.id)
            # Imported 待审核 records have no origin: the first version's author wrote them.
            author = origin.author if origin else self._knowledge.history(record.id)[-1].changed_by
            found = tuple(reviews.get(record.id, []))
            cases.append(ReviewCase(record, author, origin, found, self.levels))
        cases.sort(key=lambda c: c.record.updated_at)  # the longest waiting first
        pending = [c for c in cases if c.publication is Publication.PENDING_REVIEW]
        waiting = tuple(c for c in pending if c.refusal(actor) is None)
        others = tuple((c, reason) for c in pending if (reason := c.refusal(actor)) is not None)
        mine = tuple(c for c in cases if c.author == actor.username)
        return ReviewQueue(waiting, others if actor.may_review else (), mine)

    # -- deciding ------------------------------------------------------------------------------

    def approve(self, record_id: str, actor: Actor, comment: str = "") -> ReviewCase:
        comment = clean_comment(comment, required=False)
        case = self.case(record_id)
        if case.fully_approved and actor.may_review:
            return self._publish(case, actor)  # finish a publication that did not happen
        level = self._decide(case, actor, Decision.APPROVE, comment)
        if level < self.levels:
            return self.case(record_id)
        return self._publish(self.case(record_id), actor)

    def reject(self, record_id: str, actor: Actor, comment: str) -> ReviewCase:
        comment = clean_comment(comment, required=True)
        case = self.case(record_id)
        level = self._decide(case, actor, Decision.REJECT, comment)
        note = f"{level_label(level, self.levels)}审核退回（{actor.username}）：{comment}"
        self._set_publication(case, Publication.DRAFT, actor, note)
        return self.case(record_id)

    def _decide(self, case: ReviewCase, actor: Actor, decision: Decision, comment: str) -> int:
        reason = case.refusal(actor)
        if reason is not None:
            if actor.may_review and case.next_level is None:
                raise ReviewConflictError(reason)
            raise ReviewNotAllowedError(reason)
        level = case.next_level
        assert level is not None  # refusal() is None only when a level is open
        review = Review(
            case.id, case.record.version, level, actor.username, decision, comment, self._clock()
        )
        detail = {"level": str(level), "version": str(case.record.version)}
        if comment:
            detail["comment"] = comment
        self._ledger.decide(
            review, AuditEntry(actor.username, f"review_{decision}", case.id, detail)
        )
        return level

    def _publish(self, case: ReviewCase, actor: Actor) -> ReviewCase:
        approvers = "；".join(
            f"{level_label(r.level, self.levels)} {r.reviewer}"
            for r in sorted(case.approvals, key=lambda r: r.level)
        )
        note = f"审核通过并发布：{approvers}"
        kb_version = self._set_publication(case, Publication.PUBLISHED, actor, note)
        detail = {"version": str(case.record.version + 1), "kb_version": str(kb_version)}
        self._ledger.audit(AuditEntry(actor.username, "faq_publish", case.id, detail))
        return self.case(case.id)

    def _set_publication(
        self, case: ReviewCase, publication: Publication, actor: Actor, note: str
    ) -> int:
        try:
            return self._knowledge.set_publication(
                case.id,
                publication,
                actor=actor.username,
                note=note,
                expected_version=case.record.version,
            )
        except StoreError as exc:
            raise ReviewConflictError(
                "审核期间这条问答被修改了，本次决定只对旧版本有效；请刷新后审核新版本"
            ) from exc
