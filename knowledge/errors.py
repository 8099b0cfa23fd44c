"""The exceptions the knowledge package raises.

    KnowledgeError
    ├── ImportFileError      a whole file cannot be read (empty, wrong type, undecodable)
    ├── RecordNotFoundError       no record with that id
    └── StoreError           the database refused or failed an operation

Row-level problems in an import are not exceptions: they are collected as `RowError`s so that the
valid rows still load.
"""

from __future__ import annotations


class KnowledgeError(Exception):
    """Base class of every error raised by `knowledge`."""


class ImportFileError(KnowledgeError):
    """A file cannot be imported at all. `str()` is a message for the person who gave the file."""

    def __init__(self, file: str, reason: str) -> None:
        super().__init__(f"{file}: {reason}")
        self.file = file
        self.reason = reason


class RecordNotFoundError(KnowledgeError):
    def __init__(self, record_id: str) -> None:
        super().__init__(f"没有编号为 {record_id} 的记录")
        self.record_id = record_id


class StoreError(KnowledgeError):
    """The database failed; the original driver error is the `__cause__`."""
