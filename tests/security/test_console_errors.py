"""Every error path of the console answers a 4xx with a Chinese sentence, never a traceback."""

from __future__ import annotations


async def test_an_unknown_console_page_is_a_chinese_404(console):
    response = await console.client.get("/console/no-such-page")
    text = await response.text()
    assert response.status == 404 and "页面不存在" in text and "Traceback" not in text


async def test_a_malformed_upload_is_a_chinese_400(console):
    console.user("bianji", "editor")
    assert await console.login("bianji") == 302
    token = await console.csrf("/console/upload")
    response = await console.client.post(
        "/console/upload", data=b"--x\r\nContent-Disposition: form-data; name=\"notice\"; filename=\"a.txt\"\r\n"
                                 b"\r\nno closing boundary",
        headers={"Content-Type": "multipart/form-data; boundary=x", "X-CSRF-Token": token}, allow_redirects=False)
    text = await response.text()
    assert response.status == 400 and "格式不正确" in text and "Traceback" not in text


async def test_a_multipart_form_without_a_boundary_is_refused_politely(console):
    console.user("bianji", "editor")
    assert await console.login("bianji") == 302
    response = await console.client.post("/console/upload", data=b"garbage",
                                         headers={"Content-Type": "multipart/form-data"}, allow_redirects=False)
    text = await response.text()
    assert response.status == 403 and "页面已过期" in text and "Traceback" not in text


async def test_an_oversized_form_is_a_chinese_413(console):
    console.user("kefu")
    assert await console.login("kefu") == 302
    token = await console.csrf()
    response = await console.client.post("/console/conversations/wechat/o-1/reply",
                                         data={"_csrf": token, "text": "长" * 40_000}, allow_redirects=False)
    text = await response.text()
    assert response.status == 413 and "太大" in text and "Traceback" not in text
