"""SQL of the consultation queue: staff, consultations, their events, the outbox, the audit log.

`QueueStore.unit()` is one transaction. A staff reply, its outbox row and its audit entry are
written in the same one, so a reply is never recorded without the delivery that will carry it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from sqlalchemy import Select, and_, func, or_, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from bot.consultations import ConsultationStatus
from bot.deadlines import DUE_SOON, DeadlinePolicy, Urgency
from bot.queue_types import (
    ConsultationEvent,
    ConsultationView,
    DeliveryView,
    QueueError,
    QueueName,
    Role,
    Staff,
)
from bot.store.models import (
    AuditRow,
    ConsultationEventRow,
    ConsultationRow,
    NoticeRow,
    OutboxRow,
    StaffRow,
)
from knowledge.store.base import utcnow

OPEN = (ConsultationStatus.PENDING.value, ConsultationStatus.IN_PROGRESS.value)


@dataclass(frozen=True)
class StaffCredentials:
    staff: Staff
    password_hash: str
    active: bool
    failed_logins: int
    locked_until: datetime | None


class QueueStore:
    def __init__(self, sessions: sessionmaker[Session], deadlines: DeadlinePolicy) -> None:
        self._sessions = sessions
        self.deadlines = deadlines

    @contextmanager
    def unit(self) -> Iterator[QueueUnit]:
        try:
            with self._sessions() as session, session.begin():
                yield QueueUnit(session, self.deadlines)
        except SQLAlchemyError as exc:
            raise QueueError(f"数据库操作失败：{exc.__class__.__name__}") from exc


class QueueUnit:
    def __init__(self, session: Session, deadlines: DeadlinePolicy) -> None:
        self.session = session
        self.deadlines = deadlines

    # -- staff ---------------------------------------------------------------------------------

    def add_staff(
        self, username: str, display_name: str, department: str, role: Role, password_hash: str
    ) -> Staff:
        row = StaffRow(
            username=username,
            display_name=display_name,
            department=department,
            role=role.value,
            password_hash=password_hash,
        )
        self.session.add(row)
        self.session.flush()
        return _staff(row)

    def credentials(self, username: str) -> StaffCredentials | None:
        row = self.session.scalar(select(StaffRow).where(StaffRow.username == username))
        if row is None:
            return None
        return StaffCredentials(
            _staff(row), row.password_hash, row.active, row.failed_logins, _aware(row.locked_until)
        )

    def staff(self, staff_id: int) -> Staff | None:
        row = self.session.get(StaffRow, staff_id)
        return _staff(row) if row is not None and row.active else None

    def record_login(self, username: str, *, ok: bool, locked_until: datetime | None) -> None:
        row = self.session.scalar(select(StaffRow).where(StaffRow.username == username))
        if row is None:
            return
        row.failed_logins = 0 if ok else row.failed_logins + 1
        row.locked_until = locked_until

    def set_password(self, username: str, password_hash: str) -> bool:
        result = self.session.execute(
            update(StaffRow)
            .where(StaffRow.username == username)
            .values(password_hash=password_hash, failed_logins=0, locked_until=None)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    def all_staff(self) -> list[Staff]:
        return [_staff(r) for r in self.session.scalars(select(StaffRow).order_by(StaffRow.pk))]

    # -- reading consultations -----------------------------------------------------------------

    def counts(self, staff: Staff, now: datetime) -> dict[QueueName, int]:
        return {
            name: self.session.scalar(
                select(func.count()).select_from(self._queue(name, staff, now).subquery())
            )
            or 0
            for name in QueueName
        }

    def listing(
        self, name: QueueName, staff: Staff, now: datetime, limit: int = 50, offset: int = 0
    ) -> list[ConsultationView]:
        stmt = self._queue(name, staff, now).order_by(
            ConsultationRow.due_at.asc().nulls_last(), ConsultationRow.pk
        )
        rows = self.session.scalars(stmt.limit(limit).offset(offset))
        return [self._view(row, now, full=False) for row in rows]

    def _queue(self, name: QueueName, staff: Staff, now: datetime) -> Select[ConsultationRow]:
        stmt = select(ConsultationRow)
        if not staff.is_admin:
            stmt = stmt.where(ConsultationRow.department == staff.department)
        is_open = ConsultationRow.status.in_(OPEN)
        if name is QueueName.MINE:
            return stmt.where(ConsultationRow.assignee_id == staff.id, is_open)
        if name is QueueName.DEPARTMENT:
            return stmt.where(ConsultationRow.department == staff.department)
        if name is QueueName.UNASSIGNED:
            return stmt.where(ConsultationRow.assignee_id.is_(None), is_open)
        if name is QueueName.DUE_SOON:
            soon = now + DUE_SOON
            return stmt.where(
                is_open, ConsultationRow.due_at >= now, ConsultationRow.due_at <= soon
            )
        if name is QueueName.OVERDUE:
            return stmt.where(is_open, ConsultationRow.due_at < now)
        return stmt

    def view(self, number: str, now: datetime, *, lock: bool = False) -> ConsultationView | None:
        row = self._row(number, lock=lock)
        return self._view(row, now, full=True) if row is not None else None

    def _row(self, number: str, *, lock: bool) -> ConsultationRow | None:
        stmt = select(ConsultationRow).where(ConsultationRow.number == number.strip().upper())
        if lock:
            stmt = stmt.with_for_update()
        return self.session.scalar(stmt)

    def _view(self, row: ConsultationRow, now: datetime, *, full: bool) -> ConsultationView:
        status = ConsultationStatus(row.status)
        due = _aware(row.due_at)
        urgency = (
            self.deadlines.urgency(due, now, done=status.value not in OPEN)
            if due
            else Urgency.ON_TIME
        )
        assignee = self.session.get(StaffRow, row.assignee_id) if row.assignee_id else None
        view = ConsultationView(
            id=row.pk,
            number=row.number,
            kind=row.kind,
            channel=row.channel,
            user_id=row.user_id,
            question=row.question,
            audience=row.audience,
            life_event=row.life_event,
            department=row.department,
            status=status,
            assignee=assignee.username if assignee else "",
            created_at=_aware(row.created_at) or now,
            due_at=due,
            urgency=urgency,
            satisfaction=row.satisfaction,
            reason=row.reason,
        )
        if not full:
            return view
        return replace(
            view,
            transcript=tuple(tuple(line) for line in json.loads(row.transcript or "[]")),
            candidates=tuple(tuple(c) for c in json.loads(row.candidates or "[]")),
            events=tuple(self._events(row.pk)),
            deliveries=tuple(self._deliveries(row.pk)),
        )

    def _events(self, consultation_id: int) -> Iterator[ConsultationEvent]:
        stmt = (
            select(ConsultationEventRow)
            .where(ConsultationEventRow.consultation_id == consultation_id)
            .order_by(ConsultationEventRow.pk)
        )
        for row in self.session.scalars(stmt):
            yield ConsultationEvent(
                _aware(row.at) or utcnow(), row.actor, row.kind, row.text, json.loads(row.detail)
            )

    def _deliveries(self, consultation_id: int) -> Iterator[DeliveryView]:
        stmt = select(OutboxRow).where(OutboxRow.consultation_id == consultation_id)
        for row in self.session.scalars(stmt.order_by(OutboxRow.pk)):
            yield DeliveryView(
                row.key, row.status, row.attempts, row.last_error, _aware(row.sent_at)
            )

    # -- changing consultations ----------------------------------------------------------------

    def claim(self, number: str, staff: Staff, now: datetime) -> bool:
        """Take an unassigned open consultation. One conditional UPDATE: of two concurrent
        claims exactly one changes the row, on SQLite and PostgreSQL alike."""
        result = self.session.execute(
            update(ConsultationRow)
            .where(
                ConsultationRow.number == number.strip().upper(),
                ConsultationRow.assignee_id.is_(None),
                ConsultationRow.status.in_(OPEN),
            )
            .values(
                assignee_id=staff.id,
                status=ConsultationStatus.IN_PROGRESS.value,
                claimed_at=now,
                updated_at=now,
            )
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    def change(self, number: str, now: datetime, **values: object) -> None:
        row = self._row(number, lock=False)
        assert row is not None
        for name, value in values.items():
            setattr(row, name, value)
        row.updated_at = now

    def add_event(
        self,
        consultation_id: int,
        actor: str,
        kind: str,
        text: str = "",
        *,
        at: datetime | None = None,
        detail: dict[str, str] | None = None,
    ) -> None:
        self.session.add(
            ConsultationEventRow(
                consultation_id=consultation_id,
                at=at or utcnow(),
                actor=actor,
                kind=kind,
                text=text,
                detail=json.dumps(detail or {}, ensure_ascii=False),
            )
        )

    def add_delivery(self, view: ConsultationView, key: str, text: str, now: datetime) -> None:
        self.session.add(
            OutboxRow(
                key=key,
                consultation_id=view.id,
                channel=view.channel,
                user_id=view.user_id,
                text=text,
                next_attempt_at=now,
            )
        )

    def audit(self, actor: str, action: str, target: str = "", **detail: str) -> None:
        self.session.add(
            AuditRow(
                actor=actor,
                action=action,
                target=target,
                detail=json.dumps(detail, ensure_ascii=False),
            )
        )

    # -- the outbox ----------------------------------------------------------------------------

    def due_deliveries(self, now: datetime, limit: int) -> list[OutboxRow]:
        """Pending deliveries whose time has come, locked so two deliverers never take the same
        one (SKIP LOCKED on PostgreSQL; SQLite serialises writers anyway)."""
        stmt = (
            select(OutboxRow)
            .where(OutboxRow.status == "pending", OutboxRow.next_attempt_at <= now)
            .order_by(OutboxRow.pk)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        return list(self.session.scalars(stmt))

    def post_web_notice(self, channel: str, user_id: str, text: str, number: str, key: str) -> None:
        """Delivery on the web chat: a notice, unique by the delivery's key (shown once)."""
        exists = self.session.scalar(select(NoticeRow.pk).where(NoticeRow.delivery_key == key))
        if exists is None:
            self.session.add(
                NoticeRow(
                    channel=channel,
                    user_id=user_id,
                    consultation_number=number,
                    text=text,
                    delivery_key=key,
                )
            )

    def number_of(self, consultation_id: int) -> str:
        return (
            self.session.scalar(
                select(ConsultationRow.number).where(ConsultationRow.pk == consultation_id)
            )
            or ""
        )

    def unanswered_questions(self, since: datetime) -> list[str]:
        stmt = select(ConsultationRow.question).where(
            ConsultationRow.created_at >= since,
            or_(ConsultationRow.status.in_(OPEN), and_(ConsultationRow.reason == "escalate")),
        )
        return list(self.session.scalars(stmt))


def _staff(row: StaffRow) -> Staff:
    return Staff(row.pk, row.username, row.display_name, row.department, Role(row.role))


def _aware(moment: datetime | None) -> datetime | None:
    # SQLite returns naive datetimes for timezone-aware columns; they were stored in UTC.
    if moment is None:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def mark_sent(unit: QueueUnit, delivery: OutboxRow, now: datetime) -> None:
    delivery.status, delivery.sent_at = "sent", now
    delivery.attempts += 1
    unit.add_event(
        delivery.consultation_id, "system", "delivered", at=now, detail={"key": delivery.key}
    )


def mark_failed(
    unit: QueueUnit, delivery: OutboxRow, error: str, retry_at: datetime | None
) -> None:
    """A failed attempt; with no `retry_at` the delivery is given up and shown as failed."""
    delivery.attempts += 1
    delivery.last_error = error[:1000]
    if retry_at is None:
        delivery.status = "failed"
        unit.add_event(
            delivery.consultation_id,
            "system",
            "delivery_failed",
            error[:500],
            detail={"key": delivery.key},
        )
    else:
        delivery.next_attempt_at = retry_at
