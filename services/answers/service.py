"""The answer to a member's question about an activity, decided in one place.

    service.answer(Asked(topic=Topic.FEE, text="大讲堂收费吗")) -> Answer

1. Which activity: the option the member picked; the names in their words; the name the
   NLU tagged; the options offered before, narrowed by a year; the activity the conversation is
   about. Of several of one name, the member's year or month chooses, else the ones not yet
   over; a clarifying question only when that still leaves several.
2. What is asked: the topic (see `topics`). The record's field answers it. What the record
   has no field for (住宿, 停车, 证书) is looked up in that activity's own notice, never in
   another year's; where the notice is silent we say so and whom to ask.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from dataclasses import dataclass

from services.activities import ActivityService
from services.activity_match import longest_common_substring
from services.answers import facts
from services.answers.finder import (
    WHO_ASKS,
    ActivityFinder,
    Cues,
    NameIndex,
    cues_in,
    kind_of,
    not_over,
    of_year,
    session_words,
)
from services.answers.replies import Answer, Phrase, phrase, say
from services.answers.topics import Topic, topic_in_words
from services.dates import Timing, parse_year
from services.ingest.fields import MONTH_DAY
from services.ingest.records import NoticeKind
from services.retrieval import (
    ARRIVING,
    DROPPED,
    DocumentAnswer,
    DocumentRetriever,
    NamedNotice,
    asked_kinds,
    fits_asked,
    is_question,
    question_form,
    rank_asked,
    things_named,
    uncommon_words,
)
from services.textnorm import normalise
from services.views import HELD, ActivityDetails, ActivitySummary, MilestoneView, Resolution

MAX_OPTIONS = 6
# A notice is the association's current business for this long after it was issued (a 公示, a
# call for entries); after that, only while an activity it announced is still to come.
_CURRENT_DAYS = 180
# The notice the words name best must outscore the next one by this factor to be the one meant.
_NOTICE_MARGIN = 1.25

# The kinds of answer (services.retrieval.asked_kinds) each topic's reply gives: a question
# asking another kind (a count, when the time is known) is one for the notice's sentences.
_KINDS: dict[Topic, frozenset[str]] = {
    Topic.DETAILS: frozenset({"when", "year", "where", "theme", "content", "units", "fee", "signup"}),
    Topic.TIME: frozenset({"when", "year"}),
    Topic.PLACE: frozenset({"where"}),
    Topic.THEME: frozenset({"theme", "content"}),
    Topic.FEE: frozenset({"fee"}),
    Topic.CAPACITY: frozenset({"count", "signup"}),
    Topic.ORGANISER: frozenset({"units", "contact"}),
    Topic.PHASES: frozenset({"when", "how_long", "count"}),
    Topic.DEADLINE: frozenset({"signup", "when"}),
    Topic.AUDIENCE: frozenset({"signup", "count"}),
    Topic.SIGNUP_METHOD: frozenset({"signup", "where", "contact", "how_to"}),
    Topic.CONTACT: frozenset({"contact", "units", "where"}),
    Topic.OTHER: frozenset(),
}
_ASKS_HOURS = re.compile(r"几点|什么时间|啥时间|集合|报到|签到")
# When, where or how long of something of the activity's that is not the activity itself: its
# notice's sentence, not the activity's date (录取结果什么时候通知, 几点集合, 第一天在哪上课, 考试考多长时间).
_ASKS_CLOCK = re.compile(r"几点|什么时间|啥时间")
_HOURS_SAID = re.compile(r"\d{1,2}[:：]\d{2}|\d{1,2}点|另行通知|另行告知|待定")
_ASKS_WHEN_OR_WHERE = re.compile(r"什么时候|啥时候|何时|哪天|哪一天|几号|几点|几月|在哪|哪里|地点|什么地方|多长|多久")
# Words of a question about a shortlist or results, and the kind of notice that publishes them.
_ASKS_OF_RESULTS = re.compile(r"公示|名单|结果|上榜|评上|选上|入选|拟命名|获奖|榜单|异议|几等|等奖|名次|排名|第几名")
RESULTS_KIND = NoticeKind.RESULTS.value
PLAN_KIND = NoticeKind.REPORT.value  # a year's plan or a work report: its activities' notices come later
_ASKS_IF_OUT = re.compile(r"出来了|公布了|出结果|发布了|有结果|出炉")
# 有线上直播吗, 能远程参加吗: whether one can follow online (not 会议号是多少, which the place may give)
_ASKS_ONLINE = re.compile(r"(?:有|能|可以|可不可以|是不是|是否)[^，。？?]{0,6}(?:线上|直播|远程|网上|在线|视频|云端)"
                          r"|(?:线上|直播|远程|网上|在线|视频|云端)[^，。？?]{0,8}(?:吗|么|不|没)")
_ONLINE = re.compile(r"线上|直播|腾讯会议|视频号|网络|在线|云端|钉钉|zoom", re.IGNORECASE)
# Whether one can watch or join from afar (有线上直播吗), not a question of a video (视频太大发不了怎么办)
_ASKS_WATCHING = re.compile(r"直播|线上|远程|网上|在线|云端|回放|回看|看[^，。？?]{0,4}视频|视频[^，。？?]{0,4}看")
# What a sentence must say to answer whether one can follow online (not 在线报名)
_WATCHED_ONLINE = re.compile(r"直播|线上(?:参会|参加|观看|收看|同步|会议|举办|举行|进行)|回放|回看|视频号|腾讯会议"
                             r"|钉钉|zoom|云端|线上线下|网络直播|远程", re.IGNORECASE)
_DAY = re.compile(MONTH_DAY)  # a deadline's sentence gives one
# What starts or ends at the time asked (申报 of 申报截止到几号, 什么时候开始申报): a step other than
# signing up, which the record's deadline is, may have its own date in the notice's sentences
_TIMED_STEP = (re.compile(r"([\u4e00-\u9fff]{2})(?:的)?(?:截止|结束|开始|启动)"),
               re.compile(r"(?:开始|启动)([\u4e00-\u9fff]{2})"))
_PER_UNIT = re.compile(r"每[个场次人位项轮家组篇]|单个|一个人")
_ARRIVAL = re.compile(rf"{ARRIVING}|到场|坐车|几点(?:前)?到(?!几)")
_GENERIC = frozenset("的是要在了吗呢么啊呀什这那个次本该项请问下一具体时间日期地点哪啥候到去会就都还和与及"
                     "我们你您咱能可以得开始举办举行进行年月日号周期届第明今概约里不改变调整换推迟")


@dataclass(frozen=True)
class Asked:
    """A member's question as the conversation gives it.

    `named`: the activity name the NLU found; `year`: the year they typed (2019年, 去年);
    `follow_up`: the message goes on with the last question (2018年的, 第二个, 那沙龙呢);
    `remembered`: the activity the conversation is about; `offered`: the options of the last
    clarifying question; `chosen`: the option the member picked; `notice`: the notice the last
    answer was read from when it was about no activity."""

    topic: Topic
    text: str | None = None
    named: str | None = None
    year: str | None = None
    follow_up: bool = False
    remembered: str | None = None
    offered: tuple[int, ...] = ()
    chosen: int | None = None
    notice: int | None = None


class AnswerService:
    def __init__(self, activities: ActivityService, retriever: DocumentRetriever) -> None:
        self._activities = activities
        self._finder = ActivityFinder(activities)
        self._retriever = retriever

    def today(self) -> dt.date:
        return self._activities.today()

    def answer(self, asked: Asked) -> Answer:
        """The answer about the activity meant; without one, a notice's sentence or the question
        which activity."""
        return self.about_something(asked) or self._without_activity(asked)

    def about_something(self, asked: Asked) -> Answer | None:
        """The answer from the notice being read, the 公示 the words name, or the activity meant;
        None when the question is about none of them (any notice's sentence may still answer)."""
        return self.in_notice(asked) or self.in_results_notice(asked) or self.about_activity(asked)

    def named_in(self, text: str) -> tuple[ActivitySummary, ...]:
        """The activities the words name as members shorten them (卓越绩效讲座), the ones not yet
        over first."""
        return self._finder.in_words(self._finder.names(), text, cues_in(text, None)).matches

    def in_notice(self, asked: Asked) -> Answer | None:
        """The answer from the notice the conversation is reading (a 公示 with no activity of its
        own), for a question that names no activity; None when that notice does not say."""
        question = _question(asked)
        if asked.notice is None or question is None or asked.remembered or asked.chosen:
            return None
        if asked.named:
            # 颁奖大会什么时候开 while reading a 公示: not the 质量大会 of past years the words recall;
            # an activity still to come that the words name is meant, though
            today = self.today()
            announced = set(self._activities.names_from(asked.notice))  # the notice's own (知识竞赛怎么参加)
            if any(s.timing(today) in (Timing.UPCOMING, Timing.ONGOING) or s.name in announced
                   for s in self.named_in(question)):
                return None
            return self._from_documents(question, document_id=asked.notice) or say("utter_document_no_answer")
        return self._from_documents(question, document_id=asked.notice)

    def in_results_notice(self, asked: Asked) -> Answer | None:
        """A question of a shortlist or results (信得过班组公示到哪天, 评上了吗) whose words name a
        公示 better than any activity: that notice's sentence."""
        question = _question(asked)
        if question is None or asked.chosen:
            return None
        # Words of results decide, not the name the NLU tagged (信得过班组) nor the activity talked
        # about; without them, a 公示 the words name before any activity (区长质量奖有几家企业).
        asks_results = bool(_ASKS_OF_RESULTS.search(normalise(question)))
        if not asks_results and asked.remembered:
            return None
        titles = dict(self._retriever.titles_of_kind(RESULTS_KIND))
        notice = self._finder.notice_named(question, list(titles.items()))
        if notice is None:
            if not asks_results or asked.remembered:
                return None
            # 松鹤酿造评上了没: a name the 公示's list gives, not its title
            listed = [found for found in (self._retriever.answer(question, self.today(), notice_id)
                                          for notice_id in titles) if found is not None]
            best = max(listed, key=lambda found: found.score, default=None)
            # a name only the list gives (恒润精密那个案例拿了几等奖) outweighs an activity whose name shares a
            # common pair with the words (质量提升)
            if best is not None and any(word in best.text for word in uncommon_words(question)):
                return self._document_answer(best)
            return None if self.named_in(question) else self._document_answer(best)
        if _ASKS_IF_OUT.search(normalise(question)):  # 结果出来了吗: what the notice announces
            return self._document_answer(self._retriever.opening(notice))
        # the title's words name the notice, except those that ask of its results (公示到哪天); where the
        # member names it in other words (优秀QC小组 of 优秀质量管理小组), all their words are asked
        return self._from_documents(question, document_id=notice, named=_ASKS_OF_RESULTS.sub("", titles[notice])) \
            or self._from_documents(question, document_id=notice)

    def about_activity(self, asked: Asked) -> Answer | None:
        """The answer when the question is about an activity (named, or the conversation's);
        None when no activity is meant."""
        today = self.today()
        question = _question(asked)
        if asked.chosen is not None:
            details = self._activities.details(asked.chosen)
            return self._about(details, asked.topic, question, today) if details else None
        cues = cues_in(asked.text, parse_year(asked.year, today))
        found = self._find(asked, cues)
        if not found.matches:
            return None
        if cues.year is not None and question is not None and not any(of_year(s, cues.year) for s in found.matches):
            # 今年质量月主题是啥 when only other years' 质量月 are activities: that year's notices say,
            # never another year's record
            that_years = self._from_documents(question, year=cues.year)
            if that_years is not None:
                return that_years
        options = list(found.matches[:MAX_OPTIONS])
        talked_about = [o for o in options if o.name == asked.remembered]
        if found.ambiguous and len(talked_about) == 1:
            options = talked_about  # 交流会有午餐吗 while signing up for one of two 交流会: that one
        if len(options) > 1 and asked.text:
            options = list(self._finder.by_session(self._announced_over_planned(options, asked.text), asked.text))
        if len(options) == 1:
            details = self._activities.details(options[0].id)
            return self._about(details, asked.topic, question, today) if details else None
        if question is not None and self._beyond(asked.topic, question):
            # 首席质量官证书有效期几年: no record of theirs says, whichever is meant; a sentence may
            return self._from_documents(question) or say("utter_document_no_answer")
        # Among several, the ones whose record says what is asked (only 2018's notice gives
        # 质量信得过班组 a theme): one of them is the answer, several are the question back.
        knowing = [d for d in map(self._activities.details, (o.id for o in options))
                   if d is not None and self._fact(d, asked.topic, None, today) is not None]
        if len(knowing) == 1:
            return self._about(knowing[0], asked.topic, question, today)
        shared = self._shared_fact(knowing, asked.topic, question, today)
        if shared is not None:
            return shared
        known_ids = {d.summary.id for d in knowing}
        return self._which([o for o in options if o.id in known_ids] or options, today)

    # -- which activity ------------------------------------------------------------

    def _find(self, asked: Asked, cues: Cues) -> Resolution[ActivitySummary]:
        # A whole name the NLU tagged; else the whole question, which holds the tagged part and
        # what is around it (QC骨干培训班 where the NLU tagged only QC).
        names = self._finder.names()
        if asked.named:
            exact = self._finder.exactly(names, asked.named, cues)
            if exact.matches:
                return exact
        if asked.text:
            in_words = self._finder.in_words(names, asked.text, cues)
            if in_words.matches and cues.year is None and not asked.remembered and asked.notice is None \
                    and not any(not_over(s, self.today()) for s in in_words.matches):
                # 卓越绩效论坛是1月几号: a notice of one still to come, over a past year's 卓越绩效 item
                # (but not another activity of the notice of the past one: 示范岗培训还能报吗)
                current = self._announced(asked.text, cues)
                if current is not None and not self._announced_with(current.matches[0], in_words.matches):
                    return current
            if in_words.matches:
                return self._unless_only_planned(in_words, names, asked.text, cues)
        if asked.named:
            tagged = self._finder.by_name(names, asked.named, cues)
            if tagged.matches:
                return tagged
        if asked.text and not asked.remembered:
            of_kind = self._finder.of_kind(asked.text)  # 论坛几号开: the one forum to come
            if of_kind.matches:
                return of_kind
            uncommon = self._finder.by_uncommon_word(names, asked.text, cues)  # 冷库参观几点集合
            if uncommon.matches:
                return uncommon
            # 临港那个参观是几号: the notice whose title says 临港 (not while another notice is read)
            announced = self._announced(asked.text, cues) if asked.notice is None else None
            if announced is not None:
                return announced
        if asked.offered and (cues.year is not None or cues.month is not None):
            picked = self._finder.among(asked.offered, cues)  # "2018年的" after "您问的是哪一项?"
            if picked.matches:
                return picked
        if asked.remembered and asked.text:
            session = self._finder.session_of_course(asked.remembered, asked.text)  # 线上那期呢
            if session.matches:
                return session
            sibling = self._finder.sibling(asked.remembered, asked.text)  # 竞答在哪答, after the 沙龙
            if sibling.matches:
                return sibling
        if asked.remembered:
            return self._finder.by_name(names, asked.remembered, cues if asked.follow_up else Cues())
        return Resolution()

    def _shared_fact(self, knowing: list[ActivityDetails], topic: Topic, question: str | None,
                     today: dt.date) -> Answer | None:
        """The one answer of sessions of a course that all say the same (面授班多少钱, of the first
        and second sessions), said of the course; None when they differ or are not one course's."""
        course = _course_name([d.name for d in knowing])
        if course is None or len({d.source_document_id for d in knowing}) != 1:
            return None
        answers = [self._answer(d, topic, question, today) for d in knowing]
        values = [{k: v for k, v in a.values.items() if k != "activity"} for a in answers]
        if any(a.response != answers[0].response or v != values[0] for a, v in zip(answers, values, strict=True)):
            return None
        return Answer(answers[0].response, {**answers[0].values, "activity": course}, activity=knowing[0].name)

    def _which(self, options: list[ActivitySummary], today: dt.date) -> Answer:
        lines = tuple(phrase("utter_option_line", index=index, name=summary.name, when=_when(summary, today))
                      for index, summary in enumerate(options, start=1))
        return Answer("utter_which_activity", {"options": lines}, candidates=tuple(o.id for o in options))

    def _without_activity(self, asked: Asked) -> Answer:
        """No activity is meant: a sentence of any notice may answer; else we ask which."""
        question = _question(asked)
        if asked.notice is not None and not asked.named and self._retriever.is_of_kind(asked.notice, RESULTS_KIND):
            return say("utter_document_no_answer")  # 啥时候颁奖 of the 公示 being read: it does not say
        notice = self._notice_meant(asked.text) if asked.text and question is not None and asked.notice is None \
            and not asked.remembered else None
        if notice is not None and question is not None:
            # a 公示 named in the member's own words (恒润精密那个案例): what it says, or that it does not say
            in_that = self._from_documents(question, document_id=notice)
            if in_that is not None:
                return in_that
            announced = self._activities.announced_in(notice)
            if announced:  # 论坛 and 参观 of one notice, and the words choose neither
                return self._which(list(announced[:MAX_OPTIONS]), self.today())
            return Answer("utter_document_no_answer", {}, notice=notice)
        found = self._from_documents(question) if question is not None else None
        if found is not None:
            return found
        if asked.named:
            return say("utter_activity_not_found", query=asked.named)
        if asked.notice is not None:
            return say("utter_document_no_answer")  # 什么时候颁奖, of the 公示 being read: it does not say
        return say("utter_which_activity_for_question")

    def _notice_meant(self, text: str) -> int | None:
        """The one current notice the member's words name, when they name no activity
        (`DocumentRetriever.notices_named`), named clearly better than any other current notice."""
        today = self.today()
        # the best two current ones: older notices are checked against their activities only until then
        text = WHO_ASKS.sub("", text)  # 我们不是会员单位: not the 会员活动计划
        best = list(itertools.islice((named for named in self._retriever.notices_named(text)
                                      if self._is_current(named, today)), 2))
        if not best or (len(best) > 1 and best[1].score * _NOTICE_MARGIN > best[0].score):
            return None
        return best[0].document_id

    def _announced(self, text: str, cues: Cues) -> Resolution[ActivitySummary] | None:
        """The one activity of the notice the words name; None when they name no notice, or one of
        several activities (its sentences may answer, else which of them: `_without_activity`)."""
        notice = self._notice_meant(text)
        if notice is None:
            return None
        announced = self._finder.prefer(tuple(self._activities.announced_in(notice)), cues)
        if len(announced.matches) > 1:
            announced = self._finder.sharing_most(text, announced.matches)
        return announced if len(announced.matches) == 1 else None

    def _plan_rows(self) -> dict[int, int]:
        """Each activity a year's plan lists, with the plan's notice."""
        return {summary.id: plan for plan, _ in self._retriever.titles_of_kind(PLAN_KIND)
                for summary in self._activities.announced_in(plan)}

    def _unless_only_planned(self, found: Resolution[ActivitySummary], names: NameIndex, text: str,
                             cues: Cues) -> Resolution[ActivitySummary]:
        """Rows of a year's plan the words name best give way to an activity still to come that a
        notice announced and the words name too (开放日 of a district's plan and of the open day's
        own notice), unless the words name the plan."""
        plan_rows = self._plan_rows()
        if not plan_rows or any(s.id not in plan_rows for s in found.matches) \
                or self._notice_meant(text) in set(plan_rows.values()):
            return found
        others = self._finder.in_words(names.without(set(plan_rows)), text, cues)
        upcoming = tuple(s for s in others.matches if not_over(s, self.today()))
        return Resolution(upcoming) if upcoming else found

    def _announced_over_planned(self, options: list[ActivitySummary], text: str) -> list[ActivitySummary]:
        """Of activities a notice announced and rows of a year's plan (具体方案另行通知) the words
        both name, the announced ones; a plan's rows only when the words name the plan (奉贤区里的QC发表会)."""
        plan_rows = self._plan_rows()
        plans = {o.id: plan_rows[o.id] for o in options if o.id in plan_rows}
        # an activity of the plan's year a notice announced, not a past year's of the name (质量月)
        announced = [o for o in options if o.id not in plans and not_over(o, self.today())]
        if not plans or not announced:
            return options
        named_plan = self._notice_meant(text)
        if named_plan in plans.values():
            return [o for o in options if plans.get(o.id) == named_plan]
        return announced

    def _announced_with(self, one: ActivitySummary, others: tuple[ActivitySummary, ...]) -> bool:
        """Whether the activity was announced in the notice of one of the others."""
        details = self._activities.details(one.id)
        if details is None or details.source_document_id is None:
            return False
        return bool({s.id for s in self._activities.announced_in(details.source_document_id)}
                    & {s.id for s in others})

    def _is_current(self, notice: NamedNotice, today: dt.date) -> bool:
        issued_on = notice.source.issued_on
        if issued_on is not None and 0 <= (today - issued_on).days <= _CURRENT_DAYS:
            return True
        return any(not_over(summary, today) for summary in self._activities.announced_in(notice.document_id))

    # -- what is asked ---------------------------------------------------------------

    def _about(self, details: ActivityDetails, topic: Topic, question: str | None, today: dt.date) -> Answer:
        answer = self._answer(details, topic, question, today)
        return Answer(answer.response, answer.values, activity=details.name)

    def _answer(self, details: ActivityDetails, topic: Topic, question: str | None, today: dt.date) -> Answer:
        beyond = topic is Topic.OTHER or (question is not None
                                          and self._beyond(topic, question, details.source_document_id))
        if question is not None and _ASKS_ONLINE.search(question) and not _ONLINE.search(details.location or ""):
            # 有线上直播吗 of a forum in a hotel, 决赛有没有直播: its notice says, or nobody does
            topic, beyond = Topic.OTHER, True
        hours_unknown = topic is Topic.TIME and question is not None \
            and bool(_ASKS_HOURS.search(question)) and not details.time_of_day
        stage = _stage_named(details, question) \
            if topic in (Topic.TIME, Topic.PHASES, Topic.PLACE, Topic.DEADLINE) else None
        if stage is not None and question is not None and "how_long" in asked_kinds(question):
            stage = None  # 现场发布限时多久: how long each one speaks, not the stage's dates
        if stage is not None and topic in (Topic.PLACE, Topic.DEADLINE) and question \
                and details.source_document_id is not None:
            # 预赛地点定了没, 第二期报名截止是哪天: that stage's own sentence, not the activity's field
            own = self._from_documents(question, details.source_document_id, named=details.name, subject=stage.name)
            if topic is Topic.PLACE:  # the stage's own line that says where (初赛 线上答题), else its sentence
                return self._stage_places(details, [stage]) or own or facts.missing(topic, details)
            if own is not None and _DAY.search(str(own.values.get("answer", ""))):
                return own
            stage = None  # 申报截止到哪天: the applying stage's end is the deadline the record knows
        if stage is not None and question is not None and _ASKS_CLOCK.search(question) \
                and details.source_document_id is not None:
            # 决赛几点开始 when the stage has a day only: its sentence gives the hours or says they follow
            own = self._from_documents(question, details.source_document_id, named=details.name, subject=stage.name)
            hours = str(own.values.get("answer", "")) if own is not None else ""
            return own if own is not None and _HOURS_SAID.search(hours) else facts.missing(Topic.OTHER, details)
        if stage is not None:  # 现场发表大概什么时候, 初赛哪天: that stage's dates
            return facts.phases(details, today, (stage,)) or facts.missing(topic, details)
        fact = None if beyond else self._fact(details, topic, question, today)
        if fact is not None and question is not None and details.source_document_id is not None:
            # 纸质材料寄给谁 taken for a deadline, 一个队几个人 for the capacity: the record's field says
            # none of the words asked about; the notice's sentence that does is the answer
            unsaid = self._unsaid(question, details, fact)
            own = self._from_documents(question, details.source_document_id, named=details.name) if unsaid else None
            sentence = str(own.values.get("answer", "")) if own is not None else ""
            if own is not None and any(word in sentence for word in unsaid) and fits_asked(question, sentence):
                return own
        if fact is not None and question is not None and topic in (Topic.TIME, Topic.DEADLINE) \
                and details.source_document_id is not None:
            step = _timed_step(question, fact)
            # the name's words count here: 申报 of 区长质量奖申报政策解读会 is what is asked of
            own = self._from_documents(question, details.source_document_id) if step else None
            sentence = str(own.values.get("answer", "")) if own is not None else ""
            fact_days = {day.group(0) for day in _DAY.finditer(str(fact.values))}
            # a sentence that gives the record's own day agrees with it (定于3月15日举办培训)
            if own is not None and step is not None and step in sentence and _DAY.search(sentence) \
                    and not any(day in sentence for day in fact_days):
                return own
        if fact is not None and not hours_unknown:
            if question is not None and topic in (Topic.TIME, Topic.PLACE) and _of_something_else(question, details):
                own = self._from_documents(question, details.source_document_id, named=details.name) \
                    if details.source_document_id is not None else None
                return own or fact
            return fact
        if fact is None and topic is Topic.PLACE and not beyond:
            # 在哪比 of a contest held in no one place: where each of its rounds is, as the notice says
            by_stage = self._stage_places(details, [m for m in details.milestones if m.name != HELD])
            if by_stage is not None:
                return by_stage
        from_notice = self._from_notice(details, question)
        if from_notice is not None and question is not None and _ASKS_ONLINE.search(question) \
                and _ASKS_WATCHING.search(question) \
                and not _WATCHED_ONLINE.search(str(from_notice.values.get("answer", ""))):
            from_notice = None  # 有线上直播吗: a sentence about signing up online (在线报名) does not say
        if from_notice is not None:
            return from_notice
        if fact is None and details.source_document_id is not None:
            # a change notice restates what changed: 其他事项仍按原通知执行 answers the rest, unless it
            # lists the rest without what is asked (其余事项（服务项目、参加对象…）: not the fee)
            as_before = self._retriever.as_before(details.source_document_id)
            said = self._document_answer(as_before) if as_before and _lists_topic(as_before.text, topic) else None
            if said is not None:
                return said
        return fact or facts.missing(Topic.OTHER if beyond else topic, details)

    @staticmethod
    def _unsaid(question: str, details: ActivityDetails, fact: Answer) -> set[str]:
        """The question's words that are not the activity's name, not a topic's word (时间, 费用) and not
        in the answer the record gives; empty when the answer says one of them."""
        named = _naming_words(details, with_place=False)  # a place read wrongly may hold any words
        # the thing a which-word asks for (哪个单位, 什么材料) is what the answer gives, not one it must name
        words = {w for w in things_named(question) if w not in named and topic_in_words(w) is None
                 and not any(w in chosen or chosen in w for chosen in session_words(question))
                 and not re.search(rf"(?:哪|什么|啥|几|多少)[个家位些种项类]?{re.escape(w)}", question)}
        said = str(fact.values)
        return set() if any(word in said for word in words) else words

    def _beyond(self, topic: Topic, question: str, document_id: int | None = None) -> bool:
        """Whether the question asks what no answer of this topic gives (a count, a duration, a thing
        the activity's notice does not name: 学费能分期付吗)."""
        unnamed = self._retriever.unnamed_thing(question, document_id) if document_id is not None else None
        if unnamed is not None and topic_in_words(unnamed) is None:
            return True  # (会员价 names the fee, whatever words the notice prices it in)
        if topic is Topic.TIME and facts.asks_how_many_days(question) and not _PER_UNIT.search(question):
            return False  # 一共几天: the dates say; 每个成果发表多长时间: not the activity's
        if topic is Topic.FEE and topic_in_words(question) is topic:
            return False  # 会员价多少: the words name the fee, whatever 多少 asks
        return topic is Topic.OTHER or self._retriever.asks_beyond(question, _KINDS[topic])

    def _stage_places(self, details: ActivityDetails, stages: list[MilestoneView]) -> Answer | None:
        if details.source_document_id is None or not stages:
            return None
        return self._document_answer(self._retriever.stage_places(details.source_document_id, [m.name for m in stages]))

    def _from_notice(self, details: ActivityDetails, question: str | None) -> Answer | None:
        """The sentence that answers the question: from the activity's own notice, else (for an
        activity of a plan or report, which tell of many) from a notice of the activity's year,
        never another year's. A notice that announced this one activity says all there is."""
        if question is None:
            return None
        if details.source_document_id is not None:
            found = self._from_documents(question, document_id=details.source_document_id,
                                         named=details.name)
            if found is not None or len(self._activities.names_from(details.source_document_id)) == 1:
                return found
        year = details.summary.year
        found = self._from_documents(question, year=year) if year is not None else None
        # another notice of the year speaks of this activity only if it names its kind (a 培训's
        # notice, not the 首席质量官年会's hotel for the plan's 首席质量官专题培训)
        kind = kind_of(details.name)
        said = str(found.values.get("answer", "")) + str(found.values.get("source", "")) if found else ""
        return None if kind and kind not in said else found

    def _from_documents(self, question: str, document_id: int | None = None,
                        year: int | None = None, named: str = "", subject: str = "") -> Answer | None:
        rank = rank_asked(question) if document_id is not None else None
        ranked = self._retriever.ranked_row(document_id, rank) if document_id is not None and rank else None
        if ranked is not None:  # 谁拿了第一: the first row of the 公示's ranked table
            return self._document_answer(ranked)
        return self._document_answer(self._retriever.answer(question, self.today(), document_id, year, named,
                                                            subject))

    def _document_answer(self, found: DocumentAnswer | None) -> Answer | None:
        """A notice's sentence; the conversation goes on about that notice's activity when it
        announced one (决赛在哪比, then 几点开始), else about the notice."""
        if found is None:
            return None
        answer = say("utter_document_answer", answer=found.text, source=found.source.cite())
        announced = self._activities.names_from(found.document_id)
        if len(announced) == 1:
            return Answer(answer.response, answer.values, activity=announced[0])
        return Answer(answer.response, answer.values, notice=found.document_id)

    def _fact(self, details: ActivityDetails, topic: Topic, question: str | None,
              today: dt.date) -> Answer | None:
        if topic in (Topic.PHASES, Topic.DEADLINE, Topic.DETAILS):
            milestones = self._activities.inherited_milestones(details.summary.id)
            if topic is Topic.PHASES:
                return facts.phases(details, today, milestones)
            if topic is Topic.DEADLINE:
                return facts.deadline(details, today, question, milestones)
            return facts.card(details, today, milestones)
        by_topic = {
            Topic.TIME: lambda: facts.time(details, today, question),
            Topic.PLACE: lambda: facts.place(details),
            Topic.THEME: lambda: facts.theme(details),
            Topic.FEE: lambda: facts.fee(details),
            Topic.CAPACITY: lambda: facts.capacity(details, today, question),
            Topic.ORGANISER: lambda: facts.organiser(details, question),
            Topic.AUDIENCE: lambda: facts.audience(details),
            Topic.SIGNUP_METHOD: lambda: facts.signup_method(details),
            Topic.CONTACT: lambda: facts.contact(details),
        }
        build = by_topic.get(topic)
        return build() if build else None


def _naming_words(details: ActivityDetails, with_place: bool = True) -> str:
    """What members name an activity by: its name and its notice's title (临港那个标准化沙龙是几号),
    its organisers and its place (杨浦那个科普进社区是哪天)."""
    place = (details.location or "") if with_place else ""
    return normalise(details.name + (details.source.title if details.source else "") + place
                     + "".join(details.organisers) + "".join(details.responsible_units))


def _of_something_else(question: str, details: ActivityDetails) -> bool:
    """Whether a question of when or where asks it of something the activity's name does not
    name (录取结果, 第一天) or of arriving (几点集合), rather than of the activity."""
    words = normalise(question)
    if _ARRIVAL.search(words):
        return True
    asking = _ASKS_WHEN_OR_WHERE.search(words)
    if asking is None:
        return False
    named = set(_naming_words(details))
    # the member's words before the asking word, without the name's characters and the dates that
    # choose among activities (3月那个大讲堂几号)
    other = [ch for ch in words[:asking.start()]
             if ch.isalpha() and ch not in named and ch not in _GENERIC]
    return len(other) >= 2


# The words a change notice's "the rest as before" uses for each field it may list.
_FIELD_WORDS = {Topic.FEE: "费", Topic.AUDIENCE: "对象", Topic.THEME: "内容", Topic.PLACE: "地点", Topic.TIME: "时间",
                Topic.SIGNUP_METHOD: "报名", Topic.DEADLINE: "报名", Topic.CAPACITY: "名额"}


def _timed_step(question: str, fact: Answer) -> str | None:
    """The step a question of when asks the start or end of (申报 of 申报截止到几号), when it is not
    signing up and the record's answer does not name it."""
    words = normalise(question)
    steps = [found.group(1) for pattern in _TIMED_STEP for found in pattern.finditer(words)]
    step = next((s for s in steps if s != "报名" and s not in DROPPED and not is_question(s)), None)
    if step is None:
        return None
    said = "".join(str(value) for key, value in fact.values.items() if key not in ("activity", "source"))
    return None if step in said else step


def _lists_topic(sentence: str, topic: Topic) -> bool:
    """Whether a sentence about the rest of the arrangements covers the topic: it names the topic's
    word, or lists none of the fields' words."""
    word = _FIELD_WORDS.get(topic)
    if word is None:
        return False  # 错过了有回放吗: no field of the notice, so not one of "the rest"
    return word in sentence or not any(w in sentence for w in _FIELD_WORDS.values())


_WHICH_ONE = re.compile(r"[哪几]一?[场期站轮批次届]")


def _stage_named(details: ActivityDetails, question: str | None) -> MilestoneView | None:
    """The one stage of the activity the question names (初赛, 现场发表 for 发表交流), by the longest
    run of characters they share, at least two."""
    if question is None:
        return None
    words = _WHICH_ONE.sub("", normalise(question))  # 去哪一场 asks which, it names no 第一场
    overlaps = [(longest_common_substring(words, normalise(m.name)), m) for m in details.milestones
                if m.name != HELD and m.span is not None]
    best = max((length for length, _ in overlaps), default=0)
    named = [m for length, m in overlaps if length == best]
    return named[0] if best >= 2 and len(named) == 1 else None


def _question(asked: Asked) -> str | None:
    """The member's words when they ask something (not "2018年的", "第二个")."""
    return asked.text if asked.text and is_question(question_form(asked.text)) else None


def _when(summary: ActivitySummary, today: dt.date) -> Phrase:
    timing = summary.timing(today)
    if summary.span is None or timing is None:
        return facts.NOT_STATED
    return phrase("utter_when_and_timing", when=summary.span.describe(), timing=facts.timing_phrase(timing))


def _course_name(names: list[str]) -> str | None:
    """The course that sessions' names share (…内审员培训班 of …内审员培训班（第一期）); None unless each
    is the course's name and a session's mark."""
    alike = itertools.takewhile(lambda chars: len(set(chars)) == 1, zip(*names, strict=False))  # names differ in length
    shared = "".join(chars[0] for chars in alike)
    course = re.sub(r"[（(][^）)]*$|第[^期场班批]{0,3}$", "", shared)
    marks = [name[len(course):].strip("（）()") for name in names]
    return course if len(course) >= 4 and all(re.fullmatch(r"第.{1,3}[期场班批].{0,4}", m) for m in marks) else None
