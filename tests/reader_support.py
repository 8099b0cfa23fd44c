"""Fixture files built at test time for the reader, document and value tests."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from openpyxl.worksheet.worksheet import Worksheet
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

from knowledge.errors import ImportFileError
from knowledge.importing.readers import RowReadError, SourceRow, read_rows


def _write(path: Path, content: str | bytes, encoding: str = "utf-8") -> Path:
    path.write_bytes(content if isinstance(content, bytes) else content.encode(encoding))
    return path


def _data(rows: list[SourceRow | RowReadError]) -> list[dict[str, object]]:
    assert all(isinstance(row, SourceRow) for row in rows), rows
    return [row.data for row in rows if isinstance(row, SourceRow)]


def _file_error(path: Path) -> str:
    with pytest.raises(ImportFileError) as info:
        read_rows(path)
    assert info.value.file == str(path)
    return info.value.reason


def _new_sheet() -> tuple[openpyxl.Workbook, Worksheet]:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert isinstance(sheet, Worksheet)
    return workbook, sheet


def _xlsx(path: Path, rows: list[list[object]]) -> Path:
    workbook, sheet = _new_sheet()
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


def _pdf(path: Path, lines: list[str]) -> Path:
    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    pdf = canvas.Canvas(str(path))
    pdf.setFont("STSong-Light", 14)
    for number, line in enumerate(lines):
        pdf.drawString(72, 750 - 24 * number, line)
    pdf.save()
    return path
