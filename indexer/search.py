"""Searching the index: filters, life-event boost, fuzzy re-ranking, confidence band.

`Searcher.search` is the one call the conversation engine makes. It returns the best records
(best passage each), the life events it recognised in the question, and a confidence band:
answer (one clear best record), clarify (a few close candidates to offer as numbered choices) or
escalate (nothing good enough: hand over to a person).
"""

from __future__ import annotations

import copy
import itertools
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property, partial

import numpy as np
import numpy.typing as npt

from config import calibrated
from config.taxonomy import Taxonomy
from indexer.analysis import AnalyzedQuery, Analyzer
from indexer.bands import Band, decide
from indexer.confidence import ConfidenceModel
from indexer.documents import SearchDocument
from indexer.fuzzy import FuzzyMatcher
from indexer.index import IndexArrays, PassageScores, score_passages
from indexer.life_events import AliasMatcher
from indexer.priors import Boosts, DocumentAttributes, QuerySignals, faq_factor
from indexer.semantic import EmbeddingError, SemanticIndex
from indexer.shortlist import Admitted, Best, best_passages

log = logging.getLogger(__name__)

CURRENT = frozenset({"in_force", "amended"})
ALL_STATUSES = frozenset({"in_force", "amended", "repealed", "expired"})
_RERANK = 30
_SIMILARITY_HEAD = 4  # fuzzy similarity feeds the confidence of the first few only
_QUESTION_MATCH_HEAD = 20  # FAQs among these are compared with the question (fuzzy)
_MASK_CACHE = 64
MAX_QUERY_CHARS = 500  # a 10,000-character paste is cut: bounded work for any input


@dataclass(frozen=True)
class SearchFilters:
    """Which records may be returned. By default repealed and expired ones are left out."""

    statuses: frozenset[str] = CURRENT
    audience: str | None = None  # individual / enterprise; records for both always match
    life_event: str | None = None
    region: str | None = None  # a region also admits 全国 records
    kinds: frozenset[str] | None = None


def _unmeasured() -> float:
    return 0.0


@dataclass(frozen=True)
class Hit:
    document: SearchDocument
    score: float
    passage: str  # 第X条 / 第N段 / ""
    coverage: float  # share of the question's word weight this record contains
    replacement: SearchDocument | None = None  # for a repealed or expired record
    # The fuzzy similarity is computed when first read (only the best hit's feeds the
    # confidence): `measure` computes it, `similarity` keeps it.
    measure: Callable[[], float] = field(default=_unmeasured, repr=False, compare=False)

    @property
    def id(self) -> str:
        return self.document.id

    @cached_property
    def similarity(self) -> float:
        """Fuzzy similarity of the question to the record's title or questions (0 below the
        first few hits, where it is not measured)."""
        return self.measure()


@dataclass(frozen=True)
class SearchResult:
    query: AnalyzedQuery
    hits: list[Hit]
    band: Band
    confidence: float
    life_events: tuple[str, ...] = ()
    clarify_with: list[Hit] = field(default_factory=list)

    @property
    def best(self) -> Hit | None:
        return self.hits[0] if self.hits else None


@dataclass(frozen=True)
class SearchTuning:
    boosts: Boosts = field(default_factory=Boosts)
    # Re-ranking by coverage and fuzzy similarity lost on the demo questions (docs/search.md).
    coverage_power: float = 0.0
    similarity_weight: float = 0.0
    answer_threshold: float = calibrated.ANSWER_THRESHOLD
    clarify_threshold: float = calibrated.CLARIFY_THRESHOLD
    clarify_ratio: float = 0.8  # candidates within this share of the best are "close"
    clarify_max: int = 4
    # Choices none of which holds an eighth of the question's weight are beside the point
    # (拆迁 offered 计划生育法 for its 计划): hand over instead (docs/search.md).
    clarify_min_coverage: float = 0.12


_DEFAULT_FILTERS = SearchFilters()


def allowed(attributes: DocumentAttributes, filters: SearchFilters) -> npt.NDArray[np.bool_]:
    mask = np.isin(attributes.status, list(filters.statuses))
    if filters.audience:
        mask &= np.isin(attributes.audience, [filters.audience, "both", ""])
    if filters.region:
        mask &= np.isin(attributes.region, [filters.region, "全国", ""])
    if filters.kinds:
        mask &= np.isin(attributes.kind, list(filters.kinds))
    if filters.life_event:
        bit = attributes.event_bit.get(filters.life_event, np.uint64(0))
        mask &= (attributes.events & bit) != 0
    return mask


def _first_passages(index: IndexArrays) -> npt.NDArray[np.int64]:
    """Record -> its first passage (-1 for a record without any)."""
    first = np.full(len(index.documents), -1, dtype=np.int64)
    owners, positions = np.unique(index.owner, return_index=True)
    first[owners] = positions
    return first


class Searcher:
    def __init__(
        self,
        index: IndexArrays,
        analyzer: Analyzer,
        taxonomy: Taxonomy | None = None,
        tuning: SearchTuning | None = None,
        confidence: ConfidenceModel | None = None,
        semantic: SemanticIndex | None = None,
    ) -> None:
        self.index = index
        self.semantic = semantic
        self.analyzer = analyzer
        self.taxonomy = taxonomy
        self.tuning = tuning or SearchTuning()
        self.confidence = confidence or ConfidenceModel()
        self._attributes = DocumentAttributes(index.documents, taxonomy)
        self._by_id = {d.id: d for d in index.documents}
        self._fuzzy = FuzzyMatcher(index.documents)
        self._aliases = AliasMatcher(taxonomy)
        self._masks: dict[SearchFilters, tuple[npt.NDArray[np.bool_], Admitted]] = {}
        self._first_passage = _first_passages(index)

    def with_meaning(self, semantic: SemanticIndex) -> Searcher:
        """The same searcher re-ranking by meaning too (built once the record vectors exist)."""
        upgraded = copy.copy(self)
        upgraded.semantic = semantic
        return upgraded

    def search(
        self, text: str, filters: SearchFilters | None = None, limit: int = 10
    ) -> SearchResult:
        filters = filters or _DEFAULT_FILTERS
        query = self.analyzer.query(text[:MAX_QUERY_CHARS])
        events = self.detect_life_events(query.text)
        if not query.terms:
            return SearchResult(query, [], Band.ESCALATE, 0.0, events)
        scored = score_passages(self.index, query.terms)
        signals = self._attributes.signals(query.text, events)
        wanted = max(limit, self._head, _QUESTION_MATCH_HEAD)
        if self.semantic is not None:
            wanted = max(wanted, self.semantic.tuning.shortlist)  # fused whatever the limit
        best = self._best_passage_per_document(scored, filters, signals, wanted)
        similarities: dict[int, float] = {}
        best = self._question_match(query.text, signals, best, similarities)
        if self.semantic is not None:
            best = self._by_meaning(self.semantic, query.text, filters, best, scored)
        hits = self._rerank(query, scored, best, similarities, max(limit, 1))
        if not hits:
            return SearchResult(query, [], Band.ESCALATE, 0.0, events)
        band, confidence, clarify = decide(query, hits, self.tuning, self.confidence)
        return SearchResult(query, hits, band, confidence, events, clarify)

    def _question_match(
        self,
        text: str,
        signals: QuerySignals,
        best: Best,
        similarities: dict[int, float],
    ) -> Best:
        """A FAQ answers the question its own questions ask: among the best few, a FAQ none of
        whose questions resembles the user's (fuzzy similarity), or whose title asks in another
        form (where to claim it, when the user asks how much), is weighted down, so that it
        does not outrank the policy, guide or FAQ that is about what was asked."""
        boosts = self.tuning.boosts
        if (boosts.faq_unlike >= 1.0 and boosts.faq_other_form >= 1.0) or not best:
            return best
        if not self._attributes.any_faq:
            return best  # nothing to weigh: the order stays as it is
        forms = self._attributes.title_forms
        ranked = list(best.items())
        for position, (number, (score, passage)) in enumerate(ranked[:_QUESTION_MATCH_HEAD]):
            if not self._attributes.faq[number]:
                continue
            similarity = similarities[number] = self._fuzzy.similarity(text, number)
            factor = faq_factor(similarity, signals.forms, forms[number], boosts)
            ranked[position] = (number, (score * factor, passage))
        ranked.sort(key=lambda item: -item[1][0])
        return dict(ranked)

    def _by_meaning(
        self,
        semantic: SemanticIndex,
        text: str,
        filters: SearchFilters,
        best: Best,
        scored: PassageScores,
    ) -> Best:
        """The shortlist in fused order when the lexical lead is unclear (semantic.py). Scores
        stay BM25F, so a record found by meaning alone has 0 and confidence falls when words
        and meaning disagree on the first place."""
        head = list(itertools.islice(best.values(), 2))
        coverage = scored.coverages([head[0][1]])[0] if head else 0.0
        if not semantic.gated([score for score, _ in head], coverage):
            return best
        # The first `shortlist` by words are fused, whatever the caller's limit, so that the
        # evaluation (limit 100) measures what the service (limit 10) does; the rest follow.
        shortlist = semantic.tuning.shortlist
        lexical = [(n, score) for n, (score, _) in itertools.islice(best.items(), shortlist)]
        try:
            fused = semantic.fuse(text, lexical, self._admitted_records(filters))
        except EmbeddingError:
            log.exception("语义重排失败，本次按关键词结果回答")
            return best
        first = self._first_passage
        ordered = {number: best.get(number, (0.0, int(first[number]))) for number, _ in fused}
        return ordered | {n: v for n, v in best.items() if n not in ordered}

    def _admitted_records(self, filters: SearchFilters) -> npt.NDArray[np.bool_]:
        """The records the filters admit that have a passage to show (meaning's candidates)."""
        return self._filter_masks(filters)[0]

    def _admitted(self, filters: SearchFilters) -> Admitted:
        """The passages the filters admit, or None when they admit every one."""
        return self._filter_masks(filters)[1]

    def _filter_masks(self, filters: SearchFilters) -> tuple[npt.NDArray[np.bool_], Admitted]:
        """Records and passages the filters admit, computed once per distinct filters: a service
        sees a handful, and a mask over every document for each question cost more than the
        scoring itself on large bases."""
        masks = self._masks.get(filters)
        if masks is None:
            if len(self._masks) >= _MASK_CACHE:
                self._masks.clear()
            mask = allowed(self._attributes, filters)
            passages = None if mask.all() else mask[self.index.owner]
            masks = self._masks[filters] = (mask & (self._first_passage >= 0), passages)
        return masks

    def detect_life_events(self, normalized_query: str) -> tuple[str, ...]:
        return self._aliases.detect(normalized_query)

    @property
    def _head(self) -> int:
        reranking = self.tuning.coverage_power > 0 or self.tuning.similarity_weight > 0
        return _RERANK if reranking else _SIMILARITY_HEAD

    def _best_passage_per_document(
        self,
        scored: PassageScores,
        filters: SearchFilters,
        signals: QuerySignals,
        wanted: int,
    ) -> Best:
        """The best passage of each of the `wanted` best documents, best first."""
        return best_passages(
            scored,
            self._admitted(filters),
            self.index.owner,
            self._attributes,
            signals,
            self.tuning.boosts,
            wanted,
        )

    def _rerank(
        self,
        query: AnalyzedQuery,
        scored: PassageScores,
        best: Best,
        similarities: dict[int, float],
        limit: int,
    ) -> list[Hit]:
        """The first `limit` hits: the head ordered by score, coverage and fuzzy similarity
        when re-ranking is on; the tail keeps BM25 order. Only the returned hits are built."""
        if not best:
            return []
        tuning = self.tuning
        head = self._head
        reranking = tuning.coverage_power > 0 or tuning.similarity_weight > 0
        ranked = list(best.items())[: max(limit, head) if reranking else limit]
        hits = self._hits(query, scored, ranked, similarities, head)
        if not reranking:
            return hits
        top_score = max(score for score, _ in best.values())

        def final(hit: Hit) -> float:
            value: float = (hit.score / top_score) * hit.coverage**tuning.coverage_power
            return value + tuning.similarity_weight * hit.similarity

        return (sorted(hits[:head], key=final, reverse=True) + hits[head:])[:limit]

    def _hits(
        self,
        query: AnalyzedQuery,
        scored: PassageScores,
        ranked: list[tuple[int, tuple[float, int]]],
        similarities: dict[int, float],
        measured: int,
    ) -> list[Hit]:
        """The hits of `ranked`; the similarity of the first `measured` is measured when first
        read (from the FAQ question match when that already measured it), below them it is 0."""
        passages = [passage for _, (_, passage) in ranked]
        coverages = scored.coverages(passages)
        documents, labels = self.index.documents, self.index.labels
        hits: list[Hit] = []
        for position, (number, (score, passage)) in enumerate(ranked):
            document = documents[number]
            measure = _unmeasured
            if position < measured:
                known = similarities.get(number)
                if known is None:
                    measure = partial(self._fuzzy.similarity, query.text, number)
                else:
                    measure = partial(float, known)
            replacement = self._replacement(document) if document.replaced_by else None
            hits.append(
                Hit(document, score, labels[passage], coverages[position], replacement, measure)
            )
        return hits

    def _replacement(self, document: SearchDocument) -> SearchDocument | None:
        seen = {document.id}
        current = document
        # Follow the chain (2015 办法 -> 2020 办法 -> 2024 办法) to the one in force now.
        while current.replaced_by and current.replaced_by not in seen:
            nxt = self._by_id.get(current.replaced_by)
            if nxt is None:
                break
            seen.add(nxt.id)
            current = nxt
        return current if current is not document else None
