"""The statements every chat message runs, built once per database dialect.

A message claims its delivery, reads and writes its conversation state, keeps its reply, reads
the knowledge-base version and asks which records interpret its answer. Built once with bound
parameters and run on the unit's connection, they skip rebuilding the statement and the ORM's
bookkeeping on each message. Both databases the project runs on (SQLite, PostgreSQL) have
INSERT … ON CONFLICT, for the two rows that must not collide.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, bindparam, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql.dml import Insert, ReturningInsert, Update

from bot.store.models import ConversationRow, ProcessedMessageRow
from knowledge.store.models import KnowledgeStateRow, RecordRow

DELIVERY_KEY = ["channel", "message_id"]  # unique constraints of the models
CONVERSATION_KEY = ["channel", "user_id"]
STATE_CHANGES = ("state", "updated_at", "expires_at")


@dataclass(frozen=True)
class UnitStatements:
    # params: channel, message_id, user_id, text, received_at; returns the row id, or no row
    # when the delivery was claimed before.
    claim: ReturningInsert[int]
    # params: channel, message_id
    reply_of: Select[str]
    # params: row_id, action, reply
    keep_reply: Update
    # params: channel, user_id; locks the row on PostgreSQL (SQLite has one writer anyway)
    state_of: Select[str, datetime]
    # params: channel, user_id, state, updated_at, expires_at
    save_state: Insert
    kb_version: Select[int | None]
    # params: record_id; the ids of the records that interpret it, in id order
    interpreters: Select[str]


_BUILT: dict[str, UnitStatements] = {}


def unit_statements(dialect: str) -> UnitStatements:
    built = _BUILT.get(dialect)
    if built is None:  # two threads may both build: the same statements, one is kept
        built = _BUILT.setdefault(dialect, _build(dialect))
    return built


def _build(dialect: str) -> UnitStatements:
    pm, conv = ProcessedMessageRow, ConversationRow
    insert: Any = postgresql.insert if dialect == "postgresql" else sqlite.insert
    upsert = insert(conv)
    return UnitStatements(
        claim=insert(pm).on_conflict_do_nothing(index_elements=DELIVERY_KEY).returning(pm.pk),
        reply_of=select(pm.reply).where(
            pm.channel == bindparam("channel"), pm.message_id == bindparam("message_id")
        ),
        keep_reply=update(pm).where(pm.pk == bindparam("row_id")),
        state_of=select(conv.state, conv.expires_at)
        .where(conv.channel == bindparam("channel"), conv.user_id == bindparam("user_id"))
        .with_for_update(),
        save_state=upsert.on_conflict_do_update(
            index_elements=CONVERSATION_KEY,
            set_={name: upsert.excluded[name] for name in STATE_CHANGES},
        ),
        kb_version=select(func.max(KnowledgeStateRow.version)),
        interpreters=select(RecordRow.external_id)
        .where(RecordRow.interprets == bindparam("record_id"))
        .order_by(RecordRow.external_id),
    )
