"""Published knowledge records read once per knowledge-base version, shared by the threads.

The engine reads the same few records for message after message: the answer, its guide, the
candidates of a clarification. Every change that can alter a published record — edited,
published, withdrawn — moves the knowledge-base version in the same transaction
(knowledge/store/repository.py), and each message reads that version in its own transaction.
So a record kept under the version a message read is exactly what the database would return to
it. Records that are not published are never kept: a draft may change without moving the version.
Which records interpret a record is asked of the database every time (drafts count there too),
on the message's own connection: far cheaper than a session of its own.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from sqlalchemy.orm import Session, sessionmaker

from knowledge.enums import Publication
from knowledge.queries import StoredRecord
from knowledge.store.repository import KnowledgeStore

# The ids of the records that interpret a record, whatever their publication, in id order.
Interpreters = Callable[[str], list[str]]


@dataclass
class _Kept:
    version: int
    records: dict[str, StoredRecord] = field(default_factory=dict)


class RecordCache:
    def __init__(self, session_factory: sessionmaker[Session]) -> None:
        self._sessions = session_factory
        self._kept = _Kept(version=-1)
        self._lock = threading.Lock()

    def at(self, kb_version: int, interpreters: Interpreters) -> KnowledgeStore:
        """The knowledge store as a message that read `kb_version` sees it."""
        return CachedReads(self._sessions, self._kept_for(kb_version), interpreters)

    def _kept_for(self, version: int) -> _Kept:
        with self._lock:
            if version > self._kept.version:
                self._kept = _Kept(version)  # the old records go with the old version
            if version == self._kept.version:
                return self._kept
        # A message that read an older version than another already did: keep nothing shared.
        return _Kept(version)


class CachedReads(KnowledgeStore):
    """Record reads answered from the kept records when they can; the rest as the store."""

    def __init__(
        self, session_factory: sessionmaker[Session], kept: _Kept, interpreters: Interpreters
    ) -> None:
        super().__init__(session_factory)
        self._kept = kept
        self._interpreters = interpreters

    def get(self, record_id: str) -> StoredRecord:
        record = self._kept.records.get(record_id)
        if record is None:
            record = super().get(record_id)
            self._keep(record)
        return record

    def find(self, record_ids: Iterable[str]) -> dict[str, StoredRecord]:
        found: dict[str, StoredRecord] = {}
        missing: list[str] = []
        for record_id in record_ids:
            record = self._kept.records.get(record_id)
            if record is None:
                missing.append(record_id)
            else:
                found[record_id] = record
        if missing:
            for record in super().find(missing).values():
                self._keep(record)
                found[record.id] = record
        return found

    def interpretations_of(self, record_id: str) -> list[StoredRecord]:
        ids = self._interpreters(record_id)
        if not ids:  # most records: one small query, no session, no records to read
            return []
        found = self.find(ids)
        return [found[i] for i in ids if i in found]

    def _keep(self, record: StoredRecord) -> None:
        if record.content.publication is Publication.PUBLISHED:
            self._kept.records[record.id] = record
