"""The knowledge store: upsert with version history, listing, statistics and the KB version."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace

from sqlalchemy import Select, func, or_, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from knowledge.enums import Publication
from knowledge.errors import RecordNotFoundError, StoreError
from knowledge.queries import Page, RecordQuery, RecordVersion, Stats, StoredRecord, UpsertResult
from knowledge.record import RecordContent
from knowledge.store.base import transaction, utcnow
from knowledge.store.mapping import apply_content, to_content
from knowledge.store.models import (
    KnowledgeStateRow,
    RecordLifeEventRow,
    RecordRow,
    RecordVersionRow,
)

_STATE_PK = 1
_IN_CHUNK = 500  # keeps `IN (...)` lists well under every driver's parameter limit


class KnowledgeStore:
    def __init__(self, session_factory: sessionmaker[Session]) -> None:
        self._sessions = session_factory

    # -- writing -------------------------------------------------------------------------------

    def upsert(
        self,
        records: Sequence[RecordContent],
        *,
        actor: str,
        note: str = "",
        dry_run: bool = False,
    ) -> UpsertResult:
        """Create, update or leave each record, all in one transaction (nothing half-written).

        With `dry_run` the transaction is rolled back, so the result says what would happen.
        """
        try:
            with self._sessions() as session, session.begin():
                result = self._upsert_in(session, records, actor, note)
                if dry_run:
                    session.rollback()
                return result
        except SQLAlchemyError as exc:
            raise StoreError(f"写入知识库失败：{exc.__class__.__name__}") from exc

    def _upsert_in(
        self, session: Session, records: Sequence[RecordContent], actor: str, note: str
    ) -> UpsertResult:
        existing = _rows_by_id(session, [r.id for r in records])
        result = UpsertResult()
        published_changed = False
        for content in records:
            row = existing.get(content.id)
            if row is None:
                row = RecordRow(version=1, updated_by=actor)
                apply_content(row, content)
                session.add(row)
                result.created.append(content.id)
            elif row.content_hash == content.content_hash:
                result.unchanged.append(content.id)
                continue
            else:
                published_changed |= row.publication == Publication.PUBLISHED.value
                row.version += 1
                row.updated_at = utcnow()
                row.updated_by = actor
                apply_content(row, content)
                result.updated.append(content.id)
            published_changed |= content.publication is Publication.PUBLISHED
            session.flush()
            session.add(_snapshot(row, content, actor, note))
        result.kb_version = (
            _bump_kb_version(session) if published_changed else _read_kb_version(session)
        )
        return result

    def set_publication(
        self,
        record_id: str,
        publication: Publication,
        *,
        actor: str,
        note: str = "",
        expected_version: int | None = None,
    ) -> int:
        """Move a record to another publication state, as a new version; returns the KB version.

        With `expected_version` the change is refused (StoreError) when the record has moved on
        since: a review approves one version, and an edit made meanwhile must not go out unseen.
        """
        with transaction(self._sessions) as session:
            row = _row(session, record_id, lock=expected_version is not None)
            if expected_version is not None and row.version != expected_version:
                raise StoreError(
                    f"记录 {record_id} 已被修改（现为第 {row.version} 版），"
                    f"未按第 {expected_version} 版变更发布状态"
                )
            if row.publication == publication.value:
                return _read_kb_version(session)
            was_published = row.publication == Publication.PUBLISHED.value
            content = _replace_publication(to_content(row), publication)
            row.version += 1
            row.updated_at = utcnow()
            row.updated_by = actor
            apply_content(row, content)
            note = note or f"发布状态改为{publication.label}"
            session.add(_snapshot(row, content, actor, note))
            if was_published or publication is Publication.PUBLISHED:
                return _bump_kb_version(session)
            return _read_kb_version(session)

    # -- reading -------------------------------------------------------------------------------

    def get(self, record_id: str) -> StoredRecord:
        with self._sessions() as session:
            return _stored(_row(session, record_id))

    def find(self, record_ids: Iterable[str]) -> dict[str, StoredRecord]:
        with self._sessions() as session:
            return {k: _stored(v) for k, v in _rows_by_id(session, list(record_ids)).items()}

    def existing_ids(self, record_ids: Iterable[str]) -> set[str]:
        wanted = list(dict.fromkeys(record_ids))
        found: set[str] = set()
        with self._sessions() as session:
            for start in range(0, len(wanted), _IN_CHUNK):
                chunk = wanted[start : start + _IN_CHUNK]
                stmt = select(RecordRow.external_id).where(RecordRow.external_id.in_(chunk))
                found.update(session.scalars(stmt))
        return found

    def interpretations_of(self, record_id: str) -> list[StoredRecord]:
        with self._sessions() as session:
            stmt = select(RecordRow).where(RecordRow.interprets == record_id)
            return [_stored(r) for r in session.scalars(stmt.order_by(RecordRow.external_id))]

    def history(self, record_id: str) -> list[RecordVersion]:
        with self._sessions() as session:
            row = _row(session, record_id)
            stmt = (
                select(RecordVersionRow)
                .where(RecordVersionRow.record_pk == row.pk)
                .order_by(RecordVersionRow.version.desc())
            )
            return [_version(v) for v in session.scalars(stmt)]

    def list(self, query: RecordQuery) -> Page:
        with self._sessions() as session:
            stmt = _filtered(select(RecordRow), query)
            total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
            ordered = stmt.order_by(
                RecordRow.published_date.desc().nulls_last(), RecordRow.external_id
            )
            rows = session.scalars(ordered.limit(query.limit).offset(query.offset))
            return Page([_stored(r) for r in rows], total, query.limit, query.offset)

    def iter_contents(self, *, batch: int = 1000) -> Iterator[RecordContent]:
        """Every record, in id order, streamed in batches so large bases fit in memory."""
        last = ""
        while True:
            with self._sessions() as session:
                stmt = (
                    select(RecordRow)
                    .where(RecordRow.external_id > last)
                    .order_by(RecordRow.external_id)
                    .limit(batch)
                )
                rows = list(session.scalars(stmt))
                contents = [to_content(r) for r in rows]
            if not contents:
                return
            yield from contents
            last = contents[-1].id

    def count(self) -> int:
        with self._sessions() as session:
            return session.scalar(select(func.count(RecordRow.pk))) or 0

    def kb_version(self) -> int:
        with self._sessions() as session:
            return _read_kb_version(session)

    def stats(self) -> Stats:
        with self._sessions() as session:

            def grouped(column: object) -> dict[str, int]:
                stmt = select(column, func.count()).group_by(column)  # type: ignore[call-overload]
                return {str(k): int(n) for k, n in session.execute(stmt)}

            events = select(RecordLifeEventRow.event_code, func.count()).group_by(
                RecordLifeEventRow.event_code
            )
            return Stats(
                total=session.scalar(select(func.count(RecordRow.pk))) or 0,
                by_kind=grouped(RecordRow.kind),
                by_status=grouped(RecordRow.status),
                by_publication=grouped(RecordRow.publication),
                by_audience=grouped(RecordRow.audience),
                by_life_event={str(k): int(n) for k, n in session.execute(events)},
                by_region=grouped(RecordRow.region),
                kb_version=_read_kb_version(session),
            )


def _filtered(stmt: Select[RecordRow], query: RecordQuery) -> Select[RecordRow]:
    if query.text.strip():
        pattern = f"%{_escape_like(query.text.strip())}%"
        stmt = stmt.where(
            or_(
                RecordRow.title.ilike(pattern, escape="\\"),
                RecordRow.doc_number.ilike(pattern, escape="\\"),
                RecordRow.external_id.ilike(pattern, escape="\\"),
            )
        )
    if query.kinds:
        stmt = stmt.where(RecordRow.kind.in_([k.value for k in query.kinds]))
    if query.statuses:
        stmt = stmt.where(RecordRow.status.in_([s.value for s in query.statuses]))
    if query.audience is not None:
        stmt = stmt.where(RecordRow.audience.in_([query.audience.value, "both"]))
    if query.publications:
        stmt = stmt.where(RecordRow.publication.in_([p.value for p in query.publications]))
    if query.region:
        stmt = stmt.where(RecordRow.region == query.region)
    if query.life_event:
        linked = select(RecordLifeEventRow.record_pk).where(
            RecordLifeEventRow.event_code == query.life_event
        )
        stmt = stmt.where(RecordRow.pk.in_(linked))
    return stmt


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _rows_by_id(session: Session, ids: list[str]) -> dict[str, RecordRow]:
    rows: dict[str, RecordRow] = {}
    for start in range(0, len(ids), _IN_CHUNK):
        chunk = ids[start : start + _IN_CHUNK]
        for row in session.scalars(select(RecordRow).where(RecordRow.external_id.in_(chunk))):
            rows[row.external_id] = row
    return rows


def _row(session: Session, record_id: str, *, lock: bool = False) -> RecordRow:
    stmt = select(RecordRow).where(RecordRow.external_id == record_id)
    row = session.scalar(stmt.with_for_update() if lock else stmt)
    if row is None:
        raise RecordNotFoundError(record_id)
    return row


def _snapshot(row: RecordRow, content: RecordContent, actor: str, note: str) -> RecordVersionRow:
    return RecordVersionRow(
        record_pk=row.pk,
        version=row.version,
        content=content.to_dict(),
        content_hash=content.content_hash,
        publication=content.publication.value,
        changed_by=actor,
        note=note,
    )


def _replace_publication(content: RecordContent, publication: Publication) -> RecordContent:
    return replace(content, publication=publication)


def _stored(row: RecordRow) -> StoredRecord:
    return StoredRecord(
        to_content(row), row.version, row.created_at, row.updated_at, row.updated_by
    )


def _version(row: RecordVersionRow) -> RecordVersion:
    return RecordVersion(
        version=row.version,
        content=RecordContent.from_dict(row.content),
        publication=Publication(row.publication),
        changed_at=row.changed_at,
        changed_by=row.changed_by,
        note=row.note,
    )


def _read_kb_version(session: Session) -> int:
    return (
        session.scalar(select(KnowledgeStateRow.version).where(KnowledgeStateRow.pk == _STATE_PK))
        or 0
    )


def _bump_kb_version(session: Session) -> int:
    # A single UPDATE is atomic on both databases, so concurrent writers never lose a bump.
    stmt = (
        update(KnowledgeStateRow)
        .where(KnowledgeStateRow.pk == _STATE_PK)
        .values(version=KnowledgeStateRow.version + 1, changed_at=utcnow())
        .returning(KnowledgeStateRow.version)
    )
    version = session.scalar(stmt)
    if version is None:
        session.add(KnowledgeStateRow(pk=_STATE_PK, version=1))
        return 1
    return version
