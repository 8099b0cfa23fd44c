"""Fuzzy similarity of a question to a record's title and questions (rapidfuzz).

Applied to the few candidates the index found, never to the whole base: rapidfuzz over every
title costs more than the whole BM25 query (DESIGN.md, costs).
"""

from __future__ import annotations

from collections.abc import Sequence

from rapidfuzz import fuzz

from indexer.documents import SearchDocument
from indexer.normalize import normalize

_LEAD = 120  # records without a title or questions are compared by the opening of their body
_PARTIAL_WEIGHT = 0.9  # a partial match counts 0.9 of a whole one
_CUTOFF_MARGIN = 1.0 - 1e-9  # float rounding can never drop a partial score that would count


class FuzzyMatcher:
    def __init__(self, documents: Sequence[SearchDocument]) -> None:
        self._documents = documents
        self._strings: dict[int, tuple[str, ...]] = {}

    def _strings_of(self, number: int) -> tuple[str, ...]:
        cached = self._strings.get(number)
        if cached is None:
            document = self._documents[number]
            heads = [normalize(s) for s in (document.title, *document.questions) if s]
            cached = tuple(heads) if heads else (normalize(document.body[: _LEAD * 2])[:_LEAD],)
            self._strings[number] = cached
        return cached

    def similarity(self, query: str, number: int) -> float:
        """0..1: 1 when the question is (nearly) one of the record's titles or questions."""
        if not query:
            return 0.0
        best = 0.0
        for text in self._strings_of(number):
            if not text:
                continue
            best = max(best, fuzz.ratio(query, text))
            # max(ratio, 0.9 x partial_ratio) over the strings. partial_ratio, the costly one,
            # is asked only for a score that could count: at most 100, so not once the best is
            # 90; and with a cutoff a little under best / 0.9 (below it rapidfuzz returns 0 and
            # can stop early), so every partial score that could reach the best is exact.
            if best < _PARTIAL_WEIGHT * 100.0:
                cutoff = best / _PARTIAL_WEIGHT * _CUTOFF_MARGIN
                partial = fuzz.partial_ratio(query, text, score_cutoff=cutoff)
                best = max(best, _PARTIAL_WEIGHT * partial)
        return best / 100.0
