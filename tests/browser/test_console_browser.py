"""The console in a real browser against the real assistant: log in through the form,
talk to the bot through 试一试 (a signed, encrypted push to /wechat), watch the
conversation list and the transcript update live, take the test member over, reply,
see the reply reach the customer-service API and the member's chat, hand back.

Screenshots of each step go to results/console-browser-*.png, the last one to
results/console-browser.png.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable

from bot.console.tryit import try_openid
from services.settings import PROJECT_ROOT
from tests.browser.conftest import PASSWORD, STAFF, STAFF_NAME, ConsoleStack

RESULTS = PROJECT_ROOT / "results"
QUESTION = "质量月是什么时候？"
INTENT = "ask_quality_month"
STAFF_REPLY = "您好，我是工作人员，今年质量月的活动安排稍后发给您。"
WAIT_MS = 30_000  # the first Rasa turn after loading the model may take a while


def wait_for(condition: Callable[[], bool], what: str, timeout_s: float = 30.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.2)


def test_try_it_takeover_and_handback_in_chromium(stack: ConsoleStack, browser) -> None:
    from playwright.sync_api import expect

    expect.set_options(timeout=WAIT_MS)
    RESULTS.mkdir(exist_ok=True)
    openid = try_openid(STAFF)
    problems: list[str] = []  # script errors and CSP violations the pages report
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 1300})
    context.on("weberror", lambda error: problems.append(str(error.error)))
    step = iter(range(1, 100))

    def console_message(message) -> None:
        # The browser asks for /favicon.ico by itself; the console has none (404).
        if message.type == "error" and not message.location.get("url", "").endswith("/favicon.ico"):
            problems.append(f"{message.text} ({message.location.get('url')})")

    def watch(page):
        page.on("console", console_message)
        page.on("dialog", lambda dialog: dialog.accept())  # 人工接管 / 交还机器人 ask first
        return page

    def shot(page, name: str) -> None:
        page.screenshot(path=str(RESULTS / f"console-browser-{next(step)}-{name}.png"), full_page=True)

    # 1. Logging in through the form, sent back to where we were going.
    chat = watch(context.new_page())
    chat.goto(stack.console + "/try")
    expect(chat).to_have_url(re.compile(r"/console/login\?next="))
    chat.get_by_label("用户名").fill(STAFF)
    chat.get_by_label("密码").fill(PASSWORD)
    shot(chat, "login")
    chat.get_by_role("button", name="登录").click()
    expect(chat).to_have_url(re.compile(r"/console/try$"))
    expect(chat.locator("header nav")).to_contain_text("试一试")

    # A second tab on the conversation list, listening to the live updates.
    listing = watch(context.new_page())
    listing.goto(stack.console + "/conversations")
    expect(listing.locator("#live")).not_to_contain_text(openid)

    # 2. 试一试: the question goes to /wechat as WeChat would push it; the bot answers.
    chat.get_by_placeholder(re.compile("输入消息")).fill(QUESTION)
    chat.get_by_role("button", name="发送").click()
    bot_replies = chat.locator("#tryit-chat .bubble.bot:not(.staff)")
    expect(bot_replies.first).to_be_visible()  # passive, or a few seconds later by the API
    expect(chat.locator("#tryit-chat .bubble.mine")).to_contain_text(QUESTION)
    expect(chat.locator("#tryit-chat .bubble.mine")).to_contain_text(f"意图 {INTENT}")
    expect(chat.locator("#tryit-status")).not_to_have_text("")
    first_answer = bot_replies.first.locator(".text").inner_text()
    answers = bot_replies.count()
    assert first_answer.strip() and not first_answer.startswith("抱歉"), first_answer  # an answer, not an apology
    shot(chat, "try-it")

    # 3. The conversation list shows the test member without a reload (SSE).
    expect(listing.locator("#live")).to_contain_text(openid)
    shot(listing, "list-live")
    listing.get_by_role("link", name=openid).click()
    expect(listing.locator(".nlu").first).to_contain_text(INTENT)
    expect(listing.locator("ol.turns")).to_contain_text(QUESTION)

    # 4. Take over: the member is told, through the customer-service API (the stand-in).
    listing.get_by_role("button", name="人工接管").click()
    expect(listing.locator(".flash")).to_contain_text("已接管")
    wait_for(lambda: any(STAFF_NAME in text for text in stack.api.sent_to(openid)), "the joining notice")
    expect(chat.locator("#tryit-chat .bubble.staff")).to_contain_text(STAFF_NAME)  # live in the member's chat

    # While taken over the bot is silent and 试一试 says so.
    chat.get_by_placeholder(re.compile("输入消息")).fill("还在吗？")
    chat.get_by_role("button", name="发送").click()
    expect(chat.locator("#tryit-status")).to_contain_text("人工接管")
    expect(listing.locator("ol.turns")).to_contain_text("还在吗？")  # live on the transcript too

    # 5. Reply from the console: delivered, and seen in the member's chat.
    listing.locator("form.reply textarea").fill(STAFF_REPLY)
    listing.locator("form.reply").get_by_role("button", name="发送").click()
    wait_for(lambda: STAFF_REPLY in stack.api.sent_to(openid), "the staff reply at the customer-service API")
    expect(chat.locator("#tryit-chat .bubble.staff").last).to_contain_text(STAFF_REPLY)
    listing.reload()
    reply_line = listing.locator(".msg.out.staff", has_text=STAFF_REPLY)
    expect(reply_line).to_contain_text(f"人工 {STAFF_NAME}")  # the name the member was told
    expect(reply_line).to_contain_text("已送达")
    shot(listing, "takeover-reply")

    # 6. Hand back: the member is told, and the bot answers again.
    listing.get_by_role("button", name="交还机器人").click()
    expect(listing.locator(".flash")).to_contain_text("已交还")
    wait_for(lambda: len(stack.api.sent_to(openid)) >= 3, "the leaving notice")
    chat.get_by_placeholder(re.compile("输入消息")).fill(QUESTION)
    chat.get_by_role("button", name="发送").click()
    wait_for(lambda: bot_replies.count() > answers, "the bot's answer after the handback")
    expect(chat.locator("#tryit-chat .bubble.staff")).to_have_count(3)  # joined, reply, left
    shot(listing, "handed-back")
    chat.screenshot(path=str(RESULTS / "console-browser.png"), full_page=True)

    assert problems == [], problems
    context.close()
