"""Scratch databases for the chat benchmark: a private PostgreSQL schema, and row counts.

Only the benchmark uses this. It never drops a database: on PostgreSQL it creates the benchmark's
own database when absent and works in a schema of its own there, dropped when the run ends.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from bot.store.models import ProcessedMessageRow
from knowledge.store.base import make_engine

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")


class ScratchDatabaseError(Exception):
    """The benchmark's database cannot be reached or prepared; the driver's error is the cause."""


def ensure_postgres_database(url: str) -> None:
    """Create the database named in `url` when it does not exist yet (nothing else is touched)."""
    try:
        _create_database_if_absent(url)
    except SQLAlchemyError as exc:
        raise ScratchDatabaseError(f"{exc.__class__.__name__}: {exc}".splitlines()[0]) from exc


def _create_database_if_absent(url: str) -> None:
    target = make_url(url)
    name = target.database or ""
    if not _NAME.match(name):  # it is spliced into DDL below
        raise ValueError(f"unexpected database name {name!r}")
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            found = conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
            if not found:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()


@contextmanager
def postgres_scratch_schema(url: str, prefix: str = "chat_bench") -> Iterator[str]:
    """A fresh, empty schema in the database of `url`; yields a URL that uses it, then drops it."""
    schema = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = create_engine(url)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in url else "?"
    try:
        yield f"{url}{separator}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def processed_message_count(url: str) -> int:
    """How many deliveries the database holds: one row per message the service took."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return conn.scalar(select(func.count()).select_from(ProcessedMessageRow)) or 0
    finally:
        engine.dispose()
