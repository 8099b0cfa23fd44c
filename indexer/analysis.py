"""The one analyzer used by indexing and querying alike.

Text is normalised, cut into runs (Chinese, Latin letters and digits, 文号), and the Chinese runs
are split into words by an injected splitter. Besides words it derives two tolerant views:
character pairs (a segmentation mismatch or a one-character typo still shares most pairs) and
pinyin syllable pairs (homophones such as 生育金贴 for 生育津贴, or typing "shengyu jintie").
"""

from __future__ import annotations

import itertools
import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from pypinyin import lazy_pinyin

from indexer.normalize import normalize, normalize_query
from indexer.splitters import Splitter

CHAR_PREFIX = "c:"
SOUND_PREFIX = "p:"
DOC_NUMBER_PREFIX = "n:"
_RUNS = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+|[a-z]+|[0-9]+(?:\.[0-9]+)?")
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_LATIN_PHRASE = re.compile(r"[a-z]+(?: [a-z]+)*")
# 国办发〔2019〕10号, 财税[2019]13号, 示范府办(2024)5号 — after NFKC brackets vary.
_DOC_NUMBER = re.compile(r"([\u4e00-\u9fff]{1,12})[〔\[(【]([0-9]{4})[〕\])】]第?([0-9]{1,4})号")
_SYLLABLES = frozenset(
    (Path(__file__).with_name("pinyin_syllables.txt")).read_text(encoding="ascii").split()
)
_MAX_SYLLABLE = max(len(s) for s in _SYLLABLES)


@lru_cache(maxsize=65_536)
def _syllable(char: str) -> str:
    # One reading per character, the same on both sides: consistency matters, not the reading.
    return lazy_pinyin(char)[0]


def split_pinyin(text: str) -> list[str] | None:
    """`shengyujintie` -> [sheng, yu, jin, tie], or None when it is not pinyin."""
    best: list[list[str] | None] = [None] * (len(text) + 1)
    best[0] = []
    for end in range(1, len(text) + 1):
        # Fewest syllables wins: "xian" stays one syllable rather than "xi an".
        for start in range(max(0, end - _MAX_SYLLABLE), end):
            head = best[start]
            if head is not None and text[start:end] in _SYLLABLES:
                candidate = [*head, text[start:end]]
                current = best[end]
                if current is None or len(candidate) < len(current):
                    best[end] = candidate
    return best[len(text)]


def _pairs(items: Sequence[str], prefix: str, joiner: str = "_") -> list[str]:
    if len(items) == 1:
        return [prefix + items[0]]
    return [f"{prefix}{a}{joiner}{b}" for a, b in itertools.pairwise(items)]


@dataclass(frozen=True)
class AnalyzedQuery:
    text: str
    words: tuple[str, ...]  # the user's own words, stopwords removed
    terms: Mapping[str, float]  # every term to look up, with its query weight


@dataclass(frozen=True)
class QueryWeights:
    expansion: float = 0.6
    chars: float = 0.3
    sounds: float = 0.3
    # A word the asker repeats is what the question is about (离婚 … 离婚后 … 离婚协议): each
    # word weighs 1 + repeat × ln(times it occurs), a saturating query-side tf (docs/search.md).
    repeat: float = 0.6


class Analyzer:
    def __init__(
        self,
        splitter: Splitter,
        stopwords: Iterable[str] = (),
        synonyms: Mapping[str, Sequence[str]] | None = None,
        weights: QueryWeights | None = None,
    ) -> None:
        self._split = splitter
        self._stopwords = frozenset(normalize(w) for w in stopwords)
        self._synonyms = {normalize(k): tuple(v) for k, v in (synonyms or {}).items()}
        self._weights = weights or QueryWeights()

    # -- index side ----------------------------------------------------------------------------

    def words(self, text: str, *, normalized: bool = False) -> list[str]:
        """Words of a text: split Chinese runs, Latin words, numbers and 文号; no stopwords."""
        if not normalized:
            text = normalize(text)
        out: list[str] = [t for m in _DOC_NUMBER.finditer(text) for t in _doc_numbers(m)]
        for match in _RUNS.finditer(text):
            run = match.group(0)
            pieces = self._split(run) if run[0] >= "\u3400" else [run]
            out.extend(p for p in pieces if p not in self._stopwords)
        return out

    def chars(self, text: str, *, normalized: bool = False) -> list[str]:
        """Overlapping pairs of Chinese characters."""
        if not normalized:
            text = normalize(text)
        out: list[str] = []
        for run in _CJK.findall(text):
            out.extend(_pairs(run, CHAR_PREFIX, "") if len(run) > 1 else [])
        return out

    def sounds(self, text: str, *, normalized: bool = False, latin: bool = False) -> list[str]:
        """Pairs of pinyin syllables of Chinese runs (and, for queries, of typed pinyin)."""
        if not normalized:
            text = normalize(text)
        out: list[str] = []
        for run in _CJK.findall(text):
            out.extend(_pairs([_syllable(c) for c in run], SOUND_PREFIX))
        if latin:
            for phrase in _LATIN_PHRASE.findall(text):
                syllables = split_pinyin(phrase.replace(" ", ""))
                if syllables and len(syllables) > 1:
                    out.extend(_pairs(syllables, SOUND_PREFIX))
        return out

    # -- query side ----------------------------------------------------------------------------

    def query(self, text: str) -> AnalyzedQuery:
        normalized = normalize_query(text)
        counts = Counter(self.words(normalized, normalized=True))
        words = tuple(counts)  # first-seen order
        repeat = self._weights.repeat
        terms: dict[str, float] = {
            word: 1.0 + repeat * math.log(n) if n > 1 else 1.0 for word, n in counts.items()
        }
        for key, expansions in self._synonyms.items():
            if key in normalized:
                for expansion in expansions:
                    for word in self.words(expansion):
                        terms.setdefault(word, self._weights.expansion)
        for term in self.chars(normalized, normalized=True):
            terms.setdefault(term, self._weights.chars)
        for term in self.sounds(normalized, normalized=True, latin=True):
            terms.setdefault(term, self._weights.sounds)
        return AnalyzedQuery(normalized, words, terms)


def _doc_numbers(match: re.Match[str]) -> list[str]:
    # Where the agency's abbreviation starts is unknowable in running text (根据国办发〔2019〕10号),
    # so both sides emit its last 2, 3 and 4 characters: 办发, 国办发, 据国办发.
    prefix, year, number = match.groups()
    tail = f"〔{year}〕{number}号"
    lengths = range(min(2, len(prefix)), min(4, len(prefix)) + 1)
    return [f"{DOC_NUMBER_PREFIX}{prefix[-n:]}{tail}" for n in lengths]
