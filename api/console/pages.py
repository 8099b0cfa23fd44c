"""Console pages: log-in, log-out and the consultation queues."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Header, HTTPException, Query, Request, status
from fastapi.responses import Response

from api.console.auth import DirectoryDep, QueueDep, current_staff, sign_in, sign_out
from api.console.web import (
    HOME,
    LOGIN_PATH,
    ConsoleRoute,
    FormStaffDep,
    PageStaffDep,
    flash,
    parse_queue,
    redirect,
    render,
    safe_next,
)
from bot.queue_types import QueueName
from bot.staff import LoginError

router = APIRouter(route_class=ConsoleRoute, include_in_schema=False)
PAGE_SIZE = 50


@router.get(LOGIN_PATH)
def login_page(request: Request, next_url: Annotated[str, Query(alias="next")] = HOME) -> Response:
    if current_staff(request) is not None:
        return redirect(safe_next(next_url))
    return _login_page(request, next=safe_next(next_url))


@router.post(LOGIN_PATH)
def login(
    request: Request,
    directory: DirectoryDep,
    username: Annotated[str, Form(max_length=100)] = "",
    password: Annotated[str, Form(max_length=1000)] = "",
    next_url: Annotated[str, Form(alias="next")] = HOME,
    sec_fetch_site: Annotated[str | None, Header()] = None,
) -> Response:
    # Log-in has no session to hold a CSRF token yet. Browsers label a form posted from another
    # site "cross-site"; refusing it stops a page elsewhere from logging staff into an account
    # of its choosing, while scripts (which send no such header) can still log in.
    if sec_fetch_site == "cross-site":
        raise HTTPException(status.HTTP_403_FORBIDDEN, "不接受从其他网站提交的登录请求")
    try:
        staff = directory.authenticate(username, password)
    except LoginError as exc:
        return _login_page(
            request,
            status.HTTP_401_UNAUTHORIZED,
            error=str(exc),
            username=username,
            next=safe_next(next_url),
        )
    sign_in(request, staff)
    return redirect(safe_next(next_url))


def _login_page(request: Request, status_code: int = 200, **context: Any) -> Response:
    settings = request.app.state.settings
    lock = {"max_failures": settings.login_max_failures, "minutes": settings.login_lock_minutes}
    return render(
        request, "console/login.html", None, status_code=status_code, lock=lock, **context
    )


@router.post("/console/logout")
def logout(request: Request, _staff: FormStaffDep) -> Response:
    sign_out(request)
    flash(request, "您已安全退出")
    return redirect(LOGIN_PATH)


@router.get(HOME)
def queue_page(
    request: Request,
    staff: PageStaffDep,
    queue: QueueDep,
    name: Annotated[str, Query(alias="queue", max_length=30)] = "",
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
) -> Response:
    chosen = parse_queue(name, staff)
    counts = queue.counts(staff)
    items = queue.listing(chosen, staff, PAGE_SIZE, (page - 1) * PAGE_SIZE)
    pages = max(1, -(-counts[chosen] // PAGE_SIZE))
    context: dict[str, Any] = {
        "queues": list(QueueName),
        "chosen": chosen,
        "counts": counts,
        "items": items,
        "page": page,
        "pages": pages,
    }
    return render(request, "console/queue.html", staff, **context)
