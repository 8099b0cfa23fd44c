"""Figures of the chat-path benchmark and their presentation: the table, JSON, the target."""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, field
from typing import Any

TARGET_ANSWERED_PER_S = 500.0
ANSWERED_ACTIONS = frozenset({"answer", "clarify"})
_COLUMNS = (
    ("database", 10),
    ("workers", 7),
    ("clients", 7),
    ("sent", 6),
    ("answered", 8),
    ("other", 6),
    ("errors", 6),
    ("answered/s", 10),
    ("replies/s", 9),
    ("p50 ms", 7),
    ("p95 ms", 7),
    ("p99 ms", 7),
    ("persisted", 11),
    ("server CPU", 10),
    ("client CPU", 10),
    ("other CPU", 9),
)


@dataclass(frozen=True)
class Sample:
    """One request as the client saw it: status 0 means the connection failed."""

    seconds: float
    status: int
    action: str = ""

    @property
    def answered(self) -> bool:
        return self.status == 200 and self.action in ANSWERED_ACTIONS


@dataclass(frozen=True)
class RunFigures:
    database: str
    workers: int
    clients: int
    sent: int
    answered: int
    other_replies: int  # 200 with another action: escalate, route, menu
    errors: int  # anything but 200, including failed connections
    seconds: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    persisted: int  # processed_message rows after the run (warm-up included)
    expected_rows: int  # messages sent, warm-up included
    server_cpu: float  # the service's CPU time (workers included) over the wall time
    client_cpu: float  # the load generator's CPU time over the wall time (1.0 = one core)
    # Every other process over the wall time: the PostgreSQL server, and any other work on the
    # machine, which then competed with the service for the cores.
    other_cpu: float

    @property
    def answered_per_s(self) -> float:
        return self.answered / self.seconds if self.seconds else 0.0

    @property
    def replies_per_s(self) -> float:
        return (self.answered + self.other_replies) / self.seconds if self.seconds else 0.0

    @property
    def all_persisted(self) -> bool:
        return self.persisted == self.expected_rows


@dataclass
class ChatBenchReport:
    runs: list[RunFigures] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # skipped databases, failed runs
    cores: int = field(default_factory=lambda: os.cpu_count() or 0)

    @property
    def best(self) -> RunFigures | None:
        return max(self.runs, key=lambda r: r.answered_per_s, default=None)

    @property
    def target_met(self) -> bool:
        best = self.best
        return best is not None and best.answered_per_s >= TARGET_ANSWERED_PER_S


@dataclass(frozen=True)
class RunSetup:
    database: str  # sqlite / postgres
    workers: int
    clients: int


@dataclass(frozen=True)
class Measured:
    samples: list[Sample]
    seconds: float  # wall time from the first request sent to the last reply read
    client_cpu: float  # CPU time over wall time, 1.0 = one core
    server_cpu: float = 0.0  # the same for the service's processes (not the database server)
    machine_cpu: float = 0.0  # all processes together (/proc/stat)


def figures_from(setup: RunSetup, measured: Measured, persisted: int, expected: int) -> RunFigures:
    samples = measured.samples
    latencies = sorted(s.seconds for s in samples)
    answered = sum(1 for s in samples if s.answered)
    ok = sum(1 for s in samples if s.status == 200)
    return RunFigures(
        database=setup.database,
        workers=setup.workers,
        clients=setup.clients,
        sent=len(samples),
        answered=answered,
        other_replies=ok - answered,
        errors=len(samples) - ok,
        seconds=measured.seconds,
        p50_ms=_percentile(latencies, 0.50) * 1000,
        p95_ms=_percentile(latencies, 0.95) * 1000,
        p99_ms=_percentile(latencies, 0.99) * 1000,
        persisted=persisted,
        expected_rows=expected,
        server_cpu=measured.server_cpu,
        client_cpu=measured.client_cpu,
        other_cpu=max(0.0, measured.machine_cpu - measured.server_cpu - measured.client_cpu),
    )


def _percentile(ordered: list[float], share: float) -> float:
    # Nearest rank: an observed latency, never an interpolated one.
    if not ordered:
        return 0.0
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def report_json(report: ChatBenchReport) -> dict[str, Any]:
    runs = []
    for run in report.runs:
        entry = dataclasses.asdict(run)
        entry["answered_per_s"] = round(run.answered_per_s, 1)
        entry["replies_per_s"] = round(run.replies_per_s, 1)
        entry["all_persisted"] = run.all_persisted
        runs.append(entry)
    return {
        "cores": report.cores,
        "target_answered_per_s": TARGET_ANSWERED_PER_S,
        "target_met": report.target_met,
        "runs": runs,
        "notes": report.notes,
    }


def format_report(report: ChatBenchReport) -> str:
    header = "  ".join(name.rjust(width) for name, width in _COLUMNS)
    lines = [
        f"chat path: POST /api/chat/messages on {report.cores} cores; answered = HTTP 200 with "
        "action answer or clarify",
        header,
        *(_format_row(run) for run in report.runs),
        _verdict(report),
        *report.notes,
    ]
    return "\n".join(lines)


def _format_row(run: RunFigures) -> str:
    persisted = f"{run.persisted}/{run.expected_rows}" + ("" if run.all_persisted else " !")
    cells = (
        run.database,
        str(run.workers),
        str(run.clients),
        str(run.sent),
        str(run.answered),
        str(run.other_replies),
        str(run.errors),
        f"{run.answered_per_s:,.0f}",
        f"{run.replies_per_s:,.0f}",
        f"{run.p50_ms:.1f}",
        f"{run.p95_ms:.1f}",
        f"{run.p99_ms:.1f}",
        persisted,
        f"{run.server_cpu:.0%}",
        f"{run.client_cpu:.0%}",
        f"{run.other_cpu:.0%}",
    )
    return "  ".join(cell.rjust(width) for cell, (_, width) in zip(cells, _COLUMNS, strict=True))


def _verdict(report: ChatBenchReport) -> str:
    best = report.best
    if best is None:
        return "target: no run finished"
    met = "met" if report.target_met else "NOT met"
    return (
        f"target ≥ {TARGET_ANSWERED_PER_S:.0f} answered/s: {met} "
        f"(best {best.answered_per_s:,.0f}/s: {best.database}, {best.workers} workers)"
    )
