"""Plain BM25 (the bm25s package, default parameters) over the words our analyzer produces.

The baseline the evaluation compares against: the same word tokens as our index, but one field
(title and body joined), no field weights, no synonyms, no character or pinyin pairs, no fuzzy
re-ranking and no life events. What our search gains over it is what analysis and ranking add,
not what the tokeniser adds (DESIGN.md: plain BM25 hardly depends on the engine).
"""

from __future__ import annotations

from collections.abc import Sequence

import bm25s
import numpy as np

from indexer.analysis import Analyzer
from indexer.documents import SearchDocument


class Bm25Baseline:
    def __init__(self, documents: Sequence[SearchDocument], analyzer: Analyzer) -> None:
        self._ids = [d.id for d in documents]
        self._analyzer = analyzer
        self._vocabulary: dict[str, int] = {}
        token_ids = [self._encode(self._document_words(d), grow=True) for d in documents]
        self._retriever = bm25s.BM25()
        # Our own vocabulary, handed over as ids: bm25s's own tokenizer would split Chinese text
        # differently, and its string path builds the vocabulary from an unordered set.
        if self._vocabulary:  # bm25s cannot index a corpus without a single word
            self._retriever.index(
                bm25s.tokenization.Tokenized(ids=token_ids, vocab=dict(self._vocabulary)),
                show_progress=False,
            )

    def _document_words(self, document: SearchDocument) -> list[str]:
        return self._analyzer.words(document.title + "\n" + document.body)

    def _encode(self, words: Sequence[str], *, grow: bool = False) -> list[int]:
        out: list[int] = []
        for word in words:
            term = self._vocabulary.get(word)
            if term is None and grow:
                term = self._vocabulary[word] = len(self._vocabulary)
            if term is not None:
                out.append(term)
        return out

    def search(self, question: str, limit: int = 100) -> list[tuple[str, float]]:
        """The best records as (id, score), best first; records sharing no word are left out."""
        terms = self._encode(self._analyzer.words(question))
        k = min(limit, len(self._ids))
        # bm25s scores an empty query with its "" token, which is not in an index built from
        # ids and raises; no known word simply means no result.
        if not terms or k <= 0:
            return []
        result = self._retriever.retrieve([terms], k=k, show_progress=False, n_threads=0)
        documents = np.asarray(result.documents)[0]
        scores = np.asarray(result.scores)[0]
        return [
            (self._ids[int(n)], float(s)) for n, s in zip(documents, scores, strict=True) if s > 0
        ]
