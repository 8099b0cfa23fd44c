"""The benchmark harness: build time, memory and query latency of our index beside bm25s and
tantivy, on the same tokens, in one process and one run (`manage.py bench`, docs/benchmarks.md).

For each corpus: time `build_index` as the service runs it (tokenizing and indexing in one
pass); tokenize every passage with our analyzer on its own; feed those same tokens to each engine
and time its build alone; measure each index's size and the RSS its build needs; then time about a
thousand questions per engine, tokenization of the question included.
"""

from __future__ import annotations

import gc
import os
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt

from config.taxonomy import Taxonomy
from indexer.analysis import Analyzer
from indexer.bench_corpora import (
    Corpus,
    CorpusPaths,
    CorpusUnavailableError,
    load_corpus,
    sample_queries,
)
from indexer.bench_engines import Bm25sEngine, Engine, OursEngine, Search, TantivyEngine
from indexer.bench_memory import measure_peak, release_free_memory, retained_since, rss_bytes
from indexer.bench_report import BenchReport, CorpusFigures, EngineFigures, machine_description
from indexer.documents import SearchDocument
from indexer.index import TokenizedPassage, build_index, tokenize
from indexer.semantic import Meaning

Log = Callable[[str], None]
WARMUP = 100  # questions asked of every engine before timing
WARMUP_DOCUMENTS = 20


def _quiet(_message: str) -> None:
    return None


def run_benchmark(
    names: Sequence[str],
    paths: CorpusPaths,
    analyzer: Analyzer,
    taxonomy: Taxonomy,
    queries: int = 1000,
    log: Log = _quiet,
    meaning: dict[str, Meaning] | None = None,
) -> BenchReport:
    """Each named corpus in turn; one whose files are missing is skipped with the reason.
    `meaning` names the corpora also timed with re-ranking by meaning."""
    figures: list[CorpusFigures] = []
    skipped: list[str] = []
    # Other work on the machine shows in the tail latencies: the load says how busy it was.
    load_at_start = _load()
    for name in names:
        try:
            corpus = load_corpus(name, paths, taxonomy)
        except CorpusUnavailableError as exc:
            skipped.append(str(exc))
            log(str(exc))
            continue
        with_meaning = (meaning or {}).get(name)
        figures.append(run_corpus(corpus, analyzer, taxonomy, queries, log, with_meaning))
        del corpus
        release_free_memory()
    machine = machine_description()
    machine["load_1min"] = f"{load_at_start} at start, {_load()} at end"
    return BenchReport(machine, figures, skipped)


def _load() -> str:
    try:
        return f"{os.getloadavg()[0]:.2f}"
    except OSError:
        return "-"


def run_corpus(
    corpus: Corpus,
    analyzer: Analyzer,
    taxonomy: Taxonomy | None,
    queries: int = 1000,
    log: Log = _quiet,
    meaning: Meaning | None = None,
) -> CorpusFigures:
    with tempfile.TemporaryDirectory(prefix="bench-tantivy-") as workdir:
        engines: list[Engine] = [
            OursEngine(analyzer, taxonomy, meaning),
            Bm25sEngine(analyzer),
            TantivyEngine(analyzer, Path(workdir) / corpus.name),
        ]
        try:
            return _run_engines(corpus, analyzer, engines, queries, log)
        finally:
            for engine in engines:
                engine.close()


def _run_engines(
    corpus: Corpus, analyzer: Analyzer, engines: list[Engine], queries: int, log: Log
) -> CorpusFigures:
    log(f"{corpus.name}：{len(corpus.documents):,} 篇文档，一遍建索引（边分词边索引）…")
    one_pass = _one_pass_build(corpus, analyzer)
    log(f"{corpus.name}：只分词…")
    tokenized, figures = _tokenize(corpus, analyzer, queries)
    figures.one_pass_build_s, figures.one_pass_peak_rss_bytes = one_pass
    builds: dict[str, EngineFigures] = {}
    for engine in engines:
        log(f"{corpus.name}：{engine.name} 建索引（{figures.passages:,} 段）…")
        builds[engine.name] = _build(engine, tokenized, corpus.documents)
    # The token lists are the biggest thing in the heap: drop them before timing queries.
    del tokenized
    release_free_memory()
    questions = sample_queries(corpus.questions, queries)
    searches = {name: s for engine in engines for name, s in engine.searches().items()}
    log(f"{corpus.name}：{len(searches)} 种查询各 {len(questions):,} 次…")
    for name, durations in _measure_latency(searches, questions).items():
        row = builds.get(name) or EngineFigures(name)
        _summarize(row, durations)
        figures.engines.append(row)
    return figures


def _one_pass_build(corpus: Corpus, analyzer: Analyzer) -> tuple[float, int]:
    """Seconds and peak RSS of `build_index`, where each passage's tokens are indexed while
    fresh. It runs before the tokenize-only pass, so that pass, not this one, gets warm caches;
    only the one-off loading (pinyin tables, regexes, segmenter) is done beforehand, which would
    otherwise dominate a small corpus."""
    for _ in tokenize(corpus.documents[:WARMUP_DOCUMENTS], analyzer):
        pass
    with measure_peak() as memory:
        start = time.perf_counter()
        index = build_index(corpus.documents, analyzer)
        elapsed = time.perf_counter() - start
    del index
    return elapsed, memory.peak


def _tokenize(
    corpus: Corpus, analyzer: Analyzer, queries: int
) -> tuple[list[TokenizedPassage], CorpusFigures]:
    release_free_memory()
    before = rss_bytes()
    start = time.perf_counter()
    tokenized = list(tokenize(corpus.documents, analyzer))
    elapsed = time.perf_counter() - start
    figures = CorpusFigures(
        corpus=corpus.name,
        documents=len(corpus.documents),
        passages=len(tokenized),
        tokens=sum(len(f) for p in tokenized for f in p.fields),
        queries=queries,
        tokenize_s=elapsed,
        tokens_rss_bytes=rss_bytes() - before,
    )
    return tokenized, figures


def _build(
    engine: Engine, tokenized: list[TokenizedPassage], documents: Sequence[SearchDocument]
) -> EngineFigures:
    release_free_memory()
    before_feed = rss_bytes()
    feed_s = _timed(lambda: engine.feed(tokenized, documents))
    with measure_peak() as memory:
        build_s = _timed(engine.build)
        open_s = _timed(engine.open)
    return EngineFigures(
        engine=engine.name,
        feed_s=feed_s,
        build_s=build_s,
        open_s=open_s,
        index_bytes=engine.index_bytes(),
        peak_rss_bytes=memory.peak,
        retained_rss_bytes=retained_since(before_feed),
        memory_exact=memory.exact,
    )


def _timed(step: Callable[[], None]) -> float:
    start = time.perf_counter()
    step()
    return time.perf_counter() - start


def _measure_latency(
    searches: dict[str, Search], questions: Sequence[str]
) -> dict[str, npt.NDArray[np.float64]]:
    """Nanoseconds per question for each search, one thread, after a warm-up.

    The engines take turns question by question (in a rotating order), so a burst of load from
    elsewhere on the machine falls on all of them alike instead of on whichever ran then."""
    names = list(searches)
    for question in questions[:WARMUP]:
        for name in names:
            searches[name](question)
    gc.collect()
    gc.freeze()
    durations = {name: np.empty(len(questions), dtype=np.float64) for name in names}
    for number, question in enumerate(questions):
        shift = number % len(names)
        for name in names[shift:] + names[:shift]:
            start = time.perf_counter_ns()
            searches[name](question)
            durations[name][number] = time.perf_counter_ns() - start
    return durations


def _summarize(row: EngineFigures, durations: npt.NDArray[np.float64]) -> None:
    p50, p99 = np.percentile(durations, [50, 99]) / 1e6
    row.p50_ms, row.p99_ms = float(p50), float(p99)
    # Single-threaded throughput: questions over the time spent answering them.
    row.qps = len(durations) / (float(durations.sum()) / 1e9)
