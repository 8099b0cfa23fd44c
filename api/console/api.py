"""The staff JSON API: the console's consultation queue for scripts and other front ends.

The same signed session cookie as the pages (log in with POST /console/login); every POST must
carry the session's CSRF token in the X-CSRF-Token header (GET /api/console/session gives it).
Without a session: 401; another department's consultation or a bad token: 403; a state that
does not allow the action: 409; bad input: 422 — each with a Chinese `detail`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Request

from api.console.api_models import (
    ConsultationBriefOut,
    ConsultationListOut,
    ConsultationOut,
    NoteIn,
    ReplyIn,
    SessionOut,
    TransferIn,
)
from api.console.auth import CsrfHeaderDep, QueueDep, StaffDep, csrf_token
from api.console.web import parse_queue, status_of
from bot.queue_types import QueueError, Staff

router = APIRouter(prefix="/api/consultations", tags=["consultations"])
session_router = APIRouter(prefix="/api/console", tags=["consultations"])


def writer(staff: StaffDep, _csrf: CsrfHeaderDep) -> Staff:
    """A staff session and its CSRF header, checked in that order (401 before 403)."""
    return staff


WriterDep = Annotated[Staff, Depends(writer)]


@contextmanager
def queue_errors() -> Iterator[None]:
    try:
        yield
    except QueueError as exc:
        raise HTTPException(status_of(exc), str(exc)) from exc


@router.get("")
def list_consultations(
    staff: StaffDep,
    queue: QueueDep,
    name: Annotated[str, Query(alias="queue", max_length=30)] = "",
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> ConsultationListOut:
    chosen = parse_queue(name, staff)
    with queue_errors():
        counts = queue.counts(staff)
        items = queue.listing(chosen, staff, limit, offset)
    return ConsultationListOut(
        queue=chosen.value,
        counts={q.value: n for q, n in counts.items()},
        items=[ConsultationBriefOut.brief(v) for v in items],
    )


@router.get("/{number}")
def get_consultation(number: str, staff: StaffDep, queue: QueueDep) -> ConsultationOut:
    with queue_errors():
        return ConsultationOut.full(queue.get(number, staff))


@router.post("/{number}/claim")
def claim(number: str, staff: WriterDep, queue: QueueDep) -> ConsultationOut:
    with queue_errors():
        return ConsultationOut.full(queue.claim(number, staff))


@router.post("/{number}/reply")
def reply(number: str, body: ReplyIn, staff: WriterDep, queue: QueueDep) -> ConsultationOut:
    with queue_errors():
        return ConsultationOut.full(queue.reply(number, staff, body.text))


@router.post("/{number}/note")
def note(number: str, body: NoteIn, staff: WriterDep, queue: QueueDep) -> ConsultationOut:
    with queue_errors():
        return ConsultationOut.full(queue.note(number, staff, body.text))


@router.post("/{number}/transfer")
def transfer(number: str, body: TransferIn, staff: WriterDep, queue: QueueDep) -> ConsultationOut:
    with queue_errors():
        return ConsultationOut.full(queue.transfer(number, staff, body.department, body.reason))


@router.post("/{number}/close")
def close(number: str, staff: WriterDep, queue: QueueDep) -> ConsultationOut:
    with queue_errors():
        return ConsultationOut.full(queue.close(number, staff))


@router.post("/{number}/reopen")
def reopen(number: str, staff: WriterDep, queue: QueueDep) -> ConsultationOut:
    with queue_errors():
        return ConsultationOut.full(queue.reopen(number, staff))


@session_router.get("/session")
def session(request: Request, staff: StaffDep) -> SessionOut:
    return SessionOut.of(staff, csrf_token(request))
