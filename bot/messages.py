"""Channel-neutral messages: what any channel delivers to the engine and what it gets back.

Adapters (web chat, WeChat, Telegram, the terminal) translate their own formats into an
`IncomingMessage` and render a `Reply` within their own limits; the engine never sees a channel.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class Action(StrEnum):
    """What the engine did with a message; channels and tests read it, users see the parts."""

    ANSWER = "answer"
    CLARIFY = "clarify"
    ESCALATE = "escalate"
    ROUTE = "route"  # not a policy question: to a person or the 12345 hotline
    MENU = "menu"  # greeting, help, browsing by life event
    STATUS = "status"  # the state of the user's consultations
    FEEDBACK = "feedback"
    IGNORED = "ignored"  # a duplicate delivery, already answered


@dataclass(frozen=True)
class IncomingMessage:
    channel: str  # web / wechat / telegram / cli
    user_id: str  # the channel's id of the person (openid, chat id, browser session)
    message_id: str  # the channel's id of this delivery, for de-duplication
    sent_at: datetime
    text: str = ""
    payload: str = ""  # a button or menu event; wins over text when present


@dataclass(frozen=True)
class Choice:
    label: str  # what the user sees
    payload: str  # what comes back when it is picked


@dataclass(frozen=True)
class TextPart:
    text: str


@dataclass(frozen=True)
class ChoicesPart:
    prompt: str
    choices: tuple[Choice, ...]
    numbered: bool = True  # channels without buttons show "1. …" and accept the number


@dataclass(frozen=True)
class CardFact:
    label: str
    value: str


@dataclass(frozen=True)
class AnswerCard:
    record_id: str
    title: str
    kind: str  # Chinese label: 政策文件, 问答, 办事指南…
    status: str  # Chinese label: 现行有效…
    short_answer: str
    facts: tuple[CardFact, ...] = ()  # 文号, 发文机关, 日期, 主管部门及电话…
    sections: tuple[tuple[str, str], ...] = ()  # (heading, text): 办理条件, 申请材料…
    source_url: str = ""
    warning: str = ""  # e.g. the policy was repealed and by what
    disclaimer: str = "以上内容仅供参考，以主管部门解释为准。"


ReplyPart = TextPart | ChoicesPart | AnswerCard


@dataclass(frozen=True)
class ShownRecord:
    """A record the reply shows, for machine readers (ask --json, logs, the console)."""

    id: str
    title: str
    kind: str
    status: str
    audience: str
    life_events: tuple[str, ...]


@dataclass(frozen=True)
class Reply:
    action: Action
    parts: tuple[ReplyPart, ...]
    records: tuple[ShownRecord, ...] = ()
    consultation_number: str = ""
    feedback_token: str = ""  # present after an answer: 有用 / 没用 refer to it
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def text(self) -> str:
        """A plain-text rendering, the lowest common denominator of every channel."""
        from bot.render import plain_text

        return plain_text(self)
