"""The search index's life cycle in a running service.

At start: load the saved index when it was built from the current knowledge-base version with the
current analysis resources, otherwise build it (and save it). While running: a background thread
watches the knowledge-base version and rebuilds when it moves; queries keep using the old index
until the new one is complete, then the reference is swapped in one assignment.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from config.taxonomy import Taxonomy
from indexer.analysis import Analyzer
from indexer.confidence import ConfidenceModel
from indexer.documents import SearchDocument
from indexer.index import IndexArrays, build_index
from indexer.persistence import FORMAT_VERSION, IndexMeta, load_index, read_meta, save_index
from indexer.progress import Progress, no_progress
from indexer.resources import AnalysisResources
from indexer.search import Searcher, SearchTuning
from indexer.semantic import (
    REMEMBERED_QUESTIONS,
    Embedder,
    EmbeddingError,
    SemanticIndex,
    SemanticTuning,
    document_text,
)
from indexer.vector_cache import VectorCache

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class KnowledgeSource:
    """Where the documents come from: the current KB version, and the searchable documents."""

    version: Callable[[], int]
    documents: Callable[[], Sequence[SearchDocument]]


@dataclass(frozen=True)
class LoadedIndex:
    searcher: Searcher
    meta: IndexMeta
    loaded_from_disk: bool

    @property
    def by_meaning(self) -> bool:
        """True once the record vectors are in and questions are re-ranked by meaning."""
        return self.searcher.semantic is not None


@dataclass(frozen=True)
class SemanticSetup:
    """Re-ranking by meaning: the model (loaded on first use), where vectors are kept, and
    whether a build waits for them (evaluation) or serves by words until they are in."""

    embedder: Callable[[], Embedder]
    cache: VectorCache
    tuning: SemanticTuning = field(default_factory=SemanticTuning)
    background: bool = True


class SearchService:
    def __init__(
        self,
        source: KnowledgeSource,
        resources: AnalysisResources,
        taxonomy: Taxonomy,
        directory: Path | None,
        *,
        tuning: SearchTuning | None = None,
        confidence: ConfidenceModel | None = None,
        progress: Progress | None = None,
        semantic: SemanticSetup | None = None,
    ) -> None:
        self._source = source
        self._semantic = semantic
        self._embedder: Embedder | None = None
        self._swap = threading.Lock()
        self._model_lock = threading.Lock()
        self._vectors_thread: threading.Thread | None = None
        self._resources = resources
        self._taxonomy = taxonomy
        self._directory = directory
        self._tuning = tuning
        self._confidence = confidence
        self._progress = progress
        self._current: LoadedIndex | None = None
        self._rebuilding = threading.Lock()
        self._stop = threading.Event()
        self._watcher: threading.Thread | None = None

    @property
    def fingerprint(self) -> str:
        return f"{FORMAT_VERSION}-{self._resources.fingerprint()}"

    @property
    def current(self) -> LoadedIndex:
        if self._current is None:
            self._install(self._load_or_build())
        assert self._current is not None
        return self._current

    def _install(self, loaded: LoadedIndex, *, wait: bool = False) -> None:
        """Serve `loaded`, with meaning added when set up: before serving it when `wait` (a
        rebuild, already off the request path) or the setup says so, otherwise by words now and
        with meaning once a thread has the record vectors (the first start)."""
        setup = self._semantic
        later = setup is not None and setup.background and not wait
        if setup is not None and not later:
            loaded = self._with_meaning(loaded)
        with self._swap:
            self._current = loaded
        if later:
            self._vectors_thread = threading.Thread(
                target=self._add_meaning_later, args=(loaded,), name="semantic-vectors", daemon=True
            )
            self._vectors_thread.start()

    def _add_meaning_later(self, loaded: LoadedIndex) -> None:
        upgraded = self._with_meaning(loaded)
        with self._swap:
            if self._current is loaded:  # a newer build may have replaced it meanwhile
                self._current = upgraded

    def _with_meaning(self, loaded: LoadedIndex) -> LoadedIndex:
        """`loaded` re-ranking by meaning too, or as it is when the model fails (logged)."""
        assert self._semantic is not None
        setup = self._semantic
        try:
            with self._model_lock:  # one model per process, whichever thread asks first
                if self._embedder is None:
                    self._embedder = setup.embedder()
                embedder = self._embedder
            documents = loaded.searcher.index.documents
            semantic = semantic_index(documents, setup, embedder, self._progress)
        except (EmbeddingError, OSError):
            log.exception("语义向量未能建立：检索只按关键词进行")
            return loaded
        return LoadedIndex(
            loaded.searcher.with_meaning(semantic), loaded.meta, loaded.loaded_from_disk
        )

    def wait_for_meaning(self, timeout: float | None = None) -> bool:
        """Wait for the record vectors being built; True when search now uses them."""
        thread = self._vectors_thread
        if thread is not None:
            thread.join(timeout)
        return self.current.by_meaning

    @property
    def searcher(self) -> Searcher:
        return self.current.searcher

    def _load_or_build(self) -> LoadedIndex:
        version = self._source.version()
        if self._directory is not None:
            meta = read_meta(self._directory)
            if meta and meta.kb_version == version and meta.fingerprint == self.fingerprint:
                loaded = load_index(self._directory)
                if loaded is not None:
                    return self._wrap(*loaded, from_disk=True)
        return self._build(version)

    def _build(self, version: int) -> LoadedIndex:
        started = time.perf_counter()
        documents = list(self._source.documents())
        resources = self._resources.with_words(_domain_words(documents))
        analyzer = resources.analyzer()
        if self._progress is not None:
            index = build_index(documents, analyzer, progress=self._progress)
        else:
            index = build_index(documents, analyzer)
        meta = IndexMeta(
            kb_version=version,
            fingerprint=self.fingerprint,
            documents=len(documents),
            passages=index.passage_count,
            built_at=datetime.now(UTC).isoformat(timespec="seconds"),
            build_seconds=round(time.perf_counter() - started, 3),
        )
        if self._directory is not None:
            save_index(self._directory, index, meta)
        return LoadedIndex(self._searcher(index, analyzer), meta, loaded_from_disk=False)

    def _wrap(self, index: IndexArrays, meta: IndexMeta, *, from_disk: bool) -> LoadedIndex:
        # The analyzer must know the same domain words the index was built with.
        analyzer = self._resources.with_words(_domain_words(index.documents)).analyzer()
        return LoadedIndex(self._searcher(index, analyzer), meta, loaded_from_disk=from_disk)

    def _searcher(self, index: IndexArrays, analyzer: Analyzer) -> Searcher:
        return Searcher(index, analyzer, self._taxonomy, self._tuning, self._confidence)

    def refresh(self) -> bool:
        """Rebuild now if the knowledge base moved on; True when a new index was swapped in.

        Only one rebuild runs at a time; a caller that finds one running returns at once.
        """
        if not self._rebuilding.acquire(blocking=False):
            return False
        try:
            version = self._source.version()
            if self._current is not None and self._current.meta.kb_version == version:
                return False
            self._install(self._build(version), wait=True)
            return True
        finally:
            self._rebuilding.release()

    def watch(self, interval: float) -> None:
        """Check the knowledge-base version every `interval` seconds in a daemon thread."""
        if self._watcher is not None:
            return
        self._watcher = threading.Thread(
            target=self._watch_loop, args=(interval,), name="index-watcher", daemon=True
        )
        self._watcher.start()

    def _watch_loop(self, interval: float) -> None:
        while not self._stop.wait(interval):
            try:
                if self.refresh():
                    log.info("search index rebuilt for KB version %s", self.current.meta.kb_version)
            except Exception:  # a failed rebuild must not kill the watcher; the old index serves
                log.exception("search index rebuild failed; still serving the previous index")

    def close(self) -> None:
        self._stop.set()
        if self._watcher is not None:
            self._watcher.join(timeout=5)


def semantic_index(
    documents: Sequence[SearchDocument],
    setup: SemanticSetup,
    embedder: Embedder,
    progress: Progress | None = None,
    remembered: int = REMEMBERED_QUESTIONS,
) -> SemanticIndex:
    """The records' vectors (cached ones reused) with the model that embeds questions."""
    texts = [document_text(d) for d in documents]
    vectors = setup.cache.embed(texts, embedder, progress or no_progress)
    return SemanticIndex(vectors, embedder, setup.tuning, remembered)


def _domain_words(documents: Sequence[SearchDocument]) -> list[str]:
    """Words the knowledge base itself teaches the splitter: keywords and short titles."""
    words: list[str] = []
    for document in documents:
        words.extend(document.keywords)
        if len(document.title) <= 8:
            words.append(document.title)
    return words
