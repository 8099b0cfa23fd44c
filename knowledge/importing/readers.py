"""Reading import files into raw rows.

Every format comes out the same way: a list of SourceRow (field -> raw value) and, for rows that
cannot even be read, RowReadError, so that one bad line does not stop the rest of the file. Values
stay raw here (text, numbers, dates, lists); turning them into typed fields is validation's job.
A problem with the whole file raises ImportFileError.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import yaml
from openpyxl.utils import get_column_letter

from knowledge.errors import ImportFileError
from knowledge.importing.documents import (
    KIND_BROKEN_ZIP,
    KIND_XLSX,
    OFFICE_ERRORS,
    broken_file,
    decode_text,
    extract_text,
    looks_like,
    read_file_bytes,
    sniff_binary,
)


@dataclass(frozen=True)
class SourceRow:
    file: str
    row: int
    data: dict[str, object]


@dataclass(frozen=True)
class RowReadError:
    file: str
    row: int
    reason: str


ReadResult = list[SourceRow | RowReadError]

_DOCUMENT_SUFFIXES = (".docx", ".pdf", ".txt", ".md")

# json's messages are English; the common ones are translated for the people fixing the file.
_JSON_MESSAGES = {
    "Expecting value": "此处缺少值",
    "Expecting ',' delimiter": "缺少逗号",
    "Expecting ':' delimiter": "缺少冒号",
    "Expecting property name enclosed in double quotes": "键名必须用英文双引号括起来",
    "Unterminated string starting at": "引号没有闭合",
    "Invalid control character at": "文字中有未转义的换行或控制字符",
    "Extra data": "对象结束后还有多余内容",
}


def read_rows(path: Path) -> ReadResult:
    """Read a JSON, JSONL, CSV, XLSX, YAML, or document file into rows (see the import format)."""
    file = str(path)
    suffix = path.suffix.lower()
    if suffix in _DOCUMENT_SUFFIXES:
        return [SourceRow(file, 1, {"body": extract_text(path), "body_file": str(path)})]
    reader = _READERS.get(suffix)
    if reader is None:
        supported = "、".join([*_READERS, *_DOCUMENT_SUFFIXES])
        hint = "；旧版 .xls 请在 Excel 中另存为 .xlsx" if suffix == ".xls" else ""
        raise ImportFileError(
            file, f"不支持的文件类型“{suffix or '无扩展名'}”，支持的类型：{supported}{hint}"
        )
    rows = reader(read_file_bytes(path), file)
    if not rows:
        raise ImportFileError(file, "文件中没有任何记录")
    return rows


def _text_of(data: bytes, file: str, expected: str) -> str:
    """The decoded text of a file that must be text, or an error naming what it really is."""
    actual = sniff_binary(data)
    if actual is not None:
        raise ImportFileError(
            file, f"这不是 {expected} 文本文件，{looks_like(actual)}，请检查扩展名"
        )
    return decode_text(data, file)


def _read_json(data: bytes, file: str) -> ReadResult:
    text = _text_of(data, file, "JSON")
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ImportFileError(file, f"不是合法的 JSON：{_json_reason(exc)}") from exc
    return _rows_from_document(document, file, "JSON")


def _read_yaml(data: bytes, file: str) -> ReadResult:
    text = _text_of(data, file, "YAML")
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        # The problem text is PyYAML's English; the position is what the person needs most.
        mark = getattr(exc, "problem_mark", None)
        where = f"第 {mark.line + 1} 行第 {mark.column + 1} 列，" if mark is not None else ""
        raise ImportFileError(
            file, f"不是合法的 YAML：{where}{getattr(exc, 'problem', None) or exc}"
        ) from exc
    return _rows_from_document(document, file, "YAML")


def _rows_from_document(document: object, file: str, kind: str) -> ReadResult:
    if isinstance(document, dict) and isinstance(document.get("records"), list):
        document = document["records"]
    if not isinstance(document, list):
        raise ImportFileError(
            file,
            f'{kind} 文件应当是一个对象列表 [{{...}}, ...]，或 {{"records": [...]}}，'
            f"而不是{_kind_name(document)}",
        )
    return [
        _row_from_mapping(item, file, index, "这一项") for index, item in enumerate(document, 1)
    ]


def _read_jsonl(data: bytes, file: str) -> ReadResult:
    text = _text_of(data, file, "JSONL")
    rows: ReadResult = []
    # Split on "\n" only: str.splitlines() also breaks at U+2028 and friends, which JSON allows
    # inside strings, and the line numbers would no longer match the editor's.
    for number, line in enumerate(text.split("\n"), 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            reason = f"这一行不是合法的 JSON：{_json_reason(exc, with_line=False)}"
            rows.append(RowReadError(file, number, reason))
            continue
        rows.append(_row_from_mapping(item, file, number, "这一行"))
    return rows


def _json_reason(exc: json.JSONDecodeError, *, with_line: bool = True) -> str:
    message = _JSON_MESSAGES.get(exc.msg, exc.msg)
    line = f"第 {exc.lineno} 行" if with_line else ""
    return f"{message}（{line}第 {exc.colno} 列）"


def _kind_name(value: object) -> str:
    if isinstance(value, dict):
        return "没有 records 列表的对象"
    if isinstance(value, str):
        return "一段文字"
    if isinstance(value, (int, float)):
        return "一个数字"
    return "空值" if value is None else f"“{value}”"


def _row_from_mapping(item: object, file: str, row: int, what: str) -> SourceRow | RowReadError:
    if not isinstance(item, dict):
        expected = '应当是 {"字段": 值, ...}'
        return RowReadError(file, row, f"{what}不是对象（{expected}），而是{_kind_name(item)}")
    data = {}
    for key, value in item.items():
        cleaned = _clean_value(value)
        if cleaned is not None:
            data[_clean_key(key)] = cleaned
    return SourceRow(file, row, data)


def _clean_key(key: object) -> str:
    # Excel and Notepad put a BOM before the first header; it is not whitespace to str.strip().
    return str(key).replace("\ufeff", "").strip()


def _clean_value(value: object) -> object | None:
    """The value to keep, or None for an empty cell."""
    if isinstance(value, str):
        # A quoted multi-line CSV cell keeps the file's CRLF; the same text should compare equal
        # whichever editor saved it.
        return value.replace("\r\n", "\n").strip() or None
    return value


def _read_csv(data: bytes, file: str) -> ReadResult:
    text = _text_of(data, file, "CSV")
    records = csv.reader(io.StringIO(text, newline=""), delimiter=_sniff_delimiter(text))
    try:
        return _rows_from_table(enumerate(records, 1), file, "文件")
    except csv.Error as exc:
        raise ImportFileError(file, f"CSV 格式有误：{exc}") from exc


def _sniff_delimiter(text: str) -> str:
    """The delimiter that splits the header line most: comma, semicolon or tab.

    csv.Sniffer looks at quoting and character frequencies over whole lines, which Chinese text
    full of "；" and "，" confuses; field names contain none of the three, so counting them in the
    header is enough and never guesses wrong on a one-column file (it falls back to comma).
    """
    header = next((line for line in text.splitlines() if line.strip()), "")
    counts = {delimiter: header.count(delimiter) for delimiter in ",;\t"}
    best = max(counts, key=lambda delimiter: counts[delimiter])
    return best if counts[best] else ","


def _read_xlsx(data: bytes, file: str) -> ReadResult:
    actual = sniff_binary(data)
    if actual == KIND_BROKEN_ZIP:
        raise broken_file(file, "Excel 文件")
    if actual != KIND_XLSX:
        advice = "请把扩展名改为 .csv" if actual is None else "请在 Excel 中另存为 .xlsx"
        found = looks_like(actual or "文本文件（如 CSV）")
        raise ImportFileError(file, f"这不是 Excel（.xlsx）文件，{found}；{advice}")
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            sheet = workbook.worksheets[0]
            # Some programs write a wrong sheet size; read-only mode trusts it and would drop rows.
            sheet.reset_dimensions()
            records: list[tuple[object, ...]] = list(sheet.iter_rows(values_only=True))
            where = f"第一个工作表“{sheet.title}”"
        finally:
            workbook.close()
    except OFFICE_ERRORS as exc:
        raise broken_file(file, "Excel 文件") from exc
    return _rows_from_table(enumerate(records, 1), file, where)


def _rows_from_table(
    records: Iterable[tuple[int, Sequence[object]]], file: str, where: str
) -> ReadResult:
    """Rows of a CSV or sheet: the first non-empty row is the header, empty rows are skipped."""
    headers: list[str] | None = None
    rows: ReadResult = []
    for number, cells in records:
        if all(_clean_value(cell) is None for cell in cells):
            continue
        if headers is None:
            headers = _headers(cells, file)
            continue
        rows.append(_row_from_cells(headers, cells, file, number))
    if headers is None:
        raise ImportFileError(file, f"{where}是空的，没有表头也没有记录")
    if not rows:
        raise ImportFileError(file, f"{where}只有表头，没有任何记录")
    return rows


def _headers(cells: Sequence[object], file: str) -> list[str]:
    headers = [_clean_key(cell) if cell is not None else "" for cell in cells]
    named = [header for header in headers if header]
    duplicates = sorted({header for header in named if named.count(header) > 1})
    if duplicates:
        names = "、".join(duplicates)
        raise ImportFileError(file, f"表头中的列名重复：{names}；每个字段只能有一列")
    return headers


def _row_from_cells(
    headers: list[str], cells: Sequence[object], file: str, number: int
) -> SourceRow | RowReadError:
    data: dict[str, object] = {}
    for column, cell in enumerate(cells):
        value = _clean_value(cell)
        if value is None:
            continue
        # Trailing empty cells (a stray delimiter at the end of a line) carry nothing and are
        # tolerated; a value beyond the header, or under an unnamed column, has no field.
        where = f"第 {column + 1} 列（{get_column_letter(column + 1)} 列）"
        if column >= len(headers):
            reason = f"这一行的单元格比表头多：表头只有 {len(headers)} 列，{where}有内容“{value}”"
            return RowReadError(file, number, reason)
        if not headers[column]:
            reason = f"{where}没有列名，但这一行在该列有内容“{value}”"
            return RowReadError(file, number, reason)
        data[headers[column]] = value
    return SourceRow(file, number, data)


_READERS: dict[str, Callable[[bytes, str], ReadResult]] = {
    ".json": _read_json,
    ".jsonl": _read_jsonl,
    ".csv": _read_csv,
    ".xlsx": _read_xlsx,
    ".yaml": _read_yaml,
    ".yml": _read_yaml,
}
