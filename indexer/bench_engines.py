"""The engines the benchmark compares, all fed the same tokens from our analyzer.

Every engine indexes the same token stream: all of a passage's field tokens (title, questions,
keywords, summary, lead, body, word pairs, character and pinyin pairs), and every query is our
analyzer's `query` terms. Only ours weights fields and query terms; bm25s and tantivy see one flat
field and an OR of the same terms. So differences in time and memory come from the engines, not
from what they were given.
"""

from __future__ import annotations

import itertools
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Protocol

import bm25s
import numpy as np
import tantivy

from config.taxonomy import Taxonomy
from indexer.analysis import Analyzer
from indexer.bench_memory import directory_bytes, strings_bytes, vocabulary_bytes
from indexer.documents import SearchDocument
from indexer.index import IndexArrays, TokenizedPassage, index_tokens, score_passages
from indexer.search import MAX_QUERY_CHARS, Searcher
from indexer.semantic import Meaning

LIMIT = 10
Search = Callable[[str], int]  # question -> number of hits (returned so no work is skipped)


class Engine(Protocol):
    name: str

    def feed(
        self, tokenized: Sequence[TokenizedPassage], documents: Sequence[SearchDocument]
    ) -> None:
        """Turn our tokens into this engine's input (timed apart from the build)."""

    def build(self) -> None:
        """Index the fed input and drop it."""

    def open(self) -> None:
        """Make the built index searchable."""

    def index_bytes(self) -> int: ...

    def searches(self) -> dict[str, Search]:
        """The ways this engine answers a question, by the name they are reported under."""

    def close(self) -> None: ...


def passage_tokens(passage: TokenizedPassage) -> list[str]:
    return list(itertools.chain.from_iterable(passage.fields))


class OursEngine:
    """Our index. `ours` is the product's query (`Searcher.search`: filters, life events,
    fuzzy re-ranking, confidence); `ours-core` is only the analyzer and BM25F scoring with a
    top 10, the like of what the other two engines do; `ours+meaning`, when `meaning` is given,
    is `ours` with re-ranking by meaning, every question embedded afresh (no remembered ones)."""

    name = "ours"

    def __init__(
        self, analyzer: Analyzer, taxonomy: Taxonomy | None, meaning: Meaning | None = None
    ) -> None:
        self._analyzer = analyzer
        self._taxonomy = taxonomy
        self._meaning = meaning
        self._with_meaning: Searcher | None = None
        self._tokenized: Sequence[TokenizedPassage] = ()
        self._documents: Sequence[SearchDocument] = ()
        self._index: IndexArrays | None = None
        self._searcher: Searcher | None = None

    def feed(
        self, tokenized: Sequence[TokenizedPassage], documents: Sequence[SearchDocument]
    ) -> None:
        self._tokenized, self._documents = tokenized, documents

    def build(self) -> None:
        self._index = index_tokens(self._tokenized, self._documents)
        self._tokenized = ()

    def open(self) -> None:
        self._searcher = Searcher(self.index, self._analyzer, self._taxonomy)

    @property
    def index(self) -> IndexArrays:
        if self._index is None:
            raise RuntimeError("build() first")
        return self._index

    def index_bytes(self) -> int:
        index = self.index
        arrays = (index.indptr, index.postings, index.impacts, index.idf, index.owner)
        # The documents are the corpus, which every engine's caller keeps; they are not counted.
        return sum(a.nbytes for a in arrays) + index.vocabulary.nbytes + strings_bytes(index.labels)

    def searches(self) -> dict[str, Search]:
        searcher = self._searcher
        if searcher is None:
            raise RuntimeError("open() first")
        index, analyzer = self.index, self._analyzer

        def full(question: str) -> int:
            return len(searcher.search(question, None, limit=LIMIT).hits)

        def core(question: str) -> int:
            terms = analyzer.query(question[:MAX_QUERY_CHARS]).terms
            scores = score_passages(index, dict(terms)).scores
            return len(top_k(scores, LIMIT))

        found: dict[str, Search] = {"ours": full, "ours-core": core}
        if self._meaning is not None and self._with_meaning is None:
            # Here, not in open(): the record vectors (and the model) are not the word index,
            # and must not count in its open time or memory.
            self._with_meaning = searcher.with_meaning(self._meaning(index.documents))
        hybrid = self._with_meaning
        if hybrid is not None:
            found["ours+meaning"] = lambda q: len(hybrid.search(q, None, limit=LIMIT).hits)
        return found

    def close(self) -> None:
        self._index = self._searcher = self._with_meaning = None


def top_k(scores: np.ndarray, k: int) -> np.ndarray:
    # Partition on -scores: with mostly zero scores it is far faster than on scores (DESIGN.md).
    if len(scores) <= k:
        return np.argsort(-scores, kind="stable")
    top = np.argpartition(-scores, k - 1)[:k]
    return top[np.argsort(-scores[top], kind="stable")]


class Bm25sEngine:
    """bm25s with its numpy backend, indexing our token lists as pre-tokenized documents."""

    name = "bm25s"

    def __init__(self, analyzer: Analyzer) -> None:
        self._analyzer = analyzer
        self._corpus: list[list[str]] = []
        self._retriever: bm25s.BM25 | None = None
        self._passages = 0

    def feed(
        self, tokenized: Sequence[TokenizedPassage], documents: Sequence[SearchDocument]
    ) -> None:
        self._corpus = [passage_tokens(p) for p in tokenized]
        self._passages = len(self._corpus)

    def build(self) -> None:
        # k1 and b as ours; `index` accepts a list of token lists and builds its own vocabulary.
        retriever = bm25s.BM25(k1=1.2, b=0.75)
        retriever.index(self._corpus, show_progress=False)
        self._retriever, self._corpus = retriever, []

    def open(self) -> None:
        """Nothing to do: the score matrix is searched as built."""

    def index_bytes(self) -> int:
        retriever = self._require()
        arrays = sum(int(retriever.scores[key].nbytes) for key in ("data", "indices", "indptr"))
        vocabulary = vocabulary_bytes(retriever.vocab_dict)
        # `index` also keeps a set of every token id for query-time filtering.
        return arrays + vocabulary + sys.getsizeof(retriever.unique_token_ids_set)

    def searches(self) -> dict[str, Search]:
        retriever, analyzer = self._require(), self._analyzer
        k = min(LIMIT, self._passages)

        def search(question: str) -> int:
            tokens = list(analyzer.query(question[:MAX_QUERY_CHARS]).terms)
            documents, _ = retriever.retrieve([tokens], k=k, show_progress=False, n_threads=0)
            return int(documents.shape[1])

        return {"bm25s": search}

    def _require(self) -> bm25s.BM25:
        if self._retriever is None:
            raise RuntimeError("build() first")
        return self._retriever

    def close(self) -> None:
        self._retriever = None


class TantivyEngine:
    """tantivy-py on disk: one text field split on whitespace, so our tokens arrive unchanged
    (none contains a space); frequencies without positions, as our index has none either.
    One indexing thread, like our build."""

    name = "tantivy"
    FIELD = "text"
    HEAP_BYTES = 256_000_000

    def __init__(self, analyzer: Analyzer, directory: Path) -> None:
        self._analyzer = analyzer
        self._directory = directory
        self._texts: list[str] = []
        builder = tantivy.SchemaBuilder()
        builder.add_text_field(self.FIELD, tokenizer_name="whitespace", index_option="freq")
        self._schema = builder.build()
        self._index: tantivy.Index | None = None
        self._searcher: tantivy.Searcher | None = None

    def feed(
        self, tokenized: Sequence[TokenizedPassage], documents: Sequence[SearchDocument]
    ) -> None:
        self._texts = [" ".join(passage_tokens(p)) for p in tokenized]

    def build(self) -> None:
        self._directory.mkdir(parents=True, exist_ok=True)
        index = tantivy.Index(self._schema, path=str(self._directory), reuse=False)
        writer = index.writer(heap_size=self.HEAP_BYTES, num_threads=1)
        for text in self._texts:
            document = tantivy.Document()
            document.add_text(self.FIELD, text)
            writer.add_document(document)
        writer.commit()
        # Merges run in the background after a commit; the build is done when they are.
        writer.wait_merging_threads()
        self._index, self._texts = index, []

    def open(self) -> None:
        index = self._require()
        index.reload()
        self._searcher = index.searcher()

    def index_bytes(self) -> int:
        return directory_bytes(self._directory)

    def searches(self) -> dict[str, Search]:
        searcher, analyzer, schema = self._searcher, self._analyzer, self._schema
        if searcher is None:
            raise RuntimeError("open() first")
        should, field = tantivy.Occur.Should, self.FIELD

        def search(question: str) -> int:
            terms = analyzer.query(question[:MAX_QUERY_CHARS]).terms
            clauses = [
                (should, tantivy.Query.term_query(schema, field, term, index_option="freq"))
                for term in terms
            ]
            query = tantivy.Query.boolean_query(clauses)
            return len(searcher.search(query, LIMIT, count=False).hits)

        return {"tantivy": search}

    def _require(self) -> tantivy.Index:
        if self._index is None:
            raise RuntimeError("build() first")
        return self._index

    def close(self) -> None:
        self._index = self._searcher = None
