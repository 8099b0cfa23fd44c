"""The conversation engine: one incoming message in, one reply out, whatever the channel.

Each message is handled in one database transaction (`ConversationStore.unit`): the delivery is
claimed (a replay gets the stored reply and changes nothing), the conversation state is read,
the reply is decided, and state, reply and any consultation or feedback commit together. On
SQLite the reply is decided just before the transaction and checked in it (read_ahead.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime

from bot.answering import GuideCache
from bot.conversation import Turn
from bot.intent import IntentRouter
from bot.messages import Action, IncomingMessage, Reply, TextPart
from bot.serialize import reply_from_json, reply_to_json
from bot.state import ConversationState
from bot.store.read_ahead import NeedsTransaction, ReadAhead, TurnUnit
from bot.store.record_cache import RecordCache
from bot.store.repository import ConversationStore
from config.taxonomy import Taxonomy
from indexer.search import Searcher
from knowledge.store.repository import KnowledgeStore

MAX_MESSAGE = 2000  # longer pastes are cut before search: bounded work, and it is still read


@dataclass(frozen=True)
class EngineParts:
    """What the engine needs; `searcher` is a callable so a rebuilt index is picked up."""

    searcher: Callable[[], Searcher]
    knowledge: KnowledgeStore
    conversations: ConversationStore
    router: IntentRouter
    taxonomy: Taxonomy
    route_confidence: float = 0.8  # below it, a "complaint" that search can answer is answered
    # Published records kept per knowledge-base version; without it every read goes to `knowledge`.
    records: RecordCache | None = None
    # The guide each record's card points to, kept per search index (bot/answering.py).
    guides: GuideCache = field(default_factory=GuideCache)


@dataclass(frozen=True)
class Decision:
    reply: Reply
    state: ConversationState  # to keep, the exchange remembered
    reply_json: str  # to keep for a replay
    ahead: ReadAhead | None = None  # decided before the transaction: what it read


class ConversationEngine:
    def __init__(self, parts: EngineParts) -> None:
        self._parts = parts

    def handle(self, message: IncomingMessage) -> Reply:
        conversations = self._parts.conversations
        decided = self._decide_ahead(message)
        with conversations.unit() as unit:
            earlier = unit.claim(message.channel, message.message_id, message.user_id, message.text)
            if earlier is not None:
                return _replayed(earlier)
            if decided is None or decided.ahead is None or not decided.ahead.holds_in(unit):
                decided = self._decide(unit, message)
            unit.save_state(message.channel, message.user_id, decided.state, message.sent_at)
            row = unit.keep_reply(
                message.channel, message.message_id, decided.reply.action.value, decided.reply_json
            )
        reply = decided.reply
        return replace(reply, extra={**reply.extra, "message_row": str(row)})

    def _decide_ahead(self, message: IncomingMessage) -> Decision | None:
        """The reply decided outside the transaction where the store does so (read_ahead.py);
        None when the turn must be decided inside it."""
        ahead = self._parts.conversations.read_ahead(
            message.channel, message.user_id, message.sent_at
        )
        if ahead is None:
            return None
        try:
            return replace(self._decide(ahead, message), ahead=ahead)
        except NeedsTransaction:
            return None

    def _decide(self, unit: TurnUnit, message: IncomingMessage) -> Decision:
        state = unit.load_state(message.channel, message.user_id, message.sent_at)
        reply, state = Turn(self._parts_for(unit), unit, message, state).respond()
        return Decision(reply, _remember(state, message, reply), reply_to_json(reply))

    def _parts_for(self, unit: TurnUnit) -> EngineParts:
        records = self._parts.records
        if records is None:
            return self._parts
        knowledge = records.at(unit.kb_version(), unit.interpreter_ids)
        return replace(self._parts, knowledge=knowledge)


def _replayed(stored: str) -> Reply:
    if not stored:  # claimed by another worker that has not finished: say so, change nothing
        return Reply(Action.IGNORED, (TextPart("您的消息正在处理中，请稍候。"),))
    reply = reply_from_json(stored)
    return replace(reply, extra={**reply.extra, "replayed": "1"})


def _remember(
    state: ConversationState, message: IncomingMessage, reply: Reply
) -> ConversationState:
    said = message.text or f"[{message.payload}]"
    now: datetime = message.sent_at
    return state.with_line("user", said[:MAX_MESSAGE], now).with_line("bot", reply.text[:500], now)
