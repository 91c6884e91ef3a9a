"""人工服务 in a real browser against the real assistant (Rasa with the trained model): a member
asks for a person in 试一试 → the queue shows it live, with the nav's count, the alert banner,
a desktop notification and the chime → staff take it and reply → the member gets it → hand
back. Once on a 公众号 with the customer-service API (the stand-in: staff words arrive at once)
and once without it (they arrive as the answer to the member's next message).

Screenshots of each step: results/handoff-browser-<mode>-<n>-<step>.png, the queue and the
transcript also at phone width (390 px).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from bot.console.tryit import try_openid
from services.settings import PROJECT_ROOT
from tests.browser.conftest import PASSWORD, STAFF, STAFF_NAME, ConsoleStack, console_stack
from tests.browser.test_console_browser import wait_for

RESULTS = PROJECT_ROOT / "results"
ASK = "我要找人工客服"
STAFF_REPLY = "您好，发票请提供单位全称和税号，我们三个工作日内开具。"
WAIT_MS = 30_000
# Always within working hours, so that the member's reply is the same whenever the test runs.
ALWAYS_OPEN = {"HANDOFF_DAYS": "1-7", "HANDOFF_HOURS": "00:00-24:00", "HANDOFF_REPLY_MINUTES": "15"}
# Records the notifications the page shows (headless Chromium draws none).
RECORD_NOTIFICATIONS = """
(() => {
  const Original = window.Notification;
  if (!Original) return;
  window.__notifications = [];
  class Recorded extends Original {
    constructor(title, options) { super(title, options); window.__notifications.push(title + "|" + options.body); }
  }
  window.Notification = Recorded;
})();
"""


@pytest.fixture(scope="module", params=["api", "deferred"])
def mode_stack(request: pytest.FixtureRequest, chromium: str,
               tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, ConsoleStack]]:
    env = dict(ALWAYS_OPEN)
    if request.param == "deferred":
        env["WECHAT_CUSTOMER_SERVICE"] = "off"
    for stack in console_stack(tmp_path_factory.mktemp(f"handoff-{request.param}"), env):
        yield request.param, stack


def test_a_member_asks_for_a_person_and_staff_answer_from_the_queue(mode_stack, browser) -> None:
    from playwright.sync_api import expect

    mode, stack = mode_stack
    live = mode == "api"
    expect.set_options(timeout=WAIT_MS)
    RESULTS.mkdir(exist_ok=True)
    openid = try_openid(STAFF)
    problems: list[str] = []
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 1000})
    context.grant_permissions(["notifications"], origin=stack.assistant.gateway_url)
    context.add_init_script(RECORD_NOTIFICATIONS)
    context.on("weberror", lambda error: problems.append(str(error.error)))
    step = iter(range(1, 100))

    def watch(page):
        page.on("console", lambda m: problems.append(m.text) if m.type == "error"
                and not m.location.get("url", "").endswith("/favicon.ico") else None)
        page.on("dialog", lambda dialog: dialog.accept())
        return page

    def shot(page, name: str) -> None:
        page.screenshot(path=str(RESULTS / f"handoff-browser-{mode}-{next(step)}-{name}.png"), full_page=True)

    def phone_shot(path: str, name: str) -> None:
        phone = context.new_page()
        phone.set_viewport_size({"width": 390, "height": 844})
        phone.goto(stack.console + path)
        width = phone.evaluate("document.documentElement.scrollWidth")
        assert width <= 400, f"{path} is {width} px wide at phone width"
        shot(phone, f"{name}-phone")
        phone.close()

    def member_says(words: str) -> None:
        chat.get_by_placeholder(re.compile("输入消息")).fill(words)
        chat.get_by_role("button", name="发送").click()
        expect(chat.locator("#tryit-chat .bubble.mine").last).to_contain_text(words)

    answers = lambda: chat.locator("#tryit-chat .bubble.bot:not(.staff)")  # noqa: E731  what the member got

    def passive_replies() -> list[str]:
        """The answers WeChat took in the HTTP reply: what the member has in hand."""
        return chat.locator("#tryit-chat .bubble.bot:not(.staff)", has_text="被动回复").all_inner_texts()

    def member_gets(expected: str, words: str) -> None:
        """Without the API the member receives by writing; a turn past the 4 s budget (a loaded
        machine) is kept for the next message, so they write again, as a member would."""
        for attempt in range(3):
            before = answers().count()
            member_says(words if attempt == 0 else "收到了吗？")
            wait_for(lambda: answers().count() > before, "an answer")
            if any(expected in text for text in passive_replies()):
                return
        raise AssertionError(f"the member never received {expected!r}: {passive_replies()}")

    # Staff log in and open the queue: nobody waits.
    queue = watch(context.new_page())
    queue.goto(stack.console + "/handoffs")
    queue.get_by_label("用户名").fill(STAFF)
    queue.get_by_label("密码").fill(PASSWORD)
    queue.get_by_role("button", name="登录").click()
    expect(queue).to_have_url(re.compile(r"/console/handoffs$"))
    expect(queue.locator("#live")).to_contain_text("目前没有等待人工的用户")
    expect(queue.locator("#handoff-count")).to_be_hidden()

    # 1. The member asks for a person (试一试: a signed, encrypted push to /wechat).
    chat = watch(context.new_page())
    chat.goto(stack.console + "/try")
    member_says(ASK)
    expect(answers().last).to_contain_text("已为您转接人工服务")
    expect(answers().last).to_contain_text("15分钟")
    expect(answers().last).to_contain_text("直接发给您" if live else "发送任意一条消息即可收到")
    expect(chat.locator("#tryit-chat .bubble.mine").last).to_contain_text("human_handoff")
    shot(chat, "member-asks")

    # 2. The queue shows it without a reload: the question, the count, the banner, the notification.
    expect(queue.locator("#live")).to_contain_text(ASK)
    expect(queue.locator("#live")).to_contain_text("待处理")
    expect(queue.locator("#handoff-count")).to_have_text("1")
    expect(queue.locator("#handoff-alert")).to_contain_text("有用户请求人工服务")
    wait_for(lambda: queue.evaluate("(window.__notifications || []).length") >= 1, "the desktop notification")
    assert queue.evaluate("document.body.dataset.handoffSound") in ("running", "suspended")  # the chime was made
    shot(queue, "queue")
    phone_shot("/handoffs", "queue")

    # 3. Staff take it: the bot falls silent, the member is told (at once, or with their next message).
    queue.locator("#live").get_by_role("button", name="接手").click()
    expect(queue).to_have_url(re.compile(r"/console/conversations/wechat/"))
    expect(queue.locator(".flash")).to_contain_text("已接管")
    expect(queue.locator("section.handoff")).to_contain_text("处理中")
    if live:
        wait_for(lambda: any(STAFF_NAME in text for text in stack.api.sent_to(openid)), "the joining notice")
        expect(chat.locator("#tryit-chat .bubble.staff").last).to_contain_text(STAFF_NAME)
    else:
        assert stack.api.sent_to(openid) == []
        member_gets(f"工作人员{STAFF_NAME}", "好的，麻烦了")

    # 4. Staff reply; the member gets it.
    queue.locator("form.reply textarea").fill(STAFF_REPLY)
    queue.locator("form.reply").get_by_role("button", name="发送").click()
    if live:
        wait_for(lambda: STAFF_REPLY in stack.api.sent_to(openid), "the reply at the customer-service API")
        expect(chat.locator("#tryit-chat .bubble.staff").last).to_contain_text(STAFF_REPLY)
    else:
        member_gets(STAFF_REPLY, "请问开票要什么？")
        assert stack.api.sent_to(openid) == []
    shot(chat, "member-got-reply")
    queue.reload()
    expect(queue.locator(".msg.out.staff", has_text=STAFF_REPLY)).to_contain_text(f"人工 {STAFF_NAME}")
    shot(queue, "transcript")
    phone_shot(queue.url.removeprefix(stack.console), "transcript")

    # 5. Hand back: said once; the bot answers again; the queue shows it 已解决.
    queue.get_by_role("button", name="交还机器人").click()
    expect(queue.locator(".flash")).to_contain_text("已交还")
    if live:
        before = answers().count()
        member_says("质量月是什么时候？")
        wait_for(lambda: answers().count() > before, "the bot's answer after the hand-back")
        wait_for(lambda: len(stack.api.sent_to(openid)) >= 3, "the leaving notice")
        assert sum("人工服务已结束" in text for text in stack.api.sent_to(openid)) == 1
    else:
        member_gets("人工服务已结束", "质量月是什么时候？")
        assert sum("人工服务已结束" in text for text in passive_replies()) == 1
    expect(chat.locator("#tryit-chat")).to_contain_text("质量月活动")  # the bot answers again
    shot(chat, "handed-back")
    queue.goto(stack.console + "/handoffs?status=resolved")
    expect(queue.locator("#live")).to_contain_text("已解决")
    expect(queue.locator("#live")).to_contain_text(ASK)
    shot(queue, "resolved")

    assert problems == [], problems
    context.close()
