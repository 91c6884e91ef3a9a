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
from services.retrieval import DocumentIndex, retriever_for, split_passages, terms
from services.settings import PROJECT_ROOT
from services.views import SourceView
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


@pytest.fixture(scope="module")
def figures():
    return evaluate_retrieval()


def test_the_dev_questions_stay_above_their_floor(figures):
    # The figures `make eval` prints (97.8 % and 100 % when written); the thresholds were tuned on
    # this set, so these floors only keep them from sliding unnoticed.
    dev = figures["dev"]
    assert dev["answerable"] >= 40 and dev["unanswerable"] >= 20
    assert dev["top1_accuracy"] >= 0.95, dev["misses"]
    assert dev["refusal_rate"] >= 0.95, dev["wrong_answers"]


def test_the_held_out_questions_stay_above_their_floor(figures):
    # Never tuned on (85.7 % and 100 % when written): a fall here is a real loss.
    heldout = figures["heldout"]
    assert heldout["answerable"] >= 20 and heldout["unanswerable"] >= 10
    assert heldout["top1_accuracy"] >= 0.8, heldout["misses"]
    assert heldout["refusal_rate"] >= 0.9, heldout["wrong_answers"]


def test_an_answer_takes_well_under_50_ms(figures):
    for result in figures.values():
        assert result["latency_ms"]["median"] < 20


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


# The pieces, on small made-up notices.

def index_of(*notices: tuple[int, str, str]) -> DocumentIndex:
    passages = []
    for number, (year, title, text) in enumerate(notices):
        passages += split_passages(number, SourceView(title=title, issued_on=None, year=year), text)
    return DocumentIndex(passages)


REPORT = (2019, "第六届理事会工作报告", "五年来，协会做了很多工作。\n四、传播先进质量理念\n"
          "一是打造“质量大讲堂”公益讲座品牌。先后邀请专家讲质量，至今已成功举办十二期。\n"
          "5年来召开37场企业质量座谈会。")
PLAN = (2020, "2020年度工作重点", "2020年将重点开展以下工作。\n四、构建质量公共服务平台\n"
        "一是打造“质量大讲堂”公益讲座品牌。2020年将继续举办4~6期，围绕先进质量文化等主题。\n"
        "二是举办获奖组织“质量开放日”活动（市市场监管局、市经济信息化委）。")


def test_terms_drop_question_words_and_add_bigrams_of_the_content_words():
    found = terms("質量大講堂一共辦了幾期？")  # 繁體, normalised first
    assert "质量大讲堂" in found  # the NLU's domain dictionary keeps it whole
    assert "期" in found and "几期" not in found  # 几期 asks for what 十二期 counts
    assert not {"一共", "了", "几"} & set(found)
    assert "·讲堂" in found and "讲堂" in found  # bigrams have their own namespace
    assert "·堂一" not in found  # no bigram across a question word
    assert "期" in terms("至今已成功举办十二期")


def test_an_item_name_is_context_and_is_shown_before_its_sentence():
    index = index_of(REPORT)
    texts = [p.text for p in index.passages]
    assert "一是打造“质量大讲堂”公益讲座品牌。" not in texts
    passage = next(p for p in index.passages if "十二期" in p.text)
    assert passage.heading == "四、传播先进质量理念" and passage.item.startswith("一是打造")
    assert index.answer_text(passage).startswith("一是打造“质量大讲堂”公益讲座品牌。先后邀请")


def test_the_responsible_units_closing_an_item_stay_with_its_sentence():
    passages = split_passages(0, SourceView("t", None, 2021), "前言。\n17.举办开放日活动。组织获奖组织开展“质量开放日”"
                              "活动，展示先进质量管理方法。（市市场监管局、各区市场监管局、政府质量奖获奖组织）")
    assert passages[-1].text.endswith("展示先进质量管理方法。（市市场监管局、各区市场监管局、政府质量奖获奖组织）")


def test_what_has_been_done_is_told_from_what_is_planned():
    index = index_of(REPORT, PLAN)
    assert "十二期" in index.best("质量大讲堂一共办了几期？").passage.text
    assert "4~6期" in index.best("质量大讲堂计划办几期？").passage.text


def test_the_year_a_question_names_and_the_notice_title_weigh():
    index = index_of(REPORT, PLAN)
    assert index.best("2020年质量大讲堂办几期").passage.source.year == 2020
    # 第六届理事会 is only in the report's title; its sentence about 座谈会 is found
    assert "37场" in index.best("第六届理事会期间开了多少场座谈会").passage.text


def test_a_year_inside_a_title_is_not_a_date():
    index = index_of((2020, "关于印发《2020年上海市质量工作要点》的通知", "各有关单位：\n"
                      "《2020年上海市质量工作要点》已经市质量工作领导小组全体会议审议通过，现印发给你们。\n"
                      "上海市质量工作领导小组办公室 2020年1月21日印发"))
    assert "1月21日" in index.best("2020年上海市质量工作要点是什么时候印发的？").passage.text


def test_coverage_counts_a_word_no_notice_uses_as_missing():
    index = index_of(REPORT, PLAN)
    on_topic = index.best("质量大讲堂办了几期")
    off_topic = index.best("杭州的质量大讲堂办了几期")
    assert off_topic.passage == on_topic.passage
    assert off_topic.coverage < on_topic.coverage - 0.1 and off_topic.score < on_topic.score * 0.8
