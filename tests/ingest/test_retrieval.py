"""Answers from the notices: the labelled questions, the threshold, live re-indexing, the fallback."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.conversation import ActionClarifyOrFallback, ActionDefaultFallback
from actions.knowledge import ActionAnswerFromDocuments
from bot.knowledge_eval import evaluate_retrieval
from services.ingest.loader import NoticeLoader
from services.retrieval import retriever_for
from services.settings import PROJECT_ROOT
from tests.conftest import KNOWLEDGE_DIR, build_services

DOMAIN = yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text(encoding="utf-8"))
FIXTURE = Path(__file__).parent / "fixtures" / "2027-qc-presentation-notice.txt"


@pytest.fixture
def svc(sqlite_url: str):
    built = build_services(sqlite_url, [KNOWLEDGE_DIR], today=dt.date(2026, 11, 21))
    yield built
    built.engine.dispose()


def tracker(text: str, intent: str = "nlu_fallback", events=None) -> Tracker:
    return Tracker(sender_id="openid-1", slots={},
                   latest_message={"text": text, "intent": {"name": intent, "confidence": 0.3},
                                   "entities": [], "metadata": {"channel": "wechat"}},
                   events=list(events or []), paused=False, followup_action=None, active_loop={},
                   latest_action_name=None)


async def run(action, track: Tracker):
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, track, DOMAIN)
    return dispatcher.messages, events


def test_the_labelled_questions_stay_above_their_floor():
    # The figures `make eval` prints; these floors keep them from sliding unnoticed.
    result = evaluate_retrieval()
    assert result["answerable"] >= 40 and result["unanswerable"] >= 20
    assert result["top1_accuracy"] >= 0.84, result["misses"]
    assert result["refusal_rate"] >= 0.95, result["wrong_answers"]


def test_a_question_no_notice_answers_is_refused(svc):
    retriever = retriever_for(svc.session_factory)
    assert retriever.answer("怎么办理护照？") is None
    answer = retriever.answer("刘源张蓝领质量贡献奖是什么？")
    assert answer is not None and "刘源张蓝领质量贡献奖" in answer.text
    assert "第六届理事会工作报告" in answer.source.title


def test_a_notice_ingested_by_another_process_is_searchable_at_the_next_question(svc):
    retriever = retriever_for(svc.session_factory)
    assert retriever.answer("QC小组成果发表交流会在哪里举办？") is None or \
        "报告厅" not in retriever.answer("QC小组成果发表交流会在哪里举办？").text
    NoticeLoader(svc.session_factory).ingest(FIXTURE)
    answer = retriever.answer("QC小组成果发表交流会的地点在哪里？")
    assert answer is not None and "三楼报告厅" in answer.text
    assert answer.source.issued_on == dt.date(2026, 11, 21)


async def test_the_fallback_answers_from_the_notices_first(svc):
    messages, events = await run(ActionClarifyOrFallback(svc), tracker("质量大讲堂一共办了几期？"))
    assert messages[0]["response"] == "utter_document_answer"
    assert "十二期" in messages[0]["answer"] or "期" in messages[0]["answer"]
    assert messages[0]["source"].startswith("《")
    messages, events = await run(ActionDefaultFallback(svc), tracker("刘源张蓝领质量贡献奖是什么？"))
    assert messages[0]["response"] == "utter_document_answer"
    assert events[0]["event"] == "rewind"


async def test_without_an_answer_the_fallbacks_behave_as_before(svc):
    messages, _ = await run(ActionClarifyOrFallback(svc), tracker("怎么办理护照？"))
    assert messages[0]["response"] == "utter_ask_rephrase"
    messages, _ = await run(ActionDefaultFallback(svc), tracker("怎么办理护照？"))
    assert messages[0]["response"] == "utter_default"
    messages, _ = await run(ActionAnswerFromDocuments(svc), tracker("怎么办理护照？"))
    assert messages[0]["response"] == "utter_document_no_answer"
