"""Turning cell values into dates, lists and text, with reasons for what is refused."""

from __future__ import annotations

import datetime

import pytest

from knowledge.importing.values import parse_date, parse_list, parse_text

# --- values ------------------------------------------------------------------------------------

MAY_DAY = datetime.date(2023, 5, 1)


@pytest.mark.parametrize(
    "value",
    [
        MAY_DAY,
        datetime.datetime(2023, 5, 1, 15, 30),
        "2023-05-01",
        "2023-5-1",
        "2023/5/1",
        "2023/05/01",
        "2023.5.1",
        "2023年5月1日",
        "2023 年 5 月 1 日",
        "2023年05月01号",
        "２０２３年５月１日",
        "２０２３／５／１",
        "20230501",
        20230501,
        " 2023-05-01 00:00:00 ",
        "2023-05-01T08:00",
        45047,
        45047.75,
        "45047",
        "二〇二三年五月一日",
        "二○二三年五月一日",
    ],
)
def test_parse_date_accepts(value: object) -> None:
    assert parse_date(value) == MAY_DAY


def test_parse_date_chinese_numerals_with_tens() -> None:
    assert parse_date("二〇一九年十二月三十一日") == datetime.date(2019, 12, 31)
    assert parse_date("二〇一九年十月二十日") == datetime.date(2019, 10, 20)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("明年", "无法识别的日期“明年”，请写成 2023-05-01、2023/5/1 或 2023年5月1日"),
        ("2023-02-30", "日期“2023-02-30”不存在：2023 年 2 月没有 30 日"),
        ("2023年13月1日", "日期“2023年13月1日”不存在：没有 13 月"),
        ("20230230", "不存在"),
        ("2023-05/01", "无法识别的日期"),
        ("5/1/2023", "无法识别的日期"),
        ("2023", "Excel 日期序号"),
        (12, "Excel 日期序号"),
        (float("nan"), "无法识别的日期"),
        (True, "无法识别的日期"),
        ([2023, 5, 1], "无法识别的日期"),
        ("", "无法识别的日期"),
    ],
)
def test_parse_date_rejects(value: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_date(value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("生育；就业;退休", ["生育", "就业", "退休"]),
        ("生育、就业\n退休\r\n", ["生育、就业", "退休"]),  # line breaks win: items keep 、
        (" 生育 ; ; 生育 ；就业 ", ["生育", "就业"]),
        ("失业保险，医疗保险", ["失业保险，医疗保险"]),
        (["生育", " 就业 ", "", None, "生育", 12333], ["生育", "就业", "12333"]),
        (12333, ["12333"]),
        ("", []),
    ],
)
def test_parse_list(value: object, expected: list[str]) -> None:
    assert parse_list(value) == expected


def test_parse_list_without_ideographic_comma() -> None:
    text = "怎么申请生育津贴、产假工资？；生育津贴什么时候发？；能否代办"
    assert parse_list(text, allow_ideographic_comma=False) == [
        "怎么申请生育津贴、产假工资？",
        "生育津贴什么时候发？",
        "能否代办",
    ]


def test_parse_list_rejects_objects() -> None:
    with pytest.raises(ValueError, match="分号"):
        parse_list({"a": 1})


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("  国办发〔2019〕10号 ", "国办发〔2019〕10号"),
        (12333, "12333"),
        (12333.0, "12333"),
        (0.5, "0.5"),
        (MAY_DAY, "2023-05-01"),
        (datetime.datetime(2023, 5, 1), "2023-05-01"),
        (datetime.datetime(2023, 5, 1, 9, 30), "2023-05-01 09:30:00"),
    ],
)
def test_parse_text(value: object, expected: str) -> None:
    assert parse_text(value) == expected


@pytest.mark.parametrize("value", [True, None, ["a"], float("inf")])
def test_parse_text_rejects(value: object) -> None:
    with pytest.raises(ValueError, match="应当是文字"):
        parse_text(value)
