"""Cleaning a citizen's message before the router reads it.

The router matches cue words as substrings, so the message and the cues must be folded the same
way: full-width forms and case (NFKC, lower case) and traditional characters (one character at a
time, through zhconv's table: whole-phrase conversion costs about 1 µs a character, the table
about 100 times less, and a cue word only needs its characters right). Work is bounded: only the
head and the tail of a very long message are read.
"""

from __future__ import annotations

import html
import re
import unicodedata
from functools import lru_cache

from zhconv import zhconv

_SCRIPT = re.compile(r"<(script|style)\b[^>]*>.*?(?:</\1\s*>|$)", re.IGNORECASE | re.DOTALL)
# Only things that look like tags: "收入<5000元" must keep its text.
_TAG = re.compile(r"</?[a-z][^<>]{0,300}>", re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u200b-\u200f\u2028-\u202f\u2060\ufeff]")
_SPACES = re.compile(r"\s+")
# Data and channels mask names with runs of *; one mark keeps the position without the length.
_MASK = re.compile(r"\*+")
_CONTENT = re.compile(r"[0-9a-z\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


@lru_cache(maxsize=1)
def _traditional_table() -> dict[int, str]:
    table = zhconv.getdict("zh-hans")
    return {
        ord(source): target
        for source, target in table.items()
        if len(source) == 1 and len(target) == 1 and source != target
    }


def fold(text: str) -> str:
    """Full width to half width, lower case, traditional to simplified (character by character)."""
    text = unicodedata.normalize("NFKC", text).lower()
    return text.translate(_traditional_table())


def bound(text: str, max_chars: int, tail_chars: int) -> str:
    """The head and the tail of a long message: its request and its closing are what count."""
    if len(text) <= max_chars:
        return text
    tail = min(tail_chars, max_chars // 2)
    return f"{text[: max_chars - tail]}\n{text[len(text) - tail :]}"


def strip_markup(text: str) -> str:
    """Text pasted from a web page: script and style bodies go, tags go, entities are decoded."""
    if "<" not in text and "&" not in text:
        return text
    text = _TAG.sub(" ", _SCRIPT.sub(" ", text))
    return html.unescape(text)


def clean_message(text: str, max_chars: int, tail_chars: int) -> str:
    text = strip_markup(bound(text, max_chars, tail_chars))
    text = _CONTROL.sub(" ", fold(text))
    return _SPACES.sub(" ", _MASK.sub("*", text)).strip()


def has_content(text: str) -> bool:
    """Whether a cleaned message holds any word at all (not only emoji, marks or masks)."""
    return _CONTENT.search(text) is not None
