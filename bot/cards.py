"""Answer cards: what a citizen can act on, built from a record and its service guide."""

from __future__ import annotations

import re

from bot.messages import AnswerCard, CardFact, ShownRecord
from config.taxonomy import Taxonomy
from knowledge.enums import Kind, Status
from knowledge.record import RecordContent

SHORT_ANSWER_CHARS = 160
SECTION_CHARS = 400
_SENTENCE = re.compile(r"(?<=[。！？；])")


def shown(record: RecordContent, taxonomy: Taxonomy) -> ShownRecord:
    return ShownRecord(
        id=record.id,
        title=record.title,
        kind=record.kind.value,
        status=record.status.value,
        audience=record.audience.value,
        life_events=tuple(taxonomy.by_code(c).name for c in record.life_events),
    )


def short_answer(record: RecordContent, limit: int = SHORT_ANSWER_CHARS) -> str:
    """The summary when there is one; otherwise the first sentences of the body."""
    text = record.summary or record.body or record.conditions
    return clip(text, limit)


def heading(title: str) -> str:
    """A record's title as the first line of a text reply: in 【】, unless it already opens
    with a bracketed mark of its own (【示范数据】…), which nested brackets would garble."""
    return title if title.startswith("【") else f"【{title}】"


def clip(text: str, limit: int) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    out = ""
    for sentence in _SENTENCE.split(text):
        if len(out) + len(sentence) > limit:
            break
        out += sentence
    return out or text[: limit - 1] + "…"


def facts(record: RecordContent) -> tuple[CardFact, ...]:
    pairs = [
        ("文号", record.doc_number),
        ("发文机关", record.issuing_agency),
        ("发布日期", str(record.published_date or "")),
        ("施行日期", str(record.effective_date or "")),
        ("效力", record.status.label if record.kind is not Kind.FAQ else ""),
        ("主管部门", _department(record)),
    ]
    return tuple(CardFact(label, value) for label, value in pairs if value)


def _department(record: RecordContent) -> str:
    if record.department and record.hotline:
        return f"{record.department}（咨询电话 {record.hotline}）"
    return record.department or (f"咨询电话 {record.hotline}" if record.hotline else "")


def guide_sections(guide: RecordContent) -> tuple[tuple[str, str], ...]:
    sections = [
        ("办理条件", clip(guide.conditions, SECTION_CHARS)),
        ("申请材料", "；".join(guide.materials)),
        ("办理流程", " → ".join(guide.steps)),
        ("办理地点", guide.location),
        ("办理时限", guide.time_limit),
        ("收费", guide.fees),
    ]
    return tuple((h, t) for h, t in sections if t)


def answer_card(
    record: RecordContent,
    *,
    guide: RecordContent | None = None,
    replacement: RecordContent | None = None,
) -> AnswerCard:
    own_guide = record if record.kind is Kind.GUIDE else guide
    sections = guide_sections(own_guide) if own_guide else ()
    if own_guide is not None and own_guide is not record:
        sections = (("怎么办理", f"见办事指南《{own_guide.title}》"), *sections)
    return AnswerCard(
        record_id=record.id,
        title=record.title,
        kind=record.kind.label,
        status=record.status.label,
        short_answer=short_answer(record),
        facts=facts(record),
        sections=sections,
        source_url=record.source_url,
        warning=_warning(record, replacement),
    )


def _warning(record: RecordContent, replacement: RecordContent | None) -> str:
    if record.status is Status.IN_FORCE:
        return ""
    since = f"（{record.expiry_date} 起）" if record.expiry_date else ""
    text = f"本文件{record.status.label}{since}"
    if record.status is Status.AMENDED:
        text += "，部分内容已调整"
    else:
        text += "，不再作为办理依据"
    if replacement is not None:
        text += f"；请以《{replacement.title}》为准（回复“新政策”查看）"
    return text + "。"
