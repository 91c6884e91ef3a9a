"""Answers from the notices themselves: fielded BM25 over their sentences.

Passages. Each document's text (source_documents.text, cleaned as at ingest)
is split into sentences (。！？). The title block is left out (the citation
names the notice), and so is an item's short name (`5.开展…活动。`): it is
scored with the sentences under it, and shown before the one that answers. A
contact block (`X地址：…`, `邮政编码：… 电 话：…`, `传 真：… 联系人：…`) is one
passage, and a numbered heading (`一、活动目的`) is shown with the sentences under it.

Terms. jieba (search mode, with the NLU's user dictionary) on normalised,
case-folded text, without question words and the colloquial words members type
(啥, 咋, 请问, 麻烦问下, 搞, 今年…); a question's function word (by jieba's part of
speech: pronoun, adverb, particle…) that no notice uses is dropped too. A
counted number gives its measure word too (十二期 → 期, so 几期 finds it; 几次
asks for 期/届/场). An organisation's names (质协, 市质协, 上海市质量协会: the NLU's
synonyms) share a term. Besides words, the character bigrams of each run of
content words: they reward words met in the question's order
(全国城市公共服务质量监测) and tolerate jieba cutting a question and a notice
differently, or a mistyped character.

Score. BM25F: a sentence's own words count fully; the heading and item it
sits under (×0.8) and the notice's title (×0.2) count less and do not make it
longer. (rank-bm25, used before, scores a single field: giving the heading
its own weight meant writing the thirty lines of BM25F here.) The score is
multiplied by the share of the question's weight (IDF) that the passage
covers, by 1.3 when the sentence looks like the answer asked
for (a date for 什么时候, a number for 多少, a total for 一共…了 and not a plan,
the units closing an item for 哪个部门), and by 1.3 when it is of the year the
question names — a sentence of another year does not count at all. A
question about a fee or a sign-up is answered only by a sentence that states
one. A 那 where nothing else asks is read as 哪 (那天开).

The notice itself. Each notice also has a card, one passage of what it says of
itself (title, 文号, issuer, date of issue, from its title block and signature,
else from its record), which answers only a question about the notice
(哪天发布的, 文号是多少, 哪个部门发的). The title block is not a passage otherwise.

Sounds. Members type with pinyin input: a question's word that no notice uses
but that sounds exactly like one notice word (大将堂 → 大讲堂, 妇连 → 妇联, 启东仪式
→ 启动仪式) is respelt before it is cut into terms (pypinyin, tones ignored).

Refusal. The best passage must reach `MIN_SCORE` and cover `MIN_COVERAGE` of
the question's weight; a word no notice uses (护照, 北京) weighs as much as a
word no passage has, so such a question falls short and gets the normal
fallback instead of a random sentence. And when the thing asked for, the
noun before the asking word (知识竞赛**奖品**是啥, **一等奖**是谁拿的) or the thing
whose existence is asked (有**奖品**吗, 有没有线上**回放**), is named in no notice
(not even a pair of its characters), nothing answers. An address, phone or
contact person is answered only by a contact block, a web or mail address only
by a passage that has one.

Members' words. A two-digit year is a year (18年 → 2018年); the words of a group in
config/retrieval_synonyms.yml are one term (诞生 = 成立, 国企 = 国有企业); a bigram no passage has,
and a word no notice uses whose parts they all do, do not weigh against a question.

What is asked. `asked_kinds` names the kinds of answer a question asks for (when, where, count,
fee, winners, how to apply …), by the same cues; the actions use it, with `asks_beyond`, to tell
a question their structured reply does not answer.

The index is rebuilt when the documents change: `DocumentRetriever` checks a
cheap fingerprint (ids and content hashes) before each search, so a notice
ingested by another process is searchable at its next question.
"""
from __future__ import annotations

import datetime as dt
import logging
import math
import re
import threading
from collections import Counter
from collections.abc import Collection, Container, Iterable
from dataclasses import dataclass, replace
from functools import cached_property, lru_cache
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from services.dates import relative_year_in
from services.ingest.cleaning import TABLE_ROW, clean_text
from services.ingest.structure import read_line
from services.models import SourceDocument
from services.settings import PROJECT_ROOT
from services.textnorm import normalise
from services.views import SourceView

log = logging.getLogger(__name__)

# The best passage must reach this score and cover this share of the question's IDF
# weight. Round 4 chose both on the 499 questions of the six sets seen by then, as the
# pair with the fewest misses + 2 × wrong answers (a wrong answer costs more than a
# refusal), on a grid of MIN_SCORE 7–12 and MIN_COVERAGE 0.35–0.55: 8 and 0.45 (round 3
# had 9 and 0.4; dropping unknown bigrams in round 4 raised every coverage).
MIN_SCORE = 8.0
MIN_COVERAGE = 0.45
# Within the notice of the activity asked about, without the words that name it (培训班, 讲座):
# what is left is what is asked (住宿, 停车, 回放), with words members add around it (开车过去,
# 当天没空). The sentence must hold the rarest of the words the notices use, and some of the
# rest. Chosen on the development set's questions and refusals (2026-12-02).
OWN_MIN_SCORE = 0.3
OWN_MIN_COVERAGE = 0.08
# A sentence holding half of what is asked answers without the rarest word (会议号 of 腾讯会议号是多少).
_OWN_WIDE_COVERAGE = 0.5
_MAX_ANSWER_CHARS = 220

# BM25F: k1 and b as usual (b low: the notices' sentences are long), and the weight
# of each field's words relative to the passage's own.
_K1 = 1.2
_B = 0.5
_FIELD_WEIGHTS = {"own": 1.0, "context": 0.8, "lead": 0.4, "title": 0.2}
_BIGRAM_WEIGHT = 0.5
_YEAR_BOOST = 1.3
_CARD_BOOST = 2.0
_SUBJECT_BOOST = 3.0
_AS_BEFORE = re.compile(r"(?:其他|其余|其它)[^。；]{0,30}(?:(?:仍按|按照?|依照)原通知|不变|照常)")
_VALUED_LABEL = re.compile(r"^[\u4e00-\u9fff][\u4e00-\u9fff\s]{0,7}[：:]\s*\S")  # 地点：上海市工人文化宫
_LIST_ROW = re.compile(r"^\d+\s")  # 1 上海浦江特种变压器有限公司 绕线一班: a row of a list, not a heading
_ROW_BREAK = "\n"  # between a table's rows in its one passage
_BIGRAM = "·"  # bigrams live in their own namespace: 全国 the word ≠ ·全国 the bigram
_ENTITY = "="  # so does the organisation a name or short name stands for
SYNONYMS = PROJECT_ROOT / "data" / "nlu" / "synonyms.yml"
RETRIEVAL_SYNONYMS = PROJECT_ROOT / "config" / "retrieval_synonyms.yml"

USER_DICTIONARY = PROJECT_ROOT / "bot" / "nlu" / "jieba_dict" / "userdict.txt"
_SYNONYM_FREQUENCY = 2000

_QUESTION_WORDS = frozenset({
    "什么", "是", "的", "吗", "呢", "了", "哪", "哪些", "哪里", "哪儿", "几", "多少",
    "怎么", "怎么样", "如何", "请问", "一下", "有", "有没有", "在", "和", "与", "么",
    "个", "我", "你", "您", "想", "知道", "问", "问问", "谁", "时候", "什么时候", "啥",
    "可以", "吧", "一共", "为", "为什么", "哪个", "哪一年", "哪年", "是否", "都", "会",
    "能", "要", "告诉", "下", "那", "这", "这个", "那个", "其", "及", "或", "被",
    "把", "对", "给", "让", "从", "向", "到", "于", "由", "还", "也", "又", "就",
    "等", "之", "以", "中", "上", "具体", "情况", "内容", "关于", "方面", "相关", "哪家",
    "谁家", "多久", "叫", "叫做", "是不是", "对吗",
})
# How members talk on WeChat, not what they ask about: modal particles, openers, colloquial
# question words and light verbs (搞/弄 for 开展/举办). Dropped like the question words above.
_COLLOQUIAL = frozenset({
    "啊", "呀", "哇", "啦", "嘛", "呗", "哦", "噢", "哈", "嗯", "哎", "诶",
    "麻烦", "问下", "问一下", "想问", "想问下", "请教", "打扰", "你好", "您好", "谢谢",
    "咋", "咋样", "咋么", "干嘛", "干啥", "啥时候", "啥时", "几时", "哪天", "几号", "几月", "几点",
    "几次", "几回", "多大", "多长", "哪些", "哪位", "什么样", "怎样", "咋办", "怎么办", "为啥", "啥样",
    "是啥", "有啥", "些", "有些", "一些", "过", "着", "搞", "弄", "干", "整", "跟", "来", "去",
    "路上", "号码",  # 在哪条路上, 传真号码: the contact cue's words
    "哪几", "哪几个", "哪几家", "哪几项", "哪几种", "哪种", "哪类", "哪方面",
    # asking who issued a notice and when (谁发的, 发出来, 落款日期): the card answers, in its own words
    "发", "发的", "发出", "发出来", "落款",
    # a time counted from when the member asks, which no notice's words can match
    "今年", "明年", "去年", "今天", "明天", "昨天", "这次", "那次", "本次", "此次", "下次", "上次",
})
_DROPPED = _QUESTION_WORDS | _COLLOQUIAL
# How often jieba's dictionary counts a word that is too common to be a misspelling on its own.
_COMMON_WORD = 1000
# Parts of speech of jieba's dictionary that are how something is said, not what it is about:
# pronouns, adverbs, prepositions, conjunctions, particles, modal words, interjections, measure
# words and numerals. A question's word of these that no notice uses is dropped.
_FUNCTION_TAGS = frozenset({"r", "rr", "rz", "rg", "d", "dg", "df", "p", "c", "u", "uj", "ul", "ug", "uv",
                            "uz", "ud", "y", "e", "o", "zg", "q", "m", "mq"})

_SENTENCE_END = re.compile(r"(?<=[。！？])")
_HEADING = re.compile(
    r"^(?:[一二三四五六七八九十]+、|（[一二三四五六七八九十]+）|\d{1,2}[.．、]|[一二三四五六七八九十]是)"
)
_UNITS = re.compile(r"（[^（）]*）")  # the responsible units closing an item
_ADDRESS_LINE = re.compile(r"地\s*址\s*[:：]")
_CONTACT_LINE = re.compile(
    r"\s*(?:邮政编码|邮\s*编|电\s*话|传\s*真|联\s*系\s*人|联系电话|手\s*机|邮\s*箱|e-?mail)\s*[:：]", re.IGNORECASE
)
_CJK = re.compile(r"[\u4e00-\u9fff]")
# A counted number (十二期, 37场) also gives its measure word; a question's 几期/多少场 gives only that.
_COUNTED = re.compile(r"(?:[0-9一二三四五六七八九十百千万两]+|几|多少)([期届场项名家个次回位人])")
_TIMES = ("次", "期", "届", "场")
_DATE_UNITS = frozenset({"年", "月", "日", "号"})
# A two-character word spelt out with a space, as forms do (电 话, 传 真, 竺 敏).
_SPACED_OUT = re.compile(r"(?<![\u4e00-\u9fff])([\u4e00-\u9fff]) +([\u4e00-\u9fff])(?![\u4e00-\u9fff])")
_BOOK_TITLE = re.compile(r"《[^》]*》")
# A year inside 《…》 names a document; it dates nothing.
_DONE = r"累计|至今|已经|已|共计|先后|以来|年来"
_PLANNED = r"将|计划|预计|拟"
_ASKS_DONE = r"一共|总共|累计|至今|已经|了几|了多少|过几|过多少"


# Words of arriving or setting off (几点集合, 在哪上车); services.answers reads them too.
ARRIVING = r"集合|报到|签到|发车|出发|入场|上车"


@dataclass(frozen=True)
class _Cue:
    """What a question asks for (`asks`), what a passage holding it looks like (`shape`), and the
    factor a passage that fits gets; when `required`, a passage that does not fit cannot answer."""

    asks: re.Pattern[str]
    shape: re.Pattern[str]
    factor: float = 1.3
    required: bool = False
    # looks inside 《…》 too: 白皮书是哪年的 is answered by 《上海市质量状况白皮书（2021年）》
    in_titles: bool = False
    # within one notice, the heading a passage sits under may hold the answer (二等奖 over its rows)
    in_heading: bool = False
    kind: str = ""  # what is asked, for `asked_kinds` (when, where, count, fee …)
    # within one notice, a sentence of the shape answers whatever words the question uses
    # (我们公司能去三个人吗 — 每家会员单位限报1人; 回执发哪个邮箱 — …发送至 sqe@…)
    answered_by_shape: bool = False


# What kind of answer a question wants, what a passage holding one looks like, and the factor
# its score gets. A fee and a sign-up are what members act on: only a sentence that states one answers.
# A question of how many one organisation may send or enter (services.answers.topics routes it here).
PER_UNIT_QUESTION = (r"(?:一|每|我们|我|咱们|本)(?:家|个)?[\u4e00-\u9fff]{0,3}?"
                     r"(?:单位|企业|公司|组织|集团|工会|厂|工厂)[^，。,；;]{0,8}"  # 我们是会员单位，培训费多少: a fee
                     r"(?:几|多少|[两二三四五六七八九十\d]+\s*(?:个|名|位)?人)"
                     r"|(?:能|可以)多?带[^，。？?]{0,4}(?:同事|个人|一个人)|我们一共[两二三四五六七八九十\d]+个?人")

_CUES = (
    _Cue(re.compile(r"什么时候|啥时候|啥时|何时|哪天|哪一天|日期|几月|几号|时间"),
         re.compile(r"\d{1,2}月|[一二三四五六七八九十]{1,2}月|\d{4}年(?:[，、起以始]|$)"
                    r"|次年|同年|当年|翌年|年初|年底|年内|上半年|下半年|季度"), required=True, kind="when"),
    # when to arrive or leave (几点集合, 哪天报到, 几点发车): the clock or day said with the arriving
    _Cue(re.compile(rf"(?:几点|什么时间|啥时间|几时|哪天|什么时候|啥时候)[^，。？?]{{0,4}}(?:{ARRIVING})"
                    rf"|(?:{ARRIVING})[^，。？?]{{0,6}}(?:几点|什么时间|啥时间|时间|哪天|什么时候|啥时候)|几点(?:前)?到(?!几)"),
         re.compile(rf"(?:{ARRIVING})(?:时间)?\s*[：:为是在于]?\s*\d{{1,2}}[:：]\d{{2}}"
                    rf"|\d{{1,2}}[:：]\d{{2}}\s*(?:前|起|开始)?(?:(?!返回)[^，。；]){{0,30}}?(?:{ARRIVING})"
                    rf"|\d{{1,2}}月\d{{1,2}}日[^，。；]{{0,12}}?(?:{ARRIVING})"),
         factor=2.5, required=True, kind="arrival", answered_by_shape=True),
    # where to gather or board (在哪上车, 集合点在哪): the place said with the gathering
    _Cue(re.compile(rf"(?:在哪|哪里|哪儿|什么地方)[^，。？?]{{0,4}}(?:{ARRIVING}|坐车)"
                    rf"|(?:{ARRIVING}|坐车)[^，。？?]{{0,4}}(?:在哪|哪里|哪儿|地点|什么地方)"),
         re.compile(rf"(?:{ARRIVING}|乘车)(?:地点|地址)\s*[：:为是在]|在[^，。；]{{2,40}}(?:{ARRIVING})"),
         factor=2.5, required=True, kind="gathering", answered_by_shape=True),
    # how to join online (腾讯会议号多少, 入会密码): the line that gives the number or link
    _Cue(re.compile(r"会议号|会议ID|入会|密码|直播间|直播链接|怎么进|怎么看直播|在哪看", re.IGNORECASE),
         re.compile(r"会议号|会议ID|ID\s*[:：]|密码|直播间|https?://|\d{3}[- ]\d{3}[- ]\d{3,4}", re.IGNORECASE),
         factor=2.0, required=True, kind="online_access", answered_by_shape=True),
    # how long: a duration or a length (三天, 2天, 16学时, 1-3分钟, 5000字)
    _Cue(re.compile(r"几天|多少天|多久|多长|几个小时|几分钟|几周|几个月|几年|多少年|课时|学时|有效期|时长|字数|多少字"),
         re.compile(r"[\d一二三四五六七八九十两半]+(?:天|周|个月|小时|分钟|课时|学时)|(?<![月\d至到—~\-])\d{1,2}日|\d+\s*字"
                    r"|(?<!\d)(?:\d{1,2}|[一二三四五六七八九十两半]{1,2})年(?!\d|[一二三四五六七八九十]{1,2}月)|长期有效"),
         required=True, kind="how_long", answered_by_shape=True),  # 视频要拍多长 — 时长1-3分钟
    # who won (哪些企业获奖, 谁拿了一等奖, 哪个区排第一): only a passage that names winners or a ranking
    _Cue(re.compile(r"(?:哪些|哪个|哪家|哪几|谁|什么人).{0,8}(?:获奖|获得|评上|选上|当选|入选|排第|拿了|拿到|得了)"
                    r"|(?:获奖|评上|选上|当选|入选)了?(?:哪些|哪几|哪个|哪家)|得主|冠军|第一名|获奖名单|获奖者"),
         re.compile(r"荣获|获评|获奖名单|获得者|名单|排名|第一名|名列|当选|入选"), required=True, kind="winners"),
    # how to take part (怎么申请, 如何预约, 在哪下载): only a passage that says how or where to
    _Cue(re.compile(r"(?:怎么|怎样|如何|咋)(?:样)?(?:申请|预约|下载|办理|参加|参与|加入|报名|提交|申报|购买|买票)"
                    r"|在哪(?:里|儿)?(?:下载|申请|预约|办理|提交|申报)"),
         re.compile(r"通过|登录|网站|网址|平台|扫码|二维码|填写|提交|报送|发送|联系|电\s*话|申请表|报名表|渠道|途径|方式|报名"),
         required=True, kind="how_to"),
    # what it takes (申报条件, 要满足什么条件, 有什么要求): only a passage that states conditions answers
    _Cue(re.compile(r"条件|(?:什么|哪些|啥|报名|参赛|申报)资格|资格(?:是|有)|(?:什么|哪些|有没有|啥)要求"
                    r"|要求(?:是|有)(?:什么|啥|哪些)|有[^，。？?]{0,8}要求(?:吗|么|没)|门槛"),
         re.compile(r"条件|资格|要求|须|应当|不得|不少于|以上"), required=True, kind="conditions"),
    _Cue(re.compile(r"哪年|哪一年|年份"), re.compile(r"\d{4}年|次年|同年|当年|翌年"), required=True, in_titles=True,
         kind="year"),
    # how many one organisation may send (一家企业能去几个人, 一个单位最多报几个班组): a per-unit limit
    _Cue(re.compile(PER_UNIT_QUESTION),
         re.compile(r"每(?:家|个|一)?[\u4e00-\u9fff]{0,4}?(?:单位|企业|公司|组织|集团|工会)|限报|限派"),
         required=True, kind="per_unit", answered_by_shape=True),
    # What members ask of taking part that a notice says in a sentence of a recognisable shape,
    # whatever words they use: what to wear (冷库里面冷吗 要穿什么 — 请穿着保暖衣物), whether meals are
    # given (管饭不 — 提供午餐), how old one must be (我17岁可以报名吗 — 年满18周岁), how long one must
    # have worked (我干焊工才一年半 — 从事焊接工作满2年), what a winner or awardee gets (拿第一有什么
    # 奖励 — 推荐申报五一劳动奖章; 评上了有钱拿吗 — 每家最高不超过20万元), what was first planned
    # (原来是定在哪天的 — 原定于12月10日).
    _Cue(re.compile(r"穿什么|穿啥|穿哪|着装|穿着|衣服|要穿|正装|服装"),
         re.compile(r"穿着|着装|服装|正装|保暖|衣物|工作服|防护服"), factor=2.0, required=True, kind="dress",
         answered_by_shape=True),
    _Cue(re.compile(r"管饭|吃饭|午饭|午餐|中饭|晚饭|供餐|包吃|饭吗|用餐|伙食|餐食|盒饭"),
         re.compile(r"午餐|晚餐|用餐|就餐|餐饮|盒饭|工作餐|晚宴|自助餐"), factor=2.0, required=True, kind="meals",
         answered_by_shape=True),
    _Cue(re.compile(r"[\d一二三四五六七八九十]+岁|岁了|年龄|周岁|年纪|(?<!\d)[1-9]\d了"),  # 我今年38了还能听吗
         re.compile(r"周岁|\d+岁|年龄|年纪"), factor=2.0, required=True, kind="age", answered_by_shape=True),
    _Cue(re.compile(r"(?:干|做|工作|从事|入行|参加工作)[^，。？?]{0,6}(?:[\d一二三四五六七八九十两半]+年|[\d一二三四五六七八九十两]+个月)"
                    r"|工龄|工作年限|从业年限"),
         re.compile(r"满\s*[\d一二三四五六七八九十两]+\s*年|年以上|工龄|年限"), factor=2.0, required=True,
         kind="seniority", answered_by_shape=True),
    _Cue(re.compile(r"有钱拿|给钱|发钱|奖金|资助|补贴|奖励多少|给多少钱|奖多少|(?:多少|几)[^，。？?]{0,3}(?:奖励|奖金|资金)"),
         # an amount given (资助…20万元), not one paid (参赛费：800元)
         re.compile(r"(?:奖|资助|补贴|补助|奖励)[^。；]{0,20}\d+(?:\.\d+)?\s*万?元|\d+(?:\.\d+)?\s*万?元[^。；]{0,8}"
                    r"(?:奖|资助|补贴|补助)"), factor=2.0, required=True, kind="reward_money",
         answered_by_shape=True),
    _Cue(re.compile(r"(?:第一|冠军|一等奖|获奖|前三|优胜|评上|获评)[^，。？?]{0,6}(?:奖励|奖品|有什么|有啥|给什么)"
                    r"|什么奖励|啥奖励|奖励是什么|有奖励吗"),
         re.compile(r"授予|颁发|奖章|称号|证书|奖金|奖励|荣誉|奖杯|奖品"), factor=2.0, required=True, kind="reward",
         answered_by_shape=True),
    _Cue(re.compile(r"原来|原定|本来|原先|原计划|之前定"),
         re.compile(r"原定|原计划|原通知|原于"), factor=2.0, required=True, kind="original", answered_by_shape=True),
    # whether and where one can follow online (有没有直播 在外地想线上听, 去不了现场能在线看吗)
    _Cue(re.compile(r"直播|线上听|线上看|在线看|在线听|网上看|远程|去不了现场"),
         re.compile(r"直播|视频号|腾讯会议|线上|在线|回放|回看|录播|网络"), factor=2.0, required=True,
         kind="online_view", answered_by_shape=True),
    # what rank or prize (老庙那个是几等, 排第几): a sentence or table row that gives one
    _Cue(re.compile(r"几等|第几名|排第几|名次|排名"),
         re.compile(r"[一二三四五六七八九十\d]+等|第[一二三四五六七八九十\d]+名|[金银铜]奖|优秀奖|特等|名次|排名"),
         factor=2.0, required=True, kind="rank", in_heading=True),
    # how many: a count (160个城市, 1.5万人, 十二期, 93.5%, 1:78), not just a year or a date
    _Cue(re.compile(r"(?<!电话)(?<!号码)(?<!手机)(?<!传真)(?<!邮编)(?<!密码)(?<!号)(?<!话是)(?<!码是)(?<!号是)多少(?!钱)"
                    r"|(?<!哪)几(?![号月点天日时周年等])"),
         re.compile(r"(?<![\d.\- ])(?!\d{4}年|\d{1,2}(?:[~～\-—至]\d{1,2})?[月日号])\d+(?:\.\d+)?(?![\d\-])"
                    r"|[一二三四五六七八九十百千万两]+(?:个|项|期|场|名|家|届|万|人|次|位|所|条|部|批|轮|类|大)"),
         required=True, kind="count"),
    _Cue(re.compile(r"多少钱|费用|收费|价格|门票|票价|交钱|免费|几块钱|多少元"),
         re.compile(r"\d+(?:\.\d+)?[万亿]?元|免费|收费|费用"), required=True, kind="fee"),
    _Cue(re.compile(r"报名|截止|名额"), re.compile(r"报名|截止|名额"), required=True, kind="signup"),
    # a web or mail address is a string no paraphrase stands for: only a passage that has one answers
    _Cue(re.compile(r"网址|链接|网页|邮箱|e-?mail|(?:哪个|什么)网站|网站是|下载|电子版|上传", re.IGNORECASE),
         re.compile(r"https?://|www\.|\.(?:com|cn|org|net)\b|@", re.IGNORECASE), required=True, kind="web",
         answered_by_shape=True),
    # why (为啥延期): the sentence that gives a cause, whatever words it uses
    _Cue(re.compile(r"为啥|为什么|什么原因|啥原因|原因是|咋回事|怎么回事"),
         re.compile(r"因为?|由于|鉴于|原因"), required=True, kind="why", answered_by_shape=True),
    # 之前报过名还要再报吗: what a change notice says of the sign-ups already made
    _Cue(re.compile(r"报过名|已经报了?名|已报名|报了名|之前报|原来报|再报|重新报"),
         re.compile(r"已报名|原报名|重新报名|再次报名|无需再?报名|继续有效"), required=True, kind="signed_up",
         answered_by_shape=True),
    # 考什么, 学什么: what an exam or a course covers
    _Cue(re.compile(r"(?:考|学|培训|讲|测)(?:什么|啥|哪些)|考试范围|考试内容|考哪些"),
         re.compile(r"内容|科目|范围|课程|模块|标准"), factor=2.0, kind="content", answered_by_shape=True),
    # an address, phone or person to contact: a contact block (`X地址：… 电 话：… 联系人：…`) is the answer
    _Cue(re.compile(r"地址|电话|联系人|联系方式|怎么联系|传真|邮编|邮政编码|哪条路|在哪办公"),
         re.compile(r"地\s*址\s*[:：]|电\s*话\s*[:：]|联\s*系\s*人\s*[:：]"), factor=2.0, required=True,
         kind="contact"),
    # where: only a passage that states a place answers (在…举办, 设在, an address, a venue); a
    # sentence about the event that names none (1.举办…启动仪式。) is no answer to 在哪里举行
    _Cue(re.compile(r"哪里|哪儿|在哪(?![天年些个月])|地点|场地|会场|哪国|(?:哪个|哪座|什么)(?:城市|地方|酒店|场馆|国家)"),
         re.compile(r"在(?![^，。；]*下[，。])[^。；]{1,20}?(?:举办|举行|召开|开展|发布|宣传|展示|播放|试点|设立|上课)"
                    r"|设在|地\s*址|路\d+号|场所|会场|酒店|宾馆|会议中心|会展中心|大厦|礼堂|会议室|平台|广场|枢纽|创新园"
                    r"|地点(?:另行通知|待定|另定)"),  # 预赛地点另行通知: where is not known yet, and that is the answer
         required=True, kind="where"),
    _Cue(re.compile(r"主题"), re.compile(r"主题"), kind="theme"),
    # 归谁管, 哪个部门负责, 异议找谁: the units that close an item (`…建设（市民政局）。`) or a line
    # that names who takes it (受理部门：…)
    _Cue(re.compile(r"谁负责|归谁|谁管|找谁|(?:哪个|哪些|什么|哪家)(?:部门|单位)|主管部门|牵头"),
         re.compile(r"（[^（）]{2,}）。?$|(?:受理|负责|联系|咨询)(?:部门|单位)\s*[：:]"), kind="units"),
    # 一共办了几期: what has been done, not what a plan says will be
    _Cue(re.compile(_ASKS_DONE), re.compile(_DONE)),
    _Cue(re.compile(_ASKS_DONE), re.compile(_PLANNED), 1 / 1.3),
    _Cue(re.compile(r"计划|打算|预计|准备"), re.compile(_PLANNED)),
    # what came of it (最后来了多少人, 实际注册了多少个): a plan says what was meant to happen, not what did
    _Cue(re.compile(r"最后|最终|实际|结果"), re.compile(_PLANNED), 0.0),
)
# 投几篇, 上几次课: a number in the unit asked answers (每人限投1篇, 共6次)
_ASKS_IN_UNIT = re.compile(r"几\s*([篇次项件份轮场届支门节])")


def shapes_asked(simplified: str) -> list[re.Pattern[str]]:
    """What the sentence that answers looks like, when its shape is the answer whatever its words."""
    shapes = [cue.shape for cue in _CUES if cue.answered_by_shape and cue.asks.search(simplified)]
    unit = _ASKS_IN_UNIT.search(simplified)
    if unit:
        shapes.append(re.compile(rf"(?:\d+|[一二三四五六七八九十两]+)\s*{unit.group(1)}"))
    return shapes


# Where a question's asking word starts (是啥, 是什么, 是谁, 多少钱 …).
_ASKING_WORDS = ("啥", "什么", "谁", "多少", "是啥", "是什么", "是谁", "是多少", "是哪", "叫啥")
# What something is called (书名是啥, 全称是什么): the answer is a name the passage gives, not a thing it names.
_NAME_WORDS = frozenset({"名字", "名称", "书名", "全称", "简称", "题目", "标题"})
_YES_NO_ENDINGS = (["吗"], ["么"], ["没"], ["没有"], ["不"])
_DEMONSTRATIVE = re.compile(r"^[这那哪此该][本个位家项种件份张部]?")
_YEAR = re.compile(r"(?<!\d)(20\d\d)年")
_ISSUER_WORDS = frozenset({"部门", "单位", "机构", _BIGRAM + "部门", _BIGRAM + "单位", _BIGRAM + "机构"})
_ASKS_NEXT = re.compile(r"下一?[期届次场轮回]|下个月|最近一[期届次场]|即将|接下来")
_COPIED_TO = re.compile(r"抄\s*送\s*[:：]\s*(.+?)。?$")
_DOCUMENT_NUMBER = re.compile(r"[\u4e00-\u9fff]{1,6}〔\d{4}〕\d+号")
_WRITTEN_DATE = re.compile(
    r"(?:\d{4}|[〇零○一二三四五六七八九]{4})年[\d一二三四五六七八九十]{1,2}月[\d一二三四五六七八九十]{1,3}日")
# A question about the notice itself (when and by whom it was issued, its number), which its card answers.
_ASKS_ABOUT_NOTICE = re.compile(r"发布|印发|发文|文号|落款|签发|下发|出台|谁发|发的|哪天发"
                                r"|(?:通知|文件|要点|重点|报告).*(?:哪天|日期|几号|谁|哪个部门|哪个单位)")
# 那 typed for its homophone 哪 (世界质量论坛在那天开, 那年成立的): read as 哪 when nothing else asks.
# 评上了没: 了没 asks
_ASKS = re.compile(r"[吗么呢？?]|什么|啥|几|多少|多长|多久|多大|多远|谁|怎|咋|哪|如何|是否|能否|可否|了没有?$"
                   r"|(?<=[\u4e00-\u9fff])(?<![不没])不$")  # 管饭不: a trailing 不 asks
# 能不能带小孩, 行不行, 有没有线上班, 需不需要: a question though nothing above asks (X不X, X没X)
_ASKS_MAY = re.compile(r"(\w)[不没]\1")
_THAT_FOR_WHICH = re.compile(r"那(?=[天年里儿些个家位种])")


# A year written with two digits, as members type it (18年, 19年度): the notices write 2018年.
# Not a span of years (成立37年, 办了20年, 20年来, 二十年交流 is written 20年交流 too rarely to matter).
_SHORT_YEAR = re.compile(r"(?<![\d.有了近过满立办约共达第])([12]\d)(?=年(?![了来多以前后间里内之历]))")


_ASKS_LENGTH_OF_TIME = re.compile(r"多长(?:的)?时间|多少时间|多久")


def asked_kinds(question: str) -> frozenset[str]:
    """What kinds of answer a question asks for (when, where, count, fee, theme, units, contact …),
    by the same cues the retrieval weighs passages with."""
    simplified = question_form(question)
    return frozenset(cue.kind for cue in cues_asked(simplified) if cue.kind)


def cues_asked(simplified: str) -> list[_Cue]:
    """The cues a question's words raise; 多长时间 asks a length, not a date, though it says 时间."""
    cues = [cue for cue in _CUES if cue.asks.search(simplified)]
    if _ASKS_LENGTH_OF_TIME.search(simplified):
        cues = [cue for cue in cues if cue.kind != "when"]
    return cues


def is_question(text: str) -> bool:
    """Whether the (simplified) words ask something: 吗, 什么, 几, 哪, 能不能 … (a bare name does not)."""
    return bool(_ASKS.search(text) or _ASKS_MAY.search(text))


def question_form(question: str) -> str:
    """The question normalised (simplified, half-width), with a two-digit year written in full
    and a 那 that can only be 哪 read as 哪."""
    simplified = _SHORT_YEAR.sub(r"20\1", normalise(question))
    return simplified if _ASKS.search(simplified) else _THAT_FOR_WHICH.sub("哪", simplified)


@lru_cache(maxsize=1)
def _tokenizer() -> Any:
    """A jieba tokenizer of our own (the process-wide one is the NLU's) with the NLU's domain words.

    Text is case-folded before it is cut, so the dictionary's words are too (QC小组 → qc小组)."""
    import jieba

    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    entries = [line.split() for line in USER_DICTIONARY.read_text(encoding="utf-8").splitlines()
               if line.strip()] if USER_DICTIONARY.exists() else []
    for word, *rest in entries:
        tokenizer.add_word(word.casefold(), int(rest[0]) if rest and rest[0].isdigit() else None)
    # A synonym group's words are kept whole, or the group could not stand for them: at least as
    # common as an everyday word (诞生: 2,048), else jieba cuts 抄送给谁 as 抄/送给/谁 (抄送: 16).
    for word in _synonyms():
        tokenizer.add_word(word, max(tokenizer.FREQ.get(word) or 0, _SYNONYM_FREQUENCY))
    return tokenizer


@lru_cache(maxsize=1)
def _parts_of_speech() -> dict[str, str]:
    """Each word of jieba's dictionary and the NLU's → its part of speech (the NLU's tag wins)."""
    tags: dict[str, str] = {}
    with _tokenizer().get_dict_file() as dictionary:  # bytes
        lines = [line.decode("utf-8") for line in dictionary]
    if USER_DICTIONARY.exists():  # after jieba's: the NLU's tag wins (报名 is a verb)
        lines += USER_DICTIONARY.read_text(encoding="utf-8").splitlines()
    for line in lines:
        parts = line.split()
        if len(parts) == 3:
            tags[parts[0].casefold()] = parts[2]
    return tags


@lru_cache(maxsize=1)
def _function_words() -> frozenset[str]:
    """The words tagged with a part of speech of `_FUNCTION_TAGS`."""
    return frozenset(word for word, tag in _parts_of_speech().items() if tag in _FUNCTION_TAGS)


def _names_things(word: str) -> bool:
    """A noun, a place, a name, or a word jieba's dictionary does not know (卓越绩效, 云课堂): not a verb."""
    tag = _parts_of_speech().get(word)
    return tag is None or tag.startswith(("n", "eng", "j", "l", "i"))


def asked_thing(question: str) -> str | None:
    """The noun just before a question's asking word: 奖品 in 知识竞赛奖品是啥, 一等奖 in 一等奖是谁拿的,
    奥运会 in 奥运会啥时候开; None when no noun stands there, or one too general or a cue's to judge."""
    words = [word for word in _tokenizer().lcut(question.casefold()) if word.strip()]
    spoken = [word for word in words if any(ch.isalnum() for ch in word)]  # without punctuation
    for index, word in enumerate(words):
        yes_or_no = spoken[-1:] in _YES_NO_ENDINGS
        may = word in ("能不能", "可不可以", "能否") or (word == "能" and words[index + 1:index + 2] == ["不能"]) \
            or (word in ("能", "可以") and yes_or_no)
        if word == "有没有" or (word == "有" and yes_or_no) or may:
            # 有奖品吗, 有没有线上回放: asks whether the thing exists; 能停车吗, 能不能带小孩去参观: whether
            # one may do it. The last word says what.
            after = [w for w in words[index + 1:] if w not in _DROPPED and w not in ("没", "没有", "吗", "不")
                     and any(_CJK.fullmatch(ch) for ch in w)]
            # the last noun or verb of two characters or more (能带孩子一起去吗: 孩子; 有奖品拿吗: 奖品)
            things = [w for w in after if len(w) >= 2 and _parts_of_speech().get(w, "n")[:1] in ("n", "v")]
            thing = things[-1] if things else ""
            if len(thing) < 2 or any(cue.asks.search(thing) for cue in _CUES):
                return None
            return thing
        if word.startswith(_ASKING_WORDS):
            # what stands before the asking word, past the times the member counts from (现在, 目前)
            before = [w for w in words[:index] if w not in _DROPPED and w != "叫"
                      and _parts_of_speech().get(w, "") != "t"]
            # a noun; or, as the subject of 是, whatever jieba tags it (得主是谁: a verb in its dictionary)
            subject = word.startswith("是") or (index > 0 and words[index - 1] == "是")
            if not before or not _parts_of_speech().get(before[-1], "").startswith(("n", "v") if subject else "n"):
                return None
            thing = _DEMONSTRATIVE.sub("", before[-1])  # 那本书 → 书
            if len(thing) < 2 or thing in _NAME_WORDS or any(cue.asks.search(thing) for cue in _CUES):
                return None  # 书, 钱: too general to judge by; 书名: asks what it is called; 费用, 地址: a cue's
            return thing
    return None


@lru_cache(maxsize=1)
def _organisations() -> dict[str, str]:
    """Each name and short name of an organisation (the NLU's synonyms: 质协, 市质协 …) → its full name."""
    import yaml

    names: dict[str, str] = {}
    data = yaml.safe_load(SYNONYMS.read_text(encoding="utf-8")) if SYNONYMS.exists() else None
    for entry in (data or {}).get("nlu") or []:
        canonical = str(entry.get("synonym") or "")
        if not _CJK.search(canonical):
            continue  # contact fields (phone, address …), not organisations
        for line in [canonical, *str(entry.get("examples") or "").splitlines()]:
            name = normalise(line.strip().lstrip("-").strip()).casefold()
            if name:
                names[name] = canonical
    return names


@lru_cache(maxsize=1)
def _synonyms() -> dict[str, str]:
    """Each word of a group in config/retrieval_synonyms.yml → the group's first word, which
    stands for all of them in questions and passages alike (国企 and 国有企业: =国企)."""
    import yaml

    data = yaml.safe_load(RETRIEVAL_SYNONYMS.read_text(encoding="utf-8")) if RETRIEVAL_SYNONYMS.exists() else None
    return {normalise(str(word)).casefold(): normalise(str(group[0])).casefold()
            for group in (data or {}).get("groups") or [] for word in group}


def terms(text: str, known: Container[str] | None = None) -> list[str]:
    """Search terms of a question or a passage: content words, and bigrams of their runs.

    With `known` (the index's terms), a question's function word that no notice uses is dropped."""
    cleaned = _SPACED_OUT.sub(r"\1\2", normalise(text, max_chars=10**6).casefold())
    found: list[str] = []
    run: list[str] = []
    tokenizer = _tokenizer()

    def end_run() -> None:
        chars = "".join(run)
        found.extend(_BIGRAM + chars[i:i + 2] for i in range(len(chars) - 1))
        run.clear()

    after_number = False
    for word in tokenizer.lcut(cleaned):
        counted = _COUNTED.fullmatch(word)
        if counted and word.startswith(("几", "多少")):
            # the question's 几期 is the notice's 期; 几次/几回 asks how many times, which notices count in 期/届/场
            found.extend(_TIMES if counted.group(1) in "次回" else [counted.group(1)])
            end_run()
            continue
        if not word.strip() or not any(ch.isalnum() for ch in word) or word in _DROPPED \
                or (known is not None and word not in known and word in _function_words()):
            end_run()
            continue
        if word in _synonyms():
            # 诞生 is 成立: one term, so that a sentence with both does not outweigh one with either
            found.append(_ENTITY + _synonyms()[word])
            end_run()
            continue
        parts = tokenizer.lcut_for_search(word) if len(word) > 2 else [word]
        found.extend(parts)
        # 不合格者 holds 不合格, which stands for 考不过 as well
        found.extend(_ENTITY + _synonyms()[part] for part in parts if part != word and part in _synonyms())
        if word in _organisations():
            found.append(_ENTITY + _organisations()[word])  # 质协 and 上海市质量协会 are one organisation
        if counted:
            found.append(counted.group(1))  # 十二期 answers 几期
        if all(_CJK.fullmatch(ch) for ch in word) and not (word in _DATE_UNITS and after_number):
            run.extend(word)
        else:
            end_run()  # 2021年质量月: 年 belongs to the date, and 年质 is no pair the member typed
        after_number = word.isdigit()
    end_run()
    return found


def things_named(text: str) -> set[str]:
    """The nouns of two characters or more a text names, as the index cuts them (纸质, 材料, 分论坛; not
    报名, 现在), without the asking and colloquial words."""
    return {term for term in terms(text) if not term.startswith((_BIGRAM, _ENTITY)) and len(term) >= 2
            and not _ASKS.search(term) and _names_things(term)}


def fits_asked(question: str, sentence: str) -> bool:
    """Whether a sentence has the shape of the answer the question asks for (a date for 什么时候);
    True when the question asks for no shape."""
    cues = [cue for cue in cues_asked(question_form(question)) if cue.kind]
    return not cues or any(cue.shape.search(sentence) for cue in cues)


def uncommon_words(text: str) -> set[str]:
    """The question's words of two characters or more that everyday Chinese seldom uses (冷库,
    焊工, 临港; not 单位, 早上): a name's words when a member names something their own way."""
    words = _tokenizer().lcut(normalise(text).casefold())
    return {w for w in words if len(w) >= 2 and all(_CJK.fullmatch(ch) for ch in w) and not _ASKS.search(w)
            and _tokenizer().FREQ.get(w, 0) < _COMMON_WORD and w not in _DROPPED}


def _covered_by(word: str, parts: Iterable[str]) -> bool:
    """Whether shorter words among `parts` cover every character of `word` (qc小组: qc, 小组)."""
    covered = [False] * len(word)
    for part in parts:
        if len(part) >= len(word):
            continue
        start = word.find(part)
        while start != -1:
            covered[start:start + len(part)] = [True] * len(part)
            start = word.find(part, start + 1)
    return all(covered)


@dataclass(frozen=True)
class Passage:
    document_id: int
    source: SourceView
    text: str  # the sentence shown to the member
    heading: str = ""  # the section heading above it
    item: str = ""  # the short name of the numbered item it belongs to, shown before it
    # The first sentence of the numbered item it belongs to, when that is too long to be a name
    # (二是受…委托，开展“…全国城市公共服务质量监测”两项课题项目研究，将着重两方面。): what the item
    # is about, scored with it but not shown.
    lead: str = ""
    # The notice's own card (title, 文号, who issued it and when), which answers only
    # questions about the notice itself: 这个通知是哪天发的, 文号是多少.
    is_card: bool = False

    @property
    def context(self) -> str:
        """The heading and item it sits under, scored with it."""
        return " ".join(filter(None, [self.heading, self.item]))


@dataclass(frozen=True)
class Hit:
    passage: Passage
    score: float
    coverage: float


@dataclass(frozen=True)
class DocumentAnswer:
    text: str
    source: SourceView
    score: float
    document_id: int


@dataclass(frozen=True)
class NamedNotice:
    """A notice a question's words name, and how well (`DocumentIndex.notices_named`)."""

    document_id: int
    score: float
    source: SourceView


def _title_block_end(lines: list[str]) -> int:
    """Where the notice's text starts: after the title, 文号, byline and addressees (short lines
    without a 。), within the first dozen lines; at the latest at its first numbered heading."""
    for index, line in enumerate(lines[:12]):
        if "。" in line or len(line) > 60 or _HEADING.match(line):
            return index
        if index and line.endswith("：") and len(line) <= 40:  # 各有关单位：, the addressees
            return index + 1
    return 0


# A schedule's row or a field closing the notice (约17:00 返回原集合地点, 入会密码：8866): no
# signature has them (an attachment's line is the signature's).
_NOT_SIGNED = re.compile(r"^(?!附件|抄送).*(?:\d{1,2}[:：]\d{2}|\d+\s*(?:人|元)|[：:])")


def _signature_start(lines: list[str], text_start: int) -> int:
    """Where the signature begins: the short lines after the last sentence (issuer, date of issue),
    not a contact block's. The card tells them; they are no passage of their own."""
    end = len(lines)
    while end > text_start and "。" not in lines[end - 1] and len(lines[end - 1]) <= 60 \
            and not (_ADDRESS_LINE.search(lines[end - 1]) or _CONTACT_LINE.match(lines[end - 1])
                     or _NOT_SIGNED.search(lines[end - 1])):
        end -= 1
    return end


def notice_card(document_id: int, source: SourceView, text: str, issuer: str | None = None) -> Passage:
    """What the notice says of itself, as one passage: its title, number (`沪质〔2020〕1号`), issuer
    and date of issue, taken from its title block and signature, else from its record."""
    lines = [line.strip() for line in clean_text(text).split("\n") if line.strip()]
    header = lines[:_title_block_end(lines)]
    signature = " ".join(lines[_signature_start(lines, len(header)):])
    number = next((m.group(0) for line in header if (m := _DOCUMENT_NUMBER.search(line))), None)
    written_date = _WRITTEN_DATE.search(signature) or _WRITTEN_DATE.search(" ".join(header))
    issued = written_date.group(0) if written_date else None
    if issued is None and source.issued_on:
        from services.dates import format_date

        issued = format_date(source.issued_on)
    by = issuer or signature.strip("（）() ") or None
    # whom it is sent to (the line ending in ：) and copied to (抄送：…), which only the card tells
    addressees = next((line.rstrip("：:") for line in header if line.endswith(("：", ":"))), None)
    copied = next((m.group(1) for line in lines[len(header):] if (m := _COPIED_TO.match(line))), None)
    text_parts = [f"《{source.title}》"]
    if number:
        text_parts.append(f"文号{number}")
    if by or issued:
        verb = "印发" if "印发" in signature else "发布"  # the notice's own word where it has one
        text_parts.append("由" * bool(by) + (by or "") + (f"于{issued}" if issued else "") + verb)
    if addressees:
        text_parts.append(f"发给{addressees}")
    if copied:
        text_parts.append(f"抄送{copied}")
    return Passage(document_id, source, "，".join(text_parts) + "。", is_card=True)


def _extend_last(passages: list[Passage], line: str, separator: str = " ") -> None:
    """The line belongs to the passage before it (a contact block's, a table's next row)."""
    passages[-1] = replace(passages[-1], text=f"{passages[-1].text}{separator}{line.strip()}")


def split_passages(document_id: int, source: SourceView, text: str) -> list[Passage]:
    """Sentences of the cleaned text, each with the heading and item it sits under."""
    passages: list[Passage] = []
    heading = ""
    lines = [line for line in clean_text(text).split("\n") if line.strip()]
    # The title block (title, 文号, byline) names the notice; the citation already does, and the
    # notice's card tells it and the signature.
    start = _title_block_end(lines)
    in_contacts = in_table = False
    for line in lines[start:_signature_start(lines, start)]:
        # A contact block (`X地址：…` / `邮政编码：… 电 话：…` / `传 真：… 联系人：…`) is one passage:
        # the phones and the persons are the organisation's named on its first line.
        if in_contacts and passages and _CONTACT_LINE.match(line):
            _extend_last(passages, line)
            continue
        in_contacts = bool(_ADDRESS_LINE.search(line) or _CONTACT_LINE.match(line))
        # A text table is one passage: 论坛有哪些演讲 reads all its rows.
        in_table, was_table = bool(TABLE_ROW.search(line)), in_table
        if in_table and was_table and passages:
            _extend_last(passages, line, _ROW_BREAK)
            continue
        sentences: list[str] = []
        for piece in (s.strip() for s in _SENTENCE_END.split(line)):
            # "（市质量工作领导小组办公室）" after an item's last 。 belongs to that sentence.
            if piece and sentences and (len(piece) <= 20 or _UNITS.fullmatch(piece)) \
                    and not re.search(r"[。！？]$", piece):
                sentences[-1] += piece
            elif piece:
                sentences.append(piece)
        if not sentences:
            continue
        # a short line is a heading, unless it is a sentence (竞赛按理论20%、实操80%计算总成绩。)
        # nor a field (时间：5月15日, 地点：…) under a numbered heading, which stays theirs (（三）决赛)
        is_heading = len(line) <= 40 and not re.search(r"[。；]", line[:-1]) and not in_contacts and not in_table \
            and not (line.endswith(("。", "；")) and not _HEADING.match(line)) and not _LIST_ROW.match(line) \
            and not (_VALUED_LABEL.match(line) and _HEADING.match(heading))
        if is_heading:
            heading = line
        # An item's short name (`（十二）大力推动中小企业质量提升。`) is the context of its sentences.
        is_item = bool(_HEADING.match(line)) and len(sentences) > 1
        item = sentences[0] if is_item and len(sentences[0]) <= 30 else ""
        lead = sentences[0] if is_item and not item else ""
        for index, sentence in enumerate(sentences):
            if item and index == 0:
                continue
            passages.append(Passage(document_id, source, sentence, heading if heading != line else "", item,
                                    lead=lead if index else ""))
    return passages


class DocumentIndex:
    """Fielded BM25 over every passage of the given documents."""

    def __init__(self, passages: list[Passage]) -> None:
        self.passages = passages
        self._position = {id(p): i for i, p in enumerate(passages)}
        self._of_document: dict[int, list[int]] = {}  # each notice's passages, by position
        for i, passage in enumerate(passages):
            self._of_document.setdefault(passage.document_id, []).append(i)
        # What the answer-shape cues look at: the sentence without the documents it names.
        self._shapes = [_BOOK_TITLE.sub("", p.text) for p in passages]
        titles: dict[int, Counter[str]] = {}
        contexts: dict[str, Counter[str]] = {}  # many sentences share a heading and item
        lengths: list[int] = []
        weighted: list[dict[str, float]] = []
        for passage in passages:
            if passage.context not in contexts:
                contexts[passage.context] = Counter(terms(passage.context))
            if passage.document_id not in titles:
                titles[passage.document_id] = Counter(terms(passage.source.title))
            if passage.lead not in contexts:
                contexts[passage.lead] = Counter(terms(passage.lead))
            own = Counter(terms(passage.text))
            fields = {"own": own, "context": contexts[passage.context], "lead": contexts[passage.lead],
                      "title": titles[passage.document_id]}
            frequencies: dict[str, float] = {}
            for field, counts in fields.items():
                for term, count in counts.items():
                    frequencies[term] = frequencies.get(term, 0.0) + _FIELD_WEIGHTS[field] * count
            weighted.append(frequencies)
            lengths.append(sum(own.values()))
        self._title_terms = {document_id: frozenset(words) for document_id, words in titles.items()}
        count = len(passages)
        average_length = sum(lengths) / count if count else 1.0
        self._norms = [_K1 * (1 - _B + _B * length / average_length) for length in lengths]
        self._postings: dict[str, list[tuple[int, float]]] = {}
        for i, frequencies in enumerate(weighted):
            for term, frequency in frequencies.items():
                self._postings.setdefault(term, []).append((i, frequency))
        self._idf = {t: self._inverse_frequency(len(p)) for t, p in self._postings.items()}
        # A word no notice uses weighs as much as one that no passage has.
        self._unknown_idf = self._inverse_frequency(0)
        _function_words()  # loaded now, not at the first question that needs it

    def _inverse_frequency(self, frequency: int) -> float:
        count = len(self.passages)
        return math.log(1 + (count - frequency + 0.5) / (frequency + 0.5))

    def uses(self, word: str) -> bool:
        """Whether some notice has the word, or a pair of its characters (党总支: 总支部委员会)."""
        return word in self._postings or _ENTITY + _synonyms().get(word, word) in self._postings or any(
            _BIGRAM + word[i:i + 2] in self._postings for i in range(len(word) - 1))

    @cached_property
    def _words_by_sound(self) -> dict[str, set[str]]:
        """The notices' words (two to six characters) by their pinyin without tones."""
        from pypinyin import lazy_pinyin

        words: dict[str, set[str]] = {}
        for term in self._postings:
            if 2 <= len(term) <= 6 and all(_CJK.fullmatch(ch) for ch in term):
                words.setdefault(" ".join(lazy_pinyin(term)), set()).add(term)
        return words

    def respell(self, question: str) -> str:
        """The question with a word no notice uses replaced by the one notice word that sounds
        the same: members type with pinyin input, so 大将堂 is 大讲堂, 妇连 妇联, 启东仪式 启动仪式.

        A word is tried alone and with its neighbours (jieba cuts a misspelt name apart:
        质量/大将/堂); a sound that several notice words share is left alone."""
        from pypinyin import lazy_pinyin

        sounds = self._words_by_sound  # built at the first call
        words = list(_tokenizer().lcut(question.casefold()))
        out: list[str] = []
        index = 0
        while index < len(words):
            word = words[index]
            replaced = False
            asks_count = bool(_COUNTED.fullmatch(word)) and word.startswith(("几", "多少"))  # 几个, 几期
            # a word of a synonym group is known through its group (实名 is not 使命)
            if word not in self._postings and word not in _DROPPED and not asks_count \
                    and word not in _synonyms() and all(_CJK.fullmatch(ch) for ch in word):
                # a function word or a common word alone is no misspelling (有时 is not 优势, 同事 not
                # 同时); with its neighbours it may be one (质量/大将/堂: 大讲堂)
                alone = word in _function_words() or _tokenizer().FREQ.get(word, 0) >= _COMMON_WORD
                for start, end in ((index, index + 1), (index, index + 2), (index - 1, index + 1),
                                   (index - 1, index + 2)):
                    if start < 0 or end > len(words) or (start < index and not out) \
                            or (alone and (start, end) == (index, index + 1)):
                        continue
                    span = "".join(words[start:end])
                    if not 2 <= len(span) <= 6 or not all(_CJK.fullmatch(ch) for ch in span) \
                            or span in self._postings:
                        continue
                    sounds_like = sounds.get(" ".join(lazy_pinyin(span)), set())
                    if len(sounds_like) == 1:
                        if start < index:
                            out.pop()
                        out.append(next(iter(sounds_like)))
                        index = end
                        replaced = True
                        break
                # the misspelt word is the start of a longer cut (兰领奖: 兰领 for 蓝领)
                for cut in range(len(word) - 1, 1, -1):
                    if replaced or alone:
                        break
                    sounds_like = sounds.get(" ".join(lazy_pinyin(word[:cut])), set())
                    if word[:cut] not in self._postings and len(sounds_like) == 1:
                        out.extend([next(iter(sounds_like)), word[cut:]])
                        index += 1
                        replaced = True
                # jieba cut inside the misspelt name (大讲/当办 for 大讲堂办): its end and the next word's start
                if not replaced and out and len(word) > 1 and all(_CJK.fullmatch(ch) for ch in out[-1]):
                    for cut in range(len(word) - 1, 0, -1):
                        span = out[-1] + word[:cut]
                        if len(span) > 6 or span in self._postings:
                            continue
                        sounds_like = sounds.get(" ".join(lazy_pinyin(span)), set())
                        if len(sounds_like) == 1:
                            out[-1] = next(iter(sounds_like))
                            out.append(word[cut:])
                            index += 1
                            replaced = True
                            break
            if not replaced:
                out.append(word)
                index += 1
        return "".join(out)

    def _query_terms(self, question: str) -> set[str]:
        """The question's terms as the index can weigh them.

        A bigram no passage has says nothing of the topic (it straddles two of the member's words:
        质协/办公 gives 协办); a word no notice uses but whose parts they all do (qc小组, 办公地址) is
        asked in its parts, which are terms too. What stays unknown weighs as much as a missing word."""
        found = terms(question, known=self._postings)
        known_parts = {term for term in found if term in self._postings} | _DROPPED
        query = set()
        for term in found:
            if term.startswith(_BIGRAM) and term not in self._postings:
                continue
            if term not in self._postings and len(term) > 2 and _covered_by(term, known_parts):
                continue
            query.add(term)
        return query

    def search(self, question: str, limit: int = 3, today: dt.date | None = None,
               document_id: int | None = None, year: int | None = None, named: str = "") -> list[Hit]:
        """The best passages for the question. With `today`, a question about the next session
        (下一期, 下届) is answered only from a notice of this year or later; with `document_id`,
        only from that notice (the one about the activity the member is asking of), and the words
        of `named` (that activity's name) are not part of what is asked."""
        simplified, query = self._asked_terms(question, named if document_id is not None else "")
        return self._scored(simplified, query, limit, today, document_id, year)

    def _asked_terms(self, question: str, named: str) -> tuple[str, set[str]]:
        """The question as it is searched (幾月 asks what 几月 does; 那天 without a question word is
        哪天; respelt) and its terms, without those of `named`."""
        simplified = self.respell(question_form(question))
        query = self._query_terms(simplified)
        if named:
            query -= set(terms(self.respell(question_form(named)), known=self._postings))
        return simplified, query

    def _scored(self, simplified: str, query: set[str], limit: int, today: dt.date | None,
                document_id: int | None, year: int | None, subject: str = "") -> list[Hit]:
        asks_about_notice = bool(_ASKS_ABOUT_NOTICE.search(simplified))
        if asks_about_notice:
            query = query - _ISSUER_WORDS  # 哪个部门发的 asks who issued it: the kind of answer, not its topic
        if not query or not self.passages:
            return []
        scores: dict[int, float] = {}
        covered: dict[int, float] = {}
        total = 0.0
        for term in query:
            weight = _BIGRAM_WEIGHT if term.startswith(_BIGRAM) else 1.0
            idf = self._idf.get(term, self._unknown_idf)
            total += weight * idf
            for i, frequency in self._postings.get(term, ()):
                scores[i] = scores.get(i, 0.0) + weight * idf * frequency * (_K1 + 1) / (frequency + self._norms[i])
                covered[i] = covered.get(i, 0.0) + weight * idf
        if not total:
            return []
        thing = asked_thing(simplified)
        if thing is not None and not self.uses(thing):
            # What is asked for is named in no notice (奖品, 一等奖, 门票): the notices cannot say.
            return []
        cues = cues_asked(simplified)
        year_match = _YEAR.search(simplified)
        # the member's year (2021年; 今年 when searching every notice), else the activity's
        year = int(year_match.group(1)) if year_match else year
        # 今年 is said loosely: that year's sentences are preferred, others not ruled out
        loosely = relative_year_in(simplified, today) if today is not None and year is None else None
        # 下一期啥时候开: what comes after today; a notice of an earlier year tells only what is past
        earliest_year = today.year if today is not None and _ASKS_NEXT.search(simplified) else None
        hits = []
        for i, score in scores.items():
            passage = self.passages[i]
            if passage.is_card and not asks_about_notice:
                continue
            if document_id is not None and passage.document_id != document_id:
                continue
            if earliest_year is not None and (passage.source.year or 0) < earliest_year:
                continue
            coverage = covered[i] / total
            score *= coverage
            if passage.is_card:
                score *= _CARD_BOOST  # a question about the notice itself: its card is the answer's form
            # a stage's own sentence begins with it (决赛：…) or sits under its heading (四、决赛 / 地点：…)
            if subject and (_HEADING.sub("", passage.item + passage.text).startswith(subject)
                            or _HEADING.sub("", passage.heading).startswith(subject)):
                score *= _SUBJECT_BOOST
            for cue in cues:
                # within the activity's own notice, the item a sentence sits under is shown with it
                # and may hold the answer's shape (三、本期名额150人，每家单位限报2人。 above 本次讲座免费)
                shape = passage.text if cue.in_titles else (
                    self._shapes[i] if document_id is None else _BOOK_TITLE.sub(
                        "", (passage.heading if cue.in_heading else "") + passage.item) + self._shapes[i])
                fits = cue.shape.search(shape)
                score *= cue.factor if fits else 0.0 if cue.required else 1.0
            meant = year if year is not None else loosely
            if meant is not None:
                # A sentence of another year does not answer for this one: 2021's theme is
                # no answer to 2025年质量月的主题, however well the words match (今年 only prefers).
                names_year = passage.source.year == meant or f"{meant}年" in f"{passage.context}{passage.text}"
                score *= _YEAR_BOOST if names_year else 0.0 if year is not None else 1.0
            if score > 0:  # 0: ruled out by a required cue or another year
                hits.append(Hit(passage, score, coverage))
        hits.sort(key=lambda hit: hit.score, reverse=True)
        return hits[:limit]

    def answer(self, question: str, today: dt.date | None = None, document_id: int | None = None,
               year: int | None = None, named: str = "", subject: str = "") -> DocumentAnswer | None:
        """The best passage's sentence (and the next when it is short), or None below the thresholds
        (lower within the notice the member asks of, see OWN_MIN_SCORE). A `subject` (a stage the
        question names) prefers the sentences that begin with it: （三）决赛：… over 前8支队伍进入决赛."""
        own = document_id is not None  # the notice the member asks of, not any notice
        simplified, query = self._asked_terms(question, named if own else "")
        hits = self._scored(simplified, query, 1, today, document_id, year, subject)
        best = hits[0] if hits else None
        min_score, min_coverage = (OWN_MIN_SCORE, OWN_MIN_COVERAGE) if own else (MIN_SCORE, MIN_COVERAGE)
        # 一等奖奖金多少 of a contest whose notice has no 奖金: it does not say; but a question whose
        # answer has a shape (能多带个同事吗 — 每单位限报2人) is answered whatever words it uses
        shapes = shapes_asked(simplified)
        if own and not shapes and not self._names_asked_thing(simplified, document_id):
            return None
        if best is None or best.score < min_score or best.coverage < min_coverage \
                or (own and best.coverage < _OWN_WIDE_COVERAGE and not self._holds_rarest(best.passage, query)):
            best = self._by_shape(shapes, query, document_id) if own else None
        if best is None:
            return None
        return DocumentAnswer(self.answer_text(best.passage, query), best.passage.source, best.score,
                              best.passage.document_id)

    def notices_named(self, question: str) -> list[NamedNotice]:
        """The notices the question's words name, best first. Each is scored by the words it uses
        anywhere (title or sentence), weighed by how few notices use them: a member names an event
        their own way (临港那个参观), and words every notice uses (报名, 费用) weigh next to nothing. A
        notice is named only through a noun of its title that most titles lack (论坛, 卓越绩效; not 质量,
        活动, nor the verb 参加) or an uncommon word of the question it uses as a word (临港, 恒润精密;
        服务质量 itself, not 质量 alone)."""
        _, query = self._asked_terms(question, "")
        words = [term for term in query if not term.startswith(_BIGRAM)]
        titles = self._title_terms
        in_few_titles = {term for term in words if _names_things(term)
                         and 2 * sum(term in held for held in titles.values()) < len(titles)}
        naming = {document_id for document_id, held in titles.items() if in_few_titles & held}
        naming |= {self.passages[i].document_id for word in uncommon_words(question)
                   for i, _ in self._postings.get(word.casefold(), ())}
        count = len(self._of_document)
        scores: dict[int, float] = {}
        for term in words:
            holding = {self.passages[i].document_id for i, _ in self._postings.get(term, ())}
            for document_id in holding:
                scores[document_id] = scores.get(document_id, 0.0) + math.log(1 + count / len(holding))
        ranked = sorted((document_id for document_id in scores if document_id in naming),
                        key=lambda document_id: -scores[document_id])
        return [NamedNotice(document_id, scores[document_id], self.passages[self._of_document[document_id][0]].source)
                for document_id in ranked]

    def _names_asked_thing(self, simplified: str, document_id: int | None) -> bool:
        """Whether the notice names the thing the question asks of (奖金 in 一等奖奖金多少), in its
        words or a word standing for them; True when no one thing is asked."""
        thing = asked_thing(simplified)
        if thing is None:
            return True
        own = set(self._of_document.get(document_id, ())) if document_id is not None else set()
        if any(thing in self.passages[i].text for i in own):
            return True
        words = {w for w in terms(self.respell(thing), known=self._postings) if not w.startswith(_BIGRAM)} - _DROPPED
        return bool(words) and all(any(i in own for i, _ in self._postings.get(w, ())) for w in words)

    def _by_shape(self, shapes: list[re.Pattern[str]], query: set[str], document_id: int | None) -> Hit | None:
        """Within one notice, the sentence of the shape a question asks for when that shape is the
        answer (`shapes_asked`: a per-unit limit, an e-mail address): the one that shares most of its words."""
        if not shapes or document_id is None:
            return None
        fitting = [i for i in self._of_document.get(document_id, ()) if not self.passages[i].is_card
                   and all(shape.search(_BOOK_TITLE.sub("", self.passages[i].item) + self._shapes[i])
                           for shape in shapes)]
        if not fitting:
            return None
        holding = {t: {i for i, _ in self._postings.get(t, ())} for t in query}
        shared = {i: sum(self._idf.get(t, 0.0) for t in query if i in holding[t]) for i in fitting}
        best = max(fitting, key=lambda i: (shared[i], -i))
        return Hit(self.passages[best], shared[best], 0.0)

    def as_before(self, document_id: int) -> DocumentAnswer | None:
        """A change notice's sentence saying the rest stands as first announced (其他事项仍按原通知
        执行): the answer to what it does not restate."""
        passage = next((self.passages[i] for i in self._of_document.get(document_id, ())
                        if _AS_BEFORE.search(self.passages[i].text)), None)
        if passage is None:
            return None
        return DocumentAnswer(self.answer_text(passage), passage.source, 0.0, document_id)

    def opening(self, document_id: int) -> DocumentAnswer | None:
        """A notice's first sentence after its title block: what it announces (现予以公示)."""
        passage = next((self.passages[i] for i in self._of_document.get(document_id, ())
                        if not self.passages[i].is_card), None)
        if passage is None:
            return None
        return DocumentAnswer(self.answer_text(passage), passage.source, 0.0, document_id)

    def _holds_rarest(self, passage: Passage, query: set[str]) -> bool:
        """Whether the passage holds the rarest of the question's terms (not the name's) that its
        notice uses: 停车 of 开车过去好停车吗, 回看 of 当天没空，能看回放吗."""
        holding: dict[str, set[int]] = {}
        for term in query:
            holding[term] = {i for i, _ in self._postings.get(term, ())
                             if self.passages[i].document_id == passage.document_id}
        in_notice = [term for term, where in holding.items() if where]
        if not in_notice:
            return False
        rarest = max(in_notice, key=lambda term: self._idf.get(term, 0.0))
        return self._position[id(passage)] in holding[rarest]

    def best(self, question: str, today: dt.date | None = None) -> Hit | None:
        hits = self.search(question, limit=1, today=today)
        return hits[0] if hits else None

    def _section(self, passage: Passage) -> list[Passage]:
        """The sentences under a numbered heading (`一、活动目的`), for a passage that is one; else none."""
        if passage.item or not _HEADING.match(passage.text):
            return []
        index = self._position[id(passage)]
        level = read_line(0, passage.text).level  # 一、 1, （一） 2, 1. 3; 0 when not numbered
        section = []
        for following in self.passages[index + 1:]:
            if following.document_id != passage.document_id or following.is_card:
                break
            # its sentences, and the numbered items below it (六、报名材料 / 1. 身份证… / 2. …)
            deeper = read_line(0, following.text).level
            if following.heading != passage.text and not (level and deeper > level):
                break
            section.append(following)
        return section

    def answer_text(self, passage: Passage, query: Collection[str] = ()) -> str:
        """The passage's sentence after its item's name (so that "先后邀请…举办十二期" says of what),
        and the next sentence too when it is short; a heading with the sentences under it; of a
        long table, its header and the rows that hold the question's words (老庙 of 老庙那个是几等)."""
        rows = passage.text.split(_ROW_BREAK)
        words = [t for t in query if not t.startswith((_BIGRAM, _ENTITY)) and len(t) >= 2]
        held = {row: sum(t in row.casefold() for t in words) for row in rows[1:]}
        most = max(held.values(), default=0)
        asked_rows = [row for row, count in held.items() if count == most and most > 0]  # 恒润精密's row
        if len(rows) > 1 and asked_rows:
            # a table under its heading (二等奖): the heading, the first row (a header, or a row), the rows asked of
            shown = [passage.heading] if passage.heading and not _HEADING.match(passage.heading) else []
            shown += [rows[0], *(row for row in asked_rows if row != rows[0])]
            return _ROW_BREAK.join(shown)[:_MAX_ANSWER_CHARS]
        text = passage.item + passage.text
        section = self._section(passage)
        if section:
            text += "".join(p.text for p in section)
            return text if len(text) <= _MAX_ANSWER_CHARS else text[:_MAX_ANSWER_CHARS] + "…"
        index = self._position[id(passage)]
        following = self.passages[index + 1] if index + 1 < len(self.passages) else None
        if len(text) < 40 and following is not None and following.document_id == passage.document_id \
                and following.heading == passage.heading and not _HEADING.match(following.text):
            text = f"{text}{following.text}"
        return text if len(text) <= _MAX_ANSWER_CHARS else text[:_MAX_ANSWER_CHARS] + "…"


def build_index(documents: Iterable[SourceDocument]) -> DocumentIndex:
    passages: list[Passage] = []
    for document in documents:
        source = SourceView(title=document.title, issued_on=document.issued_on, year=document.year)
        passages += split_passages(document.id, source, document.text or "")
        passages.append(notice_card(document.id, source, document.text or "", document.issuer))
    return DocumentIndex(passages)


class DocumentRetriever:
    """The index of the database's documents, rebuilt when they change."""

    def __init__(self, session_factory: sessionmaker) -> None:
        self._session_factory = session_factory
        self._lock = threading.Lock()
        self._fingerprint: tuple[tuple[int, str], ...] | None = None
        self._index: DocumentIndex | None = None
        self.built_at: dt.datetime | None = None

    def _current_fingerprint(self) -> tuple[tuple[int, str], ...]:
        with self._session_factory() as session:
            rows = session.execute(
                select(SourceDocument.id, SourceDocument.content_hash).order_by(SourceDocument.id)
            ).all()
        return tuple((row[0], row[1]) for row in rows)

    def index(self) -> DocumentIndex:
        fingerprint = self._current_fingerprint()
        with self._lock:
            if self._index is None or fingerprint != self._fingerprint:
                with self._session_factory() as session:
                    documents = session.scalars(select(SourceDocument).order_by(SourceDocument.id)).all()
                    self._index = build_index(documents)
                self._index.respell("")  # its table of sounds now, not in a member's first question
                self._fingerprint = fingerprint
                self.built_at = dt.datetime.now(dt.timezone.utc)
                log.info("document index built: %d passages", len(self._index.passages))
            return self._index

    def answer(self, question: str, today: dt.date | None = None, document_id: int | None = None,
               year: int | None = None, named: str = "", subject: str = "") -> DocumentAnswer | None:
        return self.index().answer(question, today, document_id, year, named, subject)

    def opening(self, document_id: int) -> DocumentAnswer | None:
        return self.index().opening(document_id)

    def as_before(self, document_id: int) -> DocumentAnswer | None:
        return self.index().as_before(document_id)

    def notices_named(self, question: str) -> list[NamedNotice]:
        return self.index().notices_named(question)

    def is_of_kind(self, document_id: int, kind: str) -> bool:
        with self._session_factory() as session:
            document = session.get(SourceDocument, document_id)
        return document is not None and document.kind == kind

    def titles_of_kind(self, kind: str) -> list[tuple[int, str]]:
        """(id, title) of the notices of one kind (公示: shortlists and results)."""
        with self._session_factory() as session:
            rows = session.execute(select(SourceDocument.id, SourceDocument.title)
                                   .where(SourceDocument.kind == kind)).all()
        return [(row[0], row[1]) for row in rows]

    def asks_beyond(self, question: str, kinds: frozenset[str]) -> bool:
        """Whether the question asks for something an answer of `kinds` cannot give: another kind
        (a count, when only a time is known), or a thing no notice names (知识竞赛的奖品)."""
        asked = asked_kinds(question)
        if asked and not asked & kinds:
            return True
        thing = asked_thing(question_form(question))
        return thing is not None and not self.index().uses(thing)
