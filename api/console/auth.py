"""Staff sessions and CSRF for the console.

The session is a signed cookie (itsdangerous, via Starlette's SessionMiddleware): HttpOnly,
SameSite=Lax, Secure behind HTTPS, expiring after `staff_session_hours`. It holds the staff id,
the time of log-in and a CSRF token; every form and every JSON change must send that token back
(a hidden `csrf` field, or the `X-CSRF-Token` header).
"""

from __future__ import annotations

import hmac
import secrets
import time
from typing import Annotated

from fastapi import Depends, Header, HTTPException, Request, status

from bot.queue import ConsultationQueue
from bot.queue_types import Role, Staff
from bot.staff import StaffDirectory

SESSION_STAFF = "staff_id"
SESSION_SINCE = "since"
SESSION_CSRF = "csrf"


def directory(request: Request) -> StaffDirectory:
    staff: StaffDirectory = request.app.state.queue.staff
    return staff


def queue(request: Request) -> ConsultationQueue:
    consultations: ConsultationQueue = request.app.state.queue.queue
    return consultations


def current_staff(request: Request) -> Staff | None:
    session = request.session
    staff_id, since = session.get(SESSION_STAFF), session.get(SESSION_SINCE)
    if not isinstance(staff_id, int) or not isinstance(since, (int, float)):
        return None
    max_age = request.app.state.settings.staff_session_hours * 3600
    if time.time() - since > max_age:
        session.clear()
        return None
    return directory(request).get(staff_id)


def sign_in(request: Request, staff: Staff) -> None:
    request.session.clear()  # a fresh session at log-in: no fixation
    request.session.update(
        {
            SESSION_STAFF: staff.id,
            SESSION_SINCE: int(time.time()),
            SESSION_CSRF: secrets.token_urlsafe(24),
        }
    )


def sign_out(request: Request) -> None:
    request.session.clear()


def csrf_token(request: Request) -> str:
    token = request.session.get(SESSION_CSRF)
    if not isinstance(token, str):
        token = secrets.token_urlsafe(24)
        request.session[SESSION_CSRF] = token
    return token


def check_csrf(request: Request, sent: str | None) -> None:
    expected = request.session.get(SESSION_CSRF)
    if not isinstance(expected, str) or not sent or not hmac.compare_digest(expected, sent):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "缺少或错误的 CSRF 令牌，请刷新页面后重试")


def require_staff(request: Request) -> Staff:
    """For the JSON API: 401 without a valid staff session."""
    staff = current_staff(request)
    if staff is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "请先以工作人员身份登录")
    return staff


def require_csrf_header(
    request: Request, x_csrf_token: Annotated[str | None, Header()] = None
) -> None:
    check_csrf(request, x_csrf_token)


def require_role(*roles: Role):  # type: ignore[no-untyped-def]
    def dependency(staff: Annotated[Staff, Depends(require_staff)]) -> Staff:
        if staff.role not in roles and staff.role is not Role.ADMIN:
            raise HTTPException(status.HTTP_403_FORBIDDEN, "您没有执行此操作的权限")
        return staff

    return dependency


StaffDep = Annotated[Staff, Depends(require_staff)]
QueueDep = Annotated[ConsultationQueue, Depends(queue)]
DirectoryDep = Annotated[StaffDirectory, Depends(directory)]
CsrfHeaderDep = Annotated[None, Depends(require_csrf_header)]
