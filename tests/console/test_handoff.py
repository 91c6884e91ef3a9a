"""人工服务: a member's request for a person in the console's queue, taken by one staff member,
answered and handed back; the member hears from staff at once with the customer-service API,
and through the passive reply to their own messages without it."""

from __future__ import annotations

import asyncio
import datetime as dt

from bot.console import keys as console_keys
from bot.gateway import keys
from services.handoff import ACTIVE, PENDING, RESOLVED, HandoffService
from services.models import Member
from services.settings import WorkingHours
from tests.console.conftest import PASSWORD, Console
from tests.gateway.standins import text_xml

ALWAYS = WorkingHours(days=frozenset(range(1, 8)), start=dt.time(0, 0), end=dt.time(0, 0))
PAGE = "/console/conversations/wechat/o-ask"


def handoffs(console: Console) -> HandoffService:
    return HandoffService(console.gateway.app[keys.SESSIONS], ALWAYS)


async def member_asks(console: Console, words: str = "我想开发票，能找个人工吗", user: str = "o-ask") -> None:
    """The member's message through /wechat, and what the hand-off action records for it."""
    await console.gateway.wechat().push(text_xml(user, words), "safe")
    handoffs(console).request("wechat", user, words, "发票抬头怎么写", None, live=False)
    await console.gateway.settle()


def staff(console: Console, username: str, display_name: str) -> None:
    console.accounts.create_user(username, PASSWORD, "staff", display_name)


async def test_the_queue_shows_the_request_with_the_members_name_and_the_nav_counts_it(console):
    with console.gateway.app[keys.SESSIONS]() as session, session.begin():
        session.add(Member(channel="wechat", channel_user_id="o-ask", name="张伟", company="上海电气"))
    await member_asks(console)
    staff(console, "wang", "王老师")
    assert await console.login("wang") == 302
    page = await (await console.client.get("/console/handoffs")).text()
    assert "我想开发票，能找个人工吗" in page and "此前问：发票抬头怎么写" in page
    assert "张伟" in page and "上海电气" in page and "待处理" in page
    assert 'id="handoff-count" class="count" title="等待人工的用户，以及我接手的会话中的新消息">1<' in page
    # Every page counts the waiting members in its navigation.
    assert '的新消息">1<' in await (await console.client.get("/console/conversations")).text()
    assert "收到：" not in page  # the member's question, not the bot's reply


async def test_the_live_stream_announces_a_new_request(console):
    console.user("watcher")
    assert await console.login("watcher") == 302
    response = await console.client.get("/console/events?after=0", headers={"Accept": "text/event-stream"})
    received = b""
    while b'"waiting": 0' not in received:
        received += await asyncio.wait_for(response.content.readany(), 5)
    await member_asks(console)
    while b'"waiting": 1' not in received:
        received += await asyncio.wait_for(response.content.readany(), 5)
    assert b"event: handoff" in received and b"\xe5" not in received  # counts and ids only, no words
    response.close()


async def test_one_staff_member_takes_it_others_see_who_and_are_warned_before_replying(console):
    gateway = console.gateway
    await member_asks(console)
    staff(console, "wang", "王老师")
    staff(console, "li", "李老师")
    assert await console.login("wang") == 302
    response = await console.post(PAGE + "/takeover", page="/console/handoffs")
    assert response.status == 302
    await gateway.settle()
    # The member sees the display name staff set, not the login name.
    assert gateway.api.sent[-1]["text"]["content"] == console.gateway.app[console_keys.TEXTS].say(
        "staff_joined", "王老师")
    [entry] = handoffs(console).queue()
    assert (entry.status, entry.assigned_to, entry.assigned_name) == (ACTIVE, "wang", "王老师")

    console.logout_cookies()
    assert await console.login("li") == 302
    queue = await (await console.client.get("/console/handoffs")).text()
    assert "处理中" in queue and "王老师" in queue
    shown = await (await console.client.get(PAGE)).text()
    assert "此会话由 王老师 接管" in shown and 'name="confirm_other"' in shown
    sent = len(gateway.api.sent)
    await console.post(PAGE + "/reply", {"text": "我来回答吧"}, page=PAGE)
    await gateway.settle()
    assert len(gateway.api.sent) == sent  # not sent without saying so
    assert "回复未发送" in await (await console.client.get(PAGE)).text()
    await console.post(PAGE + "/reply", {"text": "我来补充一句", "confirm_other": "1"}, page=PAGE)
    await gateway.settle()
    assert gateway.api.sent[-1]["text"]["content"] == "我来补充一句"
    # A second takeover names the holder by display name.
    await console.post(PAGE + "/takeover", page=PAGE)
    assert "此用户已由 王老师 接管" in await (await console.client.get(PAGE)).text()


async def test_with_the_api_replies_go_at_once_and_hand_back_is_said_once(console):
    gateway = console.gateway
    texts = gateway.app[console_keys.TEXTS]
    await member_asks(console)
    staff(console, "wang", "王老师")
    assert await console.login("wang") == 302
    await console.post(PAGE + "/takeover", page=PAGE)
    held = await gateway.wechat().push(text_xml("o-ask", "开票需要什么材料？"), "safe")
    assert (held.status, held.body) == (200, "success")  # replies come through the API, at once
    await console.post(PAGE + "/reply", {"text": "请提供单位税号。"}, page=PAGE)
    await gateway.settle()
    assert gateway.api.sent[-1]["text"]["content"] == "请提供单位税号。"
    assert handoffs(console).queue()[0].unread == 0
    await console.post(PAGE + "/handback", page=PAGE)
    await console.post(PAGE + "/handback", page=PAGE)  # a second click (or a colleague's) says nothing more
    await gateway.settle()
    contents = [m["text"]["content"] for m in gateway.api.sent]
    assert contents.count(texts.say("staff_left", "王老师")) == 1
    assert handoffs(console).queue() == [] and handoffs(console).queue((RESOLVED,))[0].resolved_at
    assert (await gateway.wechat().push(text_xml("o-ask", "谢谢"), "safe")).content == "收到：谢谢"


async def test_without_the_api_staff_words_reach_the_member_as_answers_to_their_messages(start_gateway):
    console = Console(await start_gateway(WECHAT_CUSTOMER_SERVICE="off"))
    gateway = console.gateway
    texts = gateway.app[console_keys.TEXTS]
    await member_asks(console)
    assert gateway.rasa.calls[-1]["metadata"]["delivery"] == "deferred"  # the action words its hint by it
    staff(console, "wang", "王老师")
    assert await console.login("wang") == 302
    await console.post(PAGE + "/takeover", page="/console/handoffs")
    await gateway.settle()
    assert gateway.api.sent == []
    assert "用户下一次发消息时送达" in await (await console.client.get(PAGE)).text()

    # The member writes: the joining notice comes back as the answer, with how to get more.
    first = await gateway.wechat().push(text_xml("o-ask", "好的"), "safe")
    assert first.content.startswith(texts.say("staff_joined", "王老师"))
    assert "下次发消息时一并送达" in first.content and "您上一条消息的回复" not in first.content
    await gateway.settle()
    assert handoffs(console).queue()[0].unread == 1  # 好的, since the request: nobody has replied yet
    # The holder's navigation counts it; a colleague's does not.
    assert handoffs(console).state("wang").needs_me == 1 and handoffs(console).state("li").needs_me == 0
    # Nothing from staff yet: told a person has it and that any message fetches the reply.
    waiting = await gateway.wechat().push(text_xml("o-ask", "在吗"), "safe")
    assert waiting.content == gateway.app[keys.TEXTS].say("held", staff="王老师")
    assert len(gateway.rasa.calls) == 1  # no Rasa turn while held

    await console.post(PAGE + "/reply", {"text": "请提供单位税号。"}, page=PAGE)
    await gateway.settle()
    transcript = await (await console.client.get(PAGE)).text()
    assert "人工 王老师" in transcript and "下次送达" in transcript
    answer = await gateway.wechat().push(text_xml("o-ask", "1"), "safe")
    assert answer.content.startswith("请提供单位税号。")
    nothing_new = await gateway.wechat().push(text_xml("o-ask", "2"), "safe")
    assert nothing_new.content.startswith("您的消息已转给工作人员王老师")

    await console.post(PAGE + "/handback", page=PAGE)
    await console.post(PAGE + "/handback", page=PAGE)
    await gateway.settle()
    back = await gateway.wechat().push(text_xml("o-ask", "质量月是什么时候"), "safe")
    # Said once, before the bot's answer, in the staff member's voice (no "上一条消息的回复").
    assert back.content == texts.say("staff_left", "王老师") + "\n\n收到：质量月是什么时候"
    again = await gateway.wechat().push(text_xml("o-ask", "再问一次"), "safe")
    assert again.content == "收到：再问一次"
    out = await gateway.log(user_id="o-ask", direction="out", msg_type="staff")
    assert [row.status for row in out] == ["given", "given", "given"]


async def test_a_request_is_closed_without_a_takeover_and_a_held_one_is_not(console):
    await member_asks(console)
    await member_asks(console, "转人工", user="o-two")
    staff(console, "wang", "王老师")
    assert await console.login("wang") == 302
    response = await console.post("/console/conversations/wechat/o-ask/resolve?back=queue", page="/console/handoffs")
    assert response.headers["Location"] == "/console/handoffs"
    await console.post("/console/conversations/wechat/o-two/takeover", page="/console/handoffs")
    await console.post("/console/conversations/wechat/o-two/resolve", page="/console/handoffs")
    statuses = {entry.user_id: entry.status for entry in handoffs(console).queue((PENDING, ACTIVE, RESOLVED))}
    assert statuses == {"o-ask": RESOLVED, "o-two": ACTIVE}
    assert "请在会话页点“交还机器人”" in await (await console.client.get("/console/handoffs")).text()
    audit = [entry.action for entry in console.accounts.audit_log(10)]
    assert "handoff_resolve" in audit and "takeover" in audit
    # No login, or no CSRF token: nothing changes.
    console.logout_cookies()
    assert (await console.client.get("/console/handoffs", allow_redirects=False)).status == 302


async def test_the_conversation_list_names_members_who_signed_up(console):
    with console.gateway.app[keys.SESSIONS]() as session, session.begin():
        session.add(Member(channel="wechat", channel_user_id="o-named", name="张伟", company="上海电气"))
    await console.gateway.wechat().push(text_xml("o-named", "你好"), "safe")
    await console.gateway.wechat().push(text_xml("o-plain", "你好"), "safe")
    await console.gateway.settle()
    console.user("kefu")
    assert await console.login("kefu") == 302
    page = await (await console.client.get("/console/conversations")).text()
    assert ">张伟<" in page and "上海电气 · <span>o-named</span>" in page and ">o-plain<" in page
