"""Console pages of FAQ review: a draft from a reply, the review queue, one draft, decisions.

Like the consultation pages, a refused action shows its page again with the reason and with what
was typed (a long answer is never lost to a rule), and success redirects with a message.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, HTTPException, Request, status
from fastapi.responses import Response

from api.console.auth import QueueDep
from api.console.review_desk import ReviewDeskDep, actor_of, reply_source
from api.console.review_views import case_context, form_context, queue_context
from api.console.web import ConsoleRoute, FormStaffDep, PageStaffDep, flash, redirect, render
from api.console.web import status_of as queue_status
from bot.queue import ConsultationQueue
from bot.queue_types import ConsultationView, QueueError, Staff
from knowledge.errors import RecordNotFoundError
from knowledge.review import ReviewDesk
from knowledge.review_types import (
    DraftForm,
    DraftInvalidError,
    ReplySource,
    ReviewCase,
    ReviewConflictError,
    ReviewError,
    ReviewNotAllowedError,
    level_label,
)

router = APIRouter(route_class=ConsoleRoute, include_in_schema=False)
# Generous bounds on what a form may carry; the desk gives the precise, readable limits.
LongText = Annotated[str, Form(max_length=1_000_000)]
ShortText = Annotated[str, Form(max_length=1_000)]
QUEUE_PATH = "/console/reviews"


def draft_form(
    question: LongText = "",
    answer: LongText = "",
    alt_questions: LongText = "",
    life_events: Annotated[list[str] | None, Form(max_length=100)] = None,
    department: ShortText = "",
    audience: ShortText = "individual",
    policy_id: ShortText = "",
) -> DraftForm:
    """The draft form's fields; other phrasings are typed one per line."""
    return DraftForm(
        question=question,
        answer=answer,
        alt_questions=tuple(line.strip() for line in alt_questions.splitlines() if line.strip()),
        life_events=tuple(life_events or ()),
        department=department,
        audience=audience,
        policy_id=policy_id,
    )


DraftFormDep = Annotated[DraftForm, Depends(draft_form)]


# -- drafting from a reply -------------------------------------------------------------------


@router.get("/console/c/{number}/faq-draft")
def new_draft_page(
    request: Request, number: str, staff: PageStaffDep, queue: QueueDep, desk: ReviewDeskDep
) -> Response:
    source = reply_source(_consultation(queue, number, staff))
    context = form_context(desk, desk.prefill(source), source=source)
    return render(request, "console/review_form.html", staff, **context)


@router.post("/console/c/{number}/faq-draft")
def create_draft(
    request: Request,
    number: str,
    staff: FormStaffDep,
    queue: QueueDep,
    desk: ReviewDeskDep,
    form: DraftFormDep,
) -> Response:
    source = reply_source(_consultation(queue, number, staff))
    try:
        case = desk.create_draft(source, form, actor_of(staff))
    except ReviewError as exc:
        return _form_again(request, staff, desk, form, exc, source=source)
    flash(request, f"问答草稿 {case.id} 已提交，等待{level_label(1, desk.levels)}审核")
    return redirect(_page_of(case.id))


# -- the queue and one draft -----------------------------------------------------------------


@router.get(QUEUE_PATH)
def queue_page(request: Request, staff: PageStaffDep, desk: ReviewDeskDep) -> Response:
    context = queue_context(desk, desk.queue(actor_of(staff)), actor_of(staff))
    return render(request, "console/review_queue.html", staff, **context)


@router.get("/console/reviews/{record_id}")
def case_page(
    request: Request, record_id: str, staff: PageStaffDep, desk: ReviewDeskDep
) -> Response:
    return _show(request, staff, desk, record_id)


@router.post("/console/reviews/{record_id}/approve")
def approve(
    request: Request,
    record_id: str,
    staff: FormStaffDep,
    desk: ReviewDeskDep,
    comment: LongText = "",
) -> Response:
    def done(case: ReviewCase) -> str:
        if case.next_level is None:
            return "终审通过，问答已发布；机器人的检索索引将在几秒内更新"
        return f"审核通过，等待{level_label(case.next_level, desk.levels)}审核"

    change = partial(desk.approve, record_id, actor_of(staff), comment)
    return _decide(request, staff, desk, record_id, change, done, comment)


@router.post("/console/reviews/{record_id}/reject")
def reject(
    request: Request,
    record_id: str,
    staff: FormStaffDep,
    desk: ReviewDeskDep,
    comment: LongText = "",
) -> Response:
    change = partial(desk.reject, record_id, actor_of(staff), comment)
    return _decide(request, staff, desk, record_id, change, lambda _: "已退回作者修改", comment)


# -- the author's edit -----------------------------------------------------------------------


@router.get("/console/reviews/{record_id}/edit")
def edit_page(
    request: Request, record_id: str, staff: PageStaffDep, desk: ReviewDeskDep
) -> Response:
    case = _case(desk, record_id)
    if case.author != staff.username:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "只有作者本人可以修改这条问答")
    context = form_context(desk, desk.form_of(case), case=case)
    return render(request, "console/review_form.html", staff, **context)


@router.post("/console/reviews/{record_id}/edit")
def edit(
    request: Request,
    record_id: str,
    staff: FormStaffDep,
    desk: ReviewDeskDep,
    form: DraftFormDep,
) -> Response:
    case = _case(desk, record_id)
    try:
        desk.edit(record_id, form, actor_of(staff))
    except ReviewError as exc:
        return _form_again(request, staff, desk, form, exc, case=case)
    flash(request, f"已保存新版本，重新从{level_label(1, desk.levels)}开始审核")
    return redirect(_page_of(record_id))


# -- helpers ---------------------------------------------------------------------------------


def _decide(
    request: Request,
    staff: Staff,
    desk: ReviewDesk,
    record_id: str,
    change: Callable[[], ReviewCase],
    done: Callable[[ReviewCase], str],
    comment: str,
) -> Response:
    try:
        case = change()
    except RecordNotFoundError as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, str(exc)) from exc
    except ReviewError as exc:
        return _show(request, staff, desk, record_id, error=exc, comment=comment)
    flash(request, done(case))
    return redirect(_page_of(record_id))


def _show(
    request: Request,
    staff: Staff,
    desk: ReviewDesk,
    record_id: str,
    *,
    error: ReviewError | None = None,
    comment: str = "",
) -> Response:
    case = _case(desk, record_id, with_history=True)
    policy_id = case.origin.policy_id if case.origin else ""
    policy = (
        request.app.state.knowledge.store.find([policy_id]).get(policy_id) if policy_id else None
    )
    context: dict[str, Any] = case_context(desk, case, actor_of(staff), policy)
    context |= {"comment": comment, "error": str(error) if error else None}
    code = _status(error) if error else status.HTTP_200_OK
    return render(request, "console/review_case.html", staff, status_code=code, **context)


def _form_again(
    request: Request,
    staff: Staff,
    desk: ReviewDesk,
    form: DraftForm,
    exc: ReviewError,
    *,
    source: ReplySource | None = None,
    case: ReviewCase | None = None,
) -> Response:
    problems = exc.problems if isinstance(exc, DraftInvalidError) else [str(exc)]
    context = form_context(desk, form, source=source, case=case, problems=problems)
    code = _status(exc)
    return render(request, "console/review_form.html", staff, status_code=code, **context)


def _consultation(queue: ConsultationQueue, number: str, staff: Staff) -> ConsultationView:
    try:
        return queue.get(number, staff)
    except QueueError as exc:
        raise HTTPException(queue_status(exc), str(exc)) from exc


def _case(desk: ReviewDesk, record_id: str, *, with_history: bool = False) -> ReviewCase:
    try:
        return desk.case(record_id, with_history=with_history)
    except RecordNotFoundError as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, str(exc)) from exc


def _status(exc: ReviewError) -> int:
    if isinstance(exc, ReviewNotAllowedError):
        return status.HTTP_403_FORBIDDEN
    if isinstance(exc, ReviewConflictError):
        return status.HTTP_409_CONFLICT
    return status.HTTP_422_UNPROCESSABLE_CONTENT


def _page_of(record_id: str) -> str:
    return f"{QUEUE_PATH}/{record_id}"
