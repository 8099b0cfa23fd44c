"""What the engine remembers about one conversation between two messages.

Kept in the database (any worker may receive the next message) as a JSON document, with an
expiry: a conversation idle for longer starts afresh rather than answering "2" with a choice
offered yesterday.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

import orjson

STATE_TTL = timedelta(minutes=30)
MAX_TRANSCRIPT = 20


@dataclass(frozen=True)
class PendingChoice:
    label: str
    payload: str  # what picking it means: "record:<id>", "event:<code>", "audience:个人"…


@dataclass(frozen=True)
class TranscriptLine:
    speaker: str  # user / bot
    text: str
    at: str  # ISO time


@dataclass(frozen=True)
class ConversationState:
    audience: str = ""  # individual / enterprise once the user said so
    pending: tuple[PendingChoice, ...] = ()
    pending_kind: str = ""  # clarify / browse / confirm_escalation
    last_question: str = ""
    last_record: str = ""  # the record of the last answer: 详细 / 怎么办理 / 解读 refer to it
    last_results: tuple[str, ...] = ()  # candidates shown for the last question
    failed_clarifications: int = 0
    transcript: tuple[TranscriptLine, ...] = field(default=())

    def with_line(self, speaker: str, text: str, at: datetime) -> ConversationState:
        line = TranscriptLine(speaker, text[:2000], at.isoformat(timespec="seconds"))
        return replace(self, transcript=(*self.transcript, line)[-MAX_TRANSCRIPT:])

    def cleared_choices(self) -> ConversationState:
        return replace(self, pending=(), pending_kind="")

    def to_json(self) -> str:
        # orjson writes the dataclasses as `asdict` would (fields in order, tuples as arrays).
        return orjson.dumps(self).decode()

    @classmethod
    def from_json(cls, text: str | bytes) -> ConversationState:
        data = orjson.loads(text)
        return cls(
            audience=data.get("audience", ""),
            pending=tuple(PendingChoice(**p) for p in data.get("pending", [])),
            pending_kind=data.get("pending_kind", ""),
            last_question=data.get("last_question", ""),
            last_record=data.get("last_record", ""),
            last_results=tuple(data.get("last_results", [])),
            failed_clarifications=int(data.get("failed_clarifications", 0)),
            transcript=tuple(TranscriptLine(**t) for t in data.get("transcript", [])),
        )
