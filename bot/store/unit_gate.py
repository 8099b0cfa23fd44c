"""How many conversation units may run at once: a gate in front of `ConversationStore.unit()`.

PostgreSQL: a unit keeps its pooled connection while the engine reads the knowledge base through
the same pool. With every connection held by a unit, those reads would wait for themselves until
the pool timed out (30 s, then an error). So units take at most the pool's core size, leaving
the overflow for the reads; and no more than two: a worker is one process with one interpreter
lock, two units let one's database round trips overlap the other's Python, more only contend
(measured: more system time, fewer answers per second; docs/benchmarks.md).

SQLite: one unit at a time. The database has one writer anyway, and a unit holds the write lock
from its first statement to its commit; a second writer is put to sleep by SQLite's busy handler
(1, 2, 5, 10… ms) and often oversleeps the holder. Waiting on a lock instead wakes at once: a
thread lock within a worker, and `flock` on a file beside the database between workers.
"""

from __future__ import annotations

import fcntl
import os
import threading
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from types import TracebackType

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import QueuePool

UNITS_PER_PROCESS = 2  # on PostgreSQL; SQLite takes one at a time


def unit_gate(factory: sessionmaker[Session]) -> AbstractContextManager[object]:
    bind = factory.kw.get("bind")
    if not isinstance(bind, Engine):
        return nullcontext()
    if bind.dialect.name == "sqlite":
        database = bind.url.database or ""
        on_disk = database not in ("", ":memory:") and not database.startswith("file:")
        return SQLiteWriterGate(Path(f"{database}.units.lock") if on_disk else None)
    pool = bind.pool.size() if isinstance(bind.pool, QueuePool) else 0
    return threading.BoundedSemaphore(min(pool, UNITS_PER_PROCESS)) if pool > 0 else nullcontext()


class SQLiteWriterGate:
    """One unit at a time among the threads of this process and, with a file, among processes."""

    def __init__(self, lock_file: Path | None) -> None:
        self._threads = threading.Lock()
        self._lock_file = lock_file
        self._fd: int | None = None
        self._pid = 0  # a forked child must open its own: a shared descriptor shares the lock

    def __enter__(self) -> SQLiteWriterGate:
        self._threads.acquire()
        try:
            if self._lock_file is not None:
                if self._fd is None or self._pid != os.getpid():  # kept open for the process
                    self._fd = os.open(self._lock_file, os.O_RDWR | os.O_CREAT, 0o600)
                    self._pid = os.getpid()
                fcntl.flock(self._fd, fcntl.LOCK_EX)  # released by the kernel if we die
        except BaseException:
            self._threads.release()
            raise
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        try:
            if self._fd is not None:
                fcntl.flock(self._fd, fcntl.LOCK_UN)
        finally:
            self._threads.release()
