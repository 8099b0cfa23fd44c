"""Deciding a message before its transaction, and checking the decision inside it.

SQLite has one writer, and a message's transaction holds the write lock from claiming the
delivery to the commit. Deciding the reply inside it (search, answer card, JSON: most of a
message's work) would let one message at a time work, whatever the number of workers. So on
SQLite the engine decides first, outside any transaction, through a `ReadAhead`: it reads the
conversation state, the knowledge-base version and the interpreters of the answer as a unit
would, and remembers what it read. Inside the transaction, under the write lock, `holds_in`
reads them again: when every read gives the same result, the decision is the one the
transaction would have made (nothing else goes into it), and only the writes remain. When one
differs — another message of the same user, a knowledge-base change in between — the engine
decides again inside the transaction. A turn that writes more than its state and reply (a new
consultation, feedback, a rating) raises `NeedsTransaction` and is decided inside, as before.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import datetime
from typing import TYPE_CHECKING, NoReturn, Protocol

from bot.state import ConversationState

if TYPE_CHECKING:
    from bot.store.repository import ConversationUnit, SimpleConsultationDesk


class NeedsTransaction(Exception):  # noqa: N818 — a signal, not an error
    """The turn writes more than its state and reply: decide it inside the transaction."""


class TurnUnit(Protocol):
    """What deciding a message needs of the database: `ConversationUnit` or `ReadAhead`."""

    @property
    def consultations(self) -> SimpleConsultationDesk: ...

    def load_state(self, channel: str, user_id: str, now: datetime) -> ConversationState: ...

    def kb_version(self) -> int: ...

    def interpreter_ids(self, record_id: str) -> list[str]: ...

    def add_feedback(
        self, channel: str, user_id: str, record_id: str, question: str, *, useful: bool
    ) -> None: ...


Reader = Callable[[], AbstractContextManager["ConversationUnit"]]
Check = Callable[["ConversationUnit"], bool]


class ReadAhead:
    def __init__(self, reader: Reader, channel: str, user_id: str, now: datetime) -> None:
        self._reader = reader
        self._checks: list[Check] = []
        with reader() as unit:
            row = unit.state_row(channel, user_id)
            self._version = unit.kb_version()
            self._state = unit.state_of(row, now)
        version = self._version
        # The stored row, not the state made of it: the same JSON and expiry, unparsed.
        self._checks.append(lambda unit: unit.state_row(channel, user_id) == row)
        self._checks.append(lambda unit: unit.kb_version() == version)
        self._key = (channel, user_id)

    def holds_in(self, unit: ConversationUnit) -> bool:
        """Whether the transaction of `unit` reads what this decision read."""
        return all(check(unit) for check in self._checks)

    def load_state(self, channel: str, user_id: str, now: datetime) -> ConversationState:
        if (channel, user_id) != self._key:
            raise NeedsTransaction("another conversation's state")
        return self._state

    def kb_version(self) -> int:
        return self._version

    def interpreter_ids(self, record_id: str) -> list[str]:
        with self._reader() as unit:
            found = unit.interpreter_ids(record_id)
        self._checks.append(lambda unit: unit.interpreter_ids(record_id) == found)
        return found

    @property
    def consultations(self) -> SimpleConsultationDesk:
        _writes("consultations")

    def add_feedback(
        self, channel: str, user_id: str, record_id: str, question: str, *, useful: bool
    ) -> None:
        _writes("feedback")


def _writes(what: str) -> NoReturn:
    raise NeedsTransaction(what)
