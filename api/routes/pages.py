"""Public HTML pages: browse and search the published knowledge base by title."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from api.deps import StoreDep, TaxonomyDep, TemplatesDep
from api.filters import public_query
from api.routes.knowledge import public_history, published_record
from knowledge.enums import Audience, Kind, Publication
from knowledge.exporting import export_row

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 20


@router.get("/knowledge", response_class=HTMLResponse)
def knowledge_list(
    request: Request,
    store: StoreDep,
    taxonomy: TaxonomyDep,
    templates: TemplatesDep,
    q: str = "",
    kind: str = "",
    audience: str = "",
    life_event: str = "",
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> HTMLResponse:
    query = public_query(
        taxonomy,
        q=q,
        kind=kind,
        audience=audience,
        life_event=life_event,
        limit=PAGE_SIZE,
        offset=(page - 1) * PAGE_SIZE,
    )
    result = store.list(query)
    pages = max(1, -(-result.total // PAGE_SIZE))
    context = {
        "q": q,
        "kind": kind,
        "audience": audience,
        "life_event": life_event,
        "page": page,
        "pages": pages,
        "result": result,
        "kinds": list(Kind),
        "audiences": [Audience.INDIVIDUAL, Audience.ENTERPRISE],
        "taxonomy": taxonomy,
    }
    return templates.TemplateResponse(request, "knowledge_list.html", context)


@router.get("/knowledge/{record_id}", response_class=HTMLResponse)
def knowledge_detail(
    request: Request,
    record_id: str,
    store: StoreDep,
    taxonomy: TaxonomyDep,
    templates: TemplatesDep,
    version: int | None = None,
) -> HTMLResponse:
    record = published_record(store, record_id)
    history = public_history(store, record_id)
    content = record.content
    if version is not None:
        content = next((v.content for v in history if v.version == version), content)
    replacement = None
    if content.replaced_by:
        found = store.find([content.replaced_by]).get(content.replaced_by)
        if found and found.content.publication is Publication.PUBLISHED:
            replacement = found.content
    interpreted = None
    if content.interprets:
        interpreted = store.find([content.interprets]).get(content.interprets)
    context = {
        "record": record,
        "content": content,
        "fields": export_row(content, taxonomy),
        "shown_version": version or record.version,
        "history": history,
        "interpretations": store.interpretations_of(record_id),
        "replacement": replacement,
        "interpreted": interpreted.content if interpreted else None,
        "taxonomy": taxonomy,
    }
    return templates.TemplateResponse(request, "knowledge_detail.html", context)
