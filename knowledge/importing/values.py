"""Turning raw cell values into typed values.

Readers hand over what the file held: text from CSV, numbers and datetimes from Excel, anything
JSON or YAML can say. These functions accept every reasonable spelling and raise ValueError with a
short Chinese reason, naming the accepted forms, for anything else. The caller adds file, row and
field to the reason.
"""

from __future__ import annotations

import datetime
import math
import re
import unicodedata

_DATE_FORMS = "请写成 2023-05-01、2023/5/1 或 2023年5月1日"

# Excel counts days from 1899-12-30. Its serial 60 is the non-existent 1900-02-29 (kept for Lotus
# 1-2-3 compatibility), so serials below 61 are off by one day; the accepted range starts far
# above that, and no real policy date needs it.
_EXCEL_EPOCH = datetime.date(1899, 12, 30)
_SERIAL_MIN = (datetime.date(1949, 1, 1) - _EXCEL_EPOCH).days
_SERIAL_MAX = (datetime.date(2099, 12, 31) - _EXCEL_EPOCH).days

# A time part is ignored: exports from Excel or a database often write "2023-05-01 00:00:00".
_TIME = r"(?:(?:T|\s+)\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
_DATE_PATTERNS = (
    re.compile(r"(\d{4})\s*([-/.])\s*(\d{1,2})\s*\2\s*(\d{1,2})" + _TIME),
    re.compile(r"(\d{4})\s*(年)\s*(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]?"),
    re.compile(r"(\d{4})()(\d{2})(\d{2})"),
)
_SERIAL = re.compile(r"\d+(?:\.\d+)?")

# Official documents print the 成文日期 in Chinese numerals, e.g. 二〇二三年五月一日; "○" (a
# geometric circle) is a common stand-in for "〇" in those documents.
_CN_DIGITS = {c: i for i, c in enumerate("〇一二三四五六七八九")} | {"○": 0, "零": 0}
_CN_DATE = re.compile(
    r"([〇○零一二三四五六七八九]{4})\s*年\s*([一二三四五六七八九十]{1,3})\s*月"
    r"\s*([一二三四五六七八九十]{1,3})\s*[日号]"
)


def parse_date(value: object) -> datetime.date:
    """A date from a date/datetime, an Excel serial number, or text in one of the usual forms."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, bool):
        raise ValueError(f"无法识别的日期“{value}”，{_DATE_FORMS}")
    if isinstance(value, int) and len(str(value)) == 8:
        return _date_from_text(str(value))  # 20230501 typed into a number cell
    if isinstance(value, (int, float)):
        return _date_from_serial(value, str(value))
    if isinstance(value, str):
        return _date_from_text(value)
    raise ValueError(f"无法识别的日期“{value}”，{_DATE_FORMS}")


def _date_from_text(value: str) -> datetime.date:
    # NFKC turns full-width digits and punctuation (２０２３／５／１) into ASCII.
    text = unicodedata.normalize("NFKC", value).strip()
    for pattern in _DATE_PATTERNS:
        match = pattern.fullmatch(text)
        if match:
            year, _, month, day = match.groups()
            return _make_date(int(year), int(month), int(day), value)
    match = _CN_DATE.fullmatch(text)
    if match:
        year = int("".join(str(_CN_DIGITS[c]) for c in match[1]))
        return _make_date(year, _cn_number(match[2]), _cn_number(match[3]), value)
    if _SERIAL.fullmatch(text):
        return _date_from_serial(float(text), value.strip())
    raise ValueError(f"无法识别的日期“{value.strip()}”，{_DATE_FORMS}")


def _cn_number(text: str) -> int:
    """1–31 written in Chinese numerals: 五, 十, 十二, 二十, 三十一."""
    if "十" not in text:
        return _CN_DIGITS[text] if len(text) == 1 else 0
    tens, _, ones = text.partition("十")
    if len(tens) > 1 or len(ones) > 1:
        return 0  # not a number; _make_date rejects 0
    return (_CN_DIGITS[tens] if tens else 1) * 10 + (_CN_DIGITS[ones] if ones else 0)


def _make_date(year: int, month: int, day: int, original: str) -> datetime.date:
    try:
        return datetime.date(year, month, day)
    except ValueError:
        pass
    problem = f"没有 {month} 月" if not 1 <= month <= 12 else f"{year} 年 {month} 月没有 {day} 日"
    raise ValueError(f"日期“{original.strip()}”不存在：{problem}")


def _date_from_serial(serial: float, original: str) -> datetime.date:
    if not math.isfinite(serial) or not _SERIAL_MIN <= serial < _SERIAL_MAX + 1:
        raise ValueError(
            f"无法识别的日期“{original}”：作为 Excel 日期序号应在 {_SERIAL_MIN} 到 {_SERIAL_MAX} "
            f"之间（1949 年至 2099 年）；{_DATE_FORMS}"
        )
    # The fraction is the time of day.
    return _EXCEL_EPOCH + datetime.timedelta(days=math.floor(serial))


def parse_list(value: object, *, allow_ideographic_comma: bool = True) -> list[str]:
    """A list of distinct, non-empty strings, in order.

    A text cell with line breaks is split on the line breaks only: that is how the exporter
    writes lists, and an item such as "身份证、户口本原件" must come back whole. Otherwise it is
    split on ";", "；", and on "、" when allowed: a question or a procedure step may itself contain
    "、", so those fields pass allow_ideographic_comma=False. "，" never separates.
    """
    if isinstance(value, (list, tuple)):
        items = [parse_text(item) for item in value if item is not None]
    elif isinstance(value, str) and ("\n" in value or "\r" in value):
        items = re.split(r"[\r\n]+", value)
    elif isinstance(value, str):
        separators = r"[;；、]" if allow_ideographic_comma else r"[;；]"
        items = re.split(separators, value)
    elif isinstance(value, (int, float, datetime.date)) and not isinstance(value, bool):
        items = [parse_text(value)]
    else:
        raise ValueError(f"无法识别的列表“{value}”，请写成多项文字，用分号（;）或换行分隔")
    return list(dict.fromkeys(item.strip() for item in items if item.strip()))


def parse_text(value: object) -> str:
    """Text from a text, number or date cell: 12333.0 -> "12333", a date -> "2023-05-01"."""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        raise ValueError(f"应当是文字，而不是“{value}”")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"应当是文字或数字，而不是“{value}”")
        # Excel stores every number as a float; a phone number 12333 must not become "12333.0".
        return str(int(value)) if value.is_integer() else str(value)
    if isinstance(value, datetime.datetime):
        if value.time() == datetime.time():
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, datetime.date):
        return value.isoformat()
    raise ValueError(f"应当是文字，而不是“{value}”")
