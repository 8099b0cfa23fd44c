"""Consultations: questions handed from the bot to people (the interface the queue implements)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol


class ConsultationStatus(StrEnum):
    PENDING = "pending"
    IN_PROGRESS = "in_progress"
    ANSWERED = "answered"
    CLOSED = "closed"
    WITHDRAWN = "withdrawn"

    @property
    def label(self) -> str:
        return _LABELS[self]


_LABELS = {
    ConsultationStatus.PENDING: "待受理",
    ConsultationStatus.IN_PROGRESS: "处理中",
    ConsultationStatus.ANSWERED: "已答复",
    ConsultationStatus.CLOSED: "已关闭",
    ConsultationStatus.WITHDRAWN: "已撤回",
}


@dataclass(frozen=True)
class NewConsultation:
    channel: str
    user_id: str
    question: str
    transcript: tuple[tuple[str, str, str], ...]  # (speaker, text, ISO time)
    candidates: tuple[tuple[str, str], ...]  # (record id, title) the bot showed
    audience: str
    life_event: str
    department: str
    reason: str  # escalate: search could not answer; asked: the user asked for a person; route


@dataclass(frozen=True)
class ConsultationSummary:
    number: str
    question: str
    status: ConsultationStatus
    created_at: datetime
    department: str


class ConsultationDesk(Protocol):
    """Where the engine opens consultations and reads their state, inside its unit of work."""

    def open(self, consultation: NewConsultation) -> str:
        """Record it and return its number (e.g. ZX261122000123)."""
        ...

    def of_user(self, channel: str, user_id: str) -> list[ConsultationSummary]: ...

    def by_number(self, number: str) -> ConsultationSummary | None: ...

    def rate(self, channel: str, user_id: str, number: str, *, good: bool) -> bool: ...
