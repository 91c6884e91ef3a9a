"""Row 2 of issue #13: the notice upload's body is read only after a valid login and a
valid CSRF token, and then streamed to a capped temporary file."""

from __future__ import annotations

import tracemalloc

from aiohttp import FormData

from bot.console.activity_views import NOTICE_MAX_BYTES

UPLOAD = "/console/upload"
BIG = 20 * 1024 * 1024


def form(token: str, content: bytes, name: str = "notice.txt") -> FormData:
    data = FormData()
    data.add_field("_csrf", token)
    data.add_field("notice", content, filename=name, content_type="application/octet-stream")
    return data


async def peak_while(awaitable) -> tuple[object, int]:  # type: ignore[no-untyped-def]
    tracemalloc.start()
    try:
        result = await awaitable
        return result, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


async def test_a_cookie_named_like_the_session_does_not_buy_an_anonymous_large_upload(console):
    content = b"x" * BIG
    console.client.session.cookie_jar.update_cookies({"shqa_console": "anything"})
    response, peak = await peak_while(console.client.post(UPLOAD, data=form("forged", content),
                                                          allow_redirects=False))
    assert response.status == 302 and response.headers["Location"].startswith("/console/login")
    assert peak < 8 * 2**20, f"{peak / 2**20:.0f} MiB"


async def test_a_logged_in_upload_without_the_csrf_token_is_refused_unread(console):
    console.user("bianji", "editor")  # editors upload notices
    assert await console.login("bianji") == 302
    content = b"x" * BIG
    response, peak = await peak_while(console.client.post(UPLOAD, data=form("forged", content),
                                                          allow_redirects=False))
    assert response.status == 403 and "页面已过期" in await response.text()
    assert peak < 8 * 2**20, f"{peak / 2**20:.0f} MiB"


async def test_a_file_over_the_limit_is_refused_without_being_held_in_memory(console):
    console.user("bianji", "editor")  # editors upload notices
    assert await console.login("bianji") == 302
    token = await console.csrf(UPLOAD)
    content = b"x" * BIG
    assert BIG > NOTICE_MAX_BYTES
    response, peak = await peak_while(console.client.post(UPLOAD, data=form(token, content), allow_redirects=False))
    assert response.status == 400 and "文件太大" in await response.text()
    assert peak < 8 * 2**20, f"{peak / 2**20:.0f} MiB"


async def test_a_form_whose_first_part_is_not_the_token_is_refused(console):
    console.user("bianji", "editor")  # editors upload notices
    assert await console.login("bianji") == 302
    token = await console.csrf(UPLOAD)
    data = FormData()
    data.add_field("notice", b"x" * 1024, filename="n.txt", content_type="text/plain")
    data.add_field("_csrf", token)
    response = await console.client.post(UPLOAD, data=data, allow_redirects=False)
    assert response.status == 403
