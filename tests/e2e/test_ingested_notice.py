"""Issue #4's promise: staff ingest a notice written today and, without restarting
or retraining, a member asks its date, place, theme, deadline, contact and fee,
and signs up; an item whose deadline has passed is refused with its date.

The notice's activity names were never seen in training: the actions find them
in the database, by the words the member types."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from bot.launcher import RunningAssistant
from services.settings import PROJECT_ROOT

# Written as staff would write it (today is 2026-11-21 in these tests); two items,
# the second one's sign-up already closed.
NOTICE = Path(__file__).parent / "fixtures" / "2027-self-assessor-training.txt"


def joined(replies: list[str]) -> str:
    return "\n".join(replies)


@pytest.fixture(scope="module")
def ingested(assistant: RunningAssistant) -> RunningAssistant:
    env = {**os.environ, "DATABASE_URL": str(assistant.database_url), "PYTHONPATH": str(PROJECT_ROOT)}
    result = subprocess.run([sys.executable, "-m", "services.ingest", str(NOTICE)], cwd=PROJECT_ROOT,
                            env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "卓越绩效自评师培训班" in result.stdout
    return assistant


def test_the_new_activity_is_answered_at_once(ingested):
    user = "e2e-new-notice"
    when = joined(ingested.say(user, "卓越绩效自评师培训班什么时候举办？"))
    assert "2027年1月14日至15日" in when, when
    assert "《关于举办2027年卓越绩效自评师培训班的通知》" in when
    assert "开开大厦" in joined(ingested.say(user, "在哪里上课"))
    assert "对标卓越 自评提升" in joined(ingested.say(user, "主题是什么"))
    deadline = joined(ingested.say(user, "报名截止到哪天"))
    assert "2027年1月7日" in deadline, deadline
    assert "800元" in joined(ingested.say(user, "要收费吗"))
    seats = joined(ingested.say(user, "还有名额吗"))
    assert "60" in seats and "还剩60个名额" in seats, seats
    contact = joined(ingested.say(user, "联系人是谁"))
    assert "陈静" in contact, contact
    assert "52589999" in joined(ingested.say(user, "卓越绩效自评师培训班的联系电话"))


def test_the_new_activity_can_be_signed_up_for(ingested):
    user = "e2e-new-signup"
    assert "姓名" in joined(ingested.say(user, "我要报名卓越绩效自评师培训班"))
    assert "手机" in joined(ingested.say(user, "我叫刘洋"))
    assert "单位" in joined(ingested.say(user, "13812345678"))
    summary = joined(ingested.say(user, "上海华谊集团"))
    assert "2027年卓越绩效自评师培训班" in summary and "刘洋" in summary
    done = joined(ingested.say(user, "确认"))
    assert "报名成功" in done and re.search(r"SQ\d{6}[A-Z0-9]{5}", done), done
    assert "还剩59个名额" in joined(ingested.say("e2e-new-seats", "卓越绩效自评师培训班还有名额吗"))


def test_an_item_whose_deadline_passed_is_refused_with_its_date(ingested):
    user = "e2e-new-closed"
    free = joined(ingested.say(user, "内审员培训收费吗"))
    assert "免费" in free, free
    reply = joined(ingested.say(user, "我要报名内审员培训"))
    assert "2026年11月10日" in reply and "截止" in reply, reply
