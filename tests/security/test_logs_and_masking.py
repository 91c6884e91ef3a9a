"""Rows 8 and 10 of issue #13: mobile numbers written the way people write them, and log
lines forged through a request path."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest
from yarl import URL

from bot.gateway.logbook import LOG_FORMAT, MaskingFormatter
from services.review_file import ReviewFile
from services.validation import check_mobile, find_mobiles, mask_mobiles
from tests.gateway.standins import text_xml

WRITTEN = ["13987654321", "139 8765 4321", "139-8765-4321", "+8613987654321", "+86 139 8765 4321",
           "0086-139-8765-4321", "１３９８７６５４３２１", "(139)8765-4321", "８６ １３９８７６５４３２１"]


@pytest.fixture
def log_lines() -> Iterator[io.StringIO]:
    """Every log line as `python -m bot.gateway` writes it (bot.gateway.logbook's formatter)."""
    lines = io.StringIO()
    handler = logging.StreamHandler(lines)
    handler.setFormatter(MaskingFormatter(LOG_FORMAT))
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    yield lines
    root.removeHandler(handler)
    root.setLevel(level)


# -- row 8: one detector for validation, masking, logs and training files -----------------------


@pytest.mark.parametrize("written", WRITTEN)
def test_every_number_the_sign_up_form_accepts_is_masked(written):
    assert check_mobile(written).value == "13987654321"
    assert find_mobiles(f"我的手机{written}谢谢") == ["13987654321"]
    masked = mask_mobiles(f"我的手机{written}谢谢")
    assert "139****4321" in masked and "8765" not in masked and "８７６５" not in masked


@pytest.mark.parametrize("written", WRITTEN)
def test_log_lines_mask_the_number_however_it_was_written(log_lines, written):
    logging.getLogger("bot.gateway.handler").info("member wrote %s", written)
    assert "139****4321" in log_lines.getvalue() and "8765" not in log_lines.getvalue()


@pytest.mark.parametrize("written", WRITTEN)
def test_the_training_file_refuses_an_example_with_the_number(tmp_path, written):
    review = ReviewFile(tmp_path / "nlu" / "review.yml", tmp_path / "review.lock", tmp_path / "nlu")
    result = review.add("inform", [f"我的电话是{written}"])
    assert result.refused and not result.added


async def test_staff_see_the_number_masked_in_the_transcript(console):
    console.user("li.staff")
    pushed = await console.gateway.wechat().push(text_xml("o-member", "我的手机 +86 139 8765 4321", msg_id=81))
    assert pushed.status == 200
    await console.gateway.settle()
    assert await console.login("li.staff") == 302
    page = await (await console.client.get("/console/conversations/wechat/o-member")).text()
    assert "139****4321" in page and "8765" not in page


# -- row 10: control characters in what is logged ---------------------------------------------


async def test_a_newline_in_the_request_path_does_not_start_a_log_line(console, log_lines):
    forged = "/console/x%0a2026-12-07%2000:00:00,000%20INFO%20bot.console:%20FAKE%20admin%20exported"
    response = await console.client.post(URL(forged, encoded=True), data={"a": "b"}, allow_redirects=False)
    assert 300 <= response.status < 500
    written = log_lines.getvalue()
    assert "FAKE" in written  # it was logged …
    assert not any(line.startswith("2026-12-07 00:00:00,000") for line in written.splitlines())  # … on its own line
    assert "\\n2026-12-07" in written


def test_tracebacks_keep_their_lines_while_messages_are_escaped(log_lines):
    try:
        raise ValueError("boom")
    except ValueError:
        logging.getLogger("bot.gateway").exception("member text %s", "a\nFAKE line\x1b[31m")
    written = log_lines.getvalue()
    assert "a\\nFAKE line\\x1b[31m" in written and "\nTraceback" in written
