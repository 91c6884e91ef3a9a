"""Reviewing an uploaded notice in a real browser against the running assistant: log in, upload
a small notice, see the place read from it marked in the notice's text, correct the place in
the review form, publish, and find the corrected place where the assistant reads it
(services.activities.ActivityService on the assistant's database) and in its reply to a member.

Screenshots go to results/notice-review-browser-*.png.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from services.activities import ActivityService
from services.db import make_engine, make_session_factory
from services.settings import PROJECT_ROOT
from tests.browser.conftest import PASSWORD, STAFF, ConsoleStack
from tests.conftest import TODAY

RESULTS = PROJECT_ROOT / "results"
WAIT_MS = 30_000
NAME = "2027年质量开放日活动"
READ_PLACE = "长宁区泰安路74号市质协三楼报告厅"
CORRECTED_PLACE = "长宁区泰安路74号市质协五楼会议室"
NOTICE = """关于举办2027年质量开放日活动的通知
各会员单位：
为展示企业质量管理成果，上海市质量协会定于2027年3月18日（星期四）下午13:30—16:30，在长宁区泰安路74号市质协三楼报告厅举办2027年质量开放日活动。
本期名额150人，本次活动免费。请于2027年3月10日前发送电子邮件至training@shqa.example.cn报名。
联系人：王老师　电话：021-52588282
上海市质量协会
2026年11月20日
"""


def assistant_activities(stack: ConsoleStack) -> Iterator[ActivityService]:
    assert stack.assistant.database_url
    engine = make_engine(stack.assistant.database_url)
    try:
        yield ActivityService(make_session_factory(engine), lambda: TODAY)
    finally:
        engine.dispose()


def test_a_notice_corrected_in_review_is_published_with_the_correction(stack: ConsoleStack, browser) -> None:
    from playwright.sync_api import expect

    expect.set_options(timeout=WAIT_MS)
    RESULTS.mkdir(exist_ok=True)
    problems: list[str] = []
    context = browser.new_context(locale="zh-CN", viewport={"width": 1400, "height": 1300})
    context.on("weberror", lambda error: problems.append(str(error.error)))
    page = context.new_page()
    page.on("console", lambda message: problems.append(message.text) if message.type == "error"
            and not message.location.get("url", "").endswith("/favicon.ico") else None)

    page.goto(stack.console + "/upload")
    expect(page).to_have_url(re.compile(r"/console/login\?next="))
    page.get_by_label("用户名").fill(STAFF)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page).to_have_url(re.compile(r"/console/upload$"))

    # Upload: a draft, shown beside the notice; members do not see it yet.
    page.locator("input[name=notice]").set_input_files(
        {"name": "open-day.txt", "mimeType": "text/plain", "buffer": NOTICE.encode()})
    page.get_by_role("button", name="上传").click()
    expect(page).to_have_url(re.compile(r"/console/notices/\d+$"))
    expect(page.locator(".notice-text mark", has_text=READ_PLACE)).to_be_visible()
    place = page.locator("#a0-place")
    expect(place).to_have_value(READ_PLACE)
    expect(page.locator(".card")).to_contain_text("原文：")
    expect(page.locator(".card")).to_contain_text("通知未写明")  # 参加对象 is not in the notice
    for service in assistant_activities(stack):
        assert service.resolve(NAME).unique is None
    page.screenshot(path=str(RESULTS / "notice-review-browser-1-draft.png"), full_page=True)

    # Correct the place, publish.
    place.fill(CORRECTED_PLACE)
    page.get_by_role("button", name="发布", exact=True).click()
    expect(page.locator(".flash").first).to_contain_text("已发布")
    expect(page.locator("#a0-place")).to_have_value(CORRECTED_PLACE)
    page.screenshot(path=str(RESULTS / "notice-review-browser-2-published.png"), full_page=True)

    for service in assistant_activities(stack):
        found = service.resolve(NAME).unique
        assert found is not None
        details = service.details(found.id)
        assert details is not None and details.location == CORRECTED_PLACE
        assert details.capacity == 150 and details.time_of_day == "13:30-16:30"
    # and the assistant itself, asked as a member asks, answers with the corrected place
    reply = "\n".join(stack.assistant.say("browser-review-member", "2027年质量开放日活动在哪里举办"))
    assert CORRECTED_PLACE in reply and READ_PLACE not in reply, reply

    assert problems == [], problems
    context.close()
