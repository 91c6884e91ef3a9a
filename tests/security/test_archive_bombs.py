"""Row 3 of issue #13: a small .docx that unpacks to hundreds of MiB is refused before it
is unpacked, and Word/PDF parsing happens in a worker with a memory cap."""

from __future__ import annotations

import tracemalloc
import zipfile
from pathlib import Path

import pytest
from aiohttp import FormData

from services.ingest import readers
from services.ingest.readers import UnreadableNotice, read_notice

DOCUMENT_START = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                  b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>')


def docx_bomb(path: Path, unpacked_mib: int = 200) -> Path:
    """A .docx whose document.xml is mostly spaces: about 1 KiB packed a MiB unpacked."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("word/document.xml", "w") as part:
            part.write(DOCUMENT_START)
            block = b" " * (1 << 20)
            for _ in range(unpacked_mib):
                part.write(block)
            part.write(b"</w:body></w:document>")
    return path


def test_a_docx_bomb_is_refused_from_its_zip_directory(tmp_path):
    bomb = docx_bomb(tmp_path / "bomb.docx")
    assert bomb.stat().st_size < 512 * 1024
    tracemalloc.start()
    try:
        with pytest.raises(UnreadableNotice, match="too large when unpacked"):
            read_notice(bomb)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 8 * 2**20, f"{peak / 2**20:.0f} MiB"


def word_file_with_one_huge_paragraph(path: Path, unpacked_mib: int) -> Path:
    """A real .docx (python-docx's own), its paragraph swollen to `unpacked_mib` MiB."""
    import docx

    small = path.with_name("small.docx")
    document = docx.Document()
    document.add_paragraph("PLACEHOLDER")
    document.save(str(small))
    with zipfile.ZipFile(small) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename != "word/document.xml":
                target.writestr(item, data)
                continue
            head, tail = data.split(b"PLACEHOLDER")
            with target.open("word/document.xml", "w") as part:
                part.write(head + b"</w:t></w:r></w:p>")
                for _ in range(unpacked_mib):  # paragraphs of 1 MiB (lxml refuses a text node over 10 MB)
                    part.write(b"<w:p><w:r><w:t>" + b"x" * (1 << 20) + b"</w:t></w:r></w:p>")
                part.write(b"<w:p><w:r><w:t>" + tail)
    return path


def test_what_passes_the_checks_is_parsed_in_a_worker_that_cannot_take_the_gateway_down(tmp_path, monkeypatch):
    swollen = word_file_with_one_huge_paragraph(tmp_path / "swollen.docx", unpacked_mib=60)
    # Suppose the zip checks let it through: the worker's memory cap still stops it.
    monkeypatch.setattr(readers, "MAX_RATIO", 10**6)
    monkeypatch.setattr(readers, "WORKER_MEMORY_BYTES", 160 * 2**20)
    monkeypatch.setattr(readers, "_pool", None)  # a worker with this cap
    try:
        with pytest.raises(UnreadableNotice, match="too large when unpacked"):
            read_notice(swollen)
        # The gateway's process is fine, and the next worker reads a normal notice.
        monkeypatch.setattr(readers, "WORKER_MEMORY_BYTES", 768 * 2**20)
        with pytest.raises(UnreadableNotice, match="contains no text"):  # read, and found empty
            read_notice(word_file_with_one_huge_paragraph(tmp_path / "fine.docx", 0))
    finally:
        if readers._pool is not None:
            readers._pool.shutdown()


async def test_the_console_refuses_the_bomb_with_a_chinese_message(console, tmp_path):
    bomb = docx_bomb(tmp_path / "bomb.docx").read_bytes()
    console.user("bianji", "editor")  # editors upload notices
    assert await console.login("bianji") == 302
    token = await console.csrf("/console/upload")
    form = FormData()
    form.add_field("_csrf", token)
    form.add_field("notice", bomb, filename="通知.docx", content_type="application/octet-stream")
    response = await console.client.post("/console/upload", data=form, allow_redirects=False)
    assert response.status == 400 and "解压后过大" in await response.text()
