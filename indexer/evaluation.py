"""Search quality: our `Searcher` against plain BM25 on the same tokens, on labelled questions.

Both are built in memory from the same documents with the same analyzer (the configured
dictionary plus the knowledge base's own words, by the service's rule), so the comparison
isolates what our fields, synonyms, tolerant views, fuzzy re-ranking and life events add.
Every status is searched: a gold record may be repealed, and evaluation must not hide it (the
service would show it with its replacement).
"""

from __future__ import annotations

import time
import unicodedata
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Literal, TypeVar

from config.taxonomy import Taxonomy
from indexer.baseline import Bm25Baseline
from indexer.documents import SearchDocument
from indexer.eval_data import Question
from indexer.metrics import METRIC_KEYS, first_gold_rank, summarize, top1_accuracy
from indexer.progress import Progress, no_progress
from indexer.resources import AnalysisResources
from indexer.search import SearchFilters
from indexer.service import KnowledgeSource, SearchService, SemanticSetup
from knowledge.enums import Status

DEPTH = 100  # results read per question: recall@100 needs them
SHOWN = 10  # results written per question to the per-query file
_MAX_MISSING_SHOWN = 5

T = TypeVar("T")
Ranking = list[tuple[str, float]]  # (record id, score), best first
Side = Literal["ours", "baseline"]


@dataclass(frozen=True)
class QueryOutcome:
    question: Question
    ours: Ranking
    baseline: Ranking

    def ranking(self, side: Side) -> Ranking:
        return self.ours if side == "ours" else self.baseline


@dataclass(frozen=True)
class Timings:
    build_ours: float
    build_baseline: float
    ask_ours: float
    ask_baseline: float


@dataclass(frozen=True)
class EvaluationReport:
    outcomes: list[QueryOutcome]
    documents: int
    timings: Timings
    warnings: list[str] = field(default_factory=list)

    def _runs(self, side: Side) -> list[tuple[list[str], tuple[str, ...]]]:
        return [([i for i, _ in o.ranking(side)], o.question.gold_ids) for o in self.outcomes]

    def metrics(self) -> dict[str, object]:
        """Our metrics, and under `baseline` the same keys for plain BM25 (the --json output)."""
        return {**self.ours_metrics(), "baseline": self.baseline_metrics()}

    def ours_metrics(self) -> dict[str, float | int]:
        return _rounded(summarize(self._runs("ours")))

    def baseline_metrics(self) -> dict[str, float | int]:
        return _rounded(summarize(self._runs("baseline")))

    def by_life_event(self) -> dict[str, tuple[int, float, float]]:
        """Life event -> (questions, our top-1 accuracy, the baseline's), for labelled sets."""
        groups: dict[str, list[QueryOutcome]] = defaultdict(list)
        for outcome in self.outcomes:
            if outcome.question.life_event:
                groups[outcome.question.life_event].append(outcome)
        out: dict[str, tuple[int, float, float]] = {}
        for event, items in groups.items():
            ours, base = EvaluationReport(items, self.documents, self.timings).top1()
            out[event] = (len(items), ours, base)
        return out

    def top1(self) -> tuple[float, float]:
        """Share of questions whose first result is right: ours, the baseline's."""
        return top1_accuracy(self._runs("ours")), top1_accuracy(self._runs("baseline"))

    def per_query(self) -> Iterator[dict[str, object]]:
        for outcome in self.outcomes:
            question = outcome.question
            gold = set(question.gold_ids)
            row: dict[str, object] = {"question": question.text, "gold_ids": [*question.gold_ids]}
            if question.life_event:
                row["life_event"] = question.life_event
            sides: tuple[Side, ...] = ("ours", "baseline")
            for side in sides:
                ranking = outcome.ranking(side)
                row[side] = [{"id": i, "score": round(s, 4)} for i, s in ranking[:SHOWN]]
                row[f"{side}_rank"] = first_gold_rank([i for i, _ in ranking], gold)
            yield row


def _rounded(values: dict[str, float | int]) -> dict[str, float | int]:
    return {k: round(v, 4) if isinstance(v, float) else v for k, v in values.items()}


def evaluate(
    documents: Sequence[SearchDocument],
    questions: Sequence[Question],
    resources: AnalysisResources,
    taxonomy: Taxonomy,
    progress: Progress = no_progress,
    semantic: SemanticSetup | None = None,
) -> EvaluationReport:
    # Built by the service's own code (in memory: no directory), so that the dictionary gets the
    # knowledge base's words by the same rule and what is measured is exactly what is served.
    source = KnowledgeSource(version=lambda: 0, documents=lambda: documents)
    started = time.perf_counter()
    service = SearchService(source, resources, taxonomy, None, progress=progress, semantic=semantic)
    searcher = service.searcher
    built = time.perf_counter()
    analyzer = searcher.analyzer  # the baseline gets the very same words
    baseline = Bm25Baseline(documents, analyzer)
    baseline_built = time.perf_counter()

    # Every status, including any label a corpus uses that is not one of ours.
    filters = SearchFilters(
        statuses=frozenset(s.value for s in Status) | {d.status for d in documents}
    )
    ours: list[Ranking] = []
    for question in progress(questions, len(questions), "检索"):
        hits = searcher.search(question.text, filters, limit=DEPTH).hits
        ours.append([(hit.id, hit.score) for hit in hits])
    asked = time.perf_counter()
    theirs = [baseline.search(question.text, DEPTH) for question in questions]
    done = time.perf_counter()

    outcomes = [QueryOutcome(q, o, b) for q, o, b in zip(questions, ours, theirs, strict=True)]
    timings = Timings(built - started, baseline_built - built, asked - baseline_built, done - asked)
    return EvaluationReport(outcomes, len(documents), timings, _missing_gold(documents, questions))


def _missing_gold(documents: Sequence[SearchDocument], questions: Sequence[Question]) -> list[str]:
    """A gold id that is not in the knowledge base can never be found: say so, do not hide it."""
    known = {d.id for d in documents}
    missing = sorted({g for q in questions for g in q.gold_ids if g not in known})
    if not missing:
        return []
    shown = "、".join(missing[:_MAX_MISSING_SHOWN])
    return [f"{len(missing)} 个标准答案编号不在知识库中（如 {shown}），这些问题不可能答对"]


# -- the readable report ----------------------------------------------------------------------


def format_report(report: EvaluationReport, taxonomy: Taxonomy | None = None) -> str:
    """Side by side: ours | plain BM25 | ratio; then top-1 accuracy by life event if labelled."""
    ours, base = report.ours_metrics(), report.baseline_metrics()
    t = report.timings
    lines = [
        f"{report.documents} 条记录，{ours['queries']} 个问题；"
        f"建索引 本系统 {t.build_ours:.1f} 秒 / 基线 {t.build_baseline:.1f} 秒，"
        f"检索 本系统 {t.ask_ours:.1f} 秒 / 基线 {t.ask_baseline:.1f} 秒",
        "",
        _row("指标", "本系统", "基线 BM25", "比值"),
    ]
    for key in METRIC_KEYS[:-1]:
        a, b = float(ours[key]), float(base[key])
        lines.append(_row(key, f"{a:.4f}", f"{b:.4f}", f"{a / b:.2f}" if b else "—"))
    events = report.by_life_event()
    if events:
        lines += [
            "",
            "首位命中率（第一条即正确），按人生事件：",
            _row("人生事件", "问题数", "本系统", "基线"),
        ]
        for code, (count, a1, b1) in sorted(events.items(), key=lambda item: -item[1][1]):
            lines.append(_row(_event_name(code, taxonomy), str(count), f"{a1:.1%}", f"{b1:.1%}"))
        runs = report.top1()
        lines.append(_row("合计", str(ours["queries"]), f"{runs[0]:.1%}", f"{runs[1]:.1%}"))
    return "\n".join(lines)


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _row(first: str, *cells: str) -> str:
    # Padded by display width: a Chinese character takes two columns in a terminal.
    out = first + " " * max(1, 14 - _width(first))
    return out + "".join(" " * max(1, 12 - _width(c)) + c for c in cells)


def _event_name(code: str, taxonomy: Taxonomy | None) -> str:
    event = taxonomy.resolve(code) if taxonomy else None
    return event.name if event else code
