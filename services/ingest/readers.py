"""The text of a notice file, whatever it was written with."""

from __future__ import annotations

from pathlib import Path

from services.ingest.cleaning import COLUMN_GAP, EMPTY_CELL

SUPPORTED = (".txt", ".md", ".docx", ".pdf")


class UnreadableNotice(ValueError):
    """A file that cannot be read as a notice: its message says why, for staff."""


def read_notice(path: Path) -> str:
    """The raw text of a .txt, .md, .docx or .pdf notice."""
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED:
        raise UnreadableNotice(f"{path}: unsupported file type {suffix or '(none)'}; "
                               f"use one of {', '.join(SUPPORTED)}")
    if not path.is_file():
        raise UnreadableNotice(f"{path}: no such file")
    try:
        if suffix == ".docx":
            text = _read_docx(path)
        elif suffix == ".pdf":
            text = _read_pdf(path)
        else:
            text = _read_text(path)
    except UnreadableNotice:
        raise
    except Exception as error:  # each library has its own errors for a damaged file
        raise UnreadableNotice(f"{path}: cannot be read as {suffix[1:]} "
                               f"({type(error).__name__}: {error})") from error
    if not text.strip():
        raise UnreadableNotice(f"{path}: contains no text (a scanned PDF needs OCR first)")
    return text


def _read_text(path: Path) -> str:
    data = path.read_bytes()
    # Notices saved on Chinese Windows are often GB18030, not UTF-8.
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise UnreadableNotice(f"{path}: neither UTF-8 nor GB18030 text")


def _read_docx(path: Path) -> str:
    import docx  # python-docx; imported here so text-only use needs no lxml

    document = docx.Document(str(path))
    lines = [paragraph.text for paragraph in document.paragraphs]
    for table in document.tables:  # contact blocks are often laid out as tables
        for row in table.rows:
            lines.append(COLUMN_GAP.join(cell.text.strip() or EMPTY_CELL for cell in row.cells))
    return "\n".join(lines)


def _read_pdf(path: Path) -> str:
    from pypdf import PdfReader

    reader = PdfReader(str(path))
    if reader.is_encrypted:
        raise UnreadableNotice(f"{path}: the PDF is encrypted")
    return "\n".join(page.extract_text() or "" for page in reader.pages)
