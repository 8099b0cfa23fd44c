"""The review desk as the console uses it: built once per application, and the plain values
the knowledge package expects (an `Actor`, a `ReplySource`) made from the queue's."""

from __future__ import annotations

import threading
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status

from bot.queue_types import ConsultationView, Role, Staff
from bot.store.queue_repository import QueueStore, QueueUnit
from knowledge.review import ReviewDesk
from knowledge.review_types import Actor, ReplySource
from knowledge.store.review_repository import AuditHook, open_reviews

_LOCK = threading.Lock()


def review_desk(request: Request) -> ReviewDesk:
    """The desk of this application, made on first use from what the lifespan opened."""
    state = request.app.state
    desk: ReviewDesk | None = getattr(state, "reviews", None)
    if desk is None:
        with _LOCK:
            desk = getattr(state, "reviews", None)
            if desk is None:
                departments = {d.name: d.hotline for d in state.queue.departments}
                levels = state.settings.review_levels
                desk = open_reviews(
                    state.knowledge, departments, levels, audit_hook(state.queue.store)
                )
                state.reviews = desk
    return desk


def audit_hook(store: QueueStore) -> AuditHook:
    """Review actions go to the same audit log as the queue's, in the caller's transaction."""
    return lambda session, entry: QueueUnit(session, store.deadlines).audit(
        entry.actor, entry.action, entry.target, **entry.detail
    )


def actor_of(staff: Staff) -> Actor:
    return Actor(staff.username, may_review=staff.role in (Role.REVIEWER, Role.ADMIN))


def reply_source(view: ConsultationView) -> ReplySource:
    """The consultation as the draft form needs it; 409 when nobody has replied yet."""
    replies = [e.text for e in view.events if e.kind == "replied" and e.text.strip()]
    if not replies:
        raise HTTPException(
            status.HTTP_409_CONFLICT, f"咨询 {view.number} 还没有答复，答复后才能生成问答草稿"
        )
    return ReplySource(
        number=view.number,
        question=view.question,
        answer=replies[-1],
        audience=view.audience,
        life_event=view.life_event,
        department=view.department,
        candidates=view.candidates,
    )


ReviewDeskDep = Annotated[ReviewDesk, Depends(review_desk)]
