"""Assembling the conversation engine from settings values (entry points pass them in)."""

from __future__ import annotations

from bot.engine import ConversationEngine, EngineParts
from bot.intent import IntentRouter, load_cues
from bot.store.repository import ConversationStore
from config.settings import Settings
from indexer.service import SearchService
from knowledge.store.base import make_session_factory
from knowledge.store.wiring import KnowledgeBase


def open_conversations(kb: KnowledgeBase) -> ConversationStore:
    return ConversationStore(make_session_factory(kb.engine))


def open_engine(
    settings: Settings, kb: KnowledgeBase, search: SearchService
) -> tuple[ConversationEngine, ConversationStore]:
    conversations = open_conversations(kb)
    parts = EngineParts(
        searcher=lambda: search.searcher,
        knowledge=kb.store,
        conversations=conversations,
        router=IntentRouter(load_cues(settings.intent_cues_path)),
        taxonomy=kb.taxonomy,
    )
    return ConversationEngine(parts), conversations
