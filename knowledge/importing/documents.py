"""Reading files as bytes, decoding text, and extracting the text of Word, PDF and text documents.

The byte-level helpers live here because both the document extractor and the spreadsheet readers
need them: a file is checked once for existence, emptiness and its real type (from its first
bytes, not its name), so that a renamed file gets a message saying what it really is.
"""

from __future__ import annotations

import codecs
import io
import re
import zipfile
from pathlib import Path

import pypdf
from docx import Document
from docx.opc.exceptions import PackageNotFoundError
from docx.table import Table
from docx.text.paragraph import Paragraph
from pypdf.errors import DependencyError, PyPdfError

from knowledge.errors import ImportFileError

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls/.doc, and password-protected .xlsx/.docx
_PDF_MAGIC = b"%PDF-"

KIND_XLSX = "Excel 文件（.xlsx）"
KIND_DOCX = "Word 文件（.docx）"
KIND_BROKEN_ZIP = "不完整或已损坏的压缩文件"

# A damaged Office file surfaces as whichever layer first trips over it: the zip reader, zlib,
# the XML parser (lxml and ElementTree errors both subclass SyntaxError) or the part lookup.
# To the person importing, every one of them means the same thing.
OFFICE_ERRORS: tuple[type[Exception], ...] = (
    zipfile.BadZipFile,
    PackageNotFoundError,
    KeyError,
    ValueError,
    SyntaxError,
    OSError,
    EOFError,
)


def read_file_bytes(path: Path) -> bytes:
    """The file's bytes; ImportFileError if it is missing, unreadable or has no content."""
    file = str(path)
    if not path.exists():
        raise ImportFileError(file, "文件不存在")
    if not path.is_file():
        raise ImportFileError(file, "这是一个文件夹，不是文件")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ImportFileError(file, f"无法读取文件：{exc.strerror or exc}") from exc
    if not data.removeprefix(codecs.BOM_UTF8).strip():
        raise ImportFileError(file, "文件是空的，没有任何内容")
    return data


def sniff_binary(data: bytes) -> str | None:
    """What a binary file really is (in Chinese), or None if it looks like text."""
    if data.startswith(_ZIP_MAGIC):
        names = _zip_names(data)
        if names is None:
            return KIND_BROKEN_ZIP
        if "xl/workbook.xml" in names:
            return KIND_XLSX
        if "word/document.xml" in names:
            return KIND_DOCX
        return "ZIP 压缩包"
    if data.startswith(_OLE_MAGIC):
        return "旧版 Office 文件（.xls/.doc）或设置了密码的 Office 文件"
    if _PDF_MAGIC in data[:1024]:
        return "PDF 文件"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return None
    if b"\x00" in data[:8192]:
        return "二进制文件"
    return None


def looks_like(kind: str | None) -> str:
    """ "看起来是 Excel 文件（.xlsx）" for a sniffed kind; None means text."""
    name = kind or "文本文件"
    return f"看起来是 {name}" if name[0].isascii() else f"看起来是{name}"


def broken_file(file: str, what: str) -> ImportFileError:
    return ImportFileError(
        file, f"{what}已损坏或不完整（可能下载或复制时中断），无法打开；请重新获取或重新保存文件"
    )


def _zip_names(data: bytes) -> set[str] | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return set(archive.namelist())
    except (zipfile.BadZipFile, OSError, EOFError):
        return None  # e.g. a download cut short: the directory at the end of the zip is missing


def decode_text(data: bytes, file: str) -> str:
    """Decode a text file: UTF-16 with BOM, UTF-8 with or without BOM, else GB18030.

    GB18030 is a superset of GBK and GB2312, so one fallback covers what Excel and Notepad on a
    Chinese Windows save. UTF-8 must be tried first: GB18030 accepts most byte sequences, so
    UTF-8 text would "decode" as GB18030 into garbage, while GBK text is almost never valid UTF-8.
    """
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encodings: tuple[str, ...] = ("utf-16",)
    else:
        encodings = ("utf-8-sig", "gb18030")
    for encoding in encodings:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportFileError(file, "无法识别文件的文字编码，请另存为 UTF-8 编码后再导入")


def extract_text(path: Path) -> str:
    """The plain text of a .docx, .pdf, .txt or .md file; ImportFileError if there is none."""
    file = str(path)
    data = read_file_bytes(path)
    suffix = path.suffix.lower()
    if suffix == ".docx":
        text = _docx_text(data, file)
    elif suffix == ".pdf":
        text = _pdf_text(data, file)
    elif suffix in {".txt", ".md"}:
        text = _plain_text(data, file)
    else:
        raise ImportFileError(
            file, f"不支持从“{suffix or '无扩展名'}”文件提取正文，支持 .docx、.pdf、.txt、.md"
        )
    if not text:
        raise ImportFileError(file, "文档里没有任何文字")
    return text


def _plain_text(data: bytes, file: str) -> str:
    kind = sniff_binary(data)
    if kind is not None:
        raise ImportFileError(file, f"这不是文本文件，{looks_like(kind)}，请检查扩展名")
    text = decode_text(data, file)
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()


def _docx_text(data: bytes, file: str) -> str:
    kind = sniff_binary(data)
    if kind == KIND_BROKEN_ZIP:
        raise broken_file(file, "Word 文件")
    if kind != KIND_DOCX:
        raise ImportFileError(
            file, f"这不是 Word（.docx）文件，{looks_like(kind)}；请用 Word 另存为 .docx"
        )
    try:
        document = Document(io.BytesIO(data))
        blocks = [_block_text(block) for block in document.iter_inner_content()]
    except OFFICE_ERRORS as exc:
        raise broken_file(file, "Word 文件") from exc
    # Word users space paragraphs with empty ones; they carry no text, so they are dropped.
    return "\n".join(block for block in blocks if block)


def _block_text(block: Paragraph | Table) -> str:
    """A paragraph's text, or a table's text with one line a row and cells separated by " | "."""
    if isinstance(block, Paragraph):
        return block.text.strip()
    lines = []
    for row in block.rows:
        cells: list[str] = []
        seen: list[object] = []
        for cell in row.cells:
            # A merged cell is returned once for every grid column it spans; keep it once. Its
            # <w:tc> element is the only identity python-docx exposes.
            if any(cell._tc is other for other in seen):
                continue
            seen.append(cell._tc)
            cells.append(_squash(cell.text))
        line = " | ".join(text for text in cells if text)
        if line:
            lines.append(line)
    return "\n".join(lines)


def _squash(text: str) -> str:
    return re.sub(r"\s*\n\s*", " ", text).strip()


def _pdf_text(data: bytes, file: str) -> str:
    if _PDF_MAGIC not in data[:1024]:
        actual = looks_like(sniff_binary(data))
        raise ImportFileError(file, f"这不是 PDF 文件（缺少 %PDF 文件头），{actual}")
    try:
        reader = pypdf.PdfReader(io.BytesIO(data))
        _unlock(reader, file)
        pages = [(page.extract_text() or "").strip() for page in reader.pages]
    # pypdf is lenient and repairs what it can; what it cannot repair escapes as its own errors
    # or as a built-in one from deep inside its parser.
    except (PyPdfError, ValueError, KeyError, IndexError, TypeError, OSError) as exc:
        raise ImportFileError(
            file, "PDF 文件已损坏，无法读取；请用 PDF 阅读器打开后另存一份"
        ) from exc
    text = "\n".join(page for page in pages if page)
    if not text:
        raise ImportFileError(
            file, "PDF 中没有文字层（可能是扫描件或图片），需要先做 OCR 文字识别后再导入"
        )
    return text


def _unlock(reader: pypdf.PdfReader, file: str) -> None:
    """Open an encrypted PDF with the empty password, as viewers do, or refuse it."""
    if not reader.is_encrypted:
        return
    # Many official PDFs are encrypted only to restrict printing or copying: they open with the
    # empty user password, and their text is still readable.
    try:
        unlocked = reader.decrypt("") != pypdf.PasswordType.NOT_DECRYPTED
    except DependencyError as exc:
        raise ImportFileError(
            file, "PDF 使用了 AES 加密，读取需要安装 cryptography 软件包，或提供未加密的版本"
        ) from exc
    if not unlocked:
        raise ImportFileError(file, "PDF 设置了打开密码，请提供未加密的版本")
