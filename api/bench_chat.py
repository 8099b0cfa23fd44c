"""The chat-path benchmark: answered questions per second through the real HTTP chat API.

For each database and each worker count the service runs as its own process — uvicorn with
`--workers N` on a loopback port — on a freshly seeded copy of the demo knowledge base. C
concurrent clients, each a citizen's session (its own `pa_chat` cookie), post questions from the
demo evaluation set with unique message ids. A reply counts as answered when it is HTTP 200 with
the action answer or clarify. Afterwards every message sent must have its row in
`processed_message`. Counts and time limits are fixed, so a run always stops by itself.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

import httpx

from api.bench_chat_load import LoadPlan, drive
from api.bench_chat_report import (
    ChatBenchReport,
    Measured,
    RunFigures,
    RunSetup,
    figures_from,
)
from bot.store.bench_db import (
    ScratchDatabaseError,
    ensure_postgres_database,
    postgres_scratch_schema,
    processed_message_count,
)
from config.settings import PROJECT_ROOT, Settings
from indexer.wiring import open_search
from knowledge.demo import load_demo
from knowledge.store.wiring import open_knowledge

DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/policy_bench"
DATABASES = ("sqlite", "postgres")
STARTUP_S = 120.0  # two workers each load jieba and the index: seconds, not minutes
STOP_S = 20.0

Log = Callable[[str], None]


@dataclass(frozen=True)
class ChatBenchOptions:
    databases: tuple[str, ...] = DATABASES
    workers: tuple[int, ...] = (1, 2)
    clients: int = 32
    messages: int = 4000  # measured, per run
    warmup: int = 400  # sent first, not measured (but persisted and counted)
    session_length: int = 8  # questions one citizen asks before the next session starts
    postgres_url: str = DEFAULT_POSTGRES_URL
    run_timeout_s: float = 300.0  # per phase; a run that takes longer is reported as failed
    work_dir: Path | None = None  # databases, index and server logs; default a temporary one


class RunFailedError(Exception):
    """The service did not start, or a phase did not finish in time."""


def run_chat_bench(settings: Settings, options: ChatBenchOptions, log: Log) -> ChatBenchReport:
    questions = load_questions(settings.demo_knowledge_dir / "eval")
    report = ChatBenchReport()
    with _work_dir(options.work_dir) as work:
        for database in options.databases:
            for workers in options.workers:
                setup = RunSetup(database, workers, options.clients)
                try:
                    figures = _run(setup, settings, options, questions, work, log)
                except ScratchDatabaseError as exc:
                    report.notes.append(f"{database}: skipped, the database is unreachable ({exc})")
                    break
                except RunFailedError as exc:
                    report.notes.append(f"{database}, {workers} workers: failed ({exc})")
                    continue
                report.runs.append(figures)
                log(_summary(figures))
    return report


def load_questions(eval_dir: Path) -> list[str]:
    """The demo evaluation questions (real citizen phrasing), in a fixed shuffled order."""
    questions = [
        json.loads(line)["question"]
        for path in sorted(eval_dir.glob("*.jsonl"))
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    if not questions:
        raise FileNotFoundError(f"{eval_dir} 中没有评测问题（*.jsonl）")
    random.Random(20).shuffle(questions)  # mix the life events; the same order every run
    return questions


@contextmanager
def _work_dir(chosen: Path | None) -> Iterator[Path]:
    if chosen is not None:
        chosen.mkdir(parents=True, exist_ok=True)
        yield chosen
        return
    with tempfile.TemporaryDirectory(prefix="chat-bench-") as temporary:
        yield Path(temporary)


def _run(
    setup: RunSetup,
    settings: Settings,
    options: ChatBenchOptions,
    questions: list[str],
    work: Path,
    log: Log,
) -> RunFigures:
    name = f"{setup.database}-{setup.workers}w"
    index_dir = work / f"index-{setup.database}"  # built once per database, loaded after
    with _fresh_database(setup.database, options, work / f"{name}.db") as url:
        log(f"{name}: seeding the demo knowledge base")
        _seed(settings.model_copy(update={"database_url": url, "index_dir": index_dir}))
        with _service(url, index_dir, setup.workers, work / f"{name}.log") as service:
            log(f"{name}: warm-up, {options.warmup} messages")
            _measure(service, _plan(options, questions, options.warmup, "warm"))
            log(f"{name}: {options.messages} messages from {setup.clients} clients")
            measured = _measure(service, _plan(options, questions, options.messages, "run"))
        persisted = processed_message_count(url)
    return figures_from(setup, measured, persisted, options.warmup + options.messages)


def _plan(options: ChatBenchOptions, questions: list[str], count: int, tag: str) -> LoadPlan:
    return LoadPlan(
        questions, count, options.clients, options.session_length, tag, options.run_timeout_s
    )


@contextmanager
def _fresh_database(database: str, options: ChatBenchOptions, sqlite_file: Path) -> Iterator[str]:
    if database == "sqlite":
        yield f"sqlite:///{sqlite_file}"
        return
    if database != "postgres":
        raise ValueError(f"unknown database {database!r}: choose from {', '.join(DATABASES)}")
    ensure_postgres_database(options.postgres_url)
    with postgres_scratch_schema(options.postgres_url) as url:
        yield url


def _seed(settings: Settings) -> None:
    knowledge = open_knowledge(settings.database_url, settings.life_events_path)
    try:
        report = load_demo(knowledge.importer, settings.demo_knowledge_dir)
        if not report.ok:
            raise RunFailedError("the demo knowledge base did not import cleanly")
        # Build and save the index (and the record vectors) here, so that the workers load them
        # rather than each build them.
        search = open_search(
            settings, knowledge.store, knowledge.taxonomy, background_meaning=False
        )
        _ = search.current
    finally:
        knowledge.close()


# -- the service, as its own process ---------------------------------------------------------------


@dataclass(frozen=True)
class _Service:
    base: str  # http://127.0.0.1:port
    pid: int  # uvicorn's; the workers are its children


@contextmanager
def _service(url: str, index_dir: Path, workers: int, log_path: Path) -> Iterator[_Service]:
    port = _free_port()
    command = [
        *(sys.executable, "-m", "uvicorn", "api.main:create_app_from_env", "--factory"),
        *("--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)),
        # Info level for "Application startup complete" (one per worker), no line per request.
        *("--log-level", "info", "--no-access-log"),
    ]
    env = {
        **os.environ,  # the service reads its settings as `manage.py serve` does, but for these
        "POLICY_DATABASE_URL": url,
        "POLICY_INDEX_DIR": str(index_dir),
        "POLICY_SESSION_SECRET": secrets.token_urlsafe(32),  # one for all workers, no file race
    }
    with log_path.open("wb") as out:
        # A session of its own: stopping it stops the workers uvicorn forked, and nothing else.
        process = subprocess.Popen(
            command, cwd=PROJECT_ROOT, env=env, stdout=out, stderr=out, start_new_session=True
        )
    try:
        base = f"http://127.0.0.1:{port}"
        _wait_ready(process, base, workers, log_path)
        yield _Service(base, process.pid)
    finally:
        _stop(process)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _wait_ready(process: subprocess.Popen[bytes], base: str, workers: int, log: Path) -> None:
    """Every worker has finished its start-up (index loaded) and /healthz answers."""
    deadline = time.monotonic() + STARTUP_S
    with httpx.Client(base_url=base, timeout=5.0) as http:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RunFailedError(f"the service exited: {_tail(log)}")
            if _started_workers(log) >= workers and _healthy(http):
                return
            time.sleep(0.2)
    raise RunFailedError(f"the service was not ready within {STARTUP_S:.0f} s: {_tail(log)}")


def _started_workers(log: Path) -> int:
    return log.read_text(encoding="utf-8", errors="replace").count("Application startup complete")


def _healthy(http: httpx.Client) -> bool:
    try:
        return http.get("/healthz").status_code == 200
    except httpx.HTTPError:
        return False


def _tail(log: Path) -> str:
    lines = log.read_text(encoding="utf-8", errors="replace").strip().splitlines()
    return " | ".join(lines[-5:]) or "no output"


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)  # graceful: uvicorn stops its workers
    try:
        process.wait(timeout=STOP_S)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=STOP_S)


# -- measuring ------------------------------------------------------------------------------------


def _measure(service: _Service, plan: LoadPlan) -> Measured:
    machine_cpu, server_cpu = _machine_cpu_seconds(), _tree_cpu_seconds(service.pid)
    try:
        measured = asyncio.run(drive(service.base, plan))
    except TimeoutError as exc:
        raise RunFailedError(f"{plan.count} messages took over {plan.timeout_s:.0f} s") from exc
    server_cpu = _tree_cpu_seconds(service.pid) - server_cpu
    machine_cpu = _machine_cpu_seconds() - machine_cpu
    seconds = measured.seconds
    return replace(measured, server_cpu=server_cpu / seconds, machine_cpu=machine_cpu / seconds)


def _machine_cpu_seconds() -> float:
    """CPU time every core spent on anything but idling, so far (Linux; else 0)."""
    try:
        first = Path("/proc/stat").read_text(encoding="latin-1").splitlines()[0]
    except (OSError, IndexError):
        return 0.0
    user, nice, system, _idle, _iowait, irq, softirq, steal = map(int, first.split()[1:9])
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def _tree_cpu_seconds(root: int) -> float:
    """User and system CPU time of a process and its descendants so far (Linux; else 0)."""
    ticks = os.sysconf("SC_CLK_TCK")
    parents: dict[int, int] = {}
    seconds: dict[int, float] = {}
    for entry in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = entry.read_text(encoding="latin-1").rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue  # the process ended meanwhile
        pid = int(entry.parent.name)
        parents[pid] = int(fields[1])
        seconds[pid] = (int(fields[11]) + int(fields[12])) / ticks  # utime + stime
    tree, grown = {root}, True
    while grown:
        before = len(tree)
        tree |= {pid for pid, parent in parents.items() if parent in tree}
        grown = len(tree) > before
    return sum(seconds.get(pid, 0.0) for pid in tree)


def _summary(run: RunFigures) -> str:
    return (
        f"{run.database}-{run.workers}w: {run.answered_per_s:,.0f} answered/s, "
        f"p50 {run.p50_ms:.1f} ms, p99 {run.p99_ms:.1f} ms, errors {run.errors}, "
        f"persisted {run.persisted}/{run.expected_rows}"
    )
