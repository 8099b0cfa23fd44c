"""Assembling the knowledge package from plain values (entry points pass settings in)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import Engine

from config.taxonomy import Taxonomy, load_taxonomy
from knowledge.importing.importer import Importer
from knowledge.store.base import make_engine, make_session_factory
from knowledge.store.migrate import upgrade
from knowledge.store.repository import KnowledgeStore


@dataclass
class KnowledgeBase:
    engine: Engine
    store: KnowledgeStore
    taxonomy: Taxonomy
    importer: Importer

    def close(self) -> None:
        self.engine.dispose()


def open_knowledge(
    database_url: str, life_events_path: Path, *, migrate: bool = True
) -> KnowledgeBase:
    if migrate:
        upgrade(database_url)
    engine = make_engine(database_url)
    store = KnowledgeStore(make_session_factory(engine))
    taxonomy = load_taxonomy(life_events_path)
    return KnowledgeBase(engine, store, taxonomy, Importer(store, taxonomy))
