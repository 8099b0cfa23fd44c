"""Exporting records to JSONL or Excel in the import schema, so an export re-imports unchanged.

Exports use the Chinese labels and life-event names staff read, not the stored codes; the importer
accepts both.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from datetime import date
from pathlib import Path

from openpyxl import Workbook

from config.taxonomy import Taxonomy
from knowledge.enums import LabelledEnum
from knowledge.errors import KnowledgeError
from knowledge.record import DATE_FIELDS, FIELD_ORDER, LIST_FIELDS, RecordContent

EXCEL_CELL_LIMIT = 32_767
_SEPARATORS = re.compile(r"[;；、]")


class ExportError(KnowledgeError):
    pass


def export_row(record: RecordContent, taxonomy: Taxonomy) -> dict[str, object]:
    """One record as the import schema: labels for enums, names for life events, ISO dates."""
    row: dict[str, object] = {}
    for name in FIELD_ORDER:
        value = getattr(record, name)
        if value in ("", None, ()):
            continue
        if isinstance(value, LabelledEnum):
            value = value.label
        elif name == "life_events":
            value = [taxonomy.by_code(code).name for code in value]
        elif name in LIST_FIELDS:
            value = list(value)
        elif isinstance(value, date):
            value = value.isoformat()
        row[name] = value
    return row


def export_jsonl(records: Iterable[RecordContent], path: Path, taxonomy: Taxonomy) -> int:
    count = 0
    with path.open("w", encoding="utf-8") as out:
        for record in records:
            out.write(json.dumps(export_row(record, taxonomy), ensure_ascii=False) + "\n")
            count += 1
    return count


def export_xlsx(records: Iterable[RecordContent], path: Path, taxonomy: Taxonomy) -> int:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("知识库")
    sheet.append(list(FIELD_ORDER))
    count = 0
    for record in records:
        row = export_row(record, taxonomy)
        sheet.append([_cell(record.id, name, row.get(name)) for name in FIELD_ORDER])
        count += 1
    workbook.save(path)
    return count


def _cell(record_id: str, name: str, value: object) -> object:
    if value is None:
        return None
    if name in DATE_FIELDS:
        return date.fromisoformat(str(value))  # a real date cell, not text
    # New lines separate list items in a cell: 、 and ； may occur inside an item (a question, a
    # step, a list of documents). A lone item gets a trailing line break so it is not split.
    if isinstance(value, list):
        text = "\n".join(value) + ("\n" if len(value) == 1 and _SEPARATORS.search(value[0]) else "")
    else:
        text = str(value)
    if len(text) > EXCEL_CELL_LIMIT:
        raise ExportError(
            f"记录 {record_id} 的 {name} 有 {len(text)} 个字符，超过 Excel 单元格上限"
            f" {EXCEL_CELL_LIMIT}；请导出为 JSONL"
        )
    return text


def export_file(records: Iterable[RecordContent], path: Path, taxonomy: Taxonomy) -> int:
    suffix = path.suffix.lower()
    if suffix == ".jsonl":
        return export_jsonl(records, path, taxonomy)
    if suffix == ".xlsx":
        return export_xlsx(records, path, taxonomy)
    raise ExportError(f"不支持导出为“{suffix or path.name}”：请用 .xlsx 或 .jsonl")
