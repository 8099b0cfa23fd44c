"""Assembling the search service from settings values (entry points pass the settings in)."""

from __future__ import annotations

from config.settings import Settings
from config.taxonomy import Taxonomy
from indexer.confidence import ConfidenceModel
from indexer.knowledge_source import store_source
from indexer.progress import Progress
from indexer.resources import AnalysisResources, load_resources
from indexer.search import SearchTuning
from indexer.semantic import Embedder, SemanticTuning
from indexer.service import SearchService, SemanticSetup
from indexer.vector_cache import VectorCache
from knowledge.store.repository import KnowledgeStore


def analysis_resources(settings: Settings) -> AnalysisResources:
    """The staff-edited analysis resources the settings name; the legal synonyms are merged
    into the general ones."""
    return load_resources(
        settings.dictionary_path,
        settings.stopwords_path,
        settings.synonyms_path,
        settings.legal_synonyms_path,
    )


def open_search(
    settings: Settings,
    store: KnowledgeStore,
    taxonomy: Taxonomy,
    *,
    persist: bool = True,
    progress: Progress | None = None,
    background_meaning: bool = True,
) -> SearchService:
    """The service's search; `background_meaning=False` waits for the record vectors (a
    one-off command), otherwise words serve until they are in (a server)."""
    resources = analysis_resources(settings)
    tuning = SearchTuning(
        answer_threshold=settings.search_answer_threshold,
        clarify_threshold=settings.search_clarify_threshold,
    )
    confidence = ConfidenceModel(settings.confidence_weights, settings.confidence_bias)
    return SearchService(
        store_source(store, taxonomy),
        resources,
        taxonomy,
        settings.index_dir if persist else None,
        tuning=tuning,
        confidence=confidence,
        progress=progress,
        semantic=semantic_setup(settings, persist=persist, background=background_meaning),
    )


def semantic_setup(
    settings: Settings, *, persist: bool = True, background: bool = True
) -> SemanticSetup | None:
    if not settings.semantic_search:
        return None
    threads = settings.embedding_threads

    def embedder() -> Embedder:
        from indexer.embedding_e5 import E5Embedder  # loads the model: only when asked for

        return E5Embedder(threads)

    return SemanticSetup(
        embedder,
        VectorCache(settings.vector_cache_path if persist else None),
        SemanticTuning(
            weight=settings.semantic_weight,
            gate_margin=settings.semantic_gate_margin,
            gate_coverage=settings.semantic_gate_coverage,
        ),
        background=background,
    )
