"""Copying between `RecordContent` and the ORM row, in one place so the two cannot drift."""

from __future__ import annotations

from knowledge.enums import Audience, InterpretationForm, Kind, Publication, Status
from knowledge.record import DETAIL_FIELDS, RecordContent
from knowledge.store.models import RecordLifeEventRow, RecordRow

_PLAIN_TEXT = (
    "title",
    "summary",
    "body",
    "doc_number",
    "doc_type",
    "issuing_agency",
    "department",
    "hotline",
    "replaced_by",
    "region",
    "source_url",
    "interprets",
)
_DATES = ("written_date", "published_date", "effective_date", "expiry_date")


def apply_content(row: RecordRow, content: RecordContent) -> None:
    row.external_id = content.id
    for name in (*_PLAIN_TEXT, *_DATES):
        setattr(row, name, getattr(content, name))
    row.kind = content.kind.value
    row.status = content.status.value
    row.audience = content.audience.value
    row.publication = content.publication.value
    row.interpretation_form = (
        content.interpretation_form.value if content.interpretation_form else ""
    )
    row.topics = list(content.topics)
    row.keywords = list(content.keywords)
    row.details = content.details
    row.content_hash = content.content_hash
    _apply_life_events(row, content.life_events)


def _apply_life_events(row: RecordRow, codes: tuple[str, ...]) -> None:
    current = [link.event_code for link in row.life_events]
    if current == list(codes):
        return
    by_code = {link.event_code: link for link in row.life_events}
    row.life_events = []
    for position, code in enumerate(codes):
        link = by_code.get(code) or RecordLifeEventRow(event_code=code)
        link.position = position
        row.life_events.append(link)


def to_content(row: RecordRow) -> RecordContent:
    details = row.details or {}
    detail_values: dict[str, object] = {}
    for name in DETAIL_FIELDS:
        if name in details:
            value = details[name]
            detail_values[name] = tuple(value) if isinstance(value, list) else value
    return RecordContent(
        id=row.external_id,
        kind=Kind(row.kind),
        status=Status(row.status),
        audience=Audience(row.audience),
        publication=Publication(row.publication),
        interpretation_form=(
            InterpretationForm(row.interpretation_form) if row.interpretation_form else None
        ),
        life_events=tuple(link.event_code for link in row.life_events),
        topics=tuple(row.topics or ()),
        keywords=tuple(row.keywords or ()),
        **{name: getattr(row, name) for name in (*_PLAIN_TEXT, *_DATES)},
        **detail_values,  # type: ignore[arg-type]
    )
