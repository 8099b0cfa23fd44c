"""The staff JSON API's request and response bodies, kept apart from the queue's domain types
so the domain can change without changing what API clients receive."""

from __future__ import annotations

from datetime import datetime
from typing import Self

from pydantic import BaseModel, Field

from bot.queue_types import (
    ConsultationEvent,
    ConsultationView,
    DeliveryView,
    Staff,
)

# Loose bounds against abuse only: the queue answers longer texts with a precise Chinese message.
_MAX_TEXT = 1_000_000


class ReplyIn(BaseModel):
    text: str = Field(max_length=_MAX_TEXT, description="答复群众的内容")


class NoteIn(BaseModel):
    text: str = Field(max_length=_MAX_TEXT, description="内部备注，不发给群众")


class TransferIn(BaseModel):
    department: str = Field(max_length=200, description="转往的部门全称")
    reason: str = Field(max_length=_MAX_TEXT, description="转办理由")


class ConsultationBriefOut(BaseModel):
    number: str
    question: str
    department: str
    status: str
    status_label: str
    assignee: str
    channel: str
    audience: str
    life_event: str
    created_at: datetime
    due_at: datetime | None
    urgency: str
    urgency_label: str

    @classmethod
    def brief(cls, view: ConsultationView) -> Self:
        return cls(
            number=view.number,
            question=view.question,
            department=view.department,
            status=view.status.value,
            status_label=view.status.label,
            assignee=view.assignee,
            channel=view.channel,
            audience=view.audience,
            life_event=view.life_event,
            created_at=view.created_at,
            due_at=view.due_at,
            urgency=view.urgency.value,
            urgency_label=view.urgency.label,
        )


class LineOut(BaseModel):
    speaker: str
    text: str
    at: str


class CandidateOut(BaseModel):
    id: str
    title: str


class EventOut(BaseModel):
    at: datetime
    actor: str
    kind: str
    label: str
    text: str
    detail: dict[str, str]

    @classmethod
    def of(cls, event: ConsultationEvent) -> EventOut:
        return cls(
            at=event.at,
            actor=event.actor,
            kind=event.kind,
            label=event.label,
            text=event.text,
            detail=event.detail,
        )


class DeliveryOut(BaseModel):
    key: str
    status: str
    attempts: int
    last_error: str
    sent_at: datetime | None

    @classmethod
    def of(cls, delivery: DeliveryView) -> DeliveryOut:
        return cls(
            key=delivery.key,
            status=delivery.status,
            attempts=delivery.attempts,
            last_error=delivery.last_error,
            sent_at=delivery.sent_at,
        )


class ConsultationOut(ConsultationBriefOut):
    reason: str
    satisfaction: str
    transcript: list[LineOut]
    candidates: list[CandidateOut]
    events: list[EventOut]
    deliveries: list[DeliveryOut]

    @classmethod
    def full(cls, view: ConsultationView) -> ConsultationOut:
        brief = ConsultationBriefOut.brief(view).model_dump()
        return cls(
            **brief,
            reason=view.reason,
            satisfaction=view.satisfaction,
            transcript=[LineOut(speaker=s, text=t, at=a) for s, t, a in view.transcript],
            candidates=[CandidateOut(id=i, title=t) for i, t in view.candidates],
            events=[EventOut.of(e) for e in view.events],
            deliveries=[DeliveryOut.of(d) for d in view.deliveries],
        )


class ConsultationListOut(BaseModel):
    queue: str
    counts: dict[str, int]
    items: list[ConsultationBriefOut]


class SessionOut(BaseModel):
    username: str
    display_name: str
    department: str
    role: str
    csrf: str = Field(description="POST 请求须在 X-CSRF-Token 请求头中带上此令牌")

    @classmethod
    def of(cls, staff: Staff, csrf: str) -> SessionOut:
        return cls(
            username=staff.username,
            display_name=staff.display_name,
            department=staff.department,
            role=staff.role.value,
            csrf=csrf,
        )
