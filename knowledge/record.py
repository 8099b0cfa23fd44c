"""One knowledge record's content, independent of storage and of file formats.

`RecordContent` is what an import produces, what a version snapshot stores and what an export
writes. Its `to_dict()` is the canonical form: the same content always gives the same dict, so
"unchanged" is a comparison of canonical forms (via `content_hash`).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, fields
from datetime import date

from knowledge.enums import Audience, InterpretationForm, Kind, Publication, Status

# Export/column order; also the order of the import schema in docs/import-format.md.
FIELD_ORDER: tuple[str, ...] = (
    "id",
    "kind",
    "title",
    "summary",
    "body",
    "doc_number",
    "doc_type",
    "issuing_agency",
    "department",
    "hotline",
    "written_date",
    "published_date",
    "effective_date",
    "expiry_date",
    "status",
    "replaced_by",
    "audience",
    "life_events",
    "topics",
    "keywords",
    "region",
    "source_url",
    "publication",
    "interprets",
    "interpretation_form",
    "alt_questions",
    "conditions",
    "materials",
    "steps",
    "location",
    "fees",
    "time_limit",
    "law",
    "article_no",
)

DATE_FIELDS = ("written_date", "published_date", "effective_date", "expiry_date")
LIST_FIELDS = ("life_events", "topics", "keywords", "alt_questions", "materials", "steps")
# Kind-specific fields kept together in one JSON column; they are few and only displayed.
DETAIL_FIELDS = (
    "alt_questions",
    "conditions",
    "materials",
    "steps",
    "location",
    "fees",
    "time_limit",
    "law",
    "article_no",
)


@dataclass(frozen=True)
class RecordContent:
    id: str
    kind: Kind
    title: str
    body: str = ""
    summary: str = ""
    doc_number: str = ""
    doc_type: str = ""
    issuing_agency: str = ""
    department: str = ""
    hotline: str = ""
    written_date: date | None = None
    published_date: date | None = None
    effective_date: date | None = None
    expiry_date: date | None = None
    status: Status = Status.IN_FORCE
    replaced_by: str = ""
    audience: Audience = Audience.INDIVIDUAL
    life_events: tuple[str, ...] = ()  # taxonomy codes
    topics: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    region: str = "全国"
    source_url: str = ""
    publication: Publication = Publication.PUBLISHED
    interprets: str = ""
    interpretation_form: InterpretationForm | None = None
    alt_questions: tuple[str, ...] = ()
    conditions: str = ""
    materials: tuple[str, ...] = ()
    steps: tuple[str, ...] = ()
    location: str = ""
    fees: str = ""
    time_limit: str = ""
    law: str = ""
    article_no: str = ""

    def to_dict(self) -> dict[str, object]:
        """Canonical JSON-ready form: codes for enums, ISO dates, lists; empty values omitted."""
        out: dict[str, object] = {}
        for name in FIELD_ORDER:
            value = _jsonable(getattr(self, name))
            if value not in ("", None, []):
                out[name] = value
        return out

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> RecordContent:
        """Inverse of `to_dict` for trusted, canonical data (a stored snapshot)."""
        known = {f.name for f in fields(cls)}
        kwargs: dict[str, object] = {}
        for name, value in data.items():
            if name not in known:
                continue
            kwargs[name] = _from_jsonable(name, value)
        return cls(**kwargs)  # type: ignore[arg-type]

    @property
    def content_hash(self) -> str:
        canonical = json.dumps(self.to_dict(), ensure_ascii=False, sort_keys=True)
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()

    @property
    def details(self) -> dict[str, object]:
        data = self.to_dict()
        return {name: data[name] for name in DETAIL_FIELDS if name in data}


def _jsonable(value: object) -> object:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, tuple):
        return list(value)
    return value


_ENUM_FIELDS: dict[str, type[Kind | Status | Audience | Publication | InterpretationForm]] = {
    "kind": Kind,
    "status": Status,
    "audience": Audience,
    "publication": Publication,
    "interpretation_form": InterpretationForm,
}


def _from_jsonable(name: str, value: object) -> object:
    if value is None:
        return None
    if name in _ENUM_FIELDS:
        return _ENUM_FIELDS[name](str(value))
    if name in DATE_FIELDS:
        return date.fromisoformat(str(value))
    if name in LIST_FIELDS:
        assert isinstance(value, list)
        return tuple(str(v) for v in value)
    return value
