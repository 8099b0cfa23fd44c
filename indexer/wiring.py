"""Assembling the search service from settings values (entry points pass the settings in)."""

from __future__ import annotations

from config.settings import Settings
from config.taxonomy import Taxonomy
from indexer.confidence import ConfidenceModel
from indexer.index import Progress
from indexer.knowledge_source import store_source
from indexer.resources import AnalysisResources, load_resources
from indexer.search import SearchTuning
from indexer.service import SearchService
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
) -> SearchService:
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
    )
