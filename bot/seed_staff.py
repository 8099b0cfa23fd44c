"""The staff accounts of the seeded data set: two per department that receives consultations,
and one administrator of the disclosure office."""

from __future__ import annotations

import random

from pwdlib import PasswordHash

from bot.queue_types import Role, Staff
from bot.seed_questions import ADMIN_DEPARTMENT, GIVEN, SURNAMES
from bot.store.queue_repository import QueueStore


class SeedStaff:
    def __init__(
        self,
        store: QueueStore,
        departments: frozenset[str],
        password: str,
        rng: random.Random,
    ) -> None:
        self._store = store
        self._departments = sorted(departments)
        # One argon2 hash for every seeded account (they share the password): hashing is slow
        # on purpose, and thirty of them would be most of a small seed's time.
        self._hash = PasswordHash.recommended().hash(password)
        self._rng = rng
        self._by_department: dict[str, list[Staff]] = {}
        self.created: list[str] = []

    def pick(self, department: str) -> Staff:
        return self._rng.choice(self.of(department))

    def admin(self) -> Staff:
        return self.of(ADMIN_DEPARTMENT, Role.ADMIN)[0]

    def of(self, department: str, role: Role = Role.STAFF) -> list[Staff]:
        if department not in self._by_department:
            # Named by the department's place in the list: the same accounts on every run.
            index = self._departments.index(department)
            count = 1 if role is Role.ADMIN else 2
            accounts = [self._account(index, i, department, role) for i in range(count)]
            self._by_department[department] = accounts
        return self._by_department[department]

    def _account(self, index: int, i: int, department: str, role: Role) -> Staff:
        username = "zxadmin" if role is Role.ADMIN else f"zx{index:02d}{'ab'[i]}"
        with self._store.unit() as unit:
            existing = {s.username: s for s in unit.all_staff()}
        if username in existing:  # a second run into the same database reuses the accounts
            return existing[username]
        # Names from their own generator: whether accounts exist must not change the data set.
        names = random.Random(username)
        name = names.choice(SURNAMES) + names.choice(GIVEN)
        with self._store.unit() as unit:
            staff = unit.add_staff(username, name, department, role, self._hash)
            unit.audit("system", "create_staff", username, role=role.value)
        self.created.append(f"{username}（{name}，{department}，{role.label}）")
        return staff
