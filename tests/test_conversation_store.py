"""Conversation persistence on SQLite and PostgreSQL: replays, concurrent deliveries, state."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

from bot.consultations import NewConsultation
from bot.state import ConversationState, PendingChoice
from bot.store.repository import ConversationStore
from knowledge.store.base import make_session_factory
from knowledge.store.wiring import KnowledgeBase

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


def store_of(kb: KnowledgeBase) -> ConversationStore:
    return ConversationStore(make_session_factory(kb.engine))


def test_a_delivery_is_claimed_once_and_its_reply_replayed(kb: KnowledgeBase) -> None:
    store = store_of(kb)
    with store.unit() as unit:
        assert unit.claim("wechat", "msg-1", "u1", "你好") is None
        unit.keep_reply("wechat", "msg-1", "menu", '{"action": "menu"}')
    with store.unit() as unit:
        assert unit.claim("wechat", "msg-1", "u1", "你好") == '{"action": "menu"}'


def test_concurrent_deliveries_of_one_message_are_handled_once(kb: KnowledgeBase) -> None:
    store = store_of(kb)
    outcomes: list[str | None] = []
    barrier = threading.Barrier(4)

    def deliver() -> None:
        barrier.wait()
        with store.unit() as unit:
            earlier = unit.claim("wechat", "same-id", "u2", "生育津贴")
            if earlier is None:
                unit.keep_reply("wechat", "same-id", "answer", '{"action": "answer"}')
            outcomes.append(earlier)

    threads = [threading.Thread(target=deliver) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert outcomes.count(None) == 1  # exactly one worker answered it
    assert len(outcomes) == 4


def test_state_round_trips_and_expires(kb: KnowledgeBase) -> None:
    store = store_of(kb)
    state = ConversationState(
        audience="enterprise",
        pending=(PendingChoice("开办", "event:ent_opening"),),
        pending_kind="browse",
        last_question="怎么开公司",
    ).with_line("user", "怎么开公司", NOW)
    with store.unit() as unit:
        unit.save_state("web", "u3", state, NOW)
    with store.unit() as unit:
        assert unit.load_state("web", "u3", NOW + timedelta(minutes=5)) == state
        assert unit.load_state("web", "u3", NOW + timedelta(hours=1)) == ConversationState()


def test_consultation_numbers_are_unique_and_findable(kb: KnowledgeBase) -> None:
    store = store_of(kb)
    new = NewConsultation(
        "web", "u4", "生育津贴怎么领", (), (), "individual", "birth", "医保局", "asked"
    )
    with store.unit() as unit:
        first = unit.consultations.open(new)
        second = unit.consultations.open(new)
    with store.unit() as unit:
        mine = unit.consultations.of_user("web", "u4")
        found = unit.consultations.by_number(first.lower())

    assert first != second and first.startswith("ZX")
    assert [c.number for c in mine] == [second, first]
    assert found is not None and found.status.label == "待受理"
