"""The knowledge store as the search index's source of documents."""

from __future__ import annotations

from collections.abc import Sequence

from config.taxonomy import Taxonomy
from indexer.documents import SearchDocument, from_record, is_searchable
from indexer.service import KnowledgeSource
from knowledge.store.repository import KnowledgeStore


def store_source(store: KnowledgeStore, taxonomy: Taxonomy) -> KnowledgeSource:
    def documents() -> Sequence[SearchDocument]:
        return [from_record(r, taxonomy) for r in store.iter_contents() if is_searchable(r)]

    return KnowledgeSource(version=store.kb_version, documents=documents)
