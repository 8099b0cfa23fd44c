"""One message, one transaction: claim the delivery, read and write the state, keep the reply.

`ConversationStore.unit()` opens a transaction; everything the engine does for one message —
de-duplication, state, feedback, a new consultation, the reply kept for replays — commits
together or not at all, so nothing is acknowledged to a user before it is stored.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from bot.consultations import ConsultationStatus, ConsultationSummary, NewConsultation
from bot.deadlines import DeadlinePolicy
from bot.state import STATE_TTL, ConversationState
from bot.store.models import (
    ConsultationEventRow,
    ConsultationRow,
    FeedbackRow,
    NoticeRow,
    ProcessedMessageRow,
)
from bot.store.read_ahead import ReadAhead
from bot.store.unit_gate import unit_gate
from bot.store.unit_sql import UnitStatements, unit_statements
from knowledge.store.base import utcnow


class ConversationStoreError(Exception):
    """The database refused or failed; the driver's error is the `__cause__`."""


class ConversationStore:
    def __init__(
        self, session_factory: sessionmaker[Session], deadlines: DeadlinePolicy | None = None
    ) -> None:
        self._sessions = session_factory
        self._deadlines = deadlines or DeadlinePolicy()
        self._gate = unit_gate(session_factory)  # see unit_gate.py: why units wait there
        bind = session_factory.kw.get("bind")
        assert isinstance(bind, Engine), "the session factory is bound to an engine"
        self._engine = bind
        self._sql = unit_statements(bind.dialect)
        self._driver_error: type[Exception] = bind.dialect.loaded_dbapi.Error
        # SQLite has one writer: there a message is decided before its transaction and checked
        # in it (read_ahead.py), so that the search runs outside the write lock.
        self.decides_ahead = bind.dialect.name == "sqlite"

    @contextmanager
    def unit(self) -> Iterator[ConversationUnit]:
        try:
            with self._gate, self._engine.connect() as connection, connection.begin():
                unit = ConversationUnit(connection, self._sql, self._deadlines)
                try:
                    yield unit
                    unit.flush()
                finally:
                    unit.close()
        except (SQLAlchemyError, self._driver_error) as exc:
            raise ConversationStoreError(f"对话数据写入失败：{exc.__class__.__name__}") from exc

    def read_ahead(self, channel: str, user_id: str, now: datetime) -> ReadAhead | None:
        """The reads of a message before its transaction, when this database decides ahead."""
        if not self.decides_ahead:
            return None
        try:
            return ReadAhead(self._read, channel, user_id, now)
        except (SQLAlchemyError, self._driver_error) as exc:
            raise ConversationStoreError(f"对话数据读取失败：{exc.__class__.__name__}") from exc

    @contextmanager
    def _read(self) -> Iterator[ConversationUnit]:
        """A unit on a connection of its own, for reads only, outside any write transaction."""
        with self._engine.connect() as connection:
            unit = ConversationUnit(connection, self._sql, self._deadlines)
            try:
                yield unit
            finally:
                unit.close()

    def exchanges_since(
        self, channel: str, user_id: str, after_id: int, limit: int = 50
    ) -> list[tuple[int, str, str]]:
        """(row id, what the user wrote, reply JSON) after a row id: the web chat's history."""
        with self._sessions() as session:
            stmt = (
                select(ProcessedMessageRow.pk, ProcessedMessageRow.text, ProcessedMessageRow.reply)
                .where(
                    ProcessedMessageRow.channel == channel,
                    ProcessedMessageRow.user_id == user_id,
                    ProcessedMessageRow.pk > after_id,
                )
                .order_by(ProcessedMessageRow.pk.desc())
                .limit(limit)
            )
            rows = [(pk, text, reply) for pk, text, reply in session.execute(stmt) if reply]
            return rows[::-1]

    def post_notice(self, channel: str, user_id: str, text: str, consultation_number: str) -> int:
        """Queue a message for a user outside a reply (a staff answer); returns its id."""
        with self._sessions() as session, session.begin():
            row = NoticeRow(
                channel=channel,
                user_id=user_id,
                text=text,
                consultation_number=consultation_number,
            )
            session.add(row)
            session.flush()
            return row.pk

    def notices_since(self, channel: str, user_id: str, after_id: int) -> list[Notice]:
        with self._sessions() as session:
            stmt = (
                select(NoticeRow)
                .where(
                    NoticeRow.channel == channel,
                    NoticeRow.user_id == user_id,
                    NoticeRow.pk > after_id,
                )
                .order_by(NoticeRow.pk)
                .limit(50)
            )
            return [
                Notice(row.pk, row.consultation_number, row.text, _aware(row.created_at))
                for row in session.scalars(stmt)
            ]

    def last_notice_id(self, channel: str, user_id: str) -> int:
        with self._sessions() as session:
            stmt = select(func.max(NoticeRow.pk)).where(
                NoticeRow.channel == channel, NoticeRow.user_id == user_id
            )
            return session.scalar(stmt) or 0


@dataclass(frozen=True)
class Notice:
    id: int
    consultation_number: str
    text: str
    created_at: datetime


class ConversationUnit:
    """The statements of one message, on the driver's cursor of the unit's connection
    (unit_sql.py); the ORM (consultations, feedback) joins the same transaction when used."""

    def __init__(
        self, connection: Connection, sql: UnitStatements, deadlines: DeadlinePolicy
    ) -> None:
        self._connection = connection
        self._sql = sql
        self._deadlines = deadlines
        self._cursor: Any = connection.connection.cursor()
        self._session: Session | None = None
        self._claimed: dict[tuple[str, str], int] = {}  # (channel, message id) -> row id

    @property
    def consultations(self) -> SimpleConsultationDesk:
        return SimpleConsultationDesk(self._orm(), self._deadlines)

    def _orm(self) -> Session:
        if self._session is None:  # joins the unit's transaction; flushed before it commits
            self._session = Session(bind=self._connection, expire_on_commit=False)
        return self._session

    def flush(self) -> None:
        """Write what the ORM holds, before the unit's transaction commits."""
        if self._session is not None:
            self._session.flush()

    def close(self) -> None:
        if self._session is not None:
            self._session.close()
            self._session = None
        self._cursor.close()

    def _one(self, statement: str, params: tuple[Any, ...]) -> Any:
        self._cursor.execute(statement, params)
        row = self._cursor.fetchone()
        return row[0] if row is not None else None

    def claim(self, channel: str, message_id: str, user_id: str, text: str) -> str | None:
        """Record a delivery. None if it is new; the stored reply JSON if it was seen before."""
        # One INSERT that skips a duplicate, not a SELECT, a savepoint and an INSERT: on SQLite
        # the released outermost savepoint committed the claim on its own, apart from the reply.
        received = self._sql.bind_moment(utcnow())
        params = (channel, message_id, user_id, text[:10_000], received)
        self._cursor.execute(self._sql.claim, params)
        rows = self._cursor.fetchall()  # all of them: SQLite finishes the statement here
        if rows:
            self._claimed[(channel, message_id)] = rows[0][0]
            return None
        # Seen before. On PostgreSQL the insert waited for a worker still holding the same
        # delivery, so its reply is committed by now; "" says it is still being handled.
        return self._one(self._sql.reply_of, (channel, message_id)) or ""

    def keep_reply(self, channel: str, message_id: str, action: str, reply_json: str) -> int:
        pk = self._claimed.get((channel, message_id))
        assert pk is not None, "claim() first"
        self._cursor.execute(self._sql.keep_reply, (action, reply_json, pk))
        return pk

    def kb_version(self) -> int:
        """The knowledge-base version this transaction sees (it moves with published content)."""
        return int(self._one(self._sql.kb_version, ()) or 0)

    def interpreter_ids(self, record_id: str) -> list[str]:
        """The ids of the records that interpret `record_id`, whatever their publication."""
        self._cursor.execute(self._sql.interpreters, (record_id,))
        return [row[0] for row in self._cursor.fetchall()]

    def load_state(self, channel: str, user_id: str, now: datetime) -> ConversationState:
        row = self.state_row(channel, user_id)
        if row is None and self._sql.open_state is not None:
            # PostgreSQL: with no row to lock, two first messages of one conversation would
            # both start from nothing and the later upsert would drop the earlier exchange. An
            # empty row is made (a concurrent maker's is waited for), then read and locked.
            moment = self._sql.bind_moment(now)
            self._cursor.execute(self._sql.open_state, (channel, user_id, moment, moment))
            row = self.state_row(channel, user_id)
        return self.state_of(row, now)

    def state_row(self, channel: str, user_id: str) -> tuple[str, Any] | None:
        """The stored state JSON and expiry as the driver returns them (locked on PostgreSQL)."""
        self._cursor.execute(self._sql.state_of, (channel, user_id))
        row = self._cursor.fetchone()
        return (row[0], row[1]) if row is not None else None

    def state_of(self, row: tuple[str, Any] | None, now: datetime) -> ConversationState:
        if row is None or _aware(self._sql.read_moment(row[1])) < now:
            return ConversationState()
        return ConversationState.from_json(row[0])

    def save_state(
        self, channel: str, user_id: str, state: ConversationState, now: datetime
    ) -> None:
        # An upsert: one statement whether or not the user has a conversation row yet.
        moment = self._sql.bind_moment
        params = (channel, user_id, state.to_json(), moment(now), moment(now + STATE_TTL))
        self._cursor.execute(self._sql.save_state, params)

    def add_feedback(
        self, channel: str, user_id: str, record_id: str, question: str, *, useful: bool
    ) -> None:
        self._orm().add(
            FeedbackRow(
                channel=channel,
                user_id=user_id,
                record_id=record_id,
                question=question[:2000],
                useful=useful,
            )
        )


class SimpleConsultationDesk:
    """The consultation store behind the engine's interface, in the same transaction."""

    def __init__(self, session: Session, deadlines: DeadlinePolicy | None = None) -> None:
        self._session = session
        self._deadlines = deadlines or DeadlinePolicy()

    def open(self, consultation: NewConsultation) -> str:
        now = utcnow()
        row = ConsultationRow(
            kind="consultation",
            due_at=self._deadlines.due("consultation", now),
            number=f"pending-{now.timestamp()}",
            channel=consultation.channel,
            user_id=consultation.user_id,
            question=consultation.question[:10_000],
            transcript=json.dumps(consultation.transcript, ensure_ascii=False),
            candidates=json.dumps(consultation.candidates, ensure_ascii=False),
            audience=consultation.audience,
            life_event=consultation.life_event,
            department=consultation.department,
            reason=consultation.reason,
            status=ConsultationStatus.PENDING.value,
            created_at=now,
            updated_at=now,
        )
        self._session.add(row)
        self._session.flush()
        # The row id makes the number unique without a counter table: ZX + date + id.
        row.number = f"ZX{now:%y%m%d}{row.pk:06d}"
        self._session.add(
            ConsultationEventRow(
                consultation_id=row.pk,
                actor="citizen",
                kind="created",
                text=consultation.question[:2000],
                detail=json.dumps({"reason": consultation.reason}, ensure_ascii=False),
            )
        )
        self._session.flush()
        return row.number

    def of_user(self, channel: str, user_id: str) -> list[ConsultationSummary]:
        stmt = (
            select(ConsultationRow)
            .where(ConsultationRow.channel == channel, ConsultationRow.user_id == user_id)
            .order_by(ConsultationRow.pk.desc())
            .limit(10)
        )
        return [_summary(row) for row in self._session.scalars(stmt)]

    def rate(self, channel: str, user_id: str, number: str, *, good: bool) -> bool:
        """The user's satisfaction with the answer to their own consultation."""
        row = self._session.scalar(
            select(ConsultationRow).where(
                ConsultationRow.number == number.upper(),
                ConsultationRow.channel == channel,
                ConsultationRow.user_id == user_id,
            )
        )
        if row is None:
            return False
        row.satisfaction = "good" if good else "bad"
        row.updated_at = utcnow()
        return True

    def by_number(self, number: str) -> ConsultationSummary | None:
        row = self._session.scalar(
            select(ConsultationRow).where(ConsultationRow.number == number.upper())
        )
        return _summary(row) if row else None


def _summary(row: ConsultationRow) -> ConsultationSummary:
    return ConsultationSummary(
        number=row.number,
        question=row.question,
        status=ConsultationStatus(row.status),
        created_at=_aware(row.created_at),
        department=row.department,
    )


def _aware(moment: datetime) -> datetime:
    # SQLite returns naive datetimes for timezone-aware columns; they were stored in UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
