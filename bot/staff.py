"""Staff accounts: argon2-hashed passwords (pwdlib), lock-out after repeated failures."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from pwdlib import PasswordHash

from bot.queue_types import QueueError, Role, Staff
from bot.store.queue_repository import QueueStore

_USERNAME = re.compile(r"^[A-Za-z0-9_.-]{3,50}$")
MIN_PASSWORD = 10


class LoginError(Exception):
    """Wrong name or password, or a locked account; the message is safe to show."""


@dataclass(frozen=True)
class LoginPolicy:
    max_failures: int = 5
    lock: timedelta = timedelta(minutes=15)


def _utcnow() -> datetime:
    return datetime.now(UTC)


class StaffDirectory:
    def __init__(
        self,
        store: QueueStore,
        departments: frozenset[str],
        policy: LoginPolicy | None = None,
        clock: Callable[[], datetime] = _utcnow,
    ) -> None:
        self._store = store
        self._departments = departments
        self._policy = policy or LoginPolicy()
        self._clock = clock
        self._hasher = PasswordHash.recommended()  # argon2id

    def create(
        self, username: str, display_name: str, department: str, role: Role, password: str
    ) -> Staff:
        if not _USERNAME.match(username):
            raise QueueError("用户名只能用 3 到 50 个字母、数字或 _ . -")
        if department not in self._departments:
            raise QueueError(f"没有“{department}”这个部门")
        if len(password) < MIN_PASSWORD:
            raise QueueError(f"密码至少 {MIN_PASSWORD} 个字符")
        with self._store.unit() as unit:
            if unit.credentials(username) is not None:
                raise QueueError(f"用户名 {username} 已存在")
            staff = unit.add_staff(
                username, display_name or username, department, role, self._hasher.hash(password)
            )
            unit.audit("system", "create_staff", username, role=role.value)
            return staff

    def set_password(self, username: str, password: str) -> None:
        if len(password) < MIN_PASSWORD:
            raise QueueError(f"密码至少 {MIN_PASSWORD} 个字符")
        with self._store.unit() as unit:
            if not unit.set_password(username, self._hasher.hash(password)):
                raise QueueError(f"没有用户 {username}")
            unit.audit("system", "set_password", username)

    def authenticate(self, username: str, password: str) -> Staff:
        # The failure is committed before the error is raised: raising inside the transaction
        # would roll back the very count that leads to the lock-out.
        now = self._clock()
        with self._store.unit() as unit:
            found = unit.credentials(username.strip())
            if found is None or not found.active:
                # Hash anyway: a wrong name takes as long as a wrong password.
                self._hasher.verify(password, _DUMMY_HASH)
                outcome: Staff | str = _WRONG
            elif found.locked_until and found.locked_until > now:
                outcome = _LOCKED
            elif not self._hasher.verify(password, found.password_hash):
                failures = found.failed_logins + 1
                locked = now + self._policy.lock if failures >= self._policy.max_failures else None
                unit.record_login(found.staff.username, ok=False, locked_until=locked)
                unit.audit(found.staff.username, "login_failed", failures=str(failures))
                outcome = _LOCKED if locked else _WRONG
            else:
                unit.record_login(found.staff.username, ok=True, locked_until=None)
                unit.audit(found.staff.username, "login")
                outcome = found.staff
        if isinstance(outcome, str):
            raise LoginError(outcome)
        return outcome

    def get(self, staff_id: int) -> Staff | None:
        with self._store.unit() as unit:
            return unit.staff(staff_id)


_DUMMY_HASH = PasswordHash.recommended().hash("not a real password")
_WRONG = "用户名或密码不正确"
_LOCKED = "登录失败次数过多，账号已临时锁定，请稍后再试或联系管理员"
