"""What the index sees of a record, and how a long body is cut into citable passages."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from config.taxonomy import Taxonomy
from indexer.normalize import normalize
from knowledge.enums import Kind, Publication, Status
from knowledge.record import RecordContent

# 第X条 at the start of a line (after normalisation its numeral is Arabic: 第54条).
_ARTICLE = re.compile(r"(?m)^\s*(第[0-9]+条)")
_SENTENCE_END = re.compile(r"(?<=[。！？!?;；\n])")
PASSAGE_CHARS = 500
SPLIT_ABOVE = 800


@dataclass(frozen=True)
class SearchDocument:
    """A record reduced to what search needs: text fields and the attributes filters use."""

    id: str
    title: str = ""
    questions: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    summary: str = ""
    body: str = ""
    kind: str = ""
    status: str = "in_force"
    audience: str = "both"
    region: str = ""
    life_events: tuple[str, ...] = ()
    replaced_by: str = ""


@dataclass(frozen=True)
class Passage:
    label: str  # 第54条, or 第2段 for a chunk, or "" for a whole body
    text: str  # normalised


def from_record(record: RecordContent, taxonomy: Taxonomy) -> SearchDocument:
    keywords = (
        *record.keywords,
        *record.topics,
        *((record.doc_number,) if record.doc_number else ()),
        *(taxonomy.by_code(code).name for code in record.life_events),
    )
    body = record.body
    if record.kind is Kind.GUIDE:
        body = "\n".join(
            part
            for part in (record.body, record.conditions, *record.materials, *record.steps)
            if part
        )
    return SearchDocument(
        id=record.id,
        title=record.title,
        questions=record.alt_questions,
        keywords=keywords,
        summary=record.summary,
        body=body,
        kind=record.kind.value,
        status=record.status.value,
        audience=record.audience.value,
        region=record.region,
        life_events=record.life_events,
        replaced_by=record.replaced_by,
    )


def is_searchable(record: RecordContent) -> bool:
    return record.publication is Publication.PUBLISHED


def from_mapping(data: Mapping[str, object]) -> SearchDocument:
    """For evaluation files: a JSON object whose fields were already renamed to ours."""

    def text(name: str) -> str:
        value = data.get(name)
        return "" if value is None else str(value)

    def items(name: str) -> tuple[str, ...]:
        value = data.get(name)
        if isinstance(value, list):
            return tuple(str(v) for v in value)
        return (str(value),) if value else ()

    return SearchDocument(
        id=text("id"),
        title=text("title"),
        questions=items("alt_questions"),
        keywords=items("keywords"),
        summary=text("summary"),
        body=text("body"),
        kind=text("kind"),
        status=_status_code(text("status")),
        audience=text("audience") or "both",
        region=text("region"),
        life_events=items("life_events"),
        replaced_by=text("replaced_by"),
    )


def _status_code(text: str) -> str:
    """Evaluation files may carry the Chinese label (现行有效) or the code (in_force)."""
    if not text:
        return Status.IN_FORCE.value
    try:
        return Status.parse(text).value
    except ValueError:
        return "amended" if "修" in text or "改" in text else text


def passages(body: str) -> list[Passage]:
    """Articles when the body has them, chunks of about 500 characters when it is long."""
    text = normalize(body)
    if not text:
        return [Passage("", "")]
    starts = [m.start(1) for m in _ARTICLE.finditer(text)]
    if len(starts) >= 2:
        return _articles(text, starts)
    if len(text) <= SPLIT_ABOVE:
        return [Passage("", text)]
    return _chunks(text)


def _articles(text: str, starts: list[int]) -> list[Passage]:
    out: list[Passage] = []
    if text[: starts[0]].strip():
        out.append(Passage("", text[: starts[0]].strip()))
    for begin, end in zip(starts, [*starts[1:], len(text)], strict=True):
        piece = text[begin:end].strip()
        match = _ARTICLE.match(piece)
        out.append(Passage(match.group(1) if match else "", piece))
    return out


def _chunks(text: str) -> list[Passage]:
    out: list[Passage] = []
    current = ""
    for sentence in _SENTENCE_END.split(text):
        if current and len(current) + len(sentence) > PASSAGE_CHARS:
            out.append(Passage(f"第{len(out) + 1}段", current.strip()))
            current = ""
        current += sentence
    if current.strip():
        out.append(Passage(f"第{len(out) + 1}段", current.strip()))
    return out
