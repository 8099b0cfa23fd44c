"""Handing over to people: confirm, open a consultation, and tell the user where it stands."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from bot.consultations import ConsultationStatus, ConsultationSummary, NewConsultation
from bot.messages import Action, Choice, ChoicesPart, IncomingMessage, Reply, ReplyPart, TextPart
from bot.state import ConversationState, PendingChoice
from bot.vocabulary import CONSULTATION_NUMBER, compact
from indexer.normalize import normalize_query

if TYPE_CHECKING:
    from bot.engine import EngineParts
    from bot.store.read_ahead import TurnUnit

Outcome = tuple[Reply, ConversationState]
HOTLINE = "12345"
ANSWER_DAYS = 3
_ASK = {
    "escalate": "需要为您转人工咨询吗？",
    "asked": "好的，为您转人工咨询。请确认：",
    "clarify_failed": "需要为您转人工咨询吗？",
    "unhelpful": "需要为您转人工咨询吗？",
    "route": "需要为您转给工作人员处理吗？",
}
# Consultations people have not answered yet: asking again about the same question adds nothing.
_WAITING = frozenset({ConsultationStatus.PENDING, ConsultationStatus.IN_PROGRESS})


class Escalation:
    def __init__(
        self,
        parts: EngineParts,
        unit: TurnUnit,
        message: IncomingMessage,
        state: ConversationState,
    ) -> None:
        self.parts = parts
        self.unit = unit
        self.message = message
        self.state = state

    def confirm(self, reason: str, preface: tuple[ReplyPart, ...] = ()) -> Outcome:
        waiting = self._waiting(self._question())
        if waiting is not None:
            return self._already_waiting(waiting, preface)
        choices = (
            Choice("确认转人工", f"escalate:confirm:{reason}"),
            Choice("不用了", "escalate:cancel"),
        )
        ask = f"{_ASK.get(reason, _ASK['escalate'])}工作人员将在{ANSWER_DAYS}个工作日内答复。"
        pending = tuple(PendingChoice(c.label, c.payload) for c in choices)
        state = replace(self.state, pending=pending, pending_kind="confirm_escalation")
        return Reply(Action.ESCALATE, (*preface, ChoicesPart(ask, choices))), state

    def route(self, text: str, reason: str) -> Outcome:
        choices = (
            Choice("转给工作人员", "escalate:confirm:route"),
            Choice("不用了", "escalate:cancel"),
        )
        pending = tuple(PendingChoice(c.label, c.payload) for c in choices)
        state = replace(
            self.state, last_question=text, pending=pending, pending_kind="confirm_escalation"
        )
        parts = (TextPart(reason), ChoicesPart(_ASK["route"], choices))
        return Reply(Action.ROUTE, parts), state

    def after_failed_clarification(self) -> Outcome:
        self.state = replace(self.state, failed_clarifications=self.state.failed_clarifications + 1)
        preface = (TextPart("抱歉没有找到您要的内容。"),)
        return self.confirm("clarify_failed", preface)

    def payload(self, value: str) -> Outcome:
        action, _, reason = value.partition(":")
        if action == "confirm":
            return self.open(reason or "asked")
        if action == "ask":
            return self.confirm("asked")
        text = f"好的。您可以换个说法再问，或拨打{HOTLINE}政务服务便民热线。"
        return Reply(Action.MENU, (TextPart(text),)), self.state.cleared_choices()

    def open(self, reason: str) -> Outcome:
        question = self._question()
        waiting = self._waiting(question)
        if waiting is not None:  # "1" on an offer made before the first one was confirmed
            return self._already_waiting(waiting)
        candidates = self._candidates()
        number = self.unit.consultations.open(
            NewConsultation(
                channel=self.message.channel,
                user_id=self.message.user_id,
                question=question,
                transcript=tuple((t.speaker, t.text, t.at) for t in self.state.transcript),
                candidates=tuple((r_id, title) for r_id, title, _ in candidates),
                audience=self.state.audience,
                life_event=self._life_event(question),
                department=self._department(question, candidates),
                reason=reason,
            )
        )
        text = (
            f"已为您转人工咨询，咨询编号 {number}。工作人员将在{ANSWER_DAYS}个工作日内答复，"
            f"答复会发送到这里。回复“我的咨询”可查看进度；紧急事项请拨打{HOTLINE}。"
        )
        state = replace(self.state.cleared_choices(), failed_clarifications=0)
        return Reply(Action.ESCALATE, (TextPart(text),), consultation_number=number), state

    def _question(self) -> str:
        return self.state.last_question or self._implied_question()

    def _waiting(self, question: str) -> ConsultationSummary | None:
        """The user's own consultation on this same question that people have yet to answer:
        impatient repeats of 转人工 must not queue the same question again and again."""
        mine = self.unit.consultations.of_user(self.message.channel, self.message.user_id)
        return next((c for c in mine if c.question == question and c.status in _WAITING), None)

    def _already_waiting(
        self, waiting: ConsultationSummary, preface: tuple[ReplyPart, ...] = ()
    ) -> Outcome:
        text = (
            f"这个问题已为您转人工咨询，咨询编号 {waiting.number}（{waiting.status.label}），"
            f"工作人员将在{ANSWER_DAYS}个工作日内答复，无需重复提交。回复“我的咨询”可查看进度；"
            f"紧急事项请拨打{HOTLINE}。"
        )
        state = replace(self.state.cleared_choices(), failed_clarifications=0)
        reply = Reply(
            Action.ESCALATE, (*preface, TextPart(text)), consultation_number=waiting.number
        )
        return reply, state

    def _implied_question(self) -> str:
        """No question was asked (the user browsed, then asked for a person): say what they saw."""
        if self.state.last_record:
            found = self.parts.knowledge.find([self.state.last_record])
            if self.state.last_record in found:
                title = found[self.state.last_record].content.title
                return f"（用户查看《{title}》后要求人工服务，未提出具体问题）"
        return "（用户要求人工服务，未提出具体问题）"

    def _candidates(self) -> list[tuple[str, str, str]]:
        found = self.parts.knowledge.find(self.state.last_results)
        return [
            (i, found[i].content.title, found[i].content.department)
            for i in self.state.last_results
            if i in found
        ]

    def _life_event(self, question: str) -> str:
        events = self.parts.searcher().detect_life_events(normalize_query(question))
        return events[0] if events else ""

    def _department(self, question: str, candidates: list[tuple[str, str, str]]) -> str:
        for _, _, department in candidates:
            if department:
                return department
        event = self._life_event(question)
        return self.parts.taxonomy.by_code(event).department if event else ""

    def status(self, text: str) -> Outcome:
        mine = self.unit.consultations.of_user(self.message.channel, self.message.user_id)
        match = CONSULTATION_NUMBER.search(compact(text))
        if match:
            wanted = match.group(0).upper()
            found = [c for c in mine if c.number == wanted]
            if not found:
                msg = f"没有找到您名下编号为 {wanted} 的咨询，请核对编号。"
                return Reply(Action.STATUS, (TextPart(msg),)), self.state
            mine = found
        if not mine:
            return Reply(Action.STATUS, (TextPart("您还没有咨询记录。"),)), self.state
        lines = ["您的咨询："] + [_line(c) for c in mine[:5]]
        return Reply(Action.STATUS, (TextPart("\n".join(lines)),)), self.state


def _line(consultation: ConsultationSummary) -> str:
    when = consultation.created_at.astimezone().strftime("%Y-%m-%d %H:%M")
    question = consultation.question[:30] + ("…" if len(consultation.question) > 30 else "")
    return f"{consultation.number}｜{consultation.status.label}｜{when}｜{question}"
