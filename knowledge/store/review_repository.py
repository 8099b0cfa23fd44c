"""SQL of FAQ review: drafts' origins and each level's decision, with their audit entries.

The audit log belongs to the consultation side (`bot`), which `knowledge` may not import, so the
caller passes an `AuditHook` that adds the entry to the session it is given: the decision and its
audit entry commit together or not at all.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from knowledge.enums import Publication
from knowledge.errors import RecordNotFoundError, StoreError
from knowledge.review import ReviewDesk
from knowledge.review_types import (
    AuditEntry,
    Decision,
    DraftOrigin,
    Review,
    ReviewConflictError,
)
from knowledge.store.base import make_session_factory
from knowledge.store.models import RecordRow, ReviewDraftRow, ReviewRow
from knowledge.store.wiring import KnowledgeBase

AuditHook = Callable[[Session, AuditEntry], None]
_IN_CHUNK = 500


class ReviewRepository:
    def __init__(self, sessions: sessionmaker[Session], audit: AuditHook) -> None:
        self._sessions = sessions
        self._audit = audit

    def add_origin(self, origin: DraftOrigin, entry: AuditEntry) -> None:
        with self._unit() as session:
            row = _record_row(session, origin.record_id)
            session.add(
                ReviewDraftRow(
                    record_pk=row.pk,
                    consultation_number=origin.consultation_number,
                    author=origin.author,
                    policy_id=origin.policy_id,
                    created_at=origin.created_at,
                )
            )
            self._audit(session, entry)

    def set_policy(self, record_id: str, policy_id: str, entry: AuditEntry) -> None:
        with self._unit() as session:
            row = _record_row(session, record_id)
            origin = session.get(ReviewDraftRow, row.pk)
            if origin is not None:
                origin.policy_id = policy_id
            self._audit(session, entry)

    def origins(self, record_ids: list[str]) -> dict[str, DraftOrigin]:
        found: dict[str, DraftOrigin] = {}
        with self._sessions() as session:
            for chunk in _chunks(record_ids):
                stmt = (
                    select(RecordRow.external_id, ReviewDraftRow)
                    .join(ReviewDraftRow, ReviewDraftRow.record_pk == RecordRow.pk)
                    .where(RecordRow.external_id.in_(chunk))
                )
                for record_id, row in session.execute(stmt):
                    found[record_id] = DraftOrigin(
                        record_id,
                        row.consultation_number,
                        row.author,
                        row.policy_id,
                        _aware(row.created_at),
                    )
        return found

    def reviews(self, record_ids: list[str]) -> dict[str, list[Review]]:
        found: dict[str, list[Review]] = {}
        with self._sessions() as session:
            for chunk in _chunks(record_ids):
                stmt = (
                    select(RecordRow.external_id, ReviewRow)
                    .join(ReviewRow, ReviewRow.record_pk == RecordRow.pk)
                    .where(RecordRow.external_id.in_(chunk))
                    .order_by(ReviewRow.pk)
                )
                for record_id, row in session.execute(stmt):
                    found.setdefault(record_id, []).append(
                        Review(
                            record_id,
                            row.record_version,
                            row.level,
                            row.reviewer,
                            Decision(row.decision),
                            row.comment,
                            _aware(row.at),
                        )
                    )
        return found

    def decide(self, review: Review, entry: AuditEntry) -> None:
        try:
            with self._sessions() as session, session.begin():
                # The lock keeps an edit from slipping in between this check and the insert.
                row = _record_row(session, review.record_id, lock=True)
                if (
                    row.version != review.record_version
                    or row.publication != Publication.PENDING_REVIEW.value
                ):
                    raise ReviewConflictError("这条问答刚刚被修改或已处理，请刷新后再审核")
                session.add(
                    ReviewRow(
                        record_pk=row.pk,
                        record_version=review.record_version,
                        level=review.level,
                        reviewer=review.reviewer,
                        decision=review.decision.value,
                        comment=review.comment,
                        at=review.at,
                    )
                )
                session.flush()  # the unique key (record, version, level) settles a race here
                self._audit(session, entry)
        except IntegrityError as exc:
            raise ReviewConflictError(
                f"第{review.level}级已由其他审核人员处理，请刷新后查看"
            ) from exc
        except SQLAlchemyError as exc:
            raise StoreError(f"保存审核结果失败：{exc.__class__.__name__}") from exc

    def audit(self, entry: AuditEntry) -> None:
        with self._unit() as session:
            self._audit(session, entry)

    @contextmanager
    def _unit(self) -> Iterator[Session]:
        """One transaction whose database errors become StoreError (callers need no SQLAlchemy)."""
        try:
            with self._sessions() as session, session.begin():
                yield session
        except SQLAlchemyError as exc:
            raise StoreError(f"写入审核记录失败：{exc.__class__.__name__}") from exc


def open_reviews(
    kb: KnowledgeBase, departments: Mapping[str, str], levels: int, audit: AuditHook
) -> ReviewDesk:
    """The review desk over an open knowledge base (entry points pass the settings' values)."""
    ledger = ReviewRepository(make_session_factory(kb.engine), audit)
    return ReviewDesk(kb.store, ledger, kb.taxonomy, departments, levels)


def _record_row(session: Session, record_id: str, *, lock: bool = False) -> RecordRow:
    stmt = select(RecordRow).where(RecordRow.external_id == record_id)
    row = session.scalar(stmt.with_for_update() if lock else stmt)
    if row is None:
        raise RecordNotFoundError(record_id)
    return row


def _chunks(ids: list[str]) -> list[list[str]]:
    return [ids[i : i + _IN_CHUNK] for i in range(0, len(ids), _IN_CHUNK)]


def _aware(moment: datetime) -> datetime:
    # SQLite returns naive datetimes for timezone-aware columns; they were stored in UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
