"""One turn of a conversation: decide what a message means and what to say back."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from bot import menus
from bot.answering import Answering
from bot.escalation import Escalation
from bot.intent import MessageKind
from bot.messages import Action, ChoicesPart, IncomingMessage, Reply, TextPart
from bot.state import ConversationState, PendingChoice
from bot.vocabulary import (
    CANCEL,
    CONFIRM,
    GREETINGS,
    MENU_WORDS,
    USEFUL,
    USELESS,
    asks_for_human,
    asks_for_status,
    choice_number,
    compact,
    follow_up,
)

if TYPE_CHECKING:
    from bot.engine import EngineParts
    from bot.store.read_ahead import TurnUnit

Outcome = tuple[Reply, ConversationState]
EMPTY_HINT = "请输入您想咨询的问题，例如“生孩子有什么补贴”，或回复“菜单”按事项浏览。"


class Turn:
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
        self.answering = Answering(parts, state)
        self.escalation = Escalation(parts, unit, message, state)

    def respond(self) -> Outcome:
        if self.message.payload:
            return self.payload(self.message.payload)
        text = self.message.text.strip()
        short = compact(text)
        if not short:
            return Reply(Action.MENU, (TextPart(EMPTY_HINT),)), self.state
        if self.state.pending:
            picked = self._pending_reply(text, short)
            if picked is not None:
                return picked
        return self._command(text, short) or self._free_text(text)

    def _pending_reply(self, text: str, short: str) -> Outcome | None:
        pending = self.state.pending
        number = choice_number(text)
        if number is not None:
            if 1 <= number <= len(pending):
                return self.payload(pending[number - 1].payload)
            hint = f"请回复 1 到 {len(pending)} 之间的序号，或直接输入新的问题。"
            return Reply(Action.CLARIFY, (TextPart(hint), _choices_of(pending))), self.state
        for choice in pending:
            if short == compact(choice.label):
                return self.payload(choice.payload)
        if self.state.pending_kind == "confirm_escalation":
            if short in CONFIRM:
                return self.payload(pending[0].payload)
            if short in CANCEL:
                return self.payload("escalate:cancel")
        return None  # a new question abandons the choice

    def _command(self, text: str, short: str) -> Outcome | None:
        state = self.state
        if short in CANCEL:
            return Reply(
                Action.MENU, (TextPart("好的，已取消。还有什么可以帮您？"),)
            ), state.cleared_choices()
        if asks_for_human(text):
            return self.escalation.confirm("asked")
        if short in MENU_WORDS or short in GREETINGS:
            return self.menu()
        if asks_for_status(text):
            return self.escalation.status(text)
        if state.last_record and (short in USEFUL or short in USELESS):
            return self.feedback(useful=short in USEFUL)
        wanted = follow_up(text)
        if wanted is not None and state.last_record:
            return self.answering.follow_up(wanted)
        return None

    def _free_text(self, text: str) -> Outcome:
        routing = self.parts.router.route(text)
        if routing.kind is MessageKind.HUMAN:
            return self.escalation.confirm("asked")
        if routing.kind is MessageKind.GREETING:
            return self.menu()
        if routing.kind in (MessageKind.COMPLAINT_OR_HELP, MessageKind.SUGGESTION):
            # A short colloquial question ("失业金咋申请") can look like a grievance to the
            # router; unless it is sure, let the search speak first (docs/routing.md).
            if routing.confidence >= self.parts.route_confidence:
                return self.escalation.route(text, routing.reason)
            reply, state = self.answering.question(text)
            if reply.action is Action.ESCALATE:
                return self.escalation.route(text, routing.reason)
            return reply, state
        return self._question(text)

    def _question(self, text: str) -> Outcome:
        reply, state = self.answering.question(text)
        if reply.action is Action.ESCALATE:
            self.escalation.state = state
            return self.escalation.confirm("escalate", preface=reply.parts)
        return reply, state

    def payload(self, payload: str) -> Outcome:
        kind, _, value = payload.partition(":")
        handlers = {
            "menu": lambda: self.menu(),
            "group": lambda: self._group(value),
            "event": lambda: self._event(value),
            "record": lambda: self.answering.show_record(value),
            "follow": lambda: self.answering.follow_up_named(value),
            "feedback": lambda: self.feedback(useful=value == "useful"),
            "escalate": lambda: self.escalation.payload(value),
            "none": lambda: self.escalation.after_failed_clarification(),
            "status": lambda: self.escalation.status(""),
            "rate": lambda: self._rate(value),
        }
        handler = handlers.get(kind)
        if handler is None:
            hint = "抱歉，无法识别这个选项，请重新选择或直接输入问题。"
            return Reply(Action.MENU, (TextPart(hint), menus.group_choices())), self.state
        return handler()

    def menu(self) -> Outcome:
        state = replace(
            self.state.cleared_choices(), pending=menus.group_pending(), pending_kind="browse"
        )
        return Reply(Action.MENU, menus.greeting_parts()), state

    def _group(self, group: str) -> Outcome:
        if group not in ("个人", "企业"):
            return self.payload("unknown:")
        part = menus.event_choices(self.parts.taxonomy, group)  # type: ignore[arg-type]
        audience = "individual" if group == "个人" else "enterprise"
        pending = tuple(PendingChoice(c.label, c.payload) for c in part.choices)
        state = replace(self.state, audience=audience, pending=pending, pending_kind="browse")
        return Reply(Action.MENU, (part,)), state

    def _event(self, code: str) -> Outcome:
        try:
            event = self.parts.taxonomy.by_code(code)
        except KeyError:
            return self.payload("unknown:")
        records = menus.records_of_event(self.parts.knowledge, code, self.state.audience)
        if not records:
            text = f"“{event.name}”暂无已发布的政策，您可以直接提问或回复“转人工”。"
            return Reply(Action.MENU, (TextPart(text),)), self.state.cleared_choices()
        part = menus.record_choices(event.name, records)
        pending = tuple(PendingChoice(c.label, c.payload) for c in part.choices)
        shown = tuple(self.answering.shown(r.content) for r in records)
        state = replace(self.state, pending=pending, pending_kind="browse")
        return Reply(Action.MENU, (part,), records=shown), state

    def _rate(self, value: str) -> Outcome:
        number, _, verdict = value.partition(":")
        rated = self.unit.consultations.rate(
            self.message.channel, self.message.user_id, number, good=verdict == "good"
        )
        text = "感谢您的评价！" if rated else "没有找到这条咨询，无法评价。"
        return Reply(Action.FEEDBACK, (TextPart(text),)), self.state

    def feedback(self, *, useful: bool) -> Outcome:
        record = self.state.last_record
        if not record:
            return Reply(Action.FEEDBACK, (TextPart("请先提问，再对答复评价。"),)), self.state
        self.unit.add_feedback(
            self.message.channel,
            self.message.user_id,
            record,
            self.state.last_question,
            useful=useful,
        )
        if useful:
            return Reply(Action.FEEDBACK, (TextPart("感谢您的评价！"),)), self.state
        return self.escalation.confirm(
            "unhelpful", preface=(TextPart("抱歉没能帮到您，已记录您的反馈。"),)
        )


def _choices_of(pending: tuple[PendingChoice, ...]) -> ChoicesPart:
    from bot.messages import Choice

    return ChoicesPart("", tuple(Choice(p.label, p.payload) for p in pending))
