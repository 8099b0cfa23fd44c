"""Word splitters: jieba, and the Rust port rjieba for bulk indexing.

A splitter only ever sees a run of Chinese characters (the analyzer handles Latin letters, digits
and punctuation itself). On such runs, with HMM off and the same added words, rjieba gives the
same words as jieba (tests/test_splitters.py checks it on the demo base and the shared data);
the two differ only on ASCII, which never reaches them.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Protocol

import jieba
import rjieba


class Splitter(Protocol):
    def __call__(self, text: str) -> list[str]:
        """Split a run of Chinese characters into words (search mode: words and their parts)."""
        ...


class JiebaSplitter:
    """jieba in search mode with the domain dictionary; a private instance, not the global one."""

    def __init__(self, words: Mapping[str, int | None] | None = None) -> None:
        jieba.setLogLevel(logging.WARNING)
        self._jieba = jieba.Tokenizer()
        self._jieba.initialize()
        for word, freq in (words or {}).items():
            self._jieba.add_word(word, freq)

    def __call__(self, text: str) -> list[str]:
        return list(self._jieba.cut_for_search(text, HMM=False))


class RustJiebaSplitter:
    """rjieba (about 17 times faster than jieba), configured like `JiebaSplitter`."""

    def __init__(self, words: Mapping[str, int | None] | None = None) -> None:
        self._jieba = rjieba.Jieba()
        for word, freq in (words or {}).items():
            self._jieba.add_word(word, freq, None)

    def __call__(self, text: str) -> list[str]:
        words: list[str] = self._jieba.cut_for_search(text, False)
        return words


class BigramSplitter:
    """Overlapping character pairs: no dictionary, for tests and as a dependency-free fallback."""

    def __call__(self, text: str) -> list[str]:
        if len(text) < 2:
            return [text] if text else []
        return [text[i : i + 2] for i in range(len(text) - 1)]
