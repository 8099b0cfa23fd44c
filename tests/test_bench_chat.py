"""The chat-path benchmark end to end, tiny: one worker on SQLite, a few dozen messages.

Only the presence and consistency of the figures is checked, never their values: timings on a
shared test machine say nothing.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from api.bench_chat import ChatBenchOptions, run_chat_bench
from api.bench_chat_report import ChatBenchReport, format_report, report_json
from tests.conftest import settings_for

MESSAGES, WARMUP = 36, 8
COLUMNS = [
    "database",
    "workers",
    "clients",
    "sent",
    "answered",
    "errors",
    "answered/s",
    "replies/s",
    "p50 ms",
    "p95 ms",
    "p99 ms",
    "persisted",
    "server CPU",
    "client CPU",
    "other CPU",
]


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("bench-chat")


@pytest.fixture(scope="module")
def report(work: Path) -> ChatBenchReport:
    options = ChatBenchOptions(
        databases=("sqlite",),
        workers=(1,),
        clients=4,
        messages=MESSAGES,
        warmup=WARMUP,
        session_length=3,
        run_timeout_s=60,
        work_dir=work,
    )
    return run_chat_bench(settings_for(f"sqlite:///{work / 'unused.db'}"), options, log=print)


def test_one_run_with_every_message_answered_and_persisted(report: ChatBenchReport) -> None:
    assert report.notes == [] and len(report.runs) == 1
    run = report.runs[0]
    assert (run.database, run.workers, run.clients) == ("sqlite", 1, 4)
    assert run.sent == MESSAGES and run.errors == 0
    assert run.answered + run.other_replies == MESSAGES and run.answered > MESSAGES // 2
    assert run.persisted == run.expected_rows == MESSAGES + WARMUP and run.all_persisted


def test_every_figure_is_reported(report: ChatBenchReport) -> None:
    run = report.runs[0]
    assert 0 < run.p50_ms <= run.p95_ms <= run.p99_ms
    assert run.seconds > 0 and run.answered_per_s > 0 and run.replies_per_s >= run.answered_per_s
    assert run.server_cpu > 0 and run.client_cpu > 0 and run.other_cpu >= 0

    table = format_report(report)
    header = table.splitlines()[1]
    assert all(column in header for column in COLUMNS)
    assert "target ≥ 500 answered/s" in table

    data = report_json(report)
    assert data["cores"] > 0 and isinstance(data["target_met"], bool)
    entry = data["runs"][0]
    for key in ("answered_per_s", "p50_ms", "p95_ms", "p99_ms", "persisted", "all_persisted"):
        assert key in entry


def test_the_service_was_stopped(report: ChatBenchReport, work: Path) -> None:
    log = (work / "sqlite-1w.log").read_text(encoding="utf-8")
    assert "Application startup complete" in log and "Application shutdown complete" in log
