"""Whole conversations through Rasa's REST channel, with the real action server."""

from __future__ import annotations

import re

import pytest


def joined(replies: list[str]) -> str:
    return "\n".join(replies)


def test_a_question_gets_the_fact_with_its_date_and_source(assistant):
    reply = joined(assistant.say("e2e-facts", "第三届世界质量论坛什么时候举办？"))
    assert "2019年12月5日至6日" in reply and "已经结束" in reply
    assert "《2019年度上海市质协工作重点》" in reply
    assert "质量的未来思维模式" in joined(assistant.say("e2e-facts", "主题是什么"))


def test_traditional_script_questions_work(assistant):
    reply = joined(assistant.say("e2e-trad", "第三屆世界質量論壇什麼時候舉辦？"))
    assert "2019年12月5日至6日" in reply


def test_contacts_and_follow_ups(assistant):
    assert "18917186600" in joined(assistant.say("e2e-contact", "市质协电话多少"))
    assert "63295035" in joined(assistant.say("e2e-contact", "市总工会呢?"))
    fax = joined(assistant.say("e2e-contact", "他们的传真呢"))
    assert "上海市总工会" in fax and "传真" in fax


def test_upcoming_activities(assistant):
    reply = joined(assistant.say("e2e-list", "最近有什么活动"))
    assert "2026年质量大讲堂（冬季）" in reply and "尚未开始" in reply


def test_sign_up_with_a_correction_then_list_and_cancel(assistant):
    user = "e2e-signup"
    assert "开放报名" in joined(assistant.say(user, "我要报名"))
    assert "姓名" in joined(assistant.say(user, "冬季质量大讲堂"))
    assert "手机" in joined(assistant.say(user, "我叫张伟"))
    assert "11位" in joined(assistant.say(user, "1391234"))
    assert "单位" in joined(assistant.say(user, "13912345678"))
    summary = joined(assistant.say(user, "上海电气集团"))
    assert "张伟" in summary and "13912345678" in summary and "2026年质量大讲堂（冬季）" in summary
    done = joined(assistant.say(user, "确认"))
    reference = re.search(r"SQ\d{6}[A-Z0-9]{5}", done)
    assert "报名成功" in done and reference
    assert reference.group() in joined(assistant.say(user, "我报了哪些活动"))
    assert "确定要取消" in joined(assistant.say(user, "取消冬季大讲堂的报名"))
    assert "已取消" in joined(assistant.say(user, "确定"))


def test_stopping_the_form_submits_nothing(assistant):
    user = "e2e-stop"
    assistant.say(user, "我要报名")
    assistant.say(user, "1")
    assert "退出报名" in joined(assistant.say(user, "算了"))
    assert "没有报名" in joined(assistant.say(user, "我报了哪些活动"))


def test_a_closed_activity_is_refused_with_its_date(assistant):
    user = "e2e-closed"
    assistant.say(user, "我要报名")
    reply = joined(assistant.say(user, "2018年上海市优秀质量管理小组活动"))
    assert "2018年12月31日" in reply and "截止" in reply


@pytest.mark.parametrize("message", ["", " ", "😀😀😀", "What is the weather like?",
                                     "<script>alert('x')</script>", "'; DROP TABLE signups; --",
                                     "报名" * 2500])
def test_bad_input_gets_a_short_polite_chinese_reply(assistant, message):
    replies = assistant.say("e2e-bad", message)
    assert replies, "every message gets an answer"
    text = joined(replies)
    assert re.search(r"[\u4e00-\u9fff]", text)
    assert "Traceback" not in text and "Error" not in text
    assert len(text) < 1000


def test_malformed_requests_are_refused(assistant):
    # (A body without "message" is Rasa's own REST behaviour: 200 with no reply;
    # the WeChat gateway validates its input before Rasa sees it.)
    status, _ = assistant.post("/webhooks/rest/webhook", b"{not json")
    assert status == 400
