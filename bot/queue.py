"""The consultation queue's rules: who may see and do what, in which state, with a record of it.

Every change writes an event on the consultation and an entry in the audit log in the same
transaction. A reply also writes its delivery to the outbox there: the deliverer sends it later,
through the user's own channel.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import UTC, datetime

from bot.consultations import ConsultationStatus
from bot.queue_types import (
    ConflictError,
    ConsultationView,
    NotAllowedError,
    NotFoundError,
    QueueError,
    QueueName,
    Staff,
)
from bot.store.queue_repository import QueueStore, QueueUnit

MAX_REPLY = 20_000
MAX_NOTE = 5_000
Clock = Callable[[], datetime]


def _utcnow() -> datetime:
    return datetime.now(UTC)


class ConsultationQueue:
    def __init__(
        self, store: QueueStore, departments: frozenset[str], clock: Clock = _utcnow
    ) -> None:
        self._store = store
        self._departments = departments
        self._clock = clock

    @property
    def departments(self) -> list[str]:
        return sorted(self._departments)

    def counts(self, staff: Staff) -> dict[QueueName, int]:
        with self._store.unit() as unit:
            return unit.counts(staff, self._clock())

    def listing(
        self, name: QueueName, staff: Staff, limit: int = 50, offset: int = 0
    ) -> list[ConsultationView]:
        with self._store.unit() as unit:
            return unit.listing(name, staff, self._clock(), limit, offset)

    def get(self, number: str, staff: Staff) -> ConsultationView:
        with self._store.unit() as unit:
            return self._visible(unit, number, staff)

    def _visible(
        self, unit: QueueUnit, number: str, staff: Staff, *, lock: bool = False
    ) -> ConsultationView:
        view = unit.view(number, self._clock(), lock=lock)
        if view is None:
            raise NotFoundError(f"没有编号为 {number} 的咨询")
        if not staff.may_see(view.department):
            raise NotAllowedError(f"咨询 {view.number} 属于{view.department}，您无权查看")
        return view

    def claim(self, number: str, staff: Staff) -> ConsultationView:
        now = self._clock()
        with self._store.unit() as unit:
            view = self._visible(unit, number, staff)
            if not unit.claim(view.number, staff, now):
                holder = unit.view(view.number, now)
                who = holder.assignee if holder and holder.assignee else "其他人"
                raise ConflictError(f"咨询 {view.number} 已由 {who} 认领或已办结，不能再认领")
            unit.add_event(view.id, staff.username, "claimed", at=now)
            unit.audit(staff.username, "claim", view.number)
            return self._visible(unit, number, staff)

    def reply(self, number: str, staff: Staff, text: str) -> ConsultationView:
        text = _required(text, MAX_REPLY, "答复")
        now = self._clock()
        with self._store.unit() as unit:
            view = self._open_for(unit, number, staff, "答复")
            first = not any(e.kind == "replied" for e in view.events)
            values: dict[str, object] = {
                "status": ConsultationStatus.ANSWERED.value,
                "answered_at": now,
            }
            if view.assignee == "":
                values |= {"assignee_id": staff.id, "claimed_at": now}
            if first:
                values["first_response_at"] = now
            unit.change(view.number, now, **values)
            unit.add_event(view.id, staff.username, "replied", text, at=now)
            key = _delivery_key(view.number, len(view.events), text)
            unit.add_delivery(view, key, _delivery_text(view.number, text), now)
            unit.audit(staff.username, "reply", view.number, chars=str(len(text)))
            return self._visible(unit, number, staff)

    def note(self, number: str, staff: Staff, text: str) -> ConsultationView:
        text = _required(text, MAX_NOTE, "备注")
        with self._store.unit() as unit:
            view = self._visible(unit, number, staff)
            unit.add_event(view.id, staff.username, "noted", text)
            unit.audit(staff.username, "note", view.number)
            return self._visible(unit, number, staff)

    def transfer(self, number: str, staff: Staff, department: str, reason: str) -> ConsultationView:
        reason = _required(reason, MAX_NOTE, "转办理由")
        if department not in self._departments:
            valid = "、".join(self.departments)
            raise QueueError(f"没有“{department}”这个部门，可选：{valid}")
        now = self._clock()
        with self._store.unit() as unit:
            view = self._open_for(unit, number, staff, "转办")
            if department == view.department:
                raise ConflictError(f"咨询 {view.number} 已在{department}")
            unit.change(
                view.number,
                now,
                department=department,
                assignee_id=None,
                status=ConsultationStatus.PENDING.value,
            )
            unit.add_event(
                view.id,
                staff.username,
                "transferred",
                reason,
                at=now,
                detail={"from": view.department, "to": department},
            )
            unit.audit(staff.username, "transfer", view.number, to=department)
            moved = unit.view(view.number, now)  # no longer in this staff member's department
            assert moved is not None
            return moved

    def close(self, number: str, staff: Staff) -> ConsultationView:
        now = self._clock()
        with self._store.unit() as unit:
            view = self._visible(unit, number, staff, lock=True)
            if view.status in (ConsultationStatus.CLOSED, ConsultationStatus.WITHDRAWN):
                raise ConflictError(f"咨询 {view.number} {view.status.label}")
            unit.change(view.number, now, status=ConsultationStatus.CLOSED.value, closed_at=now)
            unit.add_event(view.id, staff.username, "closed", at=now)
            unit.audit(staff.username, "close", view.number)
            return self._visible(unit, number, staff)

    def reopen(self, number: str, staff: Staff) -> ConsultationView:
        now = self._clock()
        with self._store.unit() as unit:
            view = self._visible(unit, number, staff, lock=True)
            if view.status not in (ConsultationStatus.CLOSED, ConsultationStatus.ANSWERED):
                raise ConflictError(f"咨询 {view.number} 尚未办结，无需重新打开")
            unit.change(
                view.number, now, status=ConsultationStatus.IN_PROGRESS.value, closed_at=None
            )
            unit.add_event(view.id, staff.username, "reopened", at=now)
            unit.audit(staff.username, "reopen", view.number)
            return self._visible(unit, number, staff)

    def _open_for(
        self, unit: QueueUnit, number: str, staff: Staff, action: str
    ) -> ConsultationView:
        view = self._visible(unit, number, staff, lock=True)
        if view.status in (ConsultationStatus.CLOSED, ConsultationStatus.WITHDRAWN):
            raise ConflictError(
                f"咨询 {view.number} {view.status.label}，不能{action}；请先重新打开"
            )
        if view.assignee and view.assignee != staff.username and not staff.is_admin:
            raise ConflictError(f"咨询 {view.number} 由 {view.assignee} 办理，不能{action}")
        return view


def _required(text: str, limit: int, what: str) -> str:
    text = text.strip()
    if not text:
        raise QueueError(f"{what}不能为空")
    if len(text) > limit:
        raise QueueError(f"{what}过长（{len(text)} 字），最多 {limit} 字")
    return text


def _delivery_key(number: str, position: int, text: str) -> str:
    # The same reply to the same consultation at the same point gets the same key: a retried
    # request never queues a second delivery.
    digest = hashlib.sha256(f"{number}|{position}|{text}".encode()).hexdigest()[:24]
    return f"{number}-{digest}"


def _delivery_text(number: str, text: str) -> str:
    return f"您的咨询（编号 {number}）已有答复：\n{text}"
