"""What the review templates are given: plain values prepared here, so templates stay simple."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from knowledge.enums import Audience, Publication
from knowledge.queries import StoredRecord
from knowledge.review import ReviewDesk
from knowledge.review_drafts import MAX_ANSWER, MAX_COMMENT, MAX_QUESTION
from knowledge.review_types import (
    Actor,
    DraftForm,
    ReplySource,
    Review,
    ReviewCase,
    ReviewQueue,
    level_label,
)

_OPEN = (Publication.DRAFT, Publication.PENDING_REVIEW)


@dataclass(frozen=True)
class LevelRow:
    """One line of the progress table: a level and what happened to it on this version."""

    level: int
    label: str
    review: Review | None
    state: str  # approve / reject (decided), current (waiting), later


def form_context(
    desk: ReviewDesk,
    form: DraftForm,
    *,
    source: ReplySource | None = None,
    case: ReviewCase | None = None,
    problems: list[str] | None = None,
) -> dict[str, Any]:
    if case is not None:
        action = f"/console/reviews/{case.id}/edit"
        number = case.origin.consultation_number if case.origin else ""
    else:
        assert source is not None
        action = f"/console/c/{source.number}/faq-draft"
        number = source.number
    groups: dict[str, list[tuple[str, str]]] = {}
    for event in desk.taxonomy:
        groups.setdefault(event.group, []).append((event.code, event.name))
    return {
        "form": form,
        "case": case,
        "number": number,
        "action": action,
        "problems": problems or [],
        "event_groups": list(groups.items()),
        "departments": desk.departments,
        "audiences": [(a.value, a.label) for a in Audience],
        "candidates": source.candidates if source else (),
        "levels": desk.levels,
        "first_level": level_label(1, desk.levels),
        "max_question": MAX_QUESTION,
        "max_answer": MAX_ANSWER,
    }


def case_context(
    desk: ReviewDesk, case: ReviewCase, actor: Actor, policy: StoredRecord | None
) -> dict[str, Any]:
    content = case.record.content
    events = [desk.taxonomy.resolve(code) for code in content.life_events]
    refusal = case.refusal(actor)
    return {
        "case": case,
        "c": content,
        "levels": _levels(case),
        "life_events": [
            e.name if e else code for e, code in zip(events, content.life_events, strict=True)
        ],
        "policy": policy,
        "policy_id": case.origin.policy_id if case.origin else "",
        "may_decide": refusal is None,
        # Only a pending record's reviewers need to know why they cannot decide it; staff
        # without the reviewer role are told nothing about reviewing: it is not theirs.
        "refusal": refusal if actor.may_review and case.next_level else None,
        "may_edit": actor.username == case.author and case.publication in _OPEN,
        "decisions": list(reversed(case.reviews)),
        "level_label": lambda level: level_label(level, desk.levels),
        "max_comment": MAX_COMMENT,
    }


def queue_context(desk: ReviewDesk, queue: ReviewQueue, actor: Actor) -> dict[str, Any]:
    return {
        "queue": queue,
        "may_review": actor.may_review,
        "counts": {
            "waiting": len(queue.waiting),
            "others": len(queue.others),
            "mine": len(queue.mine),
        },
        "by_level": [(level_label(n, desk.levels), count) for n, count in queue.by_level.items()],
        "level_label": lambda level: level_label(level, desk.levels),
        "levels": desk.levels,
    }


def _levels(case: ReviewCase) -> list[LevelRow]:
    decided = {r.level: r for r in case.reviews if r.record_version == case.decided_version}
    rows = []
    for level in range(1, case.levels + 1):
        review = decided.get(level)
        if review is not None:
            state = review.decision.value  # approve / reject
        elif level == case.next_level:
            state = "current"
        else:
            state = "later"
        rows.append(LevelRow(level, level_label(level, case.levels), review, state))
    return rows
