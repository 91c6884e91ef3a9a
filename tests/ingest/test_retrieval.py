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
from bot.knowledge_eval import NEWEST_BLIND, evaluate_retrieval
from services.ingest.loader import NoticeLoader
from services.retrieval import (
    DocumentIndex,
    asked_kinds,
    asked_thing,
    fits_asked,
    is_question,
    notice_card,
    question_form,
    split_passages,
    terms,
)
from services.retrieval.words import jieba_tokenizer
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
    # The figures `make eval` prints (86.7 % and 92.5 % when written, with the 44 colloquial and 18
    # unanswerable questions added; 95.0 % refusals after round 3); the retrieval was tuned on this
    # set, so these floors only keep them from sliding unnoticed.
    dev = figures["dev"]
    assert dev["answerable"] >= 90 and dev["unanswerable"] >= 40
    assert dev["top1_accuracy"] >= 0.85, dev["misses"]
    assert dev["ranked_first_rate"] >= 0.9, dev["misses"]
    assert dev["refusal_rate"] >= 0.9, dev["wrong_answers"]


def test_the_held_out_questions_stay_above_their_floor(figures):
    # Never tuned on (88.6 % and 100 % when written): a fall here is a real loss.
    heldout = figures["heldout"]
    assert heldout["answerable"] >= 20 and heldout["unanswerable"] >= 10
    assert heldout["top1_accuracy"] >= 0.85, heldout["misses"]
    assert heldout["refusal_rate"] >= 0.9, heldout["wrong_answers"]


NEWEST_BLIND_SET = f"heldout{NEWEST_BLIND}"


def test_the_sets_tuned_on_stay_above_their_floor(figures):
    # 999 questions, 649 answerable: 89.5 % top-1 and 91.4 % refusals after round 8 (2026-12-01).
    # All of them have been read or scored, so this only keeps the figures from sliding.
    tuned = [result for name, result in figures.items() if name != NEWEST_BLIND_SET]
    answerable = sum(result["answerable"] for result in tuned)
    unanswerable = sum(result["unanswerable"] for result in tuned)
    assert answerable >= 640 and unanswerable >= 340
    assert sum(result["top1_correct"] for result in tuned) / answerable >= 0.88
    assert sum(result["refused"] for result in tuned) / unanswerable >= 0.90


def test_the_newest_blind_set_stays_at_its_first_score(figures):
    # Scored once, blind, on 2026-12-01: 83.3 % top-1, 75.0 % refusals (docs/ingestion.md). A change
    # that scores it lower loses answers on questions nobody tuned on; one that scores it higher
    # has been tuned on it, and the next round needs a new blind set.
    blind = figures[NEWEST_BLIND_SET]
    assert blind["answerable"] == 60 and blind["unanswerable"] == 40
    assert blind["top1_correct"] >= 50, blind["misses"]
    assert blind["refused"] >= 30, blind["wrong_answers"]




def test_a_question_no_notice_answers_is_refused(svc):
    retriever = svc.retriever
    assert retriever.answer("怎么办理护照？") is None
    answer = retriever.answer("刘源张蓝领质量贡献奖是什么？")
    assert answer is not None and "刘源张蓝领质量贡献奖" in answer.text
    assert "第六届理事会工作报告" in answer.source.title


def test_a_notice_ingested_by_another_process_is_searchable_at_the_next_question(svc):
    retriever = svc.retriever
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


def test_a_sentence_of_another_year_never_answers():
    index = index_of(REPORT, PLAN)
    assert index.best("2020年质量大讲堂办几期") is not None
    assert index.best("2017年质量大讲堂办几期") is None
    assert index.answer("2017年质量大讲堂办几期") is None


def test_a_year_inside_a_title_is_not_a_date():
    source = SourceView(title="关于印发《2020年上海市质量工作要点》的通知", issued_on=None, year=2020)
    text = ("各有关单位：\n《2020年上海市质量工作要点》已经市质量工作领导小组全体会议审议通过，现印发给你们。\n"
            "上海市质量工作领导小组办公室 2020年1月21日印发")
    passages = split_passages(0, source, text)
    assert all("1月21日" not in p.text for p in passages)  # the signature is the card's
    index = DocumentIndex([*passages, notice_card(0, source, text)])
    best = index.best("2020年上海市质量工作要点是什么时候印发的？").passage
    assert best.is_card and "1月21日" in best.text
    assert index.best("上海市质量工作要点什么时候开始执行") is None  # 《2020年…》 dates nothing


def test_coverage_counts_a_word_no_notice_uses_as_missing():
    index = index_of(REPORT, PLAN)
    on_topic = index.best("质量大讲堂办了几期")
    off_topic = index.best("杭州的质量大讲堂办了几期")
    assert off_topic.passage == on_topic.passage
    assert off_topic.coverage < on_topic.coverage - 0.1 and off_topic.score < on_topic.score * 0.8


# Colloquial questions (tests/retrieval/questions.yml, the questions added after the first 46).

def test_colloquial_words_are_not_topic_words():
    found = set(terms("麻烦问下质协联系人是谁啊"))
    assert not {"麻烦", "问下", "啊", "谁"} & found and {"质协", "联系人"} <= found
    assert not {"啥", "时候", "啥时候", "搞", "今年"} & set(terms("今年质协搞啥活动啥时候"))


def test_a_function_word_no_notice_uses_is_dropped_from_a_question():
    # 咱们 (a pronoun) and 到底 (an adverb) in jieba's dictionary, and in no notice
    known = set(terms("质量大讲堂"))
    assert set(terms("咱们到底质量大讲堂", known=known)) == known
    assert {"咱们", "到底"} <= set(terms("咱们到底质量大讲堂"))  # a passage's words are all kept


def test_the_names_of_an_organisation_share_a_term():
    assert "=上海市质量协会" in terms("質協地址是啥") and "=上海市质量协会" in terms("上海市质量协会地址：泰安路74号")
    assert "=上海市总工会" in terms("总工会电话") and "=上海市质量协会" not in terms("总工会电话")


def test_a_contact_block_is_one_passage_with_its_words_spelt_out_joined():
    passages = split_passages(0, SourceView("t", None, 2018),
                              "前言。\n五、联系方式\n上海市质量协会地址：长宁区泰安路74号\n"
                              "邮政编码：200052 电 话：18917186600\n传 真：52588281 联系人： 周秀慧\n"
                              "上海市总工会地址： 中山东一路14号\n邮政编码：200002 电 话：63295035\n二〇一八年九月七日")
    texts = [p.text for p in passages]
    assert texts[2] == ("上海市质量协会地址：长宁区泰安路74号 邮政编码：200052 电 话：18917186600 "
                        "传 真：52588281 联系人： 周秀慧")
    assert texts[3].startswith("上海市总工会地址") and len(texts) == 4  # the date of issue is the card's
    assert "电话" in terms("电 话：63295035")  # as forms space it
    index = DocumentIndex(passages)
    assert "周秀慧" in index.best("质协联系人是谁").passage.text
    assert "63295035" in index.best("總工會電話多少").passage.text
    # an address or phone is answered by a contact block only, however well another sentence matches
    assert index.best("前言的电话是多少") is None or "电 话" in index.best("前言的电话是多少").passage.text


def test_a_question_asked_by_a_choice_of_yes_or_no_is_a_question():
    for asked in ("考不过咋办", "我们单位想去5个人行不行", "有没有线上班可以报", "需不需要带电脑", "可不可以带人"):
        assert is_question(question_form(asked)), asked
    for said in ("好的", "我要报名", "不用了", "没有了"):
        assert not is_question(question_form(said)), said


def test_a_that_where_nothing_else_asks_is_a_which():
    assert question_form("世界質量論壇在那天開") == "世界质量论坛在哪天开"
    assert question_form("那个论坛什么时候开") == "那个论坛什么时候开"  # 什么时候 asks; 那个 points


def test_how_many_times_asks_for_sessions_editions_and_meetings():
    assert {"次", "期", "届", "场"} <= set(terms("质量大讲堂办过几次"))
    assert "期" in index_of(REPORT, PLAN).best("质量大讲堂一共办过几次").passage.text


def test_a_fee_or_a_sign_up_is_answered_only_by_a_sentence_that_states_one():
    index = index_of(PLAN, (2027, "成果发表交流会通知", "各单位：\n1.举办成果发表交流会。交流会在三楼报告厅举办。"
                                  "会务费300元/人，请于2027年3月1日前报名。"))
    assert index.answer("质量大讲堂门票多少钱") is None  # the plan's sentence names no fee
    assert index.answer("质量大讲堂怎么报名") is None
    assert "300元" in index.answer("成果发表交流会费用多少").text
    assert "报名" in index.answer("成果发表交流会报名截止到哪天").text


def test_which_department_prefers_the_units_closing_an_item():
    index = index_of((2020, "要点", "前言。\n（九）加强优质服务供给。"
                      "做好养老机构等级评定与服务质量日常监测（市民政局）。养老机构等级评定是养老服务标准化建设的基础。"))
    assert index.best("养老机构等级评定哪个部门负责").passage.text.endswith("（市民政局）。")


def test_a_numbered_heading_is_shown_with_the_sentences_under_it():
    index = index_of((2018, "通知", "各单位：\n现将有关事项通知如下。\n一、活动目的\n"
                      "推动高质量发展。激发职工创新活力。\n二、活动组织\n成立领导小组。"))
    heading = next(p for p in index.passages if p.text == "一、活动目的")
    assert index.answer_text(heading) == "一、活动目的推动高质量发展。激发职工创新活力。"
    sentence = next(p for p in index.passages if p.text == "成立领导小组。")
    assert index.answer_text(sentence) == "成立领导小组。"


NUMBERED_NOTICE = ("上海市质量工作领导小组文件\n沪质〔2020〕1号\n"
                   "上海市质量工作领导小组关于\n印发《2020年上海市质量工作要点》的通知\n"
                   "各有关单位：\n《2020年上海市质量工作要点》已经审议通过，现印发给你们。\n一、总体思路\n推动高质量发展。\n"
                   "上海市质量工作领导小组办公室             2020年1月21日印发")


def test_the_notice_card_answers_when_and_by_whom_a_notice_was_issued_and_nothing_else():
    source = SourceView(title="关于印发《2020年上海市质量工作要点》的通知", issued_on=dt.date(2020, 1, 21), year=2020)
    card = notice_card(7, source, NUMBERED_NOTICE, issuer="上海市质量工作领导小组")
    assert card.is_card
    assert card.text == ("《关于印发《2020年上海市质量工作要点》的通知》，文号沪质〔2020〕1号，"
                         "由上海市质量工作领导小组于2020年1月21日印发，发给各有关单位。")
    index = DocumentIndex([*split_passages(7, source, NUMBERED_NOTICE), card])
    assert "沪质〔2020〕1号" in index.best("2020年质量工作要点的文号是多少").passage.text
    assert index.best("2020年质量工作要点是哪天印发的").passage.is_card
    assert not index.best("2020年质量工作的总体思路是什么").passage.is_card  # not a question about the notice
    # The title block is the card's, not a passage of its own.
    assert not any(p.text.startswith("沪质") for p in index.passages if not p.is_card)


def test_the_card_tells_whom_a_notice_is_copied_to():
    source = SourceView(title="关于印发《2020年上海市质量工作要点》的通知", issued_on=dt.date(2020, 1, 21), year=2020)
    signature = "\n上海市质量工作领导小组办公室"
    text = NUMBERED_NOTICE.replace(signature, "\n抄送：各区市场监督管理局。" + signature)
    card = notice_card(7, source, text, issuer="上海市质量工作领导小组")
    assert card.text.endswith("，发给各有关单位，抄送各区市场监督管理局。")
    assert jieba_tokenizer().lcut("抄送给谁了")[0] == "抄送"  # a synonym group's word is kept whole
    index = DocumentIndex([*split_passages(7, source, text), card])
    assert "各区市场监督管理局" in index.best("质量工作要点抄送给谁了").passage.text


def test_a_notice_without_a_signature_takes_its_date_from_its_record():
    source = SourceView(title="2021年上海市“质量月”活动", issued_on=dt.date(2021, 8, 30), year=2021)
    text = "市质量工作领导小组办公室将于2021年9月开展“质量月”活动。\n1.举办启动仪式。"
    card = notice_card(1, source, text, issuer=None)
    assert card.text == "《2021年上海市“质量月”活动》，于2021年8月30日发布。"


def test_what_is_asked_for_must_be_named_in_some_notice():
    assert asked_thing("知识竞赛奖品是啥") == "奖品"
    assert asked_thing("质量獎二十年那本書叫什麼名字") is None  # 书: too general to judge by
    assert asked_thing("成果发表会费用多少") is None  # a fee: the fee cue's to judge
    assert asked_thing("质量月里有哪些活动") is None
    index = index_of((2021, "质量月", "前言。\n4.举办“质量月”知识竞赛活动。知识竞赛以数字化转型为主题，在线举办。"
                      "\n5.成立中共上海市质量协会总支部委员会。"))
    assert index.answer("知识竞赛奖品是啥") is None  # no notice names a prize
    assert index.answer("知识竞赛的主题是什么") is not None
    assert not index.uses("奖品") and index.uses("党总支")  # a pair of its characters: 总支部


def test_a_web_or_mail_address_is_answered_only_by_a_passage_that_has_one():
    index = index_of((2019, "重点", "前言。\n不断优化在线申报、在线学习等互联网服务功能。\n"
                      "成果申报网址：www.shqa.org.cn，邮箱：qc@shqa.org.cn。"))
    assert "www.shqa.org.cn" in index.best("在线申报的网址是什么").passage.text
    index = index_of((2019, "重点", "前言。\n不断优化在线申报、在线学习等互联网服务功能。"))
    assert index.best("在线申报系统的网址是什么") is None


def test_a_word_typed_with_the_wrong_character_of_the_same_sound_is_respelt():
    index = index_of(REPORT, (2018, "通知", "前言。\n上海市妇女联合会（市妇联）地址：天平路245号\n"
                              "3.举办质量月启动仪式。发布白皮书。"))
    assert index.respell("质量大将堂一共办了几期") == "质量大讲堂一共办了几期"  # 将/讲: jiang
    assert index.respell("市妇连在哪") == "市妇联在哪"
    assert index.respell("质量月启东仪式发布啥") == "质量月启动仪式发布啥"
    assert index.respell("质量大讲堂一共办了几期") == "质量大讲堂一共办了几期"  # nothing to respell
    # a common word is no misspelling, whatever notice word sounds like it (同事 is not 同时)
    common = index_of(REPORT, (2027, "通知", "同时开放线上报名。"))
    assert common.respell("能带同事吗") == "能带同事吗"
    assert "十二期" in index.best("质量大将堂一共办了几期").passage.text


def test_whether_something_exists_is_not_answered_when_no_notice_names_it():
    assert asked_thing("质量月知识竞赛有奖品吗？") == "奖品"
    assert asked_thing("质量大讲堂有没有线上回放") == "回放"
    assert asked_thing("培训有费用吗") is None  # the fee cue's to judge
    # jieba cuts the modal with the verb after it (能开, 能带): what that verb takes is asked of
    assert asked_thing("培训费能开专票吗") == "专票"
    assert asked_thing("开放日能带小孩去参观吗") == "小孩"
    assert asked_thing("能手评选有奖品吗") == "奖品"  # 能手 is a word, not a modal and a verb
    index = index_of(REPORT)
    assert index.best("质量大讲堂有没有线上回放") is None


def test_whether_one_must_or_is_given_something_and_what_of_it_ask_of_that_thing():
    assert asked_thing("上岗前要不要体检") == "体检"  # jieba's 前要 / 不要
    assert asked_thing("听完有学时证明吗") == "证明"  # jieba's 完有
    assert asked_thing("外地供应商给安排住宿吗") == "住宿"
    assert asked_thing("需要带电脑吗") == "电脑"
    assert asked_thing("视频要什么格式") == "格式"
    # what any answer tells of something, not a thing it must name
    assert asked_thing("质协跟美国质量学会啥关系") is None
    assert asked_thing("讲座讲什么内容") is None


def test_where_is_answered_only_by_a_passage_that_states_a_place():
    index = index_of((2021, "质量月", "前言。\n1.举办质量月启动仪式。发布质量月活动安排和白皮书。\n"
                      "4.举办知识竞赛。在本市交通枢纽、商业广场等场所发布质量月主题宣传海报。"))
    where = index.search("质量月启动仪式在哪里举行")
    assert all("白皮书" not in hit.passage.text for hit in where)  # the item names no place
    assert index.answer("质量月启动仪式在哪里举行") is None
    assert "交通枢纽" in index.best("质量月海报在哪里能看到").passage.text
    assert "白皮书" in index.best("启动仪式在哪些方面发布").passage.text  # 在哪些 asks which, not where
    assert index.answer("启动仪式在哪个酒店开") is None


def test_when_and_how_long_are_answered_only_by_a_passage_that_states_one():
    index = index_of((2019, "报告", "前言。\n协会诞生次年创刊《上海质量》杂志。\n"
                      "举办首席质量官任职资格培训。\n首席质量官培训为期3天，共24学时。"))
    assert "次年" in index.best("上海质量杂志什么时候创刊").passage.text  # a relative date is a date
    assert "3天" in index.best("首席质量官培训要上几天课").passage.text
    index = index_of((2019, "报告", "前言。\n举办首席质量官任职资格培训。"))
    assert index.best("首席质量官培训要上几天课") is None
    assert index.best("首席质量官培训什么时候开始") is None


# Round 4 (2026-12-01).

def test_a_two_digit_year_is_written_in_full_and_a_span_of_years_is_not():
    assert question_form("18年QC小组活动的主题是啥") == "2018年QC小组活动的主题是啥"
    assert question_form("在19年度工作重点里") == "在2019年度工作重点里"
    for span in ("协会成立37年了", "办了20年", "20年来一直举办", "12年前", "质量奖20年以来"):
        assert question_form(span) == span


def test_a_bigram_no_passage_has_does_not_weigh_against_the_question(svc):
    index = svc.retriever.index()  # the five notices
    query = index._query_terms(question_form("你好 市质协办公地址在哪里"))
    assert "·协办" not in query and "·公地" not in query  # across 质协/办公 and 办公/地址
    assert {"地址", "·地址", "办公"} <= query
    answer = index.answer("你好 市质协办公地址在哪里")
    assert answer is not None and "泰安路74号" in answer.text


def test_a_word_no_notice_uses_whose_parts_they_all_do_is_asked_in_its_parts(svc):
    index = svc.retriever.index()  # the notices write QC活动, QC精神, 质量管理小组
    assert "qc小组" not in index._postings and {"qc", "小组"} <= set(index._postings)
    query = index._query_terms(question_form("18年QC小组活动的主题是啥"))
    assert {"qc", "小组", "2018"} <= query and "qc小组" not in query
    assert "传承QC精神" in index.answer("18年QC小组活动的主题是啥").text


def test_words_of_a_synonym_group_are_one_term():
    assert "=成立" in terms("上海市质量协会自1982年诞生") and "=成立" in terms("质协哪年成立的")
    assert "诞生" not in terms("上海市质量协会自1982年诞生")  # replaced, so a sentence with both does not weigh double
    index = index_of((2020, "要点", "前言。\n组织开展国有企业质量管理培训（市市场监管局、市国资委）。\n"
                      "开展中小企业质量管理培训（市经济信息化委）。"))
    assert "国资委" in index.best("国企质量管理培训归谁管").passage.text
    index = index_of(REPORT, (2019, "报告", "前言。\n上海市质量协会自1982年诞生，至今已有37年。\n"
                              "诞生次年创刊《上海质量》杂志，陆续成立培训中心、审核中心。"))
    assert "1982年" in index.best("上海市质量协会是哪一年成立的").passage.text


def test_what_it_takes_and_how_many_years_are_answered_only_by_a_passage_that_states_them():
    index = index_of((2019, "报告", "前言。\n为了纪念刘源张院士，市质协创立了“刘源张蓝领质量贡献奖”，"
                      "累计推荐32名一线工作者获此荣誉。\n举办首席质量官任职资格培训，合格者颁发证书。"))
    assert index.best("刘源张蓝领质量贡献奖是什么奖") is not None
    # the award's sentence names no condition (the training's 资格 is a name, and the award is not in it)
    assert all("贡献奖" not in hit.passage.text for hit in index.search("刘源张蓝领质量贡献奖申报要满足什么条件"))
    assert index.best("首席质量官任职资格培训的证书有效期几年") is None
    index = index_of((2019, "报告", "前言。\n申报刘源张蓝领质量贡献奖须在一线岗位工作满10年。\n"
                      "首席质量官证书有效期3年。"))
    assert "须" in index.best("刘源张蓝领质量贡献奖申报要满足什么条件").passage.text
    assert "3年" in index.best("首席质量官证书有效期几年").passage.text


# Round 6: what the blind sets' unanswerable questions asked for.

def test_who_won_is_answered_only_by_a_passage_that_names_winners():
    award = (2021, "质量月", "前言。\n5.开展市政府质量奖二十年交流活动。宣传获奖组织的先进质量管理经验。")
    assert index_of(award).best("2021年市政府质量奖都有哪些企业获奖") is None
    assert index_of(award).best("市政府质量奖评上了哪些企业") is None
    winners = (2021, "公告", "前言。\n上海电气集团荣获2021年上海市政府质量奖。")
    assert "上海电气" in index_of(award, winners).best("2021年市政府质量奖都有哪些企业获奖").passage.text


def test_how_to_apply_is_answered_only_by_a_passage_that_says_how():
    plan = (2019, "工作重点", "前言。\n二是加强标准化建设。市质协将在家政、保险等领域开展“领跑者”团体标准工作。")
    assert index_of(plan).best("领跑者团体标准企业怎么申请") is None
    how = (2019, "通知", "前言。\n申请“领跑者”团体标准的企业请通过市质协网站提交申请表。")
    assert "网站" in index_of(plan, how).best("领跑者团体标准企业怎么申请").passage.text


def test_the_next_session_is_answered_only_from_a_notice_of_this_year_or_later():
    plan = (2019, "工作重点", "前言。\n一是打造“质量大讲堂”公益讲座品牌。2019年起每季度举办质量大讲堂。")
    index = index_of(plan)
    assert index.best("质量大讲堂下一期啥时候开", today=dt.date(2026, 12, 1)) is None
    assert index.best("质量大讲堂下一期啥时候开", today=dt.date(2019, 3, 1)) is not None
    assert index.best("质量大讲堂啥时候开", today=dt.date(2026, 12, 1)) is not None  # not asked about the next


def test_whether_one_may_do_something_no_notice_names_is_not_answered():
    assert asked_thing("泰安路74号那边能停车吗？") == "停车"
    assert asked_thing("质量开放日能不能带小孩一起去参观") == "参观"
    assert asked_thing("品牌故事比赛能拍视频参加吗") == "参加"  # a notice's word: left to the rest


def test_a_year_is_no_duration_and_which_country_asks_where():
    index = index_of((2019, "工作重点", "前言。\n一是打造“质量大讲堂”公益讲座品牌。2019年将继续举办质量大讲堂。\n"
                      "二是增进与国际质量组织的合作。市质协先后成为亚太质量组织（APQO）的理事单位。"))
    assert index.best("质量大讲堂每期讲座大概多长时间") is None  # 2019年 dates, it does not last
    assert index.best("亚太质量组织总部设在哪个国家") is None  # the sentence names no place
    years = index_of((2019, "报告", "前言。\n质量大讲堂已连续举办3年。"))
    assert "3年" in years.best("质量大讲堂办了多少年").passage.text


# Round 7.

def test_a_function_word_alone_is_not_respelt_but_with_its_neighbours_may_be():
    index = index_of(REPORT, (2021, "质量月", "前言。\n3.举办质量微视频作品展示活动。发挥品牌优势，遴选优秀作品。"))
    assert index.respell("质量微视频作品有时长要求吗") == "质量微视频作品有时长要求吗"  # 有时 is no 优势
    assert index.respell("质量大将堂办了几期") == "质量大讲堂办了几期"  # 大将 (an adverb to jieba) with 堂


def test_a_contact_field_asked_in_other_words_finds_the_contact_block(svc):
    retriever = svc.retriever
    assert "60827379" in retriever.answer("团市委的传真号码多少").text  # 号码: how it is asked
    assert "200030" in retriever.answer("市妇联的邮编是多少？").text  # 邮编 = 邮政编码


def test_a_download_or_an_upload_is_answered_only_by_a_passage_with_an_address():
    index = index_of((2021, "质量月", "前言。\n1.举办质量月启动仪式。发布《上海市质量状况白皮书（2021年）》。"))
    assert index.best("上海市质量状况白皮书去哪下载电子版") is None
    assert index.best("白皮书在哪个网站可以看") is None
    assert "2021年" in index.best("质量状况白皮书是哪年的").passage.text  # a year inside 《》 answers 哪年


def test_which_year_is_answered_only_by_a_passage_with_a_year():
    index = index_of((2019, "报告", "前言。\n一大批优秀会员企业形成了独具特色的质量管理模式，如振华重工的精益管理。\n"
                      "2016年11月市质协经批复建立总支部委员会。"))
    assert index.best("振华重工是哪一年拿的中国质量奖") is None
    assert "2016年" in index.best("市质协党总支是哪一年建立的").passage.text


def test_whether_one_may_bring_someone_asks_whether_a_notice_names_them():
    assert asked_thing("质量开放日参观可以带孩子一起去吗？") == "孩子"


# Round 8.

def test_what_came_of_a_plan_is_not_answered_by_the_plan():
    plan = (2019, "工作重点", "前言。\n一是深入开展群众性质量管理活动。2019年，预计在各行业注册成立质量小组1万个。")
    assert "1万个" in index_of(plan).best("2019年计划注册多少个质量小组").passage.text
    assert index_of(plan).best("2019年质量小组实际注册下来有多少个") is None


def test_how_many_is_answered_only_by_a_passage_that_counts():
    index = index_of((2021, "质量月", "前言。\n4.举办知识竞赛。2021年9月举办全市“质量月”知识竞赛活动。\n"
                      "5.开展交流活动。组织百家获奖组织开展“质量开放日”活动。"))
    # 2021年 and 9月 count nothing
    assert all("知识竞赛" not in hit.passage.text for hit in index.search("2021年质量月知识竞赛总共有多少人参加"))
    assert "百家" in index.best("质量开放日有多少家组织参加").passage.text
    assert index.best("知识竞赛是哪几个部门负责的") is not None  # 哪几 asks which, not how many


def test_a_yes_or_no_question_asks_whether_a_notice_names_its_last_thing():
    assert asked_thing("知识竞赛答得好的话有奖品拿吗") == "奖品"
    assert asked_thing("质量开放日有讲解员不") == "讲解员"


def test_fields_under_a_numbered_stage_sit_under_it_and_a_stage_s_own_place_is_found_by_it():
    contest = (2027, "关于举办2027年职工技能竞赛的通知", "各区局：\n二、竞赛安排\n（二）复赛\n时间：2027年4月17日\n"
               "地点：上海市质量技能实训基地\n（三）决赛\n时间：2027年5月15日\n地点：上海市工人文化宫（黄浦区西藏中路120号）\n")
    index = index_of(contest)
    place = next(p for p in index.passages if "工人文化宫" in p.text)
    assert place.heading == "（三）决赛"
    found = index.answer("决赛在哪比", dt.date(2026, 12, 2), 0, named="2027年职工技能竞赛", subject="决赛")
    assert found is not None and "工人文化宫" in found.text, found


def test_an_ordinal_in_digits_is_the_ordinal_in_words():
    # a table's 第2期 and the member's 第二期 are one term
    assert "第二期" in terms("| 第2期 | 5月20日 | 新桥 |") and "第二期" in terms("沙龙第二期在哪儿")
    assert "第十二" in terms("第12期")


def test_a_ranked_table_s_rows_sit_under_their_rank_and_a_deadline_is_said_by_its_last_day():
    index = index_of((2026, "关于2026年质量月征文评选结果的公示", "经评审，评出一等奖、二等奖。\n二等奖（5篇）\n"
                      "《师傅的游标卡尺》          作者：牛晓峰 上海宝申特钢有限公司\n"
                      "《一次返工带来的思考》        作者：孙晴  上海华东特种电缆有限公司\n"))
    answer = index.answer("华东电缆的孙晴拿了几等奖", document_id=0)
    assert answer is not None and "二等奖" in answer.text  # the first row is a row, not the heading
    assert fits_asked("公示截止到哪天", "公示期自2026年12月3日起至12月9日止（5个工作日）。")  # says when it ends


def test_a_count_per_person_or_team_is_a_per_unit_limit():
    assert "per_unit" in asked_kinds("一个人可以交几个作品")
    assert "per_unit" in asked_kinds("一个队几个人")
    index = index_of((2027, "关于开展微视频大赛的通知",
                      "一、参赛要求\n作品时长不超过3分钟。每人限报2部作品，须为原创。\n"))
    answer = index.answer("一个人可以交几个作品", document_id=0)
    assert answer is not None and "2部" in answer.text
