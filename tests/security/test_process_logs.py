"""Row 15 of issue #13 (logs): what Rasa and the action server print reaches `make run`'s
output through the supervisor, which masks mobile numbers as the gateway's log does."""

from __future__ import annotations

import asyncio

from bot import supervisor


async def test_rasa_and_action_server_lines_are_masked(capsys):
    stream = asyncio.StreamReader()
    stream.feed_data("DEBUG rasa.core.processor  - Received user message '我的手机 +86 139 8765 4321'\n"
                     .encode())
    stream.feed_data(b"ERROR rasa_sdk.executor - validate_mobile failed for 13987654321\n")
    stream.feed_eof()
    await supervisor.pump("rasa", stream)
    printed = capsys.readouterr().out
    assert printed.count("139****4321") == 2 and "8765" not in printed
