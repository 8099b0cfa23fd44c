"""Loading the analysis resources staff edit (dictionary, stopwords, synonyms) from config/."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import yaml

from indexer.analysis import Analyzer
from indexer.normalize import normalize
from indexer.splitters import JiebaSplitter, RustJiebaSplitter, Splitter

_CJK_WORD_MAX = 16


class ResourceError(Exception):
    """A dictionary, stopword or synonym file is malformed; the message names file and line."""


@dataclass(frozen=True)
class AnalysisResources:
    words: dict[str, int | None]
    stopwords: frozenset[str]
    synonyms: dict[str, tuple[str, ...]]

    def fingerprint(self) -> str:
        """Changes whenever anything that affects tokens changes: an index built with other
        resources must be rebuilt, not loaded."""
        digest = hashlib.sha256()
        for word, freq in sorted(self.words.items()):
            digest.update(f"w {word} {freq}\n".encode())
        for word in sorted(self.stopwords):
            digest.update(f"s {word}\n".encode())
        for key, values in sorted(self.synonyms.items()):
            digest.update(f"y {key} {'|'.join(values)}\n".encode())
        return digest.hexdigest()[:16]

    def with_words(self, extra: Iterable[str]) -> AnalysisResources:
        words = dict(self.words)
        for word in extra:
            word = word.strip()
            if 2 <= len(word) <= _CJK_WORD_MAX and all("\u4e00" <= c <= "\u9fff" for c in word):
                words.setdefault(word, None)
        return AnalysisResources(words, self.stopwords, self.synonyms)

    def analyzer(self, splitter: str = "rjieba") -> Analyzer:
        split: Splitter = (
            RustJiebaSplitter(self.words) if splitter == "rjieba" else JiebaSplitter(self.words)
        )
        return Analyzer(split, self.stopwords, self.synonyms)


def _lines(path: Path) -> Iterable[tuple[int, str]]:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = line.strip()
        if line and not line.startswith("#"):
            yield number, line


def load_resources(
    dictionary: Path, stopwords: Path, synonyms: Path, *more_synonyms: Path
) -> AnalysisResources:
    """The staff-edited resources; `more_synonyms` (config/legal_synonyms.yaml) are merged into
    `synonyms`, a key found in both expanding to the union of their words."""
    words: dict[str, int | None] = {}
    for number, line in _lines(dictionary):
        parts = line.split()
        if len(parts) > 1 and not parts[1].isdigit():
            raise ResourceError(f"{dictionary}:{number}: 词频应为整数：{line}")
        # The splitter sees normalised text, so the word must be normalised too (两项 -> 2项
        # would never reach it as one run: such words are kept only when still all Chinese).
        word = normalize(parts[0])
        if word and all("\u4e00" <= c <= "\u9fff" for c in word):
            words[word] = int(parts[1]) if len(parts) > 1 else None
    stop = frozenset(line for _, line in _lines(stopwords))
    table: dict[str, tuple[str, ...]] = {}
    for path in (synonyms, *more_synonyms):
        for key, values in _synonyms(path).items():
            table[key] = tuple(dict.fromkeys((*table.get(key, ()), *values)))
    return AnalysisResources(words, stop, table)


def _synonyms(path: Path) -> dict[str, tuple[str, ...]]:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise ResourceError(f"{path}: 不是合法的 YAML：{exc}") from exc
    if not isinstance(raw, dict):
        raise ResourceError(f"{path}: 应为“口语词: [规范词, …]”的映射")
    table: dict[str, tuple[str, ...]] = {}
    for key, values in raw.items():
        items = values if isinstance(values, list) else [values]
        table[str(key)] = tuple(str(v) for v in items if v)
    return table
