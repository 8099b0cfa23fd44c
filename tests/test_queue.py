"""The consultation queue on SQLite and PostgreSQL: rights, claims, replies, delivery, deadlines."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest

from bot.consultations import ConsultationStatus, NewConsultation
from bot.deadlines import DeadlinePolicy, Urgency
from bot.delivery import Deliverer, Delivery, DeliveryError, WebNoticeSender
from bot.queue import ConsultationQueue
from bot.queue_types import (
    ConflictError,
    NotAllowedError,
    NotFoundError,
    QueueError,
    QueueName,
    Role,
    Staff,
)
from bot.staff import LoginError, LoginPolicy, StaffDirectory
from bot.store.queue_repository import QueueStore, QueueUnit
from bot.store.repository import ConversationStore
from knowledge.store.base import make_session_factory
from knowledge.store.wiring import KnowledgeBase

DEPARTMENTS = frozenset({"医疗保障局", "税务局", "人力资源和社会保障局"})
MONDAY = datetime(2026, 11, 16, 2, 0, tzinfo=UTC)  # 10:00 in China


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock(MONDAY)


@pytest.fixture
def store(kb: KnowledgeBase) -> QueueStore:
    return QueueStore(make_session_factory(kb.engine), DeadlinePolicy())


@pytest.fixture
def queue(store: QueueStore, clock: Clock) -> ConsultationQueue:
    return ConsultationQueue(store, DEPARTMENTS, clock)


@pytest.fixture
def people(store: QueueStore) -> dict[str, Staff]:
    directory = StaffDirectory(store, DEPARTMENTS)
    return {
        "li": directory.create("lim", "李敏", "医疗保障局", Role.STAFF, "password-li-1"),
        "wang": directory.create("wang", "王强", "医疗保障局", Role.STAFF, "password-wang-1"),
        "zhao": directory.create("zhao", "赵婷", "税务局", Role.STAFF, "password-zhao-1"),
        "admin": directory.create("admin", "管理员", "税务局", Role.ADMIN, "password-admin"),
    }


def open_consultation(kb: KnowledgeBase, user: str = "citizen-1") -> str:
    conversations = ConversationStore(make_session_factory(kb.engine))
    with conversations.unit() as unit:
        return unit.consultations.open(
            NewConsultation(
                "web", user, "异地住院怎么报销？", (("user", "异地住院怎么报销？", "t"),),
                (("medical-faq-cross-province", "跨省就医"),), "individual", "medical",
                "医疗保障局", "asked",
            )
        )  # fmt: skip


def test_a_consultation_reaches_its_department_with_a_deadline(
    kb: KnowledgeBase, queue: ConsultationQueue, people: dict[str, Staff]
) -> None:
    number = open_consultation(kb)

    counts = queue.counts(people["li"])
    assert counts[QueueName.UNASSIGNED] == 1 and counts[QueueName.DEPARTMENT] == 1
    assert queue.counts(people["zhao"])[QueueName.ALL] == 0  # another department
    assert queue.counts(people["admin"])[QueueName.ALL] == 1  # an admin sees all
    view = queue.get(number, people["li"])
    assert view.status is ConsultationStatus.PENDING and view.due_at is not None
    assert view.candidates == (("medical-faq-cross-province", "跨省就医"),)
    with pytest.raises(NotAllowedError):
        queue.get(number, people["zhao"])
    with pytest.raises(NotFoundError):
        queue.get("ZX000000000000", people["li"])


def test_claim_reply_and_the_reply_reaches_the_web_chat_once(
    kb: KnowledgeBase, store: QueueStore, queue: ConsultationQueue, people: dict[str, Staff]
) -> None:
    number = open_consultation(kb, "citizen-2")
    queue.claim(number, people["li"])
    with pytest.raises(ConflictError, match="lim"):
        queue.claim(number, people["wang"])

    view = queue.reply(number, people["li"], "请先办理异地就医备案，<b>出院</b>时直接结算。")
    assert view.status is ConsultationStatus.ANSWERED
    assert [e.kind for e in view.events] == ["created", "claimed", "replied"]
    deliverer = Deliverer(store, {"web": WebNoticeSender()})
    assert deliverer.run_once().sent == 1
    assert deliverer.run_once().sent == 0  # nothing left: never sent twice

    notices = ConversationStore(make_session_factory(kb.engine)).notices_since(
        "web", "citizen-2", 0
    )
    assert len(notices) == 1 and notices[0].consultation_number == number
    assert "<b>出院</b>" in notices[0].text  # stored as text; pages escape it
    assert queue.get(number, people["li"]).deliveries[0].status == "sent"


def test_two_concurrent_claims_exactly_one_wins(
    kb: KnowledgeBase, queue: ConsultationQueue, people: dict[str, Staff]
) -> None:
    number = open_consultation(kb, "citizen-3")
    results: list[str] = []
    barrier = threading.Barrier(2)

    def claim(who: str) -> None:
        barrier.wait()
        try:
            queue.claim(number, people[who])
            results.append(who)
        except ConflictError:
            results.append("lost")

    threads = [threading.Thread(target=claim, args=(who,)) for who in ("li", "wang")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert len(results) == 2 and results.count("lost") == 1
    winner = next(r for r in results if r != "lost")
    assert queue.get(number, people["admin"]).assignee == people[winner].username


class FlakySender:
    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.keys: list[str] = []

    def send(self, unit: QueueUnit, delivery: Delivery) -> None:
        self.keys.append(delivery.key)
        if self.failures > 0:
            self.failures -= 1
            raise DeliveryError("渠道接口超时")


def test_a_delivery_that_fails_three_times_is_visible(
    kb: KnowledgeBase,
    store: QueueStore,
    queue: ConsultationQueue,
    clock: Clock,
    people: dict[str, Staff],
) -> None:
    number = open_consultation(kb, "citizen-4")
    queue.reply(number, people["li"], "答复内容")
    sender = FlakySender(failures=5)
    deliverer = Deliverer(store, {"web": sender}, clock)

    for _ in range(3):
        deliverer.run_once()
        clock.now += timedelta(hours=1)  # past every back-off

    view = queue.get(number, people["li"])
    assert view.deliveries[0].status == "failed" and view.deliveries[0].attempts == 3
    assert "渠道接口超时" in view.deliveries[0].last_error
    assert any(e.kind == "delivery_failed" for e in view.events)
    assert len(set(sender.keys)) == 1  # one idempotency key for every attempt


def test_a_retried_delivery_succeeds_after_a_failure(
    kb: KnowledgeBase,
    store: QueueStore,
    queue: ConsultationQueue,
    clock: Clock,
    people: dict[str, Staff],
) -> None:
    number = open_consultation(kb, "citizen-5")
    queue.reply(number, people["li"], "答复内容")
    deliverer = Deliverer(store, {"web": FlakySender(failures=1)}, clock)

    assert deliverer.run_once().retried == 1
    assert deliverer.run_once().sent == 0  # waiting for its back-off
    clock.now += timedelta(minutes=5)
    assert deliverer.run_once().sent == 1


def test_closed_transfer_reopen_rules(
    kb: KnowledgeBase, queue: ConsultationQueue, people: dict[str, Staff]
) -> None:
    number = open_consultation(kb, "citizen-6")
    with pytest.raises(QueueError, match="没有“外星事务局”这个部门"):
        queue.transfer(number, people["li"], "外星事务局", "不归我们管")
    moved = queue.transfer(number, people["li"], "税务局", "涉及个税扣除")
    assert moved.department == "税务局" and moved.status is ConsultationStatus.PENDING
    with pytest.raises(NotAllowedError):
        queue.get(number, people["li"])  # no longer in 医疗保障局

    queue.close(number, people["zhao"])
    with pytest.raises(ConflictError, match="已关闭"):
        queue.reply(number, people["zhao"], "晚到的答复")
    reopened = queue.reopen(number, people["zhao"])
    assert reopened.status is ConsultationStatus.IN_PROGRESS
    kinds = [e.kind for e in reopened.events]
    assert kinds == ["created", "transferred", "closed", "reopened"]


@pytest.mark.parametrize(("text", "reason"), [("", "不能为空"), ("长" * 100_000, "过长")])
def test_bad_replies_are_refused(
    kb: KnowledgeBase, queue: ConsultationQueue, people: dict[str, Staff], text: str, reason: str
) -> None:
    number = open_consultation(kb, "citizen-7")
    with pytest.raises(QueueError, match=reason):
        queue.reply(number, people["li"], text)


def test_deadlines_and_urgency(
    kb: KnowledgeBase, queue: ConsultationQueue, clock: Clock, people: dict[str, Staff]
) -> None:
    number = open_consultation(kb, "citizen-8")  # created "now" by the real clock
    view = queue.get(number, people["li"])
    assert view.due_at is not None
    clock.now = view.due_at - timedelta(hours=3)
    assert queue.get(number, people["li"]).urgency is Urgency.DUE_SOON
    assert queue.counts(people["li"])[QueueName.DUE_SOON] >= 1
    clock.now = view.due_at + timedelta(minutes=1)
    assert queue.get(number, people["li"]).urgency is Urgency.OVERDUE
    assert queue.counts(people["li"])[QueueName.OVERDUE] >= 1


def test_wrong_passwords_lock_the_account(store: QueueStore, people: dict[str, Staff]) -> None:
    directory = StaffDirectory(store, DEPARTMENTS, LoginPolicy(max_failures=3))
    assert directory.authenticate("lim", "password-li-1").username == "lim"
    for _ in range(2):
        with pytest.raises(LoginError, match="用户名或密码不正确"):
            directory.authenticate("lim", "wrong")
    with pytest.raises(LoginError, match="锁定"):
        directory.authenticate("lim", "wrong")
    with pytest.raises(LoginError, match="锁定"):
        directory.authenticate("lim", "password-li-1")  # even the right one, while locked
    with pytest.raises(LoginError, match="用户名或密码不正确"):
        directory.authenticate("nobody", "password")


def test_staff_accounts_are_validated(store: QueueStore) -> None:
    directory = StaffDirectory(store, DEPARTMENTS)
    with pytest.raises(QueueError, match="密码至少"):
        directory.create("short", "短", "税务局", Role.STAFF, "123")
    with pytest.raises(QueueError, match="没有“火星局”"):
        directory.create("mars", "火", "火星局", Role.STAFF, "long-enough-password")
