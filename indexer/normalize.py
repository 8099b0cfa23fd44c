"""Text normalisation shared by indexing and querying, so both sides see the same characters.

Full-width forms become half-width (NFKC), Latin letters lower case, control characters go, and
Chinese numerals that count something (三岁, 第五十四条, 两孩, 二〇二三年) become Arabic digits
so that "3岁" and "三岁" meet. Traditional characters become simplified on the query side only:
the knowledge base is written in simplified characters.
"""

from __future__ import annotations

import re
import unicodedata

import zhconv

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u200b-\u200f\u2028-\u202f\ufeff]")
_SPACES = re.compile(r"[^\S\n]+")
_LINE_BREAKS = re.compile(r" ?\n[\s]*")
_DIGITS = {"零": 0, "〇": 0, "○": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5}
_DIGITS |= {"六": 6, "七": 7, "八": 8, "九": 9}
_UNITS = {"十": 10, "百": 100, "千": 1000}
_NUMERAL = "零〇○一二两三四五六七八九十百千万"
# Only numerals that count something are converted: 一次性, 一站式 and 统一 keep their characters.
_COUNTED = re.compile(
    rf"(第)?([{_NUMERAL}]+)(?=(周岁|岁|个月|月|元|万元|天|日|年|条|款|项|孩|胎|级|倍|周|小时|个工作日|%))"
)


def chinese_numeral_value(text: str) -> int | None:
    """The value of 五十四, 一百零八, 两万, 二〇二三 (digit by digit), or None if it is not one."""
    if not text or any(c not in _NUMERAL for c in text) or text[0] in "百千万":
        return None
    if all(c in _DIGITS for c in text) and len(text) > 1:
        # 二〇二三 is a year, digit by digit; 三四 and 两三 are ranges ("三四岁"), not 34.
        if len(text) >= 3 or any(c in "零〇○" for c in text):
            return int("".join(str(_DIGITS[c]) for c in text))
        return None
    total, section, number = 0, 0, 0
    for char in text:
        if char in _DIGITS:
            number = _DIGITS[char]
        elif char in _UNITS:
            section += (number or 1) * _UNITS[char]
            number = 0
        elif char == "万":
            total += (section + number) * 10_000
            section, number = 0, 0
    return total + section + number


def _arabic(match: re.Match[str]) -> str:
    numeral = match.group(2)
    value = chinese_numeral_value(numeral)
    if value is None or _inside_word(match, numeral):
        return match.group(0)
    return f"{match.group(1) or ''}{value}"


def _inside_word(match: re.Match[str], numeral: str) -> bool:
    """A lone 一 after a Chinese character is part of a word: 统一年度, 唯一一次, 同一天."""
    if match.group(1) or numeral != "一" or match.start() == 0:
        return False
    before = match.string[match.start() - 1]
    return "\u4e00" <= before <= "\u9fff" and before not in "年月日每满近约共前后"


def normalize(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    text = _CONTROL.sub(" ", text).lower()
    text = _COUNTED.sub(_arabic, text)
    # Line breaks survive (articles start on a new line); other runs of space become one.
    return _LINE_BREAKS.sub("\n", _SPACES.sub(" ", text)).strip()


def normalize_query(text: str) -> str:
    return normalize(zhconv.convert(text, "zh-cn"))
