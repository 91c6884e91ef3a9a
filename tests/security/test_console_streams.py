"""Row 14 of issue #13: live-update streams are limited per account and end with the session."""

from __future__ import annotations

import asyncio

from bot.console import keys as console_keys

EVENTS = "/console/events"
STREAM = {"Accept": "text/event-stream"}


async def test_an_account_cannot_open_streams_without_limit(console):
    console.user("li.staff")
    assert await console.login("li.staff") == 302
    limit = console.gateway.app[console_keys.SETTINGS].sse_max_per_account
    opened = [await console.client.get(EVENTS, headers=STREAM) for _ in range(limit)]
    assert all(response.status == 200 for response in opened)
    refused = await console.client.get(EVENTS, headers=STREAM)
    assert refused.status == 429 and "实时更新" in await refused.text()
    for response in opened:
        response.close()


async def test_a_stream_ends_within_seconds_of_logging_out_elsewhere(console):
    console.user("li.staff")
    assert await console.login("li.staff") == 302
    response = await console.client.get(EVENTS, headers=STREAM)
    assert response.status == 200
    assert (await response.content.readline()).startswith(b"retry:")
    console.accounts.end_sessions("li.staff")  # logout (or a new password, or disabling) in another tab
    rest = await asyncio.wait_for(response.content.read(), 5)  # the stream ends, well before its ten minutes
    assert b"changed" not in rest
    [staff] = console.accounts.users()
    assert console.gateway.app[console_keys.LIVE_STREAMS][staff.id] == 0
