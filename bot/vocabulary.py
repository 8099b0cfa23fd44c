"""The words that steer a conversation (not questions): numbers, follow-ups, feedback, status."""

from __future__ import annotations

import re
from enum import StrEnum
from functools import lru_cache

from indexer.normalize import normalize_query

CONSULTATION_NUMBER = re.compile(r"\bzx\d{12}\b", re.IGNORECASE)
_NUMBER = re.compile(r"^(?:第)?([0-9]{1,2})(?:个|项|条)?$")
_CHINESE_DIGITS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8}
_CHINESE_DIGITS |= {"九": 9, "十": 10}
_TRAILING = "。.!！?？~～ "


class FollowUp(StrEnum):
    DETAIL = "detail"
    HOW_TO = "how_to"
    INTERPRETATION = "interpretation"
    ORIGINAL = "original"
    RELATED = "related"
    REPLACEMENT = "replacement"


FOLLOW_UPS: dict[str, FollowUp] = {
    "详细": FollowUp.DETAIL,
    "详情": FollowUp.DETAIL,
    "详细内容": FollowUp.DETAIL,
    "具体内容": FollowUp.DETAIL,
    "怎么办理": FollowUp.HOW_TO,
    "怎么办": FollowUp.HOW_TO,
    "如何办理": FollowUp.HOW_TO,
    "办理流程": FollowUp.HOW_TO,
    "要什么材料": FollowUp.HOW_TO,
    "解读": FollowUp.INTERPRETATION,
    "政策解读": FollowUp.INTERPRETATION,
    "原文": FollowUp.ORIGINAL,
    "原文链接": FollowUp.ORIGINAL,
    "相关政策": FollowUp.RELATED,
    "相关": FollowUp.RELATED,
    "新政策": FollowUp.REPLACEMENT,
    "现行政策": FollowUp.REPLACEMENT,
}
MENU_WORDS = frozenset({"菜单", "帮助", "help", "menu", "主菜单", "首页", "你能做什么", "能问什么"})
GREETINGS = frozenset({"你好", "您好", "在吗", "在不在", "hi", "hello", "嗨", "哈喽", "早上好"})
HUMAN_WORDS = ("转人工", "人工客服", "人工服务", "找人工", "真人", "找客服", "人工", "客服")
STATUS_WORDS = ("我的咨询", "咨询进度", "查进度", "办理进度", "咨询状态", "有回复吗", "回复了吗")
USEFUL = frozenset({"有用", "有帮助", "满意", "解决了", "👍"})
USELESS = frozenset({"没用", "没有用", "没帮助", "不满意", "没解决", "👎"})
CANCEL = frozenset({"取消", "不用了", "算了", "不要", "返回"})
CONFIRM = frozenset({"确认", "确定", "是", "是的", "好", "好的", "要", "需要", "可以"})


# A turn asks of the same message up to five times (command? follow-up? number?…); remembering
# the last few spares repeating the normalisation (traditional characters, numerals).
@lru_cache(maxsize=32)
def compact(text: str) -> str:
    """The message as a command would be matched: normalised, without trailing punctuation."""
    return normalize_query(text).strip(_TRAILING)


def choice_number(text: str) -> int | None:
    """'2', '第2个', '二' -> 2; anything else -> None."""
    text = compact(text)
    if text in _CHINESE_DIGITS:
        return _CHINESE_DIGITS[text]
    match = _NUMBER.match(text)
    return int(match.group(1)) if match else None


def asks_for_human(text: str) -> bool:
    short = compact(text)
    return len(short) <= 12 and any(word in short for word in HUMAN_WORDS)


def asks_for_status(text: str) -> bool:
    short = compact(text)
    return bool(CONSULTATION_NUMBER.search(short)) or (
        len(short) <= 16 and any(w in short for w in STATUS_WORDS)
    )


def follow_up(text: str) -> FollowUp | None:
    return FOLLOW_UPS.get(compact(text))
