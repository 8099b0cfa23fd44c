"""Assembling the conversation engine from settings values (entry points pass them in)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from bot.deadlines import DeadlinePolicy
from bot.delivery import Deliverer, WebNoticeSender
from bot.engine import ConversationEngine, EngineParts
from bot.intent import IntentRouter, load_cues
from bot.queue import ConsultationQueue
from bot.staff import LoginPolicy, StaffDirectory
from bot.store.queue_repository import QueueStore
from bot.store.record_cache import RecordCache
from bot.store.repository import ConversationStore
from config.departments import Department, load_departments
from config.settings import Settings
from indexer.service import SearchService
from knowledge.store.base import make_session_factory
from knowledge.store.wiring import KnowledgeBase


def deadline_policy(settings: Settings) -> DeadlinePolicy:
    return DeadlinePolicy(
        {"consultation": settings.consultation_days, "disclosure": settings.disclosure_days}
    )


def open_conversations(kb: KnowledgeBase, settings: Settings | None = None) -> ConversationStore:
    deadlines = deadline_policy(settings) if settings else None
    return ConversationStore(make_session_factory(kb.engine), deadlines)


@dataclass
class QueueParts:
    store: QueueStore
    queue: ConsultationQueue
    staff: StaffDirectory
    deliverer: Deliverer
    departments: tuple[Department, ...]


def open_queue(settings: Settings, kb: KnowledgeBase) -> QueueParts:
    departments = load_departments(settings.departments_path)
    names = frozenset(d.name for d in departments)
    store = QueueStore(make_session_factory(kb.engine), deadline_policy(settings))
    policy = LoginPolicy(
        settings.login_max_failures, timedelta(minutes=settings.login_lock_minutes)
    )
    return QueueParts(
        store=store,
        queue=ConsultationQueue(store, names),
        staff=StaffDirectory(store, names, policy),
        deliverer=Deliverer(store, {"web": WebNoticeSender()}),
        departments=departments,
    )


def open_engine(
    settings: Settings, kb: KnowledgeBase, search: SearchService
) -> tuple[ConversationEngine, ConversationStore]:
    conversations = open_conversations(kb, settings)
    parts = EngineParts(
        searcher=lambda: search.searcher,
        knowledge=kb.store,
        conversations=conversations,
        router=IntentRouter(load_cues(settings.intent_cues_path)),
        taxonomy=kb.taxonomy,
        records=RecordCache(make_session_factory(kb.engine)),
    )
    return ConversationEngine(parts), conversations
