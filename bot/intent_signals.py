"""Signals of form, not of words: how long, how many question marks, how the message ends.

Each maps a cleaned message to one number; the router weighs them beside the cue groups. They
are code, not configuration, because each is a small piece of logic; their weights live in the
YAML. Values are capped so that one very long message cannot dominate a weight.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping

_CONTENT = re.compile(r"[0-9a-z\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_SENTENCE_END = re.compile(r"[。.!?;；…]+")
# "1." "2、" "(3)" "第一，" at the start of a point: a list of points is typical of a proposal.
_LIST_ITEM = re.compile(
    r"(?:^|[\s。;；:：,，])(?:[1-9][.、)]|[(（][1-9一二三四五][)）]|[一二三四五]、)"
)
# A dated account ("6月3日", "2023年", "晚上10点") is typical of a grievance.
_DATE = re.compile(r"[0-9]{1,4} ?[年月日]|[0-9]{1,2}[:点][0-9]{0,2}")
_MONEY = re.compile(r"[0-9]+(?:\.[0-9]+)? ?(?:元|万|块)")
_TRAILING = re.compile(r"(?:[\s,.!~。，！…*]|谢谢|感谢|多谢|您|了|啊)+$")
_QUESTION_ENDINGS = ("?", "吗", "呢", "么", "没有")
_LENGTH_CAP = 1000


def _content_chars(text: str) -> int:
    return len(_CONTENT.findall(text))


def length(text: str) -> float:
    """Bot questions are short, grievances are stories: ln(1 + chars / 10), up to 1,000
    characters (the longest the weights were fitted on; beyond, length says nothing more)."""
    return math.log1p(min(_content_chars(text), _LENGTH_CAP) / 10)


def short(text: str) -> float:
    return 1.0 if _content_chars(text) <= 30 else 0.0


def question_marks(text: str) -> float:
    return float(min(text.count("?"), 3))


def ends_with_question(text: str) -> float:
    """Whether the last sentence asks, once closing thanks are set aside."""
    core = _TRAILING.sub("", text)
    return 1.0 if core.endswith(_QUESTION_ENDINGS) else 0.0


def exclamations(text: str) -> float:
    return float(min(text.count("!"), 3))


def sentences(text: str) -> float:
    return math.log1p(len(_SENTENCE_END.findall(text)))


def list_items(text: str) -> float:
    return float(min(len(_LIST_ITEM.findall(text)), 3))


def dates(text: str) -> float:
    return float(min(len(_DATE.findall(text)), 3))


def money(text: str) -> float:
    return float(min(len(_MONEY.findall(text)), 3))


SIGNALS: Mapping[str, Callable[[str], float]] = {
    "length": length,
    "short": short,
    "question_marks": question_marks,
    "ends_with_question": ends_with_question,
    "exclamations": exclamations,
    "sentences": sentences,
    "list_items": list_items,
    "dates": dates,
    "money": money,
}
# Derived from the cue groups, not the text alone (intent_features): 1 when no group marked
# `asks` matched and there is no question mark. A short statement that asks nothing
# ("隔壁装修噪音扰民") is rarely a policy question, however few cue words it has.
UNASKED = "unasked"
SIGNAL_NAMES: tuple[str, ...] = (*SIGNALS, UNASKED)
