"""What citizens wrote in the seeded data set: questions, and the bot's handling of each message.

Every seeded consultation is preceded by the messages that led to it (the question the bot could
not answer, the confirmation); besides them, many more questions the bot answered itself, so
that "answered by the bot" in the report is a real count of `processed_message` rows.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.seed_questions import ASK_FOR_PERSON, PREFIXES, ROUTED, SUBJECTS, SUFFIXES
from bot.seed_time import SimTime
from bot.store.seed_repository import SeedMessage

CHANNELS = ("web", "wechat", "telegram")
CHANNEL_WEIGHTS = (45, 40, 15)


@dataclass(frozen=True)
class Question:
    text: str
    life_event: str  # code, "" for a routed non-policy message
    subject: int  # index of the subject within its event: same subject, same group


class Writer:
    """Questions in varied wordings, and the message rows around them."""

    def __init__(self, rng: random.Random, seed: int) -> None:
        self._rng = rng
        self._seed = seed
        self._serial = 0
        self.messages: list[SeedMessage] = []

    def channel(self) -> str:
        return self._rng.choices(CHANNELS, CHANNEL_WEIGHTS)[0]

    def user(self, channel: str) -> str:
        number = self._rng.randrange(10**8)
        if channel == "wechat":
            return f"oSeed{number:08d}"
        if channel == "telegram":
            return str(5_000_000_000 + number)
        return f"w-{number:08x}"

    def question(self, life_event: str) -> Question:
        subjects = SUBJECTS[life_event] if life_event else ROUTED
        # Earlier subjects are asked more: a few questions make most of the traffic.
        weights = [1.0 / (i + 1) for i in range(len(subjects))]
        index = self._rng.choices(range(len(subjects)), weights)[0]
        wording = self._rng.choice(subjects[index].split("|"))
        text = f"{self._rng.choice(PREFIXES)}{wording}{self._rng.choice(SUFFIXES)}"
        return Question(text, life_event, index)

    def add(self, channel: str, user: str, text: str, action: str, at: datetime) -> None:
        self._serial += 1
        message_id = f"seed-{self._seed}-{self._serial:07d}"
        self.messages.append(SeedMessage(channel, message_id, user, text, action, at))

    def before_consultation(
        self, channel: str, user: str, question: str, reason: str, opened: datetime
    ) -> None:
        """The messages that ended in a consultation opened at `opened`."""
        minute = timedelta(minutes=1)
        if reason == "asked":
            self.add(channel, user, self._rng.choice(ASK_FOR_PERSON), "escalate", opened - minute)
        elif reason == "route":
            self.add(channel, user, question, "route", opened - minute)
        elif reason == "clarify_failed":
            self.add(channel, user, question, "clarify", opened - 2 * minute)
            self.add(channel, user, "都不是", "escalate", opened - minute)
        elif reason == "unhelpful":
            self.add(channel, user, question, "answer", opened - 3 * minute)
            self.add(channel, user, "没用", "feedback", opened - 2 * minute)
            self.add(channel, user, "转人工", "escalate", opened - minute)
        else:
            self.add(channel, user, question, "escalate", opened - minute)
        self.add(channel, user, "确认转人工", "escalate", opened)

    def answered_by_bot(
        self, when: SimTime, start: datetime, end: datetime, events: list[str]
    ) -> None:
        """One conversation the bot handled itself: a greeting now and then, a question answered
        (sometimes after a clarification), now and then a rating."""
        channel = self.channel()
        user = self.user(channel)
        at = when.asked_at(start, end)
        if self._rng.random() < 0.15:
            self.add(channel, user, "你好", "menu", at - timedelta(minutes=2))
        question = self.question(self._rng.choice(events))
        if self._rng.random() < 0.2:
            self.add(channel, user, question.text, "clarify", at)
            at += timedelta(seconds=40)
            self.add(channel, user, str(self._rng.randint(1, 3)), "answer", at)
        else:
            self.add(channel, user, question.text, "answer", at)
        if self._rng.random() < 0.25:
            rating = "有用" if self._rng.random() < 0.8 else "没用"
            self.add(channel, user, rating, "feedback", at + timedelta(minutes=1))
