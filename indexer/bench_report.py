"""Benchmark figures and their presentation: the plain-text table, JSON, the machine."""

from __future__ import annotations

import dataclasses
import os
import platform
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

MB = 1024 * 1024
BUILD_RATIO_TARGET = 1.3
_PACKAGES = ("numpy", "rjieba", "bm25s", "tantivy")
_COLUMNS = (
    ("engine", 10),
    ("feed s", 7),
    ("build s", 8),
    ("open s", 7),
    ("index MB", 9),
    ("peak dRSS MB", 13),
    ("kept dRSS MB", 13),
    ("p50 ms", 8),
    ("p99 ms", 8),
    ("q/s", 7),
)


@dataclass
class EngineFigures:
    engine: str
    feed_s: float | None = None  # turning our tokens into the engine's input
    build_s: float | None = None
    open_s: float | None = None  # making the built index searchable
    index_bytes: int | None = None
    peak_rss_bytes: int | None = None  # above the RSS before the build (input already fed)
    retained_rss_bytes: int | None = None  # above the RSS before feeding, input freed again
    memory_exact: bool | None = None
    p50_ms: float = 0.0
    p99_ms: float = 0.0
    qps: float = 0.0


@dataclass(frozen=True)
class Target:
    name: str
    ours: float
    other: float
    limit: float  # met when ours <= limit * other

    @property
    def ratio(self) -> float:
        return self.ours / self.other if self.other else float("inf")

    @property
    def met(self) -> bool:
        return self.ratio <= self.limit


@dataclass
class CorpusFigures:
    corpus: str
    documents: int
    passages: int
    tokens: int
    queries: int
    tokenize_s: float
    tokens_rss_bytes: int
    # build_index as the service runs it: tokenizing and indexing in one pass, never holding
    # every token list at once.
    one_pass_build_s: float = 0.0
    one_pass_peak_rss_bytes: int = 0
    engines: list[EngineFigures] = field(default_factory=list)

    def engine(self, name: str) -> EngineFigures:
        return next(e for e in self.engines if e.engine == name)

    def targets(self) -> list[Target]:
        ours, bm25 = self.engine("ours"), self.engine("bm25s")
        return [
            Target("p99 vs tantivy", ours.p99_ms, self.engine("tantivy").p99_ms, 1.0),
            Target("index vs tokenize", ours.build_s or 0.0, self.tokenize_s, BUILD_RATIO_TARGET),
            Target(
                "one-pass build vs tokenize",
                self.one_pass_build_s,
                self.tokenize_s,
                BUILD_RATIO_TARGET,
            ),
            Target("memory vs bm25s", ours.index_bytes or 0, bm25.index_bytes or 0, 1.0),
        ]


@dataclass
class BenchReport:
    machine: dict[str, str]
    corpora: list[CorpusFigures]
    skipped: list[str]


def machine_description() -> dict[str, str]:
    versions = {name: _version(name) for name in _PACKAGES}
    return {
        "cpu": _cpu_model(),
        "cores": str(os.cpu_count()),
        "memory_gb": _memory_gb(),
        "system": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        **versions,
    }


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "-"


def _cpu_model() -> str:
    for line in _read_lines(Path("/proc/cpuinfo")):
        if line.startswith("model name"):
            return line.partition(":")[2].strip()
    return platform.processor() or "-"


def _memory_gb() -> str:
    for line in _read_lines(Path("/proc/meminfo")):
        if line.startswith("MemTotal:"):
            return f"{int(line.split()[1]) / 1024 / 1024:.1f}"
    return "-"


def _read_lines(path: Path) -> list[str]:
    try:
        return path.read_text(encoding="utf-8").splitlines()
    except OSError:
        return []


def report_json(report: BenchReport) -> dict[str, Any]:
    corpora = []
    for figures in report.corpora:
        entry = dataclasses.asdict(figures)
        entry["targets"] = [_target_json(t) for t in figures.targets()]
        corpora.append(entry)
    return {"machine": report.machine, "corpora": corpora, "skipped": report.skipped}


def _target_json(target: Target) -> dict[str, Any]:
    return {
        "name": target.name,
        "ours": target.ours,
        "other": target.other,
        "ratio": round(target.ratio, 3),
        "limit": target.limit,
        "met": target.met,
    }


def format_report(report: BenchReport) -> str:
    machine = ", ".join(f"{key} {value}" for key, value in report.machine.items())
    blocks = [f"machine: {machine}"]
    blocks += [format_corpus(figures) for figures in report.corpora]
    blocks += report.skipped
    return "\n\n".join(blocks)


def format_corpus(figures: CorpusFigures) -> str:
    head = (
        f"{figures.corpus}: {figures.documents:,} documents, {figures.passages:,} passages, "
        f"{figures.tokens:,} tokens; tokenize {figures.tokenize_s:.2f} s "
        f"(token lists {figures.tokens_rss_bytes / MB:,.0f} MB); one-pass build_index "
        f"{figures.one_pass_build_s:.2f} s (peak dRSS {figures.one_pass_peak_rss_bytes / MB:,.0f} "
        f"MB); {figures.queries:,} queries"
    )
    header = "  ".join(name.rjust(width) for name, width in _COLUMNS)
    rows = [_format_row(e) for e in figures.engines]
    targets = [_format_target(t) for t in figures.targets()]
    return "\n".join([head, header, *rows, *targets])


def _format_row(e: EngineFigures) -> str:
    memory = "" if e.memory_exact in (None, True) else "≥"
    cells = (
        e.engine,
        _number(e.feed_s, "{:.2f}"),
        _number(e.build_s, "{:.2f}"),
        _number(e.open_s, "{:.3f}"),
        _number(_mb(e.index_bytes), "{:,.1f}"),
        memory + _number(_mb(e.peak_rss_bytes), "{:,.1f}"),
        _number(_mb(e.retained_rss_bytes), "{:,.1f}"),
        f"{e.p50_ms:.3f}",
        f"{e.p99_ms:.3f}",
        f"{e.qps:,.0f}",
    )
    return "  ".join(cell.rjust(width) for cell, (_, width) in zip(cells, _COLUMNS, strict=True))


def _format_target(target: Target) -> str:
    verdict = "met" if target.met else "MISSED"
    return (
        f"target {target.name}: ours/other = {target.ratio:.2f} "
        f"(limit {target.limit:g}) -> {verdict}"
    )


def _mb(value: int | None) -> float | None:
    return None if value is None else value / MB


def _number(value: float | None, pattern: str) -> str:
    return "-" if value is None else pattern.format(value)
