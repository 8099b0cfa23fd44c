"""An inverted index with BM25F scoring over passages, in a few flat numpy arrays.

Each (term, passage) posting stores one precomputed impact: the BM25F saturation of the passage's
field-weighted, length-normalised term frequencies. A query is then a handful of vectorised
additions, and the index is three arrays plus the vocabulary, which keeps it small and quick to
save and load.
"""

from __future__ import annotations

import itertools
from array import array
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import numpy.typing as npt

from indexer.analysis import Analyzer
from indexer.documents import SearchDocument, passages
from indexer.kernels import accumulate
from indexer.progress import Progress, no_progress
from indexer.terms import MISSING, TermTable

FIELDS = ("title", "questions", "keywords", "summary", "lead", "body", "chars", "sounds")
LEAD_CHARS = 60
COMMON_SHARE = 0.1
COMMON_FROM = 20_000  # passages; below this every term is scored
POSTING_BUDGET = 64_000  # postings scored per question at most (docs/search.md)
F32 = npt.NDArray[np.float32]
I32 = npt.NDArray[np.int32]


@dataclass(frozen=True)
class FieldTuning:
    weights: dict[str, float] = field(
        default_factory=lambda: {
            "title": 3.0,
            "questions": 2.5,
            "keywords": 1.5,
            "summary": 1.5,
            "lead": 1.0,
            "body": 1.0,
            "chars": 0.6,
            "sounds": 0.4,
        }
    )
    b: dict[str, float] = field(
        default_factory=lambda: {
            "title": 0.5,
            "questions": 0.5,
            "keywords": 0.3,
            "summary": 0.5,
            "lead": 0.3,
            "body": 0.75,
            "chars": 0.5,
            "sounds": 0.5,
        }
    )
    k1: float = 1.2


@dataclass
class IndexArrays:
    """Everything a built index is; saved and loaded as is."""

    vocabulary: TermTable  # term -> term id
    indptr: npt.NDArray[np.int64]  # postings of term t are [indptr[t], indptr[t+1])
    postings: I32  # passage numbers, ascending within a term
    impacts: F32
    idf: F32
    owner: I32  # passage -> document number
    labels: list[str]  # passage -> 第X条 / 第N段 / ""
    documents: list[SearchDocument]

    @property
    def passage_count(self) -> int:
        return len(self.owner)

    @cached_property
    def idf_max(self) -> float:
        return float(self.idf.max()) if len(self.idf) else 1.0


class _Accumulator:
    """Collects every token occurrence as a term id while passages stream in.

    The per-token work happens in C (a defaultdict assigns ids in first-seen order, `array`
    stores them); everything per posting is then done by numpy in `_finish`. This is what keeps
    an index build close to the cost of tokenizing (docs/benchmarks.md).
    """

    def __init__(self) -> None:
        self.vocabulary: defaultdict[str, int] = defaultdict(itertools.count().__next__)
        self.terms = array("i")
        self.lengths = array("i")  # one per (passage, field)
        self.owner = array("i")
        self.labels: list[str] = []
        self._label_strings: dict[str, str] = {}  # one string object per distinct label

    def add_passage(self, document: int, label: str, field_tokens: Sequence[list[str]]) -> None:
        self.owner.append(document)
        self.labels.append(self._label_strings.setdefault(label, label))
        lookup = self.vocabulary.__getitem__
        for tokens in field_tokens:
            self.lengths.append(len(tokens))
            self.terms.extend(map(lookup, tokens))


@dataclass(frozen=True)
class TokenizedPassage:
    document: int
    label: str
    fields: tuple[list[str], ...]  # one token list per name in FIELDS


def tokenize(
    documents: Sequence[SearchDocument], analyzer: Analyzer, progress: Progress = no_progress
) -> Iterator[TokenizedPassage]:
    """The analysis half of a build: every passage's tokens, field by field."""
    for number, document in enumerate(progress(documents, len(documents), "分词")):
        shared = _shared_fields(document, analyzer)
        for passage in passages(document.body):
            body = analyzer.words(passage.text, normalized=True)
            lead = analyzer.words(_lead(passage.text), normalized=True)
            fields = (*shared[:4], lead, body, *shared[4:])
            yield TokenizedPassage(number, passage.label, fields)


def index_tokens(
    tokenized: Iterable[TokenizedPassage],
    documents: Sequence[SearchDocument],
    tuning: FieldTuning | None = None,
) -> IndexArrays:
    """The indexing half of a build, from tokens (the benchmark feeds other engines the same)."""
    acc = _Accumulator()
    for passage in tokenized:
        acc.add_passage(passage.document, passage.label, passage.fields)
    return _finish(acc, list(documents), tuning or FieldTuning())


def build_index(
    documents: Sequence[SearchDocument],
    analyzer: Analyzer,
    tuning: FieldTuning | None = None,
    progress: Progress = no_progress,
) -> IndexArrays:
    return index_tokens(tokenize(documents, analyzer, progress), documents, tuning)


def _lead(text: str) -> str:
    """The opening of a passage: answers and articles usually name their subject first."""
    end = min((i for i in (text.find("。"), text.find("\n")) if i > 0), default=LEAD_CHARS)
    return text[: min(end, LEAD_CHARS)]


def _shared_fields(document: SearchDocument, analyzer: Analyzer) -> list[list[str]]:
    """Fields every passage of a document carries: title, questions, keywords, summary, and the
    tolerant views (character and pinyin pairs) of the title and questions."""
    heading = " \n".join((document.title, *document.questions))
    return [
        analyzer.words(document.title),
        analyzer.words(" \n".join(document.questions)),
        analyzer.words(" \n".join(document.keywords)),
        analyzer.words(document.summary),
        analyzer.chars(heading),
        analyzer.sounds(heading),
    ]


def _finish(acc: _Accumulator, documents: list[SearchDocument], tuning: FieldTuning) -> IndexArrays:
    n_fields = len(FIELDS)
    n_passages = len(acc.owner)
    width = max(n_passages, 1)
    occurrences = np.frombuffer(acc.lengths, dtype=np.int32)
    lengths = occurrences.reshape(-1, n_fields).astype(np.float32)
    weights = np.array([tuning.weights[f] for f in FIELDS], dtype=np.float32)
    b = np.array([tuning.b[f] for f in FIELDS], dtype=np.float32)
    present = lengths.any(axis=0) if n_passages else np.zeros(n_fields, dtype=bool)
    average = np.where(present, lengths.mean(axis=0) if n_passages else 1.0, 1.0)
    norm = (1.0 - b) + b * lengths / np.maximum(average, 1e-6)
    # Each occurrence weighs its field's weight over the field's length norm (BM25F).
    slot_weight = (weights / norm).astype(np.float32).ravel()
    slot = np.repeat(np.arange(slot_weight.size, dtype=np.int64), occurrences)
    weighted = slot_weight[slot]
    keys = np.frombuffer(acc.terms, dtype=np.int32).astype(np.int64) * width + slot // n_fields
    del slot
    # One posting per (term, passage): sum the weighted occurrences, then saturate once.
    unique_keys, inverse = np.unique(keys, return_inverse=True)
    del keys
    combined = np.bincount(inverse, weights=weighted, minlength=len(unique_keys))
    combined = combined.astype(np.float32)
    impacts = (combined * (tuning.k1 + 1.0) / (combined + tuning.k1)).astype(np.float32)
    n_terms = len(acc.vocabulary)
    df = np.bincount(unique_keys // width, minlength=n_terms).astype(np.float64)
    indptr = np.zeros(n_terms + 1, dtype=np.int64)
    indptr[1:] = np.cumsum(df).astype(np.int64)
    idf = np.log1p((n_passages - df + 0.5) / (df + 0.5)).astype(np.float32)
    return IndexArrays(
        vocabulary=TermTable.from_terms(list(acc.vocabulary)),
        indptr=indptr,
        postings=(unique_keys % width).astype(np.int32),
        impacts=impacts,
        idf=idf,
        owner=np.frombuffer(acc.owner, dtype=np.int32).copy(),
        labels=acc.labels,
        documents=documents,
    )


@dataclass(frozen=True)
class PassageScores:
    scores: F32  # BM25F score of every passage
    matched: F32  # sum of (query weight x idf) of the query terms each passage contains
    total: float  # the same sum over every query term; unknown terms count at the highest idf
    candidates: npt.NDArray[np.intp] = field(repr=False)  # the passages with a score, ascending

    def coverages(self, passages: Sequence[int]) -> list[float]:
        """The share of the question's weight each of these passages contains."""
        if not self.total:
            return [0.0] * len(passages)
        total = self.total
        return [float(m) / total for m in self.matched.take(passages).tolist()]


def score_passages(index: IndexArrays, terms: Mapping[str, float]) -> PassageScores:
    """Score every passage for the weighted query terms.

    The terms to score are chosen here; the additions run in one compiled loop
    (`indexer.kernels`), in the order of the terms and of their postings.
    """
    n = index.passage_count
    if not terms:
        return _nothing_scored(n, 0.0)
    ids = index.vocabulary.lookup(terms)
    weights = np.fromiter(terms.values(), dtype=np.float64, count=len(terms))
    known = ids != MISSING
    ids = ids[known]
    term_weights = index.idf[ids].astype(np.float64) * weights[known]
    total = float(term_weights.sum()) + float(weights[~known].sum()) * index.idf_max
    lengths = index.indptr[ids + 1] - index.indptr[ids]
    scored = lengths > 0
    # On a large base a word found in over a tenth of the passages (应当, 规定, 不) costs the
    # most postings and separates the least; it still counts towards coverage.
    if n >= COMMON_FROM:
        scored &= lengths <= n * COMMON_SHARE
    if not scored.any():
        return _nothing_scored(n, total)
    scored = _within_budget(scored, lengths, term_weights)
    scores, matched, candidates = accumulate(
        index.indptr,
        index.postings,
        index.impacts,
        ids[scored],
        term_weights[scored].astype(np.float32),
        n,
    )
    return PassageScores(scores, matched, total, candidates)


def _nothing_scored(passages: int, total: float) -> PassageScores:
    empty = np.zeros(passages, dtype=np.float32)
    return PassageScores(empty, empty.copy(), total, np.empty(0, dtype=np.intp))


def _within_budget(
    scored: npt.NDArray[np.bool_],
    lengths: npt.NDArray[np.int64],
    term_weights: npt.NDArray[np.float64],
) -> npt.NDArray[np.bool_]:
    """Bounded work for a long question on a large base: when the scored terms' postings exceed
    POSTING_BUDGET, the terms are taken by decreasing weight (idf x query weight) while they fit,
    and the rest, the most frequent, is left unscored like a common word."""
    if int(lengths[scored].sum()) <= POSTING_BUDGET:
        return scored
    candidates = np.flatnonzero(scored)
    order = candidates[np.argsort(-term_weights[candidates], kind="stable")]
    fits = np.cumsum(lengths[order]) <= POSTING_BUDGET
    fits[0] = True
    kept = np.zeros_like(scored)
    kept[order[fits]] = True
    return kept
