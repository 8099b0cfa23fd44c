"""ORM models of the conversation side. They share the knowledge base's metadata (one schema)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, Integer, String, Text, UniqueConstraint
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
