"""Answering a question: search, then an answer card, numbered choices, or a hand-over."""

from __future__ import annotations

import threading
import weakref
from dataclasses import replace
from typing import TYPE_CHECKING

from bot.cards import answer_card, clip, guide_sections, heading, shown
from bot.messages import (
    Action,
    Choice,
    ChoicesPart,
    Reply,
    ReplyPart,
    ShownRecord,
    TextPart,
)
from bot.state import ConversationState, PendingChoice
from bot.vocabulary import FollowUp
from indexer.bands import Band
from indexer.search import ALL_STATUSES, Hit, Searcher, SearchFilters
from knowledge.enums import Kind, Publication
from knowledge.errors import RecordNotFoundError
from knowledge.record import RecordContent

if TYPE_CHECKING:
    from bot.engine import EngineParts

Outcome = tuple[Reply, ConversationState]
MAX_QUESTION = 2000
DETAIL_CHARS = 1500
GUIDE_MIN_COVERAGE = 0.35
NONE_OF_THESE = Choice("都不是，转人工", "none:")
GUIDES_KEPT = 4096


class GuideCache:
    """Which guide a record's card points to, found once per record and search index.

    The guide is what a search of the guides for the record's title (within its first life
    event) finds: a function of those two and the index alone. So it is kept per index (a
    rebuilt index starts afresh) and looked up by them; the guide record itself is still read
    through the knowledge store, so a guide withdrawn since is not shown.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._index: weakref.ref[Searcher] | None = None
        self._found: dict[tuple[str, str | None], str | None] = {}

    def guide_id(self, searcher: Searcher, title: str, event: str | None) -> str | None:
        key = (title, event)
        with self._lock:
            if self._index is None or self._index() is not searcher:
                self._index, self._found = weakref.ref(searcher), {}
            if key in self._found:
                return self._found[key]
            found = self._found
        filters = SearchFilters(kinds=frozenset({"guide"}), life_event=event)
        best = searcher.search(title, filters, limit=1).best
        guide = best.id if best is not None and best.coverage >= GUIDE_MIN_COVERAGE else None
        with self._lock:
            if len(found) >= GUIDES_KEPT:
                found.clear()
            found[key] = guide
        return guide


class Answering:
    def __init__(self, parts: EngineParts, state: ConversationState) -> None:
        self.parts = parts
        self.state = state

    def shown(self, record: RecordContent) -> ShownRecord:
        return shown(record, self.parts.taxonomy)

    def question(self, text: str) -> Outcome:
        searcher = self.parts.searcher()
        filters = SearchFilters(statuses=ALL_STATUSES, audience=self.state.audience or None)
        result = searcher.search(text[:MAX_QUESTION], filters, limit=10)
        state = replace(
            self.state.cleared_choices(),
            last_question=text[:MAX_QUESTION],
            last_results=tuple(h.id for h in result.hits[:5]),
        )
        if result.band is Band.ANSWER and result.best is not None:
            return self._answer(result.best.id, state)
        if result.band is Band.CLARIFY and len(result.clarify_with) >= 2:
            return self._clarify(result.clarify_with, state)
        text_part = TextPart("抱歉，暂时没有找到能准确回答您问题的政策。")
        return Reply(Action.ESCALATE, (text_part,)), state

    def _clarify(self, hits: list[Hit], state: ConversationState) -> Outcome:
        choices = tuple(Choice(h.document.title, f"record:{h.id}") for h in hits)
        choices = (*choices, NONE_OF_THESE)
        part = ChoicesPart("您想了解的是哪一项？（回复序号）", choices)
        pending = tuple(PendingChoice(c.label, c.payload) for c in choices)
        records = self._records([h.id for h in hits])
        state = replace(state, pending=pending, pending_kind="clarify")
        return Reply(Action.CLARIFY, (part,), records=tuple(self.shown(r) for r in records)), state

    def show_record(self, record_id: str) -> Outcome:
        state = replace(self.state.cleared_choices(), last_results=(record_id,))
        return self._answer(record_id, state)

    def _answer(self, record_id: str, state: ConversationState) -> Outcome:
        record = self._record(record_id)
        if record is None:
            return Reply(Action.ESCALATE, (TextPart("这条内容已下线，请换个问题。"),)), state
        replacement = self._replacement(record)
        card = answer_card(record, guide=self._guide_for(record), replacement=replacement)
        parts: tuple[ReplyPart, ...] = (card, self._follow_up_choices(record, replacement))
        state = replace(state, last_record=record.id, failed_clarifications=0)
        reply = Reply(Action.ANSWER, parts, records=(self.shown(record),), feedback_token=record.id)
        return reply, state

    def _follow_up_choices(
        self, record: RecordContent, replacement: RecordContent | None
    ) -> ChoicesPart:
        labels = [("详细", "detail"), ("怎么办理", "how_to")]
        if self.parts.knowledge.interpretations_of(record.id) or record.interprets:
            labels.append(("解读", "interpretation"))
        if replacement is not None:
            labels.append(("新政策", "replacement"))
        labels.append(("相关政策", "related"))
        choices = tuple(Choice(label, f"follow:{name}") for label, name in labels)
        choices += (Choice("有用", "feedback:useful"), Choice("没用", "feedback:useless"))
        return ChoicesPart("还可以回复：", choices, numbered=False)

    def follow_up_named(self, name: str) -> Outcome:
        try:
            wanted = FollowUp(name)
        except ValueError:
            return Reply(Action.MENU, (TextPart("抱歉，无法识别这个选项。"),)), self.state
        return self.follow_up(wanted)

    def follow_up(self, wanted: FollowUp) -> Outcome:
        record = self._record(self.state.last_record)
        if record is None:
            return Reply(Action.MENU, (TextPart("请先提问。"),)), self.state
        if wanted is FollowUp.REPLACEMENT:
            replacement = self._replacement(record)
            if replacement is not None:
                return self.show_record(replacement.id)
            return self._text(f"《{record.title}》{record.status.label}，没有替代它的文件。")
        if wanted in (FollowUp.INTERPRETATION, FollowUp.RELATED):
            return self._list(record, wanted)
        builders = {
            FollowUp.DETAIL: self._detail,
            FollowUp.HOW_TO: self._how_to,
            FollowUp.ORIGINAL: self._original,
        }
        return self._text(builders[wanted](record))

    def _text(self, text: str) -> Outcome:
        return Reply(Action.ANSWER, (TextPart(text),)), self.state

    def _detail(self, record: RecordContent) -> str:
        body = record.body or "\n".join(t for _, t in guide_sections(record))
        return f"{heading(record.title)}\n{clip(body, DETAIL_CHARS) or '暂无正文。'}"

    def _how_to(self, record: RecordContent) -> str:
        guide = record if record.kind is Kind.GUIDE else self._guide_for(record)
        if guide is None:
            contact = f"{record.department}（{record.hotline}）" if record.hotline else "12345"
            return f"暂无对应的办事指南，具体办理方式请咨询{contact}。"
        lines = [f"办事指南《{guide.title}》"] + [f"{h}：{t}" for h, t in guide_sections(guide)]
        return "\n".join(lines)

    def _original(self, record: RecordContent) -> str:
        if record.source_url:
            return f"原文链接：{record.source_url}"
        where = f"（{record.doc_number}）" if record.doc_number else ""
        agency = record.issuing_agency or record.department or "发文机关"
        return f"《{record.title}》{where}原文请在{agency}官方网站或政府信息公开平台查阅。"

    def _list(self, record: RecordContent, wanted: FollowUp) -> Outcome:
        if wanted is FollowUp.INTERPRETATION:
            found = [r.content for r in self.parts.knowledge.interpretations_of(record.id)]
            if record.interprets:
                found = list(self._records([record.interprets])) + found
            prompt, empty = "相关解读（回复序号查看）：", "这份文件暂无解读。"
        else:
            found = self._related(record)
            prompt, empty = "相关政策（回复序号查看）：", "暂无相关政策。"
        found = [r for r in found if r.publication is Publication.PUBLISHED][:4]
        if not found:
            return self._text(empty)
        choices = tuple(Choice(r.title, f"record:{r.id}") for r in found)
        pending = tuple(PendingChoice(c.label, c.payload) for c in choices)
        state = replace(self.state, pending=pending, pending_kind="browse")
        records = tuple(self.shown(r) for r in found)
        return Reply(Action.ANSWER, (ChoicesPart(prompt, choices),), records=records), state

    def _related(self, record: RecordContent) -> list[RecordContent]:
        event = record.life_events[0] if record.life_events else None
        result = self.parts.searcher().search(record.title, SearchFilters(life_event=event))
        ids = [h.id for h in result.hits if h.id != record.id][:4]
        return self._records(ids)

    def _guide_for(self, record: RecordContent) -> RecordContent | None:
        if record.kind is Kind.GUIDE:
            return None
        event = record.life_events[0] if record.life_events else None
        guide = self.parts.guides.guide_id(self.parts.searcher(), record.title, event)
        return self._record(guide) if guide is not None else None

    def _replacement(self, record: RecordContent) -> RecordContent | None:
        seen = {record.id}
        current = record
        while current.replaced_by and current.replaced_by not in seen:
            nxt = self._record(current.replaced_by)
            if nxt is None:
                break
            seen.add(nxt.id)
            current = nxt
        return current if current is not record else None

    def _record(self, record_id: str) -> RecordContent | None:
        try:
            content = self.parts.knowledge.get(record_id).content
        except RecordNotFoundError:
            return None
        return content if content.publication is Publication.PUBLISHED else None

    def _records(self, ids: list[str]) -> list[RecordContent]:
        found = self.parts.knowledge.find(ids)
        return [found[i].content for i in ids if i in found]
