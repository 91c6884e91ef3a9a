"""Notices of the development set (evaluation/notices/dev), ingested while the assistant runs:
a Word notice whose agenda is a table, a 繁體 notice with pinyin left in, and a notice of two
events. A member asks, follows up, and signs up for each open activity."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

from bot.launcher import RunningAssistant
from services.settings import PROJECT_ROOT

DEV = PROJECT_ROOT / "evaluation" / "notices" / "dev"
NOTICES = ("07_samr_standard_briefing.docx", "14_meddev_auditor_training_zh-hant.txt",
           "11_minhang_two_events.txt")


def joined(replies: list[str]) -> str:
    return "\n".join(replies)


@pytest.fixture(scope="module")
def ingested(assistant: RunningAssistant) -> RunningAssistant:
    env = {**os.environ, "DATABASE_URL": str(assistant.database_url), "PYTHONPATH": str(PROJECT_ROOT)}
    result = subprocess.run([sys.executable, "-m", "services.ingest", *(str(DEV / n) for n in NOTICES)],
                            cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "宣贯会" in result.stdout and "内审员培训班" in result.stdout, result.stdout
    return assistant


def sign_up(assistant: RunningAssistant, user: str, request: str, activity_words: str) -> None:
    assert "姓名" in joined(assistant.say(user, request))
    assert "手机" in joined(assistant.say(user, "我叫周敏"))
    assert "单位" in joined(assistant.say(user, "13912345678"))
    summary = joined(assistant.say(user, "上海申江电气有限公司"))
    assert activity_words in summary and "周敏" in summary, summary
    done = joined(assistant.say(user, "确认"))
    assert "报名成功" in done and re.search(r"SQ\d{6}[A-Z0-9]{5}", done), done


def test_the_word_notice_is_answered_and_followed_up(ingested):
    user = "e2e-dev-word"
    when = joined(ingested.say(user, "首席质量官工作规范宣贯会什么时候开"))
    assert "2027年1月19日" in when and "09:00-11:30" in when, when
    place = joined(ingested.say(user, "在哪里"))
    assert "协和路88号" in place, place
    assert "免费" in joined(ingested.say(user, "要交会务费吗"))
    assert "2027年1月12日" in joined(ingested.say(user, "报名截止到哪天"))


def test_the_word_notice_takes_sign_ups(ingested):
    sign_up(ingested, "e2e-dev-word-signup", "我要报名首席质量官工作规范宣贯会", "宣贯会")


def test_the_traditional_notice_is_answered_in_simplified_words(ingested):
    user = "e2e-dev-hant"
    fee = joined(ingested.say(user, "医疗器械质量管理体系内审员培训班多少钱"))
    assert "1500元" in fee and "1900元" in fee, fee
    assert "春东路508号" in joined(ingested.say(user, "在哪里上课"))
    assert "孟琳" in joined(ingested.say(user, "联系人是谁"))


def test_the_traditional_notice_takes_sign_ups(ingested):
    sign_up(ingested, "e2e-dev-hant-signup", "我要报名医疗器械质量管理体系内审员培训班", "内审员培训班")


def test_each_of_two_events_in_one_notice_is_its_own_activity(ingested):
    user = "e2e-dev-two"
    assert "800元" in joined(ingested.say(user, "首席质量官能力提升研修班收费吗"))
    salon = joined(ingested.say(user, "质量沙龙是几号"))
    assert "2027年3月25日" in salon, salon
    sign_up(ingested, "e2e-dev-two-salon", "我要报名质量沙龙", "质量沙龙")
    sign_up(ingested, "e2e-dev-two-course", "我要报名首席质量官能力提升研修班", "研修班")
