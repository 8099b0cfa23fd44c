"""Knowledge-base search from the reply box: the console's canned replies are citations.

A citation names the record the way a government reply does — 《标题》（文号） — and links to its
public page, so the citizen can read the source the staff member relied on.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel

from api.console.auth import StaffDep
from api.deps import SearchDep, StoreDep

router = APIRouter(include_in_schema=False)
RESULTS = 8


class CitationOut(BaseModel):
    id: str
    title: str
    doc_number: str  # 文号, "" when the record has none (an FAQ, a guide)
    url: str
    citation: str


class KbSearchOut(BaseModel):
    query: str
    results: list[CitationOut]


@router.get("/console/kb-search")
def kb_search(
    request: Request,
    _staff: StaffDep,
    search: SearchDep,
    store: StoreDep,
    q: Annotated[str, Query(max_length=200)] = "",
) -> KbSearchOut:
    hits = search.searcher.search(q, limit=RESULTS).hits if q.strip() else []
    records = store.find([hit.id for hit in hits])
    results = []
    for hit in hits:
        record = records.get(hit.id)
        doc_number = record.content.doc_number if record else ""
        title = record.content.title if record else hit.document.title
        url = str(request.url_for("knowledge_detail", record_id=hit.id))
        results.append(
            CitationOut(
                id=hit.id,
                title=title,
                doc_number=doc_number,
                url=url,
                citation=citation(title, doc_number, url),
            )
        )
    return KbSearchOut(query=q, results=results)


def citation(title: str, doc_number: str, url: str) -> str:
    number = f"（{doc_number}）" if doc_number else ""
    return f"《{title}》{number}详见 {url}"
