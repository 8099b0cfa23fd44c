"""The statements every chat message runs, written once per database dialect, run on the driver.

A message claims its delivery, reads and writes its conversation state, keeps its reply, reads
the knowledge-base version and asks which records interpret its answer. These seven statements
run on the driver's own cursor of the unit's connection: through SQLAlchemy each cost about
40 µs of Python (compiled-statement cache, execution context, result wrapping), on the driver
about 5 µs. Values are bound as SQLAlchemy binds them: a moment goes through the dialect's own
`DateTime` processors (SQLite keeps text), so rows read back through the ORM are unchanged.
Both databases the project runs on (SQLite, PostgreSQL) have INSERT … ON CONFLICT … RETURNING.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import DateTime
from sqlalchemy.engine import Dialect

from bot.store.models import ConversationRow, ProcessedMessageRow
from knowledge.store.models import KnowledgeStateRow, RecordRow

_DELIVERIES = ProcessedMessageRow.__tablename__
_CONVERSATIONS = ConversationRow.__tablename__
_KB_STATE = KnowledgeStateRow.__tablename__
_RECORDS = RecordRow.__tablename__


@dataclass(frozen=True)
class UnitStatements:
    # Parameters are positional, in the order each comment gives.
    # channel, message_id, user_id, text, received_at -> the row id, or no row when the
    # delivery was claimed before.
    claim: str
    reply_of: str  # channel, message_id -> the kept reply
    keep_reply: str  # action, reply, row id
    # channel, user_id -> state, expires_at; locks the row on PostgreSQL (SQLite has one writer)
    state_of: str
    save_state: str  # channel, user_id, state, updated_at, expires_at
    # PostgreSQL: channel, user_id, updated_at, expires_at -> an empty conversation row when
    # there is none, to lock (a SELECT … FOR UPDATE that finds no row locks nothing).
    open_state: str | None
    kb_version: str  # -> the knowledge-base version
    interpreters: str  # record id -> the ids of the records that interpret it, in id order
    bind_moment: Callable[[datetime], Any]  # a timezone-aware moment as the column stores it
    read_moment: Callable[[Any], Any]  # a stored moment as the driver returns it -> datetime


_BUILT: dict[str, UnitStatements] = {}


def unit_statements(dialect: Dialect) -> UnitStatements:
    built = _BUILT.get(dialect.name)
    if built is None:  # two threads may both build: the same statements, one is kept
        built = _BUILT.setdefault(dialect.name, _build(dialect))
    return built


def _build(dialect: Dialect) -> UnitStatements:
    postgres = dialect.name == "postgresql"
    mark = "%s" if dialect.paramstyle in ("format", "pyformat") else "?"
    if not postgres and dialect.name != "sqlite":
        raise ValueError(f"unsupported database for conversations: {dialect.name}")
    moment = DateTime(timezone=True).dialect_impl(dialect)
    bind = moment.bind_processor(dialect)
    read = moment.result_processor(dialect, None)

    def sql(text: str) -> str:
        return text.replace("?", mark)

    return UnitStatements(
        claim=sql(
            f"INSERT INTO {_DELIVERIES} (channel, message_id, user_id, text, action, reply, "
            "received_at) VALUES (?, ?, ?, ?, '', '', ?) "
            "ON CONFLICT (channel, message_id) DO NOTHING RETURNING id"
        ),
        reply_of=sql(f"SELECT reply FROM {_DELIVERIES} WHERE channel = ? AND message_id = ?"),
        keep_reply=sql(f"UPDATE {_DELIVERIES} SET action = ?, reply = ? WHERE id = ?"),
        state_of=sql(
            f"SELECT state, expires_at FROM {_CONVERSATIONS} WHERE channel = ? AND user_id = ?"
            + (" FOR UPDATE" if postgres else "")
        ),
        save_state=sql(
            f"INSERT INTO {_CONVERSATIONS} (channel, user_id, state, updated_at, expires_at) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT (channel, user_id) DO UPDATE SET "
            "state = excluded.state, updated_at = excluded.updated_at, "
            "expires_at = excluded.expires_at"
        ),
        open_state=sql(
            f"INSERT INTO {_CONVERSATIONS} (channel, user_id, state, updated_at, expires_at) "
            "VALUES (?, ?, '{}', ?, ?) ON CONFLICT (channel, user_id) DO NOTHING"
        )
        if postgres
        else None,
        kb_version=f"SELECT max(version) FROM {_KB_STATE}",
        interpreters=sql(
            f"SELECT external_id FROM {_RECORDS} WHERE interprets = ? ORDER BY external_id"
        ),
        bind_moment=bind if bind is not None else _same,
        read_moment=read if read is not None else _same,
    )


def _same(value: Any) -> Any:
    return value
