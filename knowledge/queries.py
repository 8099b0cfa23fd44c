"""Plain values the store returns and accepts; no SQLAlchemy here so callers need none."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from knowledge.enums import Audience, Kind, Publication, Status
from knowledge.record import RecordContent


@dataclass(frozen=True)
class StoredRecord:
    content: RecordContent
    version: int
    created_at: datetime
    updated_at: datetime
    updated_by: str

    @property
    def id(self) -> str:
        return self.content.id


@dataclass(frozen=True)
class RecordVersion:
    version: int
    content: RecordContent
    publication: Publication
    changed_at: datetime
    changed_by: str
    note: str


@dataclass(frozen=True)
class RecordQuery:
    """Filters for listing; `text` matches title, 文号 or id, case-insensitively."""

    text: str = ""
    kinds: tuple[Kind, ...] = ()
    statuses: tuple[Status, ...] = ()
    audience: Audience | None = None
    life_event: str = ""
    publications: tuple[Publication, ...] = ()
    region: str = ""
    limit: int = 50
    offset: int = 0


@dataclass(frozen=True)
class Page:
    items: list[StoredRecord]
    total: int
    limit: int
    offset: int


@dataclass
class UpsertResult:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    kb_version: int = 0

    def merge(self, other: UpsertResult) -> None:
        self.created += other.created
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.kb_version = max(self.kb_version, other.kb_version)


@dataclass(frozen=True)
class Stats:
    total: int
    by_kind: dict[str, int]
    by_status: dict[str, int]
    by_publication: dict[str, int]
    by_audience: dict[str, int]
    by_life_event: dict[str, int]
    by_region: dict[str, int]
    kb_version: int
