"""Search over the published knowledge base: what the bot would find for a question."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, status
from pydantic import BaseModel

from api.deps import SearchDep, TaxonomyDep
from indexer.search import ALL_STATUSES, CURRENT, Hit, SearchFilters

router = APIRouter(prefix="/api", tags=["search"])
MAX_QUESTION = 10_000


class HitOut(BaseModel):
    id: str
    title: str
    kind: str
    status: str
    passage: str
    score: float
    replaced_by_id: str | None
    replaced_by_title: str | None

    @classmethod
    def of(cls, hit: Hit) -> HitOut:
        return cls(
            id=hit.id,
            title=hit.document.title,
            kind=hit.document.kind,
            status=hit.document.status,
            passage=hit.passage,
            score=round(hit.score, 4),
            replaced_by_id=hit.replacement.id if hit.replacement else None,
            replaced_by_title=hit.replacement.title if hit.replacement else None,
        )


class SearchOut(BaseModel):
    query: str
    band: str
    confidence: float
    life_events: list[str]
    hits: list[HitOut]
    clarify_with: list[str]
    kb_version: int
    # False while the record vectors are still being built (words only until then).
    by_meaning: bool


@router.get("/search")
def search(
    search_service: SearchDep,
    taxonomy: TaxonomyDep,
    q: Annotated[str, Query(max_length=MAX_QUESTION)] = "",
    audience: str = "",
    life_event: str = "",
    include_repealed: bool = False,
    limit: Annotated[int, Query(ge=1, le=50)] = 10,
) -> SearchOut:
    if audience and audience not in ("individual", "enterprise"):
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT, "audience 只能是 individual 或 enterprise"
        )
    event = taxonomy.resolve(life_event) if life_event else None
    if life_event and event is None:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, f"未知的人生事件“{life_event}”")
    filters = SearchFilters(
        statuses=ALL_STATUSES if include_repealed else CURRENT,
        audience=audience or None,
        life_event=event.code if event else None,
    )
    loaded = search_service.current
    result = loaded.searcher.search(q, filters, limit=limit)
    return SearchOut(
        query=result.query.text,
        band=result.band.value,
        confidence=round(result.confidence, 4),
        life_events=[taxonomy.by_code(c).name for c in result.life_events],
        hits=[HitOut.of(h) for h in result.hits],
        clarify_with=[h.id for h in result.clarify_with],
        kb_version=loaded.meta.kb_version,
        by_meaning=loaded.by_meaning,
    )
