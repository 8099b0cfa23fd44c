"""What the chat path's speed-ups must not change, on SQLite and PostgreSQL: a message is one
transaction, cached records are what the database holds, and a burst of messages cannot starve
the connection pool."""

from __future__ import annotations

import itertools
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.engine import ConversationEngine
from bot.messages import Action, IncomingMessage
from bot.state import ConversationState
from bot.store.record_cache import RecordCache
from bot.store.repository import ConversationStore
from bot.wiring import open_engine
from indexer.wiring import open_search
from knowledge.demo import load_demo
from knowledge.enums import Publication
from knowledge.store.base import make_session_factory
from knowledge.store.wiring import KnowledgeBase
from tests.conftest import DEMO_DIR, settings_for

_ids = itertools.count(1)


def store_of(kb: KnowledgeBase) -> ConversationStore:
    return ConversationStore(make_session_factory(kb.engine))


def test_a_message_that_fails_leaves_no_claim_behind(kb: KnowledgeBase) -> None:
    store = store_of(kb)
    with pytest.raises(RuntimeError), store.unit() as unit:
        assert unit.claim("web", "fails-1", "u1", "生育津贴") is None
        raise RuntimeError("the reply could not be made")
    # Resent, it is handled afresh rather than "still being handled" forever.
    with store.unit() as unit:
        assert unit.claim("web", "fails-1", "u1", "生育津贴") is None


def test_cached_records_follow_the_knowledge_base_version(kb: KnowledgeBase) -> None:
    load_demo(kb.importer, DEMO_DIR)
    cache = RecordCache(make_session_factory(kb.engine))
    record_id = "birth-faq-subsidy-amount"
    before = kb.store.kb_version()
    assert cache.at(before, lambda _: []).get(record_id).content.publication.value == "published"

    after = kb.store.set_publication(record_id, Publication.OFFLINE, actor="test")

    assert after > before
    assert cache.at(after, lambda _: []).get(record_id).content.publication is Publication.OFFLINE


def test_interpretations_are_the_stores(kb: KnowledgeBase) -> None:
    load_demo(kb.importer, DEMO_DIR)
    cache = RecordCache(make_session_factory(kb.engine))
    store = store_of(kb)
    interpreted = {c.interprets for c in kb.store.iter_contents() if c.interprets}
    with store.unit() as unit:
        view = cache.at(unit.kb_version(), unit.interpreter_ids)
        for record_id in [*sorted(interpreted)[:3], "birth-faq-subsidy-amount"]:
            assert view.interpretations_of(record_id) == kb.store.interpretations_of(record_id)


def test_a_burst_of_messages_beyond_the_pool_is_answered(
    kb: KnowledgeBase, tmp_path_factory: pytest.TempPathFactory
) -> None:
    # More concurrent messages than the pool has connections (5 + 10 overflow): each unit holds
    # one while the engine reads records through another. Unbounded, they waited on each other
    # until the pool timed out (30 s) and failed.
    engine, _ = _engine_on_demo(kb, tmp_path_factory.mktemp("burst"))

    def ask(number: int) -> Action:
        message = _message(f"burst-{number}", "生孩子有什么补贴", datetime.now(UTC))
        return engine.handle(message).action

    with ThreadPoolExecutor(max_workers=24) as pool:
        actions = list(pool.map(ask, range(48), timeout=60))

    assert len(actions) == 48 and set(actions) <= {Action.ANSWER, Action.CLARIFY}


def test_concurrent_messages_of_one_citizen_all_count(
    kb: KnowledgeBase, tmp_path_factory: pytest.TempPathFactory
) -> None:
    # On SQLite a reply is decided before its transaction and checked in it; a message whose
    # conversation moved meanwhile is decided again, so no exchange is lost from the state.
    engine, conversations = _engine_on_demo(kb, tmp_path_factory.mktemp("same-user"))
    questions = ["生孩子有什么补贴", "失业金怎么领", "公积金怎么提取", "开餐馆要办什么证"]
    now = datetime.now(UTC)

    def ask(number: int) -> Action:
        message = _message("same-citizen", questions[number % len(questions)], now)
        return engine.handle(message).action

    with ThreadPoolExecutor(max_workers=8) as pool:
        actions = list(pool.map(ask, range(8), timeout=60))

    with conversations.unit() as unit:
        state = unit.load_state("web", "same-citizen", now)
    assert len(actions) == 8
    assert [line.speaker for line in state.transcript] == ["user", "bot"] * 8


def test_a_reply_decided_ahead_is_not_kept_when_the_conversation_moved(
    kb: KnowledgeBase,
) -> None:
    store = store_of(kb)
    now = datetime.now(UTC)
    ahead = store.read_ahead("web", "u-moved", now)
    if ahead is None:
        pytest.skip("this database decides every reply inside its transaction")
    with store.unit() as unit:
        assert ahead.holds_in(unit)
        unit.save_state("web", "u-moved", ConversationState(last_question="公积金"), now)
    with store.unit() as unit:
        assert not ahead.holds_in(unit)


def _engine_on_demo(
    kb: KnowledgeBase, workdir: Path
) -> tuple[ConversationEngine, ConversationStore]:
    load_demo(kb.importer, DEMO_DIR)
    settings = settings_for(str(kb.engine.url), workdir / "index")
    search = open_search(settings, kb.store, kb.taxonomy)
    _ = search.current  # built once before the threads, as the service does at start-up
    return open_engine(settings, kb, search)


def _message(user_id: str, text: str, sent_at: datetime) -> IncomingMessage:
    return IncomingMessage(
        channel="web",
        user_id=user_id,
        message_id=f"{user_id}-{next(_ids)}",
        sent_at=sent_at,
        text=text,
    )
