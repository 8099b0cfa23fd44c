"""What the console's HTML pages share: log-in redirects, CSRF on forms, flash messages, rendering.

Pages answer a missing session with a redirect to the log-in page and a refused request with a
Chinese page in the console's frame; the JSON API answers with 401/403 JSON instead. The
`ConsoleRoute` class makes that difference in one place, so page routes only declare what they
need (`PageStaffDep`, `FormStaffDep`) and stay thin.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from datetime import UTC, datetime
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, Form, HTTPException, Request, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.routing import APIRoute
from fastapi.templating import Jinja2Templates

from api.console.auth import check_csrf, csrf_token, current_staff
from bot.deadlines import CHINA
from bot.queue_types import (
    ConflictError,
    NotAllowedError,
    NotFoundError,
    QueueError,
    QueueName,
    Staff,
)

LOGIN_PATH = "/console/login"
HOME = "/console"
_FLASH = "flash"


class LoginRequiredError(Exception):
    """Raised by page dependencies; `ConsoleRoute` turns it into a redirect to the log-in page."""


class ConsoleRoute(APIRoute):
    """A page route: no session → log-in page; an HTTP error → the console's error page."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def guarded(request: Request) -> Response:
            try:
                return await handler(request)
            except LoginRequiredError:
                return redirect(login_url(request))
            except HTTPException as exc:
                return await run_in_threadpool(problem, request, exc.status_code, str(exc.detail))

        return guarded


def page_staff(request: Request) -> Staff:
    staff = current_staff(request)
    if staff is None:
        raise LoginRequiredError
    return staff


def form_staff(
    request: Request,
    staff: Annotated[Staff, Depends(page_staff)],
    csrf: Annotated[str, Form()] = "",
) -> Staff:
    """The signed-in staff member behind a form that carries the session's CSRF token.

    Log-in is checked first, so an expired session leads to the log-in page, not to a 403."""
    check_csrf(request, csrf)
    return staff


PageStaffDep = Annotated[Staff, Depends(page_staff)]
FormStaffDep = Annotated[Staff, Depends(form_staff)]


def redirect(url: str) -> RedirectResponse:
    # 303: after a POST the browser fetches the next page with GET (no resubmission on reload).
    return RedirectResponse(url, status.HTTP_303_SEE_OTHER)


def safe_next(target: str | None) -> str:
    """Only console paths of this site: `next` must never become an open redirect."""
    if target and target.startswith(HOME) and "//" not in target and "\\" not in target:
        return target
    return HOME


def login_url(request: Request) -> str:
    wanted = request.url.path
    if request.method == "GET" and request.url.query:
        wanted += "?" + request.url.query
    if request.method != "GET" or wanted == HOME:
        return LOGIN_PATH
    return f"{LOGIN_PATH}?next={quote(wanted, safe='')}"


def flash(request: Request, text: str, *, error: bool = False) -> None:
    """A message for the next page (kept in the signed session across the redirect)."""
    request.session[_FLASH] = ["error" if error else "message", text]


def _pop_flash(request: Request) -> dict[str, str]:
    kept = request.session.pop(_FLASH, None)
    if isinstance(kept, list) and len(kept) == 2:
        return {str(kept[0]): str(kept[1])}
    return {}


def render(
    request: Request,
    template: str,
    staff: Staff | None,
    *,
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    templates: Jinja2Templates = request.app.state.templates
    page: dict[str, Any] = {
        "staff": staff,
        "csrf": csrf_token(request) if staff else "",
        "message": None,
        "error": None,
        "local_time": local_time,
    }
    page.update(_pop_flash(request))
    page.update({k: v for k, v in context.items() if v is not None})
    return templates.TemplateResponse(request, template, page, status_code=status_code)


def problem(request: Request, status_code: int, detail: str) -> HTMLResponse:
    """A refused or impossible request, in the console's frame (403, 404, 409, 422…)."""
    staff = current_staff(request)
    return render(
        request,
        "console/problem.html",
        staff,
        status_code=status_code,
        code=status_code,
        detail=detail,
    )


def status_of(exc: QueueError) -> int:
    if isinstance(exc, NotFoundError):
        return status.HTTP_404_NOT_FOUND
    if isinstance(exc, NotAllowedError):
        return status.HTTP_403_FORBIDDEN
    if isinstance(exc, ConflictError):
        return status.HTTP_409_CONFLICT
    return status.HTTP_422_UNPROCESSABLE_CONTENT


def default_queue(staff: Staff) -> QueueName:
    # An admin belongs to a department too, but looks after all of them.
    return QueueName.ALL if staff.is_admin else QueueName.DEPARTMENT


def parse_queue(name: str, staff: Staff) -> QueueName:
    if not name:
        return default_queue(staff)
    try:
        return QueueName(name)
    except ValueError:
        valid = "、".join(f"{q.value}（{q.label}）" for q in QueueName)
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT, f"没有“{name}”这个队列，可选：{valid}"
        ) from None


def local_time(moment: datetime | str | None) -> str:
    """Times as staff read them: China's clock, to the minute. Transcripts keep ISO strings;
    one that does not parse is shown as it is."""
    if moment is None:
        return "—"
    if isinstance(moment, str):
        try:
            return local_time(datetime.fromisoformat(moment))
        except ValueError:
            return moment
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)  # the stores write UTC
    return moment.astimezone(CHINA).strftime("%Y-%m-%d %H:%M")
