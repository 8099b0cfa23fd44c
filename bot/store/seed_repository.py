"""SQL the data-set seeder needs beyond the queue's own: moving rows back in time.

The queue, the desk and the deliverer do the real work of the seeded history; they stamp some
rows with the wall clock (the desk's `created_at`, events, audit entries, notices). The seeder
then sets those stamps to the simulated moments, which only a store module may write.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot.store.models import (
    AuditRow,
    ConsultationEventRow,
    ConsultationRow,
    NoticeRow,
    OutboxRow,
    ProcessedMessageRow,
)
from knowledge.store.base import make_session_factory


@dataclass(frozen=True)
class SeedMessage:
    channel: str
    message_id: str
    user_id: str
    text: str
    action: str
    received_at: datetime


class SeedStore:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    @classmethod
    def on(cls, engine: Engine) -> SeedStore:
        return cls(make_session_factory(engine))

    def consultation_count(self) -> int:
        with self._sessions() as session:
            return session.scalar(select(func.count(ConsultationRow.pk))) or 0

    def backdate(self, number: str, created: datetime, due: datetime) -> str:
        """Move a just-opened consultation to `created`; its number carries the date, so it is
        renumbered the way the desk numbers (ZX + date + id). Returns the new number."""
        created, due = created.astimezone(UTC), due.astimezone(UTC)
        with self._sessions() as session, session.begin():
            row = session.scalar(select(ConsultationRow).where(ConsultationRow.number == number))
            assert row is not None, number
            row.number = f"ZX{created:%y%m%d}{row.pk:06d}"
            row.created_at = row.updated_at = created
            row.due_at = due
            session.execute(
                update(ConsultationEventRow)
                .where(ConsultationEventRow.consultation_id == row.pk)
                .values(at=created)
            )
            return row.number

    def restamp(
        self,
        number: str,
        since: datetime,
        events: Sequence[datetime],
        audits: Sequence[datetime],
        updated: datetime,
    ) -> None:
        """Give the rows written since `since` (wall clock) their simulated times, in order."""
        with self._sessions() as session, session.begin():
            row = session.scalar(select(ConsultationRow).where(ConsultationRow.number == number))
            assert row is not None, number
            row.updated_at = updated.astimezone(UTC)
            event_rows = session.scalars(
                select(ConsultationEventRow)
                .where(
                    ConsultationEventRow.consultation_id == row.pk,
                    ConsultationEventRow.at >= since,
                )
                .order_by(ConsultationEventRow.pk)
            )
            _assign(list(event_rows), events)
            audit_rows = session.scalars(
                select(AuditRow)
                .where(AuditRow.target == number, AuditRow.at >= since)
                .order_by(AuditRow.pk)
            )
            _assign(list(audit_rows), audits)
            for notice in session.scalars(
                select(NoticeRow).where(NoticeRow.consultation_number == number)
            ):
                notice.created_at = _sent_at(session, notice.delivery_key) or notice.created_at
            for outbox in session.scalars(
                select(OutboxRow).where(OutboxRow.consultation_id == row.pk)
            ):
                outbox.created_at = outbox.next_attempt_at

    def add_messages(self, messages: Sequence[SeedMessage]) -> None:
        with self._sessions() as session, session.begin():
            session.add_all(
                ProcessedMessageRow(
                    channel=m.channel,
                    message_id=m.message_id,
                    user_id=m.user_id,
                    text=m.text,
                    action=m.action,
                    reply="",  # nothing to replay: no one will re-send a seeded message
                    received_at=m.received_at.astimezone(UTC),
                )
                for m in messages
            )


def _assign(rows: Sequence[AuditRow | ConsultationEventRow], times: Sequence[datetime]) -> None:
    # The queue writes a known number of rows per action; extra rows keep the last time.
    for index, row in enumerate(rows):
        if times:
            row.at = times[min(index, len(times) - 1)].astimezone(UTC)


def _sent_at(session: Session, key: str | None) -> datetime | None:
    if key is None:
        return None
    return session.scalar(select(OutboxRow.sent_at).where(OutboxRow.key == key))
