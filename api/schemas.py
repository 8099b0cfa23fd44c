"""API schemas: what the JSON API promises, kept apart from the ORM and the domain types."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel

from config.taxonomy import Taxonomy
from knowledge.queries import RecordVersion, StoredRecord


class LifeEventOut(BaseModel):
    code: str
    name: str
    group: str


class RecordSummaryOut(BaseModel):
    id: str
    kind: str
    kind_label: str
    title: str
    summary: str
    doc_number: str
    issuing_agency: str
    status: str
    status_label: str
    audience: str
    audience_label: str
    publication: str
    life_events: list[LifeEventOut]
    region: str
    published_date: date | None
    version: int

    @classmethod
    def of(cls, record: StoredRecord, taxonomy: Taxonomy) -> RecordSummaryOut:
        c = record.content
        return cls(
            id=c.id,
            kind=c.kind.value,
            kind_label=c.kind.label,
            title=c.title,
            summary=c.summary,
            doc_number=c.doc_number,
            issuing_agency=c.issuing_agency,
            status=c.status.value,
            status_label=c.status.label,
            audience=c.audience.value,
            audience_label=c.audience.label,
            publication=c.publication.value,
            life_events=[_event(taxonomy, code) for code in c.life_events],
            region=c.region,
            published_date=c.published_date,
            version=record.version,
        )


def _event(taxonomy: Taxonomy, code: str) -> LifeEventOut:
    event = taxonomy.by_code(code)
    return LifeEventOut(code=event.code, name=event.name, group=event.group)


class RecordPageOut(BaseModel):
    items: list[RecordSummaryOut]
    total: int
    limit: int
    offset: int


class VersionOut(BaseModel):
    version: int
    publication: str
    changed_at: datetime
    title: str

    @classmethod
    def of(cls, v: RecordVersion) -> VersionOut:
        return cls(
            version=v.version,
            publication=v.publication.value,
            changed_at=v.changed_at,
            title=v.content.title,
        )


class RecordDetailOut(RecordSummaryOut):
    fields: dict[str, object]
    interpretations: list[RecordSummaryOut]
    history: list[VersionOut]


class HealthOut(BaseModel):
    status: str
    records: int
    kb_version: int
