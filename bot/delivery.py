"""Delivering staff replies from the outbox to the user's channel, once, with retries.

A reply is written to the outbox in the reply's own transaction; this deliverer takes due rows
(locked, so two deliverers never take the same one), sends each through its channel's sender
with the row's idempotency key, and records the outcome in the same transaction. A failure is
retried with growing pauses; after the last attempt the delivery is marked failed, which the
consultation page shows.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol

from bot.store.queue_repository import QueueStore, QueueUnit, mark_failed, mark_sent

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 3
FIRST_PAUSE = timedelta(seconds=30)


class DeliveryError(Exception):
    """A channel refused or failed a delivery; the message says why, for the console."""


@dataclass(frozen=True)
class Delivery:
    key: str  # idempotency key: the same delivery sent twice reaches the user once
    channel: str
    user_id: str
    text: str
    number: str  # the consultation's number


class Sender(Protocol):
    """One channel's way to reach a user outside a reply (web notice, WeChat push, Telegram).

    Raises `DeliveryError` when the channel refuses or fails; must be idempotent by `key`.
    """

    def send(self, unit: QueueUnit, delivery: Delivery) -> None: ...


class WebNoticeSender:
    """The web chat polls notices: delivering is storing one, unique by the key."""

    def send(self, unit: QueueUnit, delivery: Delivery) -> None:
        unit.post_web_notice(
            delivery.channel, delivery.user_id, delivery.text, delivery.number, delivery.key
        )


@dataclass
class DeliveryReport:
    sent: int = 0
    retried: int = 0
    failed: int = 0


def _utcnow() -> datetime:
    return datetime.now(UTC)


class Deliverer:
    def __init__(
        self,
        store: QueueStore,
        senders: Mapping[str, Sender],
        clock: Callable[[], datetime] = _utcnow,
    ) -> None:
        self._store = store
        self._senders = senders
        self._clock = clock
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def run_once(self, limit: int = 50) -> DeliveryReport:
        report = DeliveryReport()
        now = self._clock()
        with self._store.unit() as unit:
            for delivery in unit.due_deliveries(now, limit):
                sender = self._senders.get(delivery.channel)
                message = Delivery(
                    delivery.key,
                    delivery.channel,
                    delivery.user_id,
                    delivery.text,
                    unit.number_of(delivery.consultation_id),
                )
                try:
                    if sender is None:
                        raise DeliveryError(f"没有“{delivery.channel}”渠道的发送方式")
                    sender.send(unit, message)
                except DeliveryError as exc:
                    retry_at = _retry_at(now, delivery.attempts + 1)
                    mark_failed(unit, delivery, str(exc), retry_at)
                    report.failed += retry_at is None
                    report.retried += retry_at is not None
                    continue
                mark_sent(unit, delivery, now)
                report.sent += 1
        return report

    def start(self, interval: float) -> None:
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._loop, args=(interval,), name="deliverer", daemon=True
            )
            self._thread.start()

    def _loop(self, interval: float) -> None:
        while not self._stop.wait(interval):
            try:
                self.run_once()
            except Exception:  # the next tick tries again; nothing is lost from the outbox
                log.exception("delivery round failed")

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)


def _retry_at(now: datetime, attempts: int) -> datetime | None:
    if attempts >= MAX_ATTEMPTS:
        return None
    pause: timedelta = FIRST_PAUSE * 4 ** (attempts - 1)
    return now + pause
