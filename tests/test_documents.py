"""Word, PDF and text files as record bodies."""

from __future__ import annotations

from pathlib import Path

import pypdf
from docx import Document
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

from knowledge.importing.documents import extract_text
from knowledge.importing.readers import SourceRow, read_rows
from tests.reader_support import _file_error, _pdf, _write, _xlsx

# --- documents ---------------------------------------------------------------------------------


def test_docx_paragraphs_and_table_in_order(tmp_path: Path) -> None:
    path = tmp_path / "通知.docx"
    document = Document()
    document.add_paragraph("关于做好生育津贴发放工作的通知")
    document.add_paragraph("")
    document.add_paragraph("   ")
    document.add_paragraph("各区县人力资源和社会保障局：")
    table = document.add_table(rows=2, cols=3)
    for row, cells in zip(table.rows, [["材料", "份数", "备注"], ["身份证", "1", ""]], strict=True):
        for cell, text in zip(row.cells, cells, strict=True):
            cell.text = text
    merged = document.add_table(rows=1, cols=2)
    merged.cell(0, 0).merge(merged.cell(0, 1)).text = "合并单元格"
    document.add_paragraph("特此通知。")
    document.save(str(path))

    expected = (
        "关于做好生育津贴发放工作的通知\n各区县人力资源和社会保障局：\n"
        "材料 | 份数 | 备注\n身份证 | 1\n合并单元格\n特此通知。"
    )
    assert read_rows(path) == [SourceRow(str(path), 1, {"body": expected, "body_file": str(path)})]


def test_text_file_named_docx(tmp_path: Path) -> None:
    reason = _file_error(_write(tmp_path / "通知.docx", "这其实是纯文本"))
    assert "不是 Word" in reason and "文本文件" in reason


def test_docx_without_text_and_truncated_docx(tmp_path: Path) -> None:
    path = tmp_path / "空白.docx"
    document = Document()
    document.add_paragraph("  ")
    document.save(str(path))
    assert "没有任何文字" in _file_error(path)
    data = path.read_bytes()
    truncated = _write(tmp_path / "截断.docx", data[: len(data) // 2])
    assert "Word 文件已损坏或不完整" in _file_error(truncated)


def test_xlsx_named_docx(tmp_path: Path) -> None:
    path = tmp_path / "通知.docx"
    _xlsx(tmp_path / "a.xlsx", [["id"]]).rename(path)
    assert "Excel" in _file_error(path)


def test_pdf_with_cid_font_chinese(tmp_path: Path) -> None:
    lines = ["关于做好2023年生育津贴发放工作的通知", "国办发〔2019〕10号（个人所得税）"]
    path = _pdf(tmp_path / "通知.pdf", lines)
    assert read_rows(path) == [
        SourceRow(str(path), 1, {"body": "\n".join(lines), "body_file": str(path)})
    ]


def test_pdf_pages_joined_by_newline(tmp_path: Path) -> None:
    path = tmp_path / "两页.pdf"
    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    pdf = canvas.Canvas(str(path))
    for text in ("第一页", "第二页"):
        pdf.setFont("STSong-Light", 14)
        pdf.drawString(72, 750, text)
        pdf.showPage()
    pdf.save()
    assert extract_text(path) == "第一页\n第二页"


def test_pdf_without_text_layer_needs_ocr(tmp_path: Path) -> None:
    path = tmp_path / "扫描件.pdf"
    pdf = canvas.Canvas(str(path))
    pdf.rect(72, 72, 300, 400, fill=1)  # stands in for a scanned page: marks, no text
    pdf.save()
    reason = _file_error(path)
    assert "没有文字层" in reason and "OCR" in reason


def test_pdf_with_open_password_and_with_empty_password(tmp_path: Path) -> None:
    plain = _pdf(tmp_path / "plain.pdf", ["受限文件"])
    for user_password, name in (("secret", "locked.pdf"), ("", "restricted.pdf")):
        writer = pypdf.PdfWriter(clone_from=plain)
        writer.encrypt(user_password, owner_password="owner", algorithm="RC4-128")
        writer.write(tmp_path / name)
    assert "密码" in _file_error(tmp_path / "locked.pdf")
    assert extract_text(tmp_path / "restricted.pdf") == "受限文件"


def test_pdf_without_header(tmp_path: Path) -> None:
    assert "%PDF" in _file_error(_write(tmp_path / "fake.pdf", "不是 PDF"))


def test_txt_in_gbk_and_md_in_utf8(tmp_path: Path) -> None:
    txt = _write(tmp_path / "正文.txt", "第一条　为了规范……\r\n第二条　本办法适用于……\r\n", "gbk")
    assert extract_text(txt) == "第一条　为了规范……\n第二条　本办法适用于……"
    md = _write(tmp_path / "指南.md", "# 办事指南\n\n- 身份证\n- 户口簿\n", "utf-8-sig")
    assert read_rows(md)[0] == SourceRow(
        str(md), 1, {"body": "# 办事指南\n\n- 身份证\n- 户口簿", "body_file": str(md)}
    )
