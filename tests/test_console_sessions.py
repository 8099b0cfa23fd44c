"""Staff sessions over real HTTP: wrong passwords and lock-out, expiry, the session endpoint."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import closing

import httpx
import pytest

from bot.queue_types import Role
from tests.conftest import LiveServer
from tests.console_support import STAFF, create_staff, forged_session, log_in, queue_parts


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    database = tmp_path_factory.mktemp("console-sessions") / "console.db"
    with LiveServer(f"sqlite:///{database}") as live:
        with queue_parts(live) as (_, parts):
            create_staff(parts, {"chief": STAFF["chief"]})
        yield live


def test_a_wrong_password_is_401_and_five_failures_lock_the_account(server: LiveServer) -> None:
    with queue_parts(server) as (_, parts):
        parts.staff.create("liu", "刘洋", "医疗保障局", Role.STAFF, "password-liu-1")

    def attempt(password: str) -> httpx.Response:
        form = {"username": "liu", "password": password}
        return httpx.post(f"{server.url}/console/login", data=form, timeout=10)

    first = attempt("wrong-password")
    assert first.status_code == 401 and "用户名或密码不正确" in first.text
    assert "pa_staff" not in first.cookies
    failures = [attempt("wrong-password") for _ in range(4)]
    assert [f.status_code for f in failures] == [401] * 4
    assert "账号已临时锁定" in failures[-1].text

    sixth = attempt("password-liu-1")  # the right password, but the account is locked

    assert sixth.status_code == 401
    assert "账号已临时锁定" in sixth.text and "pa_staff" not in sixth.cookies


def test_an_expired_session_is_401(server: LiveServer) -> None:
    with queue_parts(server) as (_, parts), parts.store.unit() as unit:
        staff_id = next(s.id for s in unit.all_staff() if s.username == "chief")
    hours = server.settings.staff_session_hours
    old_login = {"staff_id": staff_id, "since": int(time.time()) - hours * 3600 - 60, "csrf": "t"}
    fresh_login = {**old_login, "since": int(time.time())}

    def ask(cookie: str) -> int:
        with httpx.Client(base_url=server.url, cookies={"pa_staff": cookie}) as client:
            return client.get("/api/consultations").status_code

    # A control: the same forged cookie with a recent log-in is accepted.
    assert ask(forged_session(server, fresh_login, signed_ago=0)) == 200
    # Signed long ago: the cookie itself has expired.
    assert ask(forged_session(server, fresh_login, signed_ago=hours * 3600 + 60)) == 401
    # Kept alive by activity, but the log-in is older than staff_session_hours.
    assert ask(forged_session(server, old_login, signed_ago=0)) == 401


def test_the_session_endpoint_gives_the_csrf_token(server: LiveServer) -> None:
    with closing(log_in(server, "chief")) as chief:
        session = chief.get("/api/console/session").json()
        assert session["username"] == "chief" and session["role"] == "admin"
        assert session["csrf"] == chief.headers["X-CSRF-Token"]
        assert chief.post("/api/consultations/ZX000000999999/close").status_code == 404
