"""The public JSON API over the published knowledge base."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, status

from api.deps import StoreDep, TaxonomyDep
from api.filters import public_query
from api.schemas import (
    LifeEventOut,
    RecordDetailOut,
    RecordPageOut,
    RecordSummaryOut,
    VersionOut,
)
from knowledge.enums import Publication
from knowledge.errors import RecordNotFoundError
from knowledge.exporting import export_row
from knowledge.queries import RecordVersion, StoredRecord
from knowledge.store.repository import KnowledgeStore

router = APIRouter(prefix="/api", tags=["knowledge"])


@router.get("/knowledge")
def list_records(
    store: StoreDep,
    taxonomy: TaxonomyDep,
    q: str = "",
    kind: str = "",
    status_: Annotated[str, Query(alias="status")] = "",
    audience: str = "",
    life_event: str = "",
    limit: Annotated[int, Query(ge=1, le=200)] = 20,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> RecordPageOut:
    query = public_query(
        taxonomy,
        q=q,
        kind=kind,
        status_=status_,
        audience=audience,
        life_event=life_event,
        limit=limit,
        offset=offset,
    )
    page = store.list(query)
    items = [RecordSummaryOut.of(r, taxonomy) for r in page.items]
    return RecordPageOut(items=items, total=page.total, limit=page.limit, offset=page.offset)


def published_record(store: KnowledgeStore, record_id: str) -> StoredRecord:
    try:
        record = store.get(record_id)
    except RecordNotFoundError as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, str(exc)) from exc
    if record.content.publication is not Publication.PUBLISHED:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"没有编号为 {record_id} 的已发布记录")
    return record


def public_history(store: KnowledgeStore, record_id: str) -> list[RecordVersion]:
    """Only the versions citizens were shown: drafts, rejected texts and reviewers' notes stay
    inside the console."""
    return [v for v in store.history(record_id) if v.publication is Publication.PUBLISHED]


@router.get("/knowledge/{record_id}")
def get_record(record_id: str, store: StoreDep, taxonomy: TaxonomyDep) -> RecordDetailOut:
    record = published_record(store, record_id)
    interpretations = [
        RecordSummaryOut.of(r, taxonomy)
        for r in store.interpretations_of(record_id)
        if r.content.publication is Publication.PUBLISHED
    ]
    return RecordDetailOut(
        **RecordSummaryOut.of(record, taxonomy).model_dump(),
        fields=export_row(record.content, taxonomy),
        interpretations=interpretations,
        history=[VersionOut.of(v) for v in public_history(store, record_id)],
    )


@router.get("/knowledge/{record_id}/versions/{version}")
def get_record_version(
    record_id: str, version: int, store: StoreDep, taxonomy: TaxonomyDep
) -> dict[str, object]:
    published_record(store, record_id)
    for item in public_history(store, record_id):
        if item.version == version:
            return {"version": version, "fields": export_row(item.content, taxonomy)}
    raise HTTPException(status.HTTP_404_NOT_FOUND, f"记录 {record_id} 没有第 {version} 版")


@router.get("/life-events")
def life_events(taxonomy: TaxonomyDep) -> list[LifeEventOut]:
    return [LifeEventOut(code=e.code, name=e.name, group=e.group) for e in taxonomy]
