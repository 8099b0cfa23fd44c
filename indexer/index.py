"""An inverted index with BM25F scoring over passages, in a few flat numpy arrays.

Each (term, passage) posting stores one precomputed impact: the BM25F saturation of the passage's
field-weighted, length-normalised term frequencies. A query is then a handful of vectorised
additions, and the index is three arrays plus the vocabulary, which keeps it small and quick to
save and load.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from indexer.analysis import Analyzer
from indexer.documents import SearchDocument, passages

FIELDS = ("title", "questions", "keywords", "summary", "lead", "body", "pairs", "chars", "sounds")
LEAD_CHARS = 60
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
            "pairs": 0.5,
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
            "pairs": 0.75,
            "chars": 0.5,
            "sounds": 0.5,
        }
    )
    k1: float = 1.2


@dataclass
class IndexArrays:
    """Everything a built index is; saved and loaded as is."""

    vocabulary: dict[str, int]
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


Progress = Callable[[Iterable[SearchDocument], int, str], Iterable[SearchDocument]]


def _no_progress(
    items: Iterable[SearchDocument], _total: int, _desc: str
) -> Iterable[SearchDocument]:
    return items


class _Accumulator:
    """Collects (term, passage, field, count) postings as flat lists while documents stream in."""

    def __init__(self) -> None:
        self.vocabulary: dict[str, int] = {}
        self.terms: list[int] = []
        self.passages: list[int] = []
        self.fields: list[int] = []
        self.counts: list[int] = []
        self.lengths: list[list[int]] = [[] for _ in FIELDS]
        self.owner: list[int] = []
        self.labels: list[str] = []

    def add_passage(self, document: int, label: str, field_tokens: Sequence[list[str]]) -> None:
        passage = len(self.owner)
        self.owner.append(document)
        self.labels.append(label)
        vocabulary = self.vocabulary
        for field_no, tokens in enumerate(field_tokens):
            self.lengths[field_no].append(len(tokens))
            if not tokens:
                continue
            for term, count in Counter(tokens).items():
                term_id = vocabulary.get(term)
                if term_id is None:
                    term_id = vocabulary[term] = len(vocabulary)
                self.terms.append(term_id)
                self.passages.append(passage)
                self.fields.append(field_no)
                self.counts.append(count)


@dataclass(frozen=True)
class TokenizedPassage:
    document: int
    label: str
    fields: tuple[list[str], ...]  # one token list per name in FIELDS


def tokenize(
    documents: Sequence[SearchDocument], analyzer: Analyzer, progress: Progress = _no_progress
) -> Iterator[TokenizedPassage]:
    """The analysis half of a build: every passage's tokens, field by field."""
    for number, document in enumerate(progress(documents, len(documents), "分词")):
        shared = _shared_fields(document, analyzer)
        for passage in passages(document.body):
            body = analyzer.words(passage.text, normalized=True)
            pairs = analyzer.word_pairs(body)
            lead = analyzer.words(_lead(passage.text), normalized=True)
            fields = (*shared[:4], lead, body, pairs, *shared[4:])
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
    progress: Progress = _no_progress,
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
    n_passages = len(acc.owner)
    n_terms = len(acc.vocabulary)
    terms = np.asarray(acc.terms, dtype=np.int64)
    passages_ = np.asarray(acc.passages, dtype=np.int64)
    fields = np.asarray(acc.fields, dtype=np.int64)
    counts = np.asarray(acc.counts, dtype=np.float32)

    weighted = np.zeros(len(counts), dtype=np.float32)
    for field_no, name in enumerate(FIELDS):
        lengths = np.asarray(acc.lengths[field_no], dtype=np.float32)
        average = float(lengths.mean()) if n_passages and lengths.any() else 1.0
        b = tuning.b[name]
        norm = (1.0 - b) + b * lengths / max(average, 1e-6)
        mask = fields == field_no
        weighted[mask] = tuning.weights[name] * counts[mask] / norm[passages_[mask]]

    # One posting per (term, passage): sum the fields' weighted frequencies, then saturate once.
    keys = terms * max(n_passages, 1) + passages_
    unique_keys, inverse = np.unique(keys, return_inverse=True)
    combined = np.bincount(inverse, weights=weighted, minlength=len(unique_keys)).astype(np.float32)
    impacts = (combined * (tuning.k1 + 1.0) / (combined + tuning.k1)).astype(np.float32)
    posting_terms = unique_keys // max(n_passages, 1)
    postings = (unique_keys % max(n_passages, 1)).astype(np.int32)
    df = np.bincount(posting_terms, minlength=n_terms).astype(np.float64)
    indptr = np.zeros(n_terms + 1, dtype=np.int64)
    indptr[1:] = np.cumsum(df).astype(np.int64)
    idf = np.log1p((n_passages - df + 0.5) / (df + 0.5)).astype(np.float32)
    return IndexArrays(
        vocabulary=acc.vocabulary,
        indptr=indptr,
        postings=postings,
        impacts=impacts,
        idf=idf,
        owner=np.asarray(acc.owner, dtype=np.int32),
        labels=acc.labels,
        documents=documents,
    )


@dataclass(frozen=True)
class PassageScores:
    scores: F32  # BM25F score of every passage
    matched: F32  # sum of (query weight x idf) of the query terms each passage contains
    total: float  # the same sum over every query term; unknown terms count at the highest idf

    def coverage(self, passage: int) -> float:
        return float(self.matched[passage]) / self.total if self.total else 0.0


def score_passages(index: IndexArrays, terms: dict[str, float]) -> PassageScores:
    """Score every passage for the weighted query terms, in one pass over their postings."""
    scores = np.zeros(index.passage_count, dtype=np.float32)
    matched = np.zeros(index.passage_count, dtype=np.float32)
    idf_max = float(index.idf.max()) if len(index.idf) else 1.0
    total = 0.0
    for term, weight in terms.items():
        term_id = index.vocabulary.get(term)
        if term_id is None:
            total += weight * idf_max
            continue
        term_weight = float(index.idf[term_id]) * weight
        total += term_weight
        start, end = index.indptr[term_id], index.indptr[term_id + 1]
        passages = index.postings[start:end]
        scores[passages] += term_weight * index.impacts[start:end]
        matched[passages] += term_weight
    return PassageScores(scores, matched, total)
