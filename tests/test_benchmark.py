"""The benchmark harness end to end on a tiny generated corpus: every engine, every figure.

Only the presence and sanity of the figures is checked, never their values: timings on a shared
test machine say nothing.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from config.settings import CONFIG_DIR, PROJECT_ROOT
from config.taxonomy import Taxonomy
from indexer.analysis import Analyzer
from indexer.bench_corpora import Corpus, CorpusPaths
from indexer.bench_report import BenchReport, CorpusFigures, format_report, report_json
from indexer.benchmark import run_benchmark, run_corpus
from indexer.documents import SearchDocument
from indexer.resources import load_resources

ENGINES = ["ours", "ours-core", "bm25s", "tantivy"]
BUILT = ["ours", "bm25s", "tantivy"]  # ours-core queries the index `ours` built
TOPICS = ["生育津贴", "养老保险", "公积金提取", "创业担保贷款", "失业保险金", "医疗费用报销"]


def tiny_corpus(size: int = 36) -> Corpus:
    documents = []
    for number in range(size):
        topic = TOPICS[number % len(TOPICS)]
        if number % 2:  # a regulation: split into articles
            body = "\n".join(f"第{n}条 申请{topic}应当符合条件，材料齐全。" for n in range(1, 4))
        else:  # an answer: one passage
            body = f"{topic}怎么办理？带身份证到政务服务大厅窗口申请，{number}个工作日内办结。"
        documents.append(
            SearchDocument(id=f"doc-{number}", title=f"{topic}办法{number}", body=body)
        )
    questions = [f"{topic}怎么申请" for topic in TOPICS] + ["shengyu jintie", "孩子上学"]
    return Corpus("tiny", documents, questions)


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    resources = load_resources(
        CONFIG_DIR / "dictionary.txt", CONFIG_DIR / "stopwords.txt", CONFIG_DIR / "synonyms.yaml"
    )
    return resources.analyzer("rjieba")


@pytest.fixture(scope="module")
def figures(analyzer: Analyzer, taxonomy: Taxonomy) -> CorpusFigures:
    return run_corpus(tiny_corpus(), analyzer, taxonomy, queries=30)


def test_every_engine_is_measured(figures: CorpusFigures) -> None:
    assert [e.engine for e in figures.engines] == ENGINES
    assert figures.documents == 36 and figures.passages > figures.documents
    assert figures.tokens > 0 and figures.tokenize_s > 0 and figures.queries == 30
    assert figures.one_pass_build_s > 0 and figures.one_pass_peak_rss_bytes >= 0
    for name in BUILT:
        built = figures.engine(name)
        assert built.build_s is not None and built.build_s > 0
        assert built.index_bytes is not None and built.index_bytes > 0
        assert built.peak_rss_bytes is not None and built.retained_rss_bytes is not None
    for engine in figures.engines:
        assert 0 < engine.p50_ms <= engine.p99_ms
        assert engine.qps > 0
    assert {t.name for t in figures.targets()} == {
        "p99 vs tantivy",
        "index vs tokenize",
        "one-pass build vs tokenize",
        "memory vs bm25s",
    }


def test_table_and_json_carry_every_engine_and_figure(figures: CorpusFigures) -> None:
    report = BenchReport({"cpu": "test"}, [figures], ["跳过“laws”：找不到文件"])

    table = format_report(report)
    data = json.loads(json.dumps(report_json(report), ensure_ascii=False))

    for column in ("build s", "index MB", "peak dRSS MB", "p50 ms", "p99 ms", "q/s"):
        assert column in table
    for name in ENGINES:
        assert any(line.strip().startswith(name + " ") for line in table.splitlines())
    assert "target p99 vs tantivy" in table and "跳过“laws”" in table
    [corpus] = data["corpora"]
    assert [e["engine"] for e in corpus["engines"]] == ENGINES
    assert {"p50_ms", "p99_ms", "qps", "build_s", "index_bytes"} <= set(corpus["engines"][0])
    assert len(corpus["targets"]) == 4 and data["skipped"] == ["跳过“laws”：找不到文件"]


def test_missing_shared_data_is_skipped_with_a_reason(
    analyzer: Analyzer, taxonomy: Taxonomy, tmp_path: Path
) -> None:
    paths = CorpusPaths(PROJECT_ROOT / "knowledge" / "demo", tmp_path / "no-shared-data")

    report = run_benchmark(["faq", "laws"], paths, analyzer, taxonomy, queries=5)

    assert report.corpora == []
    assert [m.partition("：")[0] for m in report.skipped] == ["跳过“faq”", "跳过“laws”"]
    assert all("找不到" in message for message in report.skipped)
