"""Reading import files: CSV, Excel, JSON, JSONL, YAML, and files that are not what they say."""

from __future__ import annotations

import datetime
import json
from pathlib import Path

import pytest

from knowledge.importing.readers import RowReadError, SourceRow, read_rows
from knowledge.importing.values import parse_date
from tests.reader_support import _data, _file_error, _new_sheet, _write, _xlsx

CSV_TEXT = (
    "id,kind,title,life_events,topics,published_date\n"
    "nat-birth-001,policy,关于生育津贴发放的通知,生育；就业,生育保险、医疗保险,2023年5月1日\n"
    "\n"
    'faq-001,faq,"产假期间工资怎么算，\n谁来发？",生育,,2023/5/1\n'
)
EXPECTED_CSV_ROWS = [
    SourceRow(
        "",
        2,
        {
            "id": "nat-birth-001",
            "kind": "policy",
            "title": "关于生育津贴发放的通知",
            "life_events": "生育；就业",
            "topics": "生育保险、医疗保险",
            "published_date": "2023年5月1日",
        },
    ),
    SourceRow(
        "",
        4,
        {
            "id": "faq-001",
            "kind": "faq",
            "title": "产假期间工资怎么算，\n谁来发？",
            "life_events": "生育",
            "published_date": "2023/5/1",
        },
    ),
]

# --- CSV ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_csv_encodings_give_the_same_rows(tmp_path: Path, encoding: str) -> None:
    path = _write(tmp_path / "records.csv", CSV_TEXT.replace("\n", "\r\n"), encoding)
    rows = read_rows(path)
    expected = [SourceRow(str(path), row.row, row.data) for row in EXPECTED_CSV_ROWS]
    assert rows == expected


def test_csv_gb18030_character_outside_gbk(tmp_path: Path) -> None:
    path = _write(tmp_path / "rare.csv", "id,title\nx-1,䶮字与𠮷字\n", "gb18030")
    assert _data(read_rows(path)) == [{"id": "x-1", "title": "䶮字与𠮷字"}]


@pytest.mark.parametrize("delimiter", [";", "\t"])
def test_csv_sniffs_semicolon_and_tab(tmp_path: Path, delimiter: str) -> None:
    text = f"id{delimiter}title{delimiter}keywords\nx-1{delimiter}标题，含逗号{delimiter}a,b\n"
    path = _write(tmp_path / "records.csv", text)
    assert _data(read_rows(path)) == [{"id": "x-1", "title": "标题，含逗号", "keywords": "a,b"}]


def test_csv_keys_lose_bom_and_spaces_and_empty_cells_drop(tmp_path: Path) -> None:
    path = _write(tmp_path / "records.csv", " id , title ,summary\nx-1,  标题  ,  \n", "utf-8-sig")
    assert _data(read_rows(path)) == [{"id": "x-1", "title": "标题"}]


def test_csv_extra_cell_is_a_row_error_and_trailing_delimiter_is_not(tmp_path: Path) -> None:
    path = _write(tmp_path / "records.csv", "id,title\nx-1,标题,多余\nx-2,标题二,\n")
    error, good = read_rows(path)
    assert isinstance(error, RowReadError)
    assert (error.row, error.file) == (2, str(path))
    assert "表头只有 2 列" in error.reason and "多余" in error.reason
    assert good == SourceRow(str(path), 3, {"id": "x-2", "title": "标题二"})


def test_csv_header_only_has_no_records(tmp_path: Path) -> None:
    reason = _file_error(_write(tmp_path / "empty.csv", "id,kind,title\n\n"))
    assert "只有表头" in reason and "没有任何记录" in reason


def test_csv_duplicate_header_is_a_file_error(tmp_path: Path) -> None:
    reason = _file_error(_write(tmp_path / "dup.csv", "id,title,title\nx,a,b\n"))
    assert "重复" in reason and "title" in reason


def test_csv_that_is_really_xlsx(tmp_path: Path) -> None:
    path = tmp_path / "records.csv"
    _xlsx(tmp_path / "real.xlsx", [["id"], ["x-1"]]).rename(path)
    reason = _file_error(path)
    assert "不是 CSV" in reason and "Excel" in reason


# --- Excel -------------------------------------------------------------------------------------


def test_xlsx_dates_numbers_and_row_numbers(tmp_path: Path) -> None:
    path = tmp_path / "records.xlsx"
    workbook, sheet = _new_sheet()
    sheet.append([])  # the header is the first non-empty row, here row 2
    sheet.append(["id", "title", "published_date", "effective_date", "hotline", "score"])
    sheet.append(
        ["x-1", " 个人所得税专项附加扣除 ", datetime.datetime(2023, 5, 1), 45047, 12333, 1.5]
    )
    sheet["C3"].number_format = "yyyy/m/d"
    sheet.append([None, "", None])
    sheet.append(["x-2", "第二条", None, "45047"])
    workbook.save(path)

    first, second = read_rows(path)
    assert first == SourceRow(
        str(path),
        3,
        {
            "id": "x-1",
            "title": "个人所得税专项附加扣除",
            "published_date": datetime.datetime(2023, 5, 1),
            "effective_date": 45047,
            "hotline": 12333,
            "score": 1.5,
        },
    )
    assert second == SourceRow(
        str(path), 5, {"id": "x-2", "title": "第二条", "effective_date": "45047"}
    )
    assert parse_date(first.data["effective_date"]) == datetime.date(2023, 5, 1)


def test_xlsx_value_without_header_is_a_row_error(tmp_path: Path) -> None:
    path = _xlsx(tmp_path / "records.xlsx", [["id", None, "title"], ["x-1", "孤儿值", "标题"]])
    (error,) = read_rows(path)
    assert isinstance(error, RowReadError) and error.row == 2
    assert "第 2 列（B 列）没有列名" in error.reason and "孤儿值" in error.reason


def test_xlsx_header_only_and_empty_sheet(tmp_path: Path) -> None:
    assert "只有表头" in _file_error(_xlsx(tmp_path / "h.xlsx", [["id", "title"]]))
    assert "是空的" in _file_error(_xlsx(tmp_path / "e.xlsx", []))


def test_xlsx_that_is_really_csv(tmp_path: Path) -> None:
    reason = _file_error(_write(tmp_path / "records.xlsx", "id,title\nx-1,标题\n", "gbk"))
    assert "不是 Excel" in reason and ".csv" in reason


def test_xlsx_that_is_a_truncated_zip(tmp_path: Path) -> None:
    data = _xlsx(tmp_path / "ok.xlsx", [["id"], ["x-1"]]).read_bytes()
    reason = _file_error(_write(tmp_path / "broken.xlsx", data[: len(data) // 2]))
    assert "Excel 文件已损坏或不完整" in reason


# --- JSON, JSONL, YAML -------------------------------------------------------------------------


def test_json_list_and_records_object(tmp_path: Path) -> None:
    records = [{"id": "x-1", "title": " 生育津贴 ", "life_events": ["生育"], "summary": None}]
    for document in (records, {"records": records}):
        path = _write(tmp_path / "records.json", json.dumps(document, ensure_ascii=False))
        assert read_rows(path) == [
            SourceRow(str(path), 1, {"id": "x-1", "title": "生育津贴", "life_events": ["生育"]})
        ]


@pytest.mark.parametrize("document", ["42", '"文字"', '{"id": "x-1"}', "null"])
def test_json_that_is_not_a_list_is_a_file_error(tmp_path: Path, document: str) -> None:
    reason = _file_error(_write(tmp_path / "records.json", document))
    assert "对象列表" in reason and "records" in reason


def test_json_item_that_is_not_an_object(tmp_path: Path) -> None:
    path = _write(tmp_path / "records.json", '[{"id": "x-1"}, "孤零零的文字"]')
    good, bad = read_rows(path)
    assert isinstance(good, SourceRow) and isinstance(bad, RowReadError)
    assert (bad.file, bad.row) == (str(path), 2) and "这一项不是对象" in bad.reason


def test_invalid_json_names_line_and_column(tmp_path: Path) -> None:
    reason = _file_error(_write(tmp_path / "records.json", '[\n  {"id": "x-1",}\n]'))
    assert "不是合法的 JSON" in reason and "第 2 行" in reason


def test_jsonl_bad_line_among_good_ones(tmp_path: Path) -> None:
    text = '{"id": "x-1", "title": "第一条"}\n{"id": "x-2", "title": 第二条}\n'
    text += '\n[1, 2]\n{"id": "x-5"}\n'
    path = _write(tmp_path / "records.jsonl", text)
    rows = read_rows(path)
    assert [row.row for row in rows] == [1, 2, 4, 5]
    assert rows[0] == SourceRow(str(path), 1, {"id": "x-1", "title": "第一条"})
    assert isinstance(rows[1], RowReadError) and "这一行不是合法的 JSON" in rows[1].reason
    assert rows[1].reason.endswith("此处缺少值（第 24 列）")
    assert isinstance(rows[2], RowReadError) and "这一行不是对象" in rows[2].reason
    assert rows[3] == SourceRow(str(path), 5, {"id": "x-5"})


def test_yaml_records_with_dates_and_lists(tmp_path: Path) -> None:
    text = "records:\n  - id: x-1\n    title: 灵活就业人员参保\n    published_date: 2023-05-01\n"
    text += "    life_events: [就业, 退休]\n    hotline: 12333\n"
    path = _write(tmp_path / "records.yml", text)
    assert _data(read_rows(path)) == [
        {
            "id": "x-1",
            "title": "灵活就业人员参保",
            "published_date": datetime.date(2023, 5, 1),
            "life_events": ["就业", "退休"],
            "hotline": 12333,
        }
    ]


def test_invalid_yaml_and_scalar_yaml(tmp_path: Path) -> None:
    assert "第 2 行" in _file_error(_write(tmp_path / "a.yaml", "- id: x\n  title: 标题: 冒号\n"))
    assert "对象列表" in _file_error(_write(tmp_path / "b.yaml", "只是一句话\n"))


# --- file-level problems -----------------------------------------------------------------------


@pytest.mark.parametrize("content", [b"", b"  \r\n\t\n", b"\xef\xbb\xbf\n"])
@pytest.mark.parametrize("name", ["a.csv", "a.json", "a.jsonl", "a.xlsx", "a.docx", "a.pdf"])
def test_empty_file(tmp_path: Path, content: bytes, name: str) -> None:
    assert "空的" in _file_error(_write(tmp_path / name, content))


def test_missing_file(tmp_path: Path) -> None:
    assert "不存在" in _file_error(tmp_path / "nowhere.csv")


@pytest.mark.parametrize("name", ["records.xls", "records.doc", "records"])
def test_unsupported_extension_lists_supported_ones(tmp_path: Path, name: str) -> None:
    reason = _file_error(_write(tmp_path / name, "id\nx\n"))
    assert "不支持的文件类型" in reason
    for suffix in (".json", ".jsonl", ".csv", ".xlsx", ".yaml", ".docx", ".pdf", ".txt", ".md"):
        assert suffix in reason


def test_extension_is_case_insensitive(tmp_path: Path) -> None:
    path = _write(tmp_path / "RECORDS.CSV", "id\nx-1\n")
    assert _data(read_rows(path)) == [{"id": "x-1"}]
