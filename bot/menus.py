"""Greeting, help and browsing by life event: 个人/企业 → event → records → one record."""

from __future__ import annotations

from bot.messages import Choice, ChoicesPart, TextPart
from bot.state import PendingChoice
from config.taxonomy import Group, Taxonomy
from knowledge.enums import Audience, Kind, Publication
from knowledge.queries import RecordQuery, StoredRecord
from knowledge.store.repository import KnowledgeStore

GREETING = (
    "您好！我是政策咨询助手，可以为您查找政策文件、政策解读、办事指南和常见问答。\n"
    "直接输入您的问题即可，例如“生孩子有什么补贴”“开个小餐馆要办什么手续”；"
    "也可以按下面的事项分类浏览。需要人工时回复“转人工”。"
)
GROUPS: tuple[tuple[str, Group], ...] = (("个人办事", "个人"), ("企业办事", "企业"))
BROWSE_LIMIT = 8
_KIND_ORDER = {Kind.GUIDE: 0, Kind.POLICY: 1, Kind.FAQ: 2, Kind.INTERPRETATION: 3, Kind.ARTICLE: 4}


def greeting_parts() -> tuple[TextPart | ChoicesPart, ...]:
    return (TextPart(GREETING), group_choices())


def group_choices() -> ChoicesPart:
    choices = tuple(Choice(label, f"group:{group}") for label, group in GROUPS)
    return ChoicesPart("请选择：", choices)


def group_pending() -> tuple[PendingChoice, ...]:
    return tuple(PendingChoice(label, f"group:{group}") for label, group in GROUPS)


def event_choices(taxonomy: Taxonomy, group: Group) -> ChoicesPart:
    choices = tuple(Choice(e.name, f"event:{e.code}") for e in taxonomy.in_group(group))
    title = "个人" if group == "个人" else "企业"
    return ChoicesPart(f"{title}办事，请选择事项（回复序号）：", choices)


def records_of_event(store: KnowledgeStore, code: str, audience: str) -> list[StoredRecord]:
    query = RecordQuery(
        life_event=code,
        publications=(Publication.PUBLISHED,),
        audience=Audience(audience) if audience else None,
        limit=200,
    )
    records = [r for r in store.list(query).items if r.content.status.is_current]
    # Guides first (how to do it), then policies, FAQs; newest first within a kind.
    records.sort(key=lambda r: (_KIND_ORDER[r.content.kind], _age(r)))
    return records[:BROWSE_LIMIT]


def _age(record: StoredRecord) -> int:
    published = record.content.published_date
    return -(published.toordinal() if published else 0)


def record_choices(event_name: str, records: list[StoredRecord]) -> ChoicesPart:
    choices = tuple(
        Choice(f"[{r.content.kind.label}] {r.content.title}", f"record:{r.id}") for r in records
    )
    return ChoicesPart(f"“{event_name}”相关的政策和办事指南（回复序号查看）：", choices)
