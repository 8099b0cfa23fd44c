"""The vocabulary of FAQ review: drafts, decisions, the case of one record, and the errors.

Plain values only (no SQLAlchemy, nothing from `bot`): whoever calls passes the staff member as an
`Actor` and the consultation as a `ReplySource`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from knowledge.enums import Publication
from knowledge.errors import KnowledgeError
from knowledge.queries import RecordVersion, StoredRecord

# The office's 三级审核 names its levels; other numbers of levels are simply numbered.
_THREE_LEVELS = ("初审", "复审", "终审")


def level_label(level: int, levels: int) -> str:
    if levels == len(_THREE_LEVELS):
        return f"第{level}级（{_THREE_LEVELS[level - 1]}）"
    return f"第{level}级"


class Decision(StrEnum):
    APPROVE = "approve"
    REJECT = "reject"

    @property
    def label(self) -> str:
        return "通过" if self is Decision.APPROVE else "退回"


@dataclass(frozen=True)
class Actor:
    """The staff member acting. `may_review` is true for the reviewer and admin roles."""

    username: str
    may_review: bool


@dataclass(frozen=True)
class ReplySource:
    """The consultation an FAQ is drafted from, as plain values."""

    number: str
    question: str
    answer: str  # the last staff reply
    audience: str
    life_event: str
    department: str
    candidates: tuple[tuple[str, str], ...] = ()  # (record id, title) the bot had shown


@dataclass(frozen=True)
class DraftForm:
    """What staff fill in for an FAQ: the fields of the draft form, still unchecked."""

    question: str
    answer: str
    alt_questions: tuple[str, ...] = ()
    life_events: tuple[str, ...] = ()  # taxonomy codes
    department: str = ""
    audience: str = "individual"
    policy_id: str = ""  # the policy the answer rests on, if any


@dataclass(frozen=True)
class DraftOrigin:
    record_id: str
    consultation_number: str
    author: str
    policy_id: str
    created_at: datetime


@dataclass(frozen=True)
class Review:
    record_id: str
    record_version: int
    level: int
    reviewer: str
    decision: Decision
    comment: str
    at: datetime


@dataclass(frozen=True)
class AuditEntry:
    actor: str
    action: str  # faq_draft / faq_edit / review_approve / review_reject / faq_publish
    target: str  # the record id
    detail: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ReviewCase:
    """One record under review: its current version, who wrote it, every decision so far."""

    record: StoredRecord
    author: str
    origin: DraftOrigin | None
    reviews: tuple[Review, ...]  # every version's, oldest first
    levels: int
    history: tuple[RecordVersion, ...] = ()  # newest first; filled for the detail page only

    @property
    def id(self) -> str:
        return self.record.id

    @property
    def publication(self) -> Publication:
        return self.record.content.publication

    @property
    def approvals(self) -> tuple[Review, ...]:
        """Approvals of the current version: an edit or a rejection makes a new version, so the
        review restarts at level 1 by itself."""
        return tuple(
            r
            for r in self.reviews
            if r.record_version == self.record.version and r.decision is Decision.APPROVE
        )

    @property
    def decided_version(self) -> int:
        """The version whose decisions tell the story: the current one while it is pending;
        after a publication or a rejection (each a version of its own), the one decided on."""
        if self.publication is Publication.PENDING_REVIEW or not self.reviews:
            return self.record.version
        return max(r.record_version for r in self.reviews)

    @property
    def next_level(self) -> int | None:
        if self.publication is not Publication.PENDING_REVIEW:
            return None
        level = len(self.approvals) + 1
        return level if level <= self.levels else None

    @property
    def fully_approved(self) -> bool:
        """Every level approved but not yet published (publication failed or was interrupted)."""
        return self.publication is Publication.PENDING_REVIEW and len(self.approvals) >= self.levels

    @property
    def last_rejection(self) -> Review | None:
        rejections = [r for r in self.reviews if r.decision is Decision.REJECT]
        return rejections[-1] if rejections else None

    def refusal(self, actor: Actor) -> str | None:
        """Why `actor` may not decide the next level now, or None when they may."""
        if not actor.may_review:
            return "只有审核人员或管理员可以审核"
        if self.next_level is None:
            return f"该记录当前为“{self.publication.label}”，不在待审核状态"
        if actor.username == self.author:
            return "不能审核自己撰写的问答"
        for review in self.approvals:
            if review.reviewer == actor.username:
                done = level_label(review.level, self.levels)
                return f"您已审核过本版本的{done}，每一级须由不同的审核人员办理"
        return None


@dataclass(frozen=True)
class ReviewQueue:
    """What the review page lists for one staff member."""

    waiting: tuple[ReviewCase, ...]  # the next level is theirs to decide
    others: tuple[tuple[ReviewCase, str], ...]  # pending, but not for them (with the reason)
    mine: tuple[ReviewCase, ...]  # their own drafts not yet published

    @property
    def by_level(self) -> dict[int, int]:
        counts: dict[int, int] = {}
        for case in (*self.waiting, *(c for c, _ in self.others)):
            if case.next_level is not None:
                counts[case.next_level] = counts.get(case.next_level, 0) + 1
        return dict(sorted(counts.items()))


class ReviewLedger(Protocol):
    """Where drafts' origins and decisions are kept; every write also writes the audit log."""

    def add_origin(self, origin: DraftOrigin, entry: AuditEntry) -> None: ...

    def set_policy(self, record_id: str, policy_id: str, entry: AuditEntry) -> None: ...

    def origins(self, record_ids: list[str]) -> dict[str, DraftOrigin]: ...

    def reviews(self, record_ids: list[str]) -> dict[str, list[Review]]: ...

    def decide(self, review: Review, entry: AuditEntry) -> None:
        """Record a decision if the record is still pending at that version and nobody has
        decided that level yet; otherwise raise ReviewConflictError."""
        ...

    def audit(self, entry: AuditEntry) -> None: ...


class ReviewError(KnowledgeError):
    """A review action that cannot be done; the message is for the staff member."""


class ReviewNotAllowedError(ReviewError):
    """This staff member may not do this (HTTP 403)."""


class ReviewConflictError(ReviewError):
    """The record is not in a state that allows this, or someone was quicker (HTTP 409)."""


class DraftInvalidError(ReviewError):
    """The draft form has problems; each is a sentence for the form (HTTP 422)."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("；".join(problems))
        self.problems = problems
