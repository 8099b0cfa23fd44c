"""Helpers the console tests share: staff accounts, consultations, logged-in HTTP clients."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
from itsdangerous import TimestampSigner

from api.main import session_secret
from bot.consultations import NewConsultation
from bot.queue_types import Role
from bot.store.repository import ConversationStore
from bot.wiring import QueueParts, open_queue
from knowledge.store.base import make_session_factory
from knowledge.store.wiring import KnowledgeBase, open_knowledge
from tests.conftest import LIFE_EVENTS, LiveServer

# username -> (display name, department, role, password)
STAFF = {
    "lim": ("李敏", "医疗保障局", Role.STAFF, "password-li-1"),
    "wang": ("王强", "医疗保障局", Role.STAFF, "password-wang-1"),
    "zhao": ("赵婷", "税务局", Role.STAFF, "password-zhao-1"),
    "chief": ("管理员", "政务公开办", Role.ADMIN, "password-admin-1"),
}


@contextmanager
def queue_parts(server: LiveServer) -> Iterator[tuple[KnowledgeBase, QueueParts]]:
    """The queue on the served application's database, as a second worker would see it."""
    kb = open_knowledge(server.settings.database_url, LIFE_EVENTS)
    try:
        yield kb, open_queue(server.settings, kb)
    finally:
        kb.close()


def create_staff(parts: QueueParts, people: dict[str, tuple[str, str, Role, str]]) -> None:
    for username, (name, department, role, password) in people.items():
        parts.staff.create(username, name, department, role, password)


def open_consultation(
    kb: KnowledgeBase,
    department: str = "医疗保障局",
    question: str = "异地住院怎么报销？",
    user: str = "citizen-1",
) -> str:
    """A consultation as the conversation engine opens it (the web chat's own path is covered
    by the browser test)."""
    conversations = ConversationStore(make_session_factory(kb.engine))
    with conversations.unit() as unit:
        return unit.consultations.open(
            NewConsultation(
                channel="web",
                user_id=user,
                question=question,
                transcript=(("user", question, "2026-11-16T10:00:00+08:00"),),
                candidates=(("medical-faq-cross-province", "跨省异地就医直接结算怎么办理？"),),
                audience="individual",
                life_event="medical",
                department=department,
                reason="asked",
            )
        )


def log_in(server: LiveServer, username: str, password: str = "") -> httpx.Client:
    """An HTTP client with a staff session and the X-CSRF-Token header, as an API client gets
    them: POST /console/login, then GET /api/console/session."""
    client = httpx.Client(base_url=server.url, timeout=10)
    password = password or STAFF[username][3]
    answer = client.post("/console/login", data={"username": username, "password": password})
    assert answer.status_code == 303, answer.text
    session = client.get("/api/console/session")
    assert session.status_code == 200
    client.headers["X-CSRF-Token"] = session.json()["csrf"]
    return client


def forged_session(server: LiveServer, session: dict[str, object], signed_ago: float) -> str:
    """A session cookie as the server itself would have signed it `signed_ago` seconds ago."""

    class Backdated(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(time.time() - signed_ago)

    payload = base64.b64encode(json.dumps(session).encode("utf-8"))
    signer = Backdated(session_secret(server.settings))
    return signer.sign(payload).decode("utf-8")
