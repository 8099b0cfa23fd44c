"""ORM models of the knowledge base. API schemas and `RecordContent` are separate from these."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from knowledge.store.base import Base, utcnow


class RecordRow(Base):
    __tablename__ = "kb_record"

    pk: Mapped[int] = mapped_column("id", Integer, primary_key=True)
    external_id: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(20), index=True)
    title: Mapped[str] = mapped_column(Text)
    summary: Mapped[str] = mapped_column(Text, default="")
    body: Mapped[str] = mapped_column(Text, default="")
    doc_number: Mapped[str] = mapped_column(String(200), default="", index=True)
    doc_type: Mapped[str] = mapped_column(String(50), default="")
    issuing_agency: Mapped[str] = mapped_column(String(500), default="")
    department: Mapped[str] = mapped_column(String(200), default="")
    hotline: Mapped[str] = mapped_column(String(100), default="")
    written_date: Mapped[date | None] = mapped_column(Date)
    published_date: Mapped[date | None] = mapped_column(Date)
    effective_date: Mapped[date | None] = mapped_column(Date)
    expiry_date: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), index=True)
    replaced_by: Mapped[str] = mapped_column(String(200), default="")
    audience: Mapped[str] = mapped_column(String(20), index=True)
    topics: Mapped[list[str]] = mapped_column(default=list)
    keywords: Mapped[list[str]] = mapped_column(default=list)
    region: Mapped[str] = mapped_column(String(100), default="全国")
    source_url: Mapped[str] = mapped_column(Text, default="")
    publication: Mapped[str] = mapped_column(String(20), index=True)
    interprets: Mapped[str] = mapped_column(String(200), default="", index=True)
    interpretation_form: Mapped[str] = mapped_column(String(20), default="")
    details: Mapped[dict[str, object]] = mapped_column(default=dict)
    version: Mapped[int] = mapped_column(Integer, default=1)
    content_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_by: Mapped[str] = mapped_column(String(100), default="")

    life_events: Mapped[list[RecordLifeEventRow]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="RecordLifeEventRow.position"
    )


class RecordLifeEventRow(Base):
    """One life event of a record; a table rather than JSON so both databases can filter on it."""

    __tablename__ = "kb_record_life_event"

    record_pk: Mapped[int] = mapped_column(
        "record_id", ForeignKey("kb_record.id", ondelete="CASCADE"), primary_key=True
    )
    event_code: Mapped[str] = mapped_column(String(50), primary_key=True, index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)


class RecordVersionRow(Base):
    """A full snapshot of a record each time it changed, so earlier versions stay readable."""

    __tablename__ = "kb_record_version"
    __table_args__ = (UniqueConstraint("record_id", "version"),)

    pk: Mapped[int] = mapped_column("id", Integer, primary_key=True)
    record_pk: Mapped[int] = mapped_column(
        "record_id", ForeignKey("kb_record.id", ondelete="CASCADE"), index=True
    )
    version: Mapped[int] = mapped_column(Integer)
    content: Mapped[dict[str, object]] = mapped_column()
    content_hash: Mapped[str] = mapped_column(String(64))
    publication: Mapped[str] = mapped_column(String(20))
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    changed_by: Mapped[str] = mapped_column(String(100), default="")
    note: Mapped[str] = mapped_column(Text, default="")


class KnowledgeStateRow(Base):
    """A single row whose `version` grows whenever published content changes.

    Search indexes and other workers compare it with the version they loaded and reload when it
    moved; it is bumped in the same transaction as the change it announces.
    """

    __tablename__ = "kb_state"

    pk: Mapped[int] = mapped_column("id", Integer, primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=0)
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ReviewDraftRow(Base):
    """Where a draft came from: the consultation it answers, who wrote it, the policy it cites.

    Records without such a row (imported as 待审核) are reviewed the same way; their author is
    whoever last changed them.
    """

    __tablename__ = "kb_review_draft"

    record_pk: Mapped[int] = mapped_column(
        "record_id", ForeignKey("kb_record.id", ondelete="CASCADE"), primary_key=True
    )
    consultation_number: Mapped[str] = mapped_column(String(30), default="", index=True)
    author: Mapped[str] = mapped_column(String(100), index=True)
    policy_id: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ReviewRow(Base):
    """One reviewer's decision on one version of a record at one level of review.

    The unique key makes two reviewers acting on the same level at once a conflict that the
    database settles: exactly one of them records the level.
    """

    __tablename__ = "kb_review"
    __table_args__ = (UniqueConstraint("record_id", "record_version", "level"),)

    pk: Mapped[int] = mapped_column("id", Integer, primary_key=True)
    record_pk: Mapped[int] = mapped_column(
        "record_id", ForeignKey("kb_record.id", ondelete="CASCADE"), index=True
    )
    record_version: Mapped[int] = mapped_column(Integer)
    level: Mapped[int] = mapped_column(Integer)
    reviewer: Mapped[str] = mapped_column(String(100), index=True)
    decision: Mapped[str] = mapped_column(String(10))
    comment: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
