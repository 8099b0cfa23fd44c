"""A realistic data set of consultations for the reports (`manage.py seed-consultations`).

The history is made through the real code: the desk opens each consultation, staff claim, reply,
transfer, close and reopen through `ConsultationQueue`, the deliverer sends the replies, citizens
rate through the desk. Only the moments are simulated: the queue and the deliverer run on a clock
set to each simulated moment, and rows the code stamps with the wall clock are moved back by the
seed store. The same seed and end give the same data set.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta

from bot.consultations import NewConsultation
from bot.delivery import Deliverer, Delivery, Sender, WebNoticeSender
from bot.queue import ConsultationQueue
from bot.queue_types import Staff
from bot.seed_messages import Question, Writer
from bot.seed_questions import (
    PACE,
    REASONS,
    REPLIES,
    ROUTED_TO,
    TRANSFER_REASONS,
    TRANSFERS,
)
from bot.seed_staff import SeedStaff
from bot.seed_time import SimClock, SimTime, previous_quarter_start
from bot.store.queue_repository import QueueStore, QueueUnit
from bot.store.repository import ConversationStore
from bot.store.seed_repository import SeedStore
from bot.wiring import QueueParts
from config.taxonomy import Taxonomy


@dataclass(frozen=True)
class SeedPlan:
    end: datetime  # the simulated "now": nothing happens after it
    count: int = 600
    seed: int = 2026
    bot_per_consultation: float = 3.0  # conversations the bot answered itself, per consultation

    @property
    def start(self) -> datetime:
        """The start of the previous quarter: two quarters of history, the last one running."""
        day = previous_quarter_start(self.end.astimezone(UTC).date())
        return datetime.combine(day, time.min, tzinfo=UTC) - timedelta(hours=8)


@dataclass(frozen=True)
class SeedParts:
    store: QueueStore
    conversations: ConversationStore
    seeds: SeedStore
    departments: frozenset[str]
    taxonomy: Taxonomy


@dataclass
class SeedSummary:
    start: datetime
    end: datetime
    consultations: int = 0
    messages: int = 0
    staff: list[str] = field(default_factory=list)
    statuses: Counter[str] = field(default_factory=Counter)


class _Pushed:
    """WeChat and Telegram pushes of the seeded past: they went out (their adapters come later)."""

    def send(self, unit: QueueUnit, delivery: Delivery) -> None:
        return None


@dataclass
class _Timeline:
    """The simulated moments of the rows one consultation's actions write, in order."""

    events: list[datetime] = field(default_factory=list)
    audits: list[datetime] = field(default_factory=list)


def seed_consultations(parts: SeedParts, plan: SeedPlan, password: str) -> SeedSummary:
    return _Seeder(parts, plan, password).run()


class _Seeder:
    def __init__(self, parts: SeedParts, plan: SeedPlan, password: str) -> None:
        self.parts, self.plan, self.password = parts, plan, password
        self.rng = random.Random(plan.seed)
        self.clock = SimClock(plan.start)
        self.time = SimTime(self.rng, parts.store.deadlines.calendar)
        self.queue = ConsultationQueue(parts.store, parts.departments, clock=self.clock)
        pushed: Sender = _Pushed()
        senders = {"web": WebNoticeSender(), "wechat": pushed, "telegram": pushed}
        self.deliverer = Deliverer(parts.store, senders, clock=self.clock)
        self.writer = Writer(self.rng, plan.seed)
        self.wall_start = datetime.now(UTC)  # rows stamped after this get simulated times
        self.summary = SeedSummary(plan.start, plan.end)
        self.people = SeedStaff(parts.store, parts.departments, password, self.rng)

    def run(self) -> SeedSummary:
        self.people.admin()
        events = [e.code for e in self.parts.taxonomy]
        # Every life event at least once, then the common ones more often.
        codes = events + self.rng.choices(events, k=max(0, self.plan.count - len(events)))
        moments = sorted(self.time.asked_at(self.plan.start, self.plan.end) for _ in codes)
        self.rng.shuffle(codes)
        for code, created in zip(codes[: self.plan.count], moments, strict=False):
            self._consultation(code, created)
        for _ in range(round(self.plan.count * self.plan.bot_per_consultation)):
            self.writer.answered_by_bot(self.time, self.plan.start, self.plan.end, events)
        self.parts.seeds.add_messages(self.writer.messages)
        self.summary.messages = len(self.writer.messages)
        self.summary.staff = self.people.created
        return self.summary

    def _consultation(self, code: str, created: datetime) -> None:
        reason = self.rng.choices(list(REASONS), list(REASONS.values()))[0]
        event = self.parts.taxonomy.by_code(code)
        department = event.department
        question = self.writer.question(code)
        if reason == "route":
            department, question = ROUTED_TO, self.writer.question("")
        audience = "individual" if event.group == "个人" or reason == "route" else "enterprise"
        channel = self.writer.channel()
        user = self.writer.user(channel)
        self.writer.before_consultation(channel, user, question.text, reason, created)
        number = self._open(channel, user, question, audience, department, reason, created)
        timeline = _Timeline()
        self._handle(number, channel, user, question.life_event, department, created, timeline)
        last = max([created, *timeline.events])
        self.parts.seeds.restamp(number, self.wall_start, timeline.events, timeline.audits, last)
        self.summary.consultations += 1
        self.summary.statuses[self.queue.get(number, self.people.admin()).status.label] += 1

    def _open(
        self,
        channel: str,
        user: str,
        question: Question,
        audience: str,
        department: str,
        reason: str,
        created: datetime,
    ) -> str:
        # One in twenty questions names no recognisable subject or audience.
        unrecognised = self.rng.random() < 0.05
        at = created.isoformat(timespec="seconds")
        with self.parts.conversations.unit() as unit:
            number = unit.consultations.open(
                NewConsultation(
                    channel=channel,
                    user_id=user,
                    question=question.text,
                    transcript=(
                        ("user", question.text, at),
                        ("bot", "需要为您转人工咨询吗？工作人员将在3个工作日内答复。", at),
                        ("user", "确认转人工", at),
                    ),
                    candidates=(),
                    audience="" if unrecognised else audience,
                    life_event="" if unrecognised else question.life_event,
                    department=department,
                    reason=reason,
                )
            )
        due = self.parts.store.deadlines.due("consultation", created)
        return self.parts.seeds.backdate(number, created, due)

    def _handle(
        self,
        number: str,
        channel: str,
        user: str,
        code: str,
        department: str,
        created: datetime,
        timeline: _Timeline,
    ) -> None:
        pace = PACE.get(department, 1.0)
        fate = self.rng.random()
        if fate < 0.035:
            return  # nobody took it: still waiting
        staff = self.people.pick(department)
        claimed = self.time.later(created, self.time.delay(2.5 * pace))
        if not self._act(claimed, timeline, lambda: self.queue.claim(number, staff)):
            return
        if fate < 0.07:
            return  # claimed and forgotten: in progress, overdue sooner or later
        if fate < 0.10:  # a repeat of an earlier question: closed without a reply
            closed = self.time.later(claimed, self.time.delay(1.0))
            self._act(closed, timeline, lambda: self.queue.close(number, staff))
            return
        target = TRANSFERS.get(code)
        if fate < 0.17 and target and target != department:
            moved = self.time.later(claimed, self.time.delay(1.5))
            reason = self.rng.choice(TRANSFER_REASONS)
            if not self._act(
                moved, timeline, lambda: self.queue.transfer(number, staff, target, reason)
            ):
                return
            department, pace, staff = target, PACE.get(target, 1.0), self.people.pick(target)
            claimed = self.time.later(moved, self.time.delay(2.5 * pace))
            if not self._act(claimed, timeline, lambda: self.queue.claim(number, staff)):
                return
        # One reply in sixteen waits on another office or a document: much later.
        stalled = 8.0 if self.rng.random() < 0.06 else 1.0
        replied = self.time.later(claimed, self.time.delay(4.0 * pace * stalled, 0.9))
        if not self._reply(number, staff, department, replied, timeline):
            return
        self._after_reply(number, channel, user, staff, department, replied, timeline)

    def _after_reply(
        self,
        number: str,
        channel: str,
        user: str,
        staff: Staff,
        department: str,
        replied: datetime,
        timeline: _Timeline,
    ) -> None:
        if self.rng.random() < 0.6:
            good = self.rng.random() < 0.85
            with self.parts.conversations.unit() as unit:
                unit.consultations.rate(channel, user, number, good=good)
        chance = self.rng.random()
        if chance < 0.45:
            closed = self.time.later(replied, self.time.delay(16.0))
            self._act(closed, timeline, lambda: self.queue.close(number, staff))
        elif chance < 0.48:  # the citizen wrote back: reopened and answered again
            reopened = self.time.later(replied, self.time.delay(8.0))
            if self._act(reopened, timeline, lambda: self.queue.reopen(number, staff)):
                again = self.time.later(reopened, self.time.delay(3.0))
                self._reply(number, staff, department, again, timeline)

    def _reply(
        self, number: str, staff: Staff, department: str, at: datetime, timeline: _Timeline
    ) -> bool:
        hotline = "12345"
        text = self.rng.choice(REPLIES).format(hotline=hotline)
        if not self._act(at, timeline, lambda: self.queue.reply(number, staff, text)):
            return False
        sent = at + timedelta(seconds=self.rng.randrange(3, 30))
        self._act(sent, timeline, self.deliverer.run_once, audits=0)
        return True

    def _act(
        self, at: datetime, timeline: _Timeline, action: Callable[[], object], *, audits: int = 1
    ) -> bool:
        """Do `action` at the simulated moment `at`, unless that is after the end."""
        if at >= self.plan.end:
            return False
        self.clock.now = at
        action()
        timeline.events.append(at)
        timeline.audits.extend([at] * audits)
        return True


def seed_parts(
    queue: QueueParts, conversations: ConversationStore, seeds: SeedStore, taxonomy: Taxonomy
) -> SeedParts:
    names = frozenset(d.name for d in queue.departments)
    return SeedParts(queue.store, conversations, seeds, names, taxonomy)
