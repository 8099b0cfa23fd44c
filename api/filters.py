"""Turning query-string filters into a `RecordQuery`, with Chinese errors for bad values."""

from __future__ import annotations

from fastapi import HTTPException, status

from config.taxonomy import Taxonomy
from knowledge.enums import Audience, Kind, Publication, Status
from knowledge.queries import RecordQuery

MAX_QUERY_LENGTH = 200


def public_query(
    taxonomy: Taxonomy,
    *,
    q: str = "",
    kind: str = "",
    status_: str = "",
    audience: str = "",
    life_event: str = "",
    limit: int = 20,
    offset: int = 0,
) -> RecordQuery:
    """Filters for what citizens may see: published records only."""
    try:
        event = taxonomy.resolve(life_event) if life_event else None
        if life_event and event is None:
            raise ValueError(f"未知的人生事件“{life_event}”")
        return RecordQuery(
            text=q.strip()[:MAX_QUERY_LENGTH],
            kinds=(Kind.parse(kind),) if kind else (),
            statuses=(Status.parse(status_),) if status_ else (),
            audience=Audience.parse(audience) if audience else None,
            life_event=event.code if event else "",
            publications=(Publication.PUBLISHED,),
            limit=limit,
            offset=offset,
        )
    except ValueError as exc:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(exc)) from exc
