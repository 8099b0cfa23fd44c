"""The consultation page: everything about one consultation, and the forms that act on it.

Each form posts to its own route. Success redirects back with a message (so a reload does not
post again); a refused action shows the page again with the reason and with what the staff
member typed, so a long reply is never lost to a conflict or a length limit.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import Response

from api.console.auth import QueueDep
from api.console.labels import LABELS, label
from api.console.web import (
    HOME,
    ConsoleRoute,
    FormStaffDep,
    PageStaffDep,
    flash,
    redirect,
    render,
    status_of,
)
from bot.consultations import ConsultationStatus
from bot.queue import MAX_NOTE, MAX_REPLY, ConsultationQueue
from bot.queue_types import ConsultationView, NotAllowedError, NotFoundError, QueueError, Staff

router = APIRouter(route_class=ConsoleRoute, include_in_schema=False)
FINISHED = (ConsultationStatus.CLOSED, ConsultationStatus.WITHDRAWN)
# Generous bounds on what a form may carry; the queue gives the precise, readable limits.
FormText = Annotated[str, Form(max_length=1_000_000)]


@dataclass(frozen=True)
class Draft:
    """What the staff member typed, shown again when an action is refused."""

    reply: str = ""
    note: str = ""
    department: str = ""
    reason: str = ""


@router.get("/console/c/{number}")
def consultation_page(
    request: Request, number: str, staff: PageStaffDep, queue: QueueDep
) -> Response:
    return show(request, staff, queue, number)


@router.post("/console/c/{number}/claim")
def claim(request: Request, number: str, staff: FormStaffDep, queue: QueueDep) -> Response:
    return act(request, staff, queue, number, partial(queue.claim, number, staff), "已认领")


@router.post("/console/c/{number}/reply")
def reply(
    request: Request, number: str, staff: FormStaffDep, queue: QueueDep, text: FormText = ""
) -> Response:
    change = partial(queue.reply, number, staff, text)
    done = "答复已保存，正在发送给群众"
    return act(request, staff, queue, number, change, done, Draft(reply=text))


@router.post("/console/c/{number}/note")
def note(
    request: Request, number: str, staff: FormStaffDep, queue: QueueDep, text: FormText = ""
) -> Response:
    change = partial(queue.note, number, staff, text)
    return act(request, staff, queue, number, change, "内部备注已保存", Draft(note=text))


@router.post("/console/c/{number}/transfer")
def transfer(
    request: Request,
    number: str,
    staff: FormStaffDep,
    queue: QueueDep,
    department: FormText = "",
    reason: FormText = "",
) -> Response:
    draft = Draft(department=department, reason=reason)
    try:
        moved = queue.transfer(number, staff, department, reason)
    except QueueError as exc:
        return refused(request, staff, queue, number, exc, draft)
    flash(request, f"咨询 {moved.number} 已转至{moved.department}")
    # After a transfer the consultation usually belongs to a department this person cannot see.
    return redirect(_page_of(moved) if staff.may_see(moved.department) else HOME)


@router.post("/console/c/{number}/close")
def close(request: Request, number: str, staff: FormStaffDep, queue: QueueDep) -> Response:
    return act(request, staff, queue, number, partial(queue.close, number, staff), "咨询已关闭")


@router.post("/console/c/{number}/reopen")
def reopen(request: Request, number: str, staff: FormStaffDep, queue: QueueDep) -> Response:
    change = partial(queue.reopen, number, staff)
    return act(request, staff, queue, number, change, "咨询已重新打开")


def act(
    request: Request,
    staff: Staff,
    queue: ConsultationQueue,
    number: str,
    change: Callable[[], ConsultationView],
    done: str,
    draft: Draft | None = None,
) -> Response:
    try:
        view = change()
    except QueueError as exc:
        return refused(request, staff, queue, number, exc, draft or Draft())
    flash(request, done)
    return redirect(_page_of(view))


def refused(
    request: Request,
    staff: Staff,
    queue: ConsultationQueue,
    number: str,
    exc: QueueError,
    draft: Draft,
) -> Response:
    if isinstance(exc, (NotAllowedError, NotFoundError)):
        raise HTTPException(status_of(exc), str(exc)) from exc
    code = status_of(exc)
    return show(request, staff, queue, number, error=str(exc), status_code=code, draft=draft)


def show(
    request: Request,
    staff: Staff,
    queue: ConsultationQueue,
    number: str,
    *,
    error: str | None = None,
    status_code: int = 200,
    draft: Draft | None = None,
) -> Response:
    try:
        view = queue.get(number, staff)
    except QueueError as exc:
        raise HTTPException(status_of(exc), str(exc)) from exc
    taxonomy = request.app.state.knowledge.taxonomy
    event = taxonomy.resolve(view.life_event) if view.life_event else None
    finished = view.status in FINISHED
    context = {
        "c": view,
        "error": error,
        "draft": draft or Draft(),
        "life_event": event.name if event else view.life_event,
        "departments": [d for d in queue.departments if d != view.department],
        "finished": finished,
        "may_claim": not view.assignee and not finished,
        "may_reopen": view.status in (ConsultationStatus.CLOSED, ConsultationStatus.ANSWERED),
        "max_reply": MAX_REPLY,
        "max_note": MAX_NOTE,
        "labels": LABELS,
        "label": label,
    }
    return render(request, "console/consultation.html", staff, status_code=status_code, **context)


def _page_of(view: ConsultationView) -> str:
    return f"/console/c/{view.number}"
