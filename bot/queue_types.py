"""The human consultation queue's vocabulary: staff, queues, what a consultation looks like."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from bot.consultations import ConsultationStatus
from bot.deadlines import Urgency


class Role(StrEnum):
    STAFF = "staff"
    REVIEWER = "reviewer"
    ADMIN = "admin"

    @property
    def label(self) -> str:
        return {"staff": "工作人员", "reviewer": "审核人员", "admin": "管理员"}[self.value]


class QueueName(StrEnum):
    MINE = "mine"
    DEPARTMENT = "department"
    UNASSIGNED = "unassigned"
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"
    ALL = "all"

    @property
    def label(self) -> str:
        return _QUEUE_LABELS[self]


_QUEUE_LABELS = {
    QueueName.MINE: "我的",
    QueueName.DEPARTMENT: "本部门",
    QueueName.UNASSIGNED: "待认领",
    QueueName.DUE_SOON: "即将到期",
    QueueName.OVERDUE: "已超期",
    QueueName.ALL: "全部",
}


@dataclass(frozen=True)
class Staff:
    id: int
    username: str
    display_name: str
    department: str
    role: Role

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN

    def may_see(self, department: str) -> bool:
        return self.is_admin or department == self.department


@dataclass(frozen=True)
class ConsultationEvent:
    at: datetime
    actor: str
    kind: str  # created / claimed / replied / noted / transferred / closed / reopened / rated…
    text: str
    detail: dict[str, str]

    @property
    def label(self) -> str:
        return EVENT_LABELS.get(self.kind, self.kind)


EVENT_LABELS = {
    "created": "提交咨询",
    "claimed": "认领",
    "replied": "答复",
    "noted": "内部备注",
    "transferred": "转办",
    "closed": "关闭",
    "reopened": "重新打开",
    "withdrawn": "撤回",
    "rated": "群众评价",
    "delivered": "答复已送达",
    "delivery_failed": "答复发送失败",
}


@dataclass(frozen=True)
class DeliveryView:
    key: str
    status: str  # pending / sent / failed
    attempts: int
    last_error: str
    sent_at: datetime | None


@dataclass(frozen=True)
class ConsultationView:
    id: int
    number: str
    kind: str
    channel: str
    user_id: str
    question: str
    audience: str
    life_event: str
    department: str
    status: ConsultationStatus
    assignee: str  # username, "" when unassigned
    created_at: datetime
    due_at: datetime | None
    urgency: Urgency
    satisfaction: str
    reason: str
    transcript: tuple[tuple[str, str, str], ...] = ()
    candidates: tuple[tuple[str, str], ...] = ()
    events: tuple[ConsultationEvent, ...] = ()
    deliveries: tuple[DeliveryView, ...] = ()


class QueueError(Exception):
    """A queue operation that cannot be done; the message is for the staff member."""


class NotAllowedError(QueueError):
    """The staff member may not see or change this consultation (HTTP 403)."""


class NotFoundError(QueueError):
    """No such consultation (HTTP 404)."""


class ConflictError(QueueError):
    """The consultation is not in a state that allows this (HTTP 409): claimed by someone else,
    replying to a closed one, and so on."""
