"""The index's life cycle: saved and loaded, rebuilt when the knowledge base moves, never half."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from indexer.persistence import load_index
from indexer.resources import AnalysisResources
from indexer.service import SearchService
from indexer.wiring import open_search
from knowledge.enums import Publication
from knowledge.store.wiring import KnowledgeBase, open_knowledge
from tests.conftest import LIFE_EVENTS, settings_for
from tests.test_store import policy


@pytest.fixture
def kb(sqlite_url: str) -> Iterator[KnowledgeBase]:
    knowledge = open_knowledge(sqlite_url, LIFE_EVENTS)
    knowledge.store.upsert(
        [
            policy("p-1", title="示范区育儿补贴实施细则", body="每孩每年3600元。"),
            policy(
                "p-2",
                title="创业担保贷款贴息办法",
                body="个人最高30万元。",
                life_events=("startup",),
            ),
        ],
        actor="t",
    )
    yield knowledge
    knowledge.close()


def service(kb: KnowledgeBase, sqlite_url: str, index_dir: Path) -> SearchService:
    return open_search(settings_for(sqlite_url, index_dir), kb.store, kb.taxonomy)


def test_second_start_loads_instead_of_rebuilding(
    kb: KnowledgeBase, sqlite_url: str, tmp_path: Path
) -> None:
    first = service(kb, sqlite_url, tmp_path / "index").current
    second = service(kb, sqlite_url, tmp_path / "index").current

    assert not first.loaded_from_disk and second.loaded_from_disk
    assert second.meta == first.meta
    assert second.searcher.search("育儿补贴").hits[0].id == "p-1"


def test_a_changed_knowledge_base_is_rebuilt_at_start(
    kb: KnowledgeBase, sqlite_url: str, tmp_path: Path
) -> None:
    _ = service(kb, sqlite_url, tmp_path / "index").current
    kb.store.upsert([policy("p-3", title="高龄津贴发放办法", body="80周岁以上老人。")], actor="t")

    loaded = service(kb, sqlite_url, tmp_path / "index").current

    assert not loaded.loaded_from_disk
    assert loaded.searcher.search("高龄津贴").hits[0].id == "p-3"


def test_changed_analysis_resources_force_a_rebuild(
    kb: KnowledgeBase, sqlite_url: str, tmp_path: Path
) -> None:
    built = service(kb, sqlite_url, tmp_path / "index")
    _ = built.current
    other = service(kb, sqlite_url, tmp_path / "index")
    resources: AnalysisResources = other._resources
    other._resources = replace(resources, stopwords=resources.stopwords | {"补贴"})

    assert not other.current.loaded_from_disk


def test_a_damaged_saved_index_is_rebuilt(
    kb: KnowledgeBase, sqlite_url: str, tmp_path: Path
) -> None:
    _ = service(kb, sqlite_url, tmp_path / "index").current
    (tmp_path / "index" / "arrays.npz").write_bytes(b"not an archive")

    loaded = service(kb, sqlite_url, tmp_path / "index").current

    assert not loaded.loaded_from_disk
    assert load_index(tmp_path / "index") is not None  # and it was saved again, whole


def test_refresh_swaps_only_a_complete_index(
    kb: KnowledgeBase, sqlite_url: str, tmp_path: Path
) -> None:
    running = service(kb, sqlite_url, tmp_path / "index")
    before = running.searcher
    assert running.refresh() is False  # nothing changed

    kb.store.upsert([policy("p-3", title="高龄津贴发放办法", body="80周岁以上老人。")], actor="t")
    assert before.search("高龄津贴").hits == [] or before.search("高龄津贴").hits[0].id != "p-3"
    assert running.refresh() is True

    assert running.searcher is not before
    assert running.searcher.search("高龄津贴").hits[0].id == "p-3"


def test_unpublishing_removes_a_record_from_search(
    kb: KnowledgeBase, sqlite_url: str, tmp_path: Path
) -> None:
    running = service(kb, sqlite_url, tmp_path / "index")
    assert running.searcher.search("创业担保贷款").hits[0].id == "p-2"

    kb.store.set_publication("p-2", Publication.OFFLINE, actor="t")
    running.refresh()

    assert "p-2" not in [h.id for h in running.searcher.search("创业担保贷款").hits]


def test_the_watcher_notices_a_new_version(
    kb: KnowledgeBase, sqlite_url: str, tmp_path: Path
) -> None:
    running = service(kb, sqlite_url, tmp_path / "index")
    _ = running.current
    running.watch(0.05)
    try:
        kb.store.upsert(
            [policy("p-3", title="高龄津贴发放办法", body="80周岁以上老人。")], actor="t"
        )
        deadline = time.monotonic() + 10
        while running.current.meta.kb_version != kb.store.kb_version():
            assert time.monotonic() < deadline, "the index was not rebuilt"
            time.sleep(0.05)
    finally:
        running.close()
    assert running.searcher.search("高龄津贴").hits[0].id == "p-3"
