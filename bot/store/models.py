"""ORM models of the conversation side. They share the knowledge base's metadata (one schema)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from knowledge.store.base import Base, utcnow


class ConversationRow(Base):
    __tablename__ = "conversation"
    __table_args__ = (UniqueConstraint("channel", "user_id"),)

    pk: Mapped[int] = mapped_column("id", Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(String(20))
    user_id: Mapped[str] = mapped_column(String(200))
    state: Mapped[str] = mapped_column(Text, default="{}")
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ProcessedMessageRow(Base):
    """One row per delivered message: the unique key makes a replayed delivery answered once."""

    __tablename__ = "processed_message"
    __table_args__ = (UniqueConstraint("channel", "message_id"),)

    pk: Mapped[int] = mapped_column("id", Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(String(20))
    message_id: Mapped[str] = mapped_column(String(200))
    user_id: Mapped[str] = mapped_column(String(200), index=True)
    text: Mapped[str] = mapped_column(Text, default="")
    action: Mapped[str] = mapped_column(String(20), default="")
    reply: Mapped[str] = mapped_column(Text, default="")  # JSON of the reply, replayed as is
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class FeedbackRow(Base):
    __tablename__ = "feedback"

    pk: Mapped[int] = mapped_column("id", Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(String(20))
    user_id: Mapped[str] = mapped_column(String(200))
    record_id: Mapped[str] = mapped_column(String(200), index=True)
    question: Mapped[str] = mapped_column(Text, default="")
    useful: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ConsultationRow(Base):
    """A question handed to people. The queue issue adds routing, deadlines and replies."""

    __tablename__ = "consultation"

    pk: Mapped[int] = mapped_column("id", Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(30), unique=True)
    channel: Mapped[str] = mapped_column(String(20))
    user_id: Mapped[str] = mapped_column(String(200), index=True)
    question: Mapped[str] = mapped_column(Text)
    transcript: Mapped[str] = mapped_column(Text, default="[]")  # JSON lines of the conversation
    candidates: Mapped[str] = mapped_column(Text, default="[]")  # JSON: records the bot showed
    audience: Mapped[str] = mapped_column(String(20), default="")
    life_event: Mapped[str] = mapped_column(String(50), default="")
    department: Mapped[str] = mapped_column(String(200), default="")
    reason: Mapped[str] = mapped_column(String(50), default="")  # escalate / asked / route
    status: Mapped[str] = mapped_column(String(20), default="pending")
    satisfaction: Mapped[str] = mapped_column(String(10), default="")  # good / bad, from the user
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # The queue (added in 0003).
    kind: Mapped[str] = mapped_column(String(20), default="consultation")
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"), index=True)
    due_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    first_response_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    answered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class NoticeRow(Base):
    """A message for a user that is not a reply to their message: a staff answer, delivered later.

    The web chat polls these; other channels push them (within their own windows and limits).
    """

    __tablename__ = "notice"

    pk: Mapped[int] = mapped_column("id", Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(String(20))
    user_id: Mapped[str] = mapped_column(String(200), index=True)
    consultation_number: Mapped[str] = mapped_column(String(30), default="")
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # The outbox delivery this notice is; unique, so a retried delivery is shown once.
    delivery_key: Mapped[str | None] = mapped_column(String(100), unique=True)


class StaffRow(Base):
    __tablename__ = "staff"

    pk: Mapped[int] = mapped_column("id", Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(50), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    department: Mapped[str] = mapped_column(String(200), index=True)
    role: Mapped[str] = mapped_column(String(20))  # staff / reviewer / admin
    password_hash: Mapped[str] = mapped_column(String(300))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ConsultationEventRow(Base):
    """Everything that happened to a consultation, in order: the record of every state change,
    reply, internal note and transfer."""

    __tablename__ = "consultation_event"

    pk: Mapped[int] = mapped_column("id", Integer, primary_key=True)
    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("consultation.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    actor: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(30))
    text: Mapped[str] = mapped_column(Text, default="")
    detail: Mapped[str] = mapped_column(Text, default="{}")  # JSON


class OutboxRow(Base):
    """A staff reply waiting to reach the citizen; written in the reply's own transaction."""

    __tablename__ = "outbox"

    pk: Mapped[int] = mapped_column("id", Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(100), unique=True)  # idempotency key
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultation.id"), index=True)
    channel: Mapped[str] = mapped_column(String(20))
    user_id: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default="pending", index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class AuditRow(Base):
    __tablename__ = "audit_log"

    pk: Mapped[int] = mapped_column("id", Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(50))
    target: Mapped[str] = mapped_column(String(200), default="")
    detail: Mapped[str] = mapped_column(Text, default="{}")
