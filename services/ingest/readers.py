"""The text of a notice file, whatever it was written with.

Word and PDF files are compressed: a 97 KiB .docx can unpack to hundreds of MiB, and
the process that reads an upload is the one that answers WeChat. So a .docx is first
measured without unpacking it (its zip directory: how many parts, how large they say
they are once unpacked, and by what ratio; zipfile refuses to unpack a part past the
size it declares), and Word and PDF files are parsed in a separate worker process
whose address space is capped: a file that slips past the checks makes the worker
fail, never the gateway.
"""

from __future__ import annotations

import multiprocessing
import resource
import threading
import zipfile
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from services.ingest.cleaning import COLUMN_GAP, EMPTY_CELL

SUPPORTED = (".txt", ".md", ".docx", ".pdf")
MAX_ZIP_PARTS = 1000
MAX_UNPACKED_BYTES = 64 * 1024 * 1024  # all of a .docx's parts together, unpacked
MAX_RATIO = 100  # unpacked / packed, for a part over RATIO_FLOOR_BYTES (text XML packs ~10:1)
RATIO_FLOOR_BYTES = 1024 * 1024
WORKER_MEMORY_BYTES = 768 * 1024 * 1024  # the worker's whole address space (~60 MiB after imports)
WORKER_TIMEOUT_S = 120.0

_pool: ProcessPoolExecutor | None = None
_pool_lock = threading.Lock()


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
    if suffix == ".docx":
        check_archive(path)
    text = _read_text(path) if suffix in (".txt", ".md") else _in_worker(path)
    if not text.strip():
        raise UnreadableNotice(f"{path}: contains no text (a scanned PDF needs OCR first)")
    return text


def check_archive(path: Path) -> None:
    """Refuse a .docx whose zip directory promises too much once unpacked."""
    try:
        with zipfile.ZipFile(path) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, OSError) as error:
        raise UnreadableNotice(f"{path}: cannot be read as docx ({type(error).__name__}: {error})") from error
    if len(parts) > MAX_ZIP_PARTS:
        raise UnreadableNotice(f"{path}: too large when unpacked ({len(parts)} parts)")
    if sum(part.file_size for part in parts) > MAX_UNPACKED_BYTES:
        raise UnreadableNotice(f"{path}: too large when unpacked (over {MAX_UNPACKED_BYTES // 2**20} MiB)")
    for part in parts:
        if part.file_size > RATIO_FLOOR_BYTES and part.file_size > MAX_RATIO * max(part.compress_size, 1):
            raise UnreadableNotice(f"{path}: too large when unpacked ({part.filename} packed "
                                   f"{part.file_size // max(part.compress_size, 1)}:1)")


def _limit_memory(limit_bytes: int) -> None:
    """In the worker: allocations past the cap fail there (MemoryError), not in the gateway."""
    resource.setrlimit(resource.RLIMIT_AS, (limit_bytes, limit_bytes))


def _worker() -> ProcessPoolExecutor:
    global _pool
    with _pool_lock:
        if _pool is None:
            # spawn: a fresh interpreter, not a fork of a process running threads and an event loop.
            _pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"),
                                        initializer=_limit_memory, initargs=(WORKER_MEMORY_BYTES,))
        return _pool


def _in_worker(path: Path) -> str:
    global _pool
    try:
        return _worker().submit(_parse, str(path)).result(timeout=WORKER_TIMEOUT_S)
    except UnreadableNotice:
        raise
    except MemoryError as error:
        raise UnreadableNotice(f"{path}: too large when unpacked (the reader ran out of memory)") from error
    except (BrokenProcessPool, TimeoutError) as error:
        with _pool_lock:  # a dead or stuck worker is replaced for the next file
            if _pool is not None:
                _pool.shutdown(wait=False, cancel_futures=True)
            _pool = None
        raise UnreadableNotice(f"{path}: too large when unpacked (the reader gave up)") from error


def _parse(name: str) -> str:
    """Runs in the worker."""
    path = Path(name)
    suffix = path.suffix.lower()
    try:
        return _read_docx(path) if suffix == ".docx" else _read_pdf(path)
    except (UnreadableNotice, MemoryError):
        raise
    except Exception as error:  # each library has its own errors for a damaged file
        raise UnreadableNotice(f"{path}: cannot be read as {suffix[1:]} "
                               f"({type(error).__name__}: {error})") from error


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
