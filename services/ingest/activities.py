"""Which activities a notice announces, and each one's fields.

A notice announces one activity, named by its title (关于举办X的通知) or its event sentence
(定于…举办X), unless its top-level sections are events of their own: a section whose
heading is a name rather than a field label (（一）首席质量官能力提升研修班, 一、“质量月”启动
仪式) and under which a time is given. Numbered talk topics, schedule rows, contest rounds
and field lines are never activities: rounds and stages (申报/评审/公示, 初赛/复赛/决赛) are
the phases of the one activity.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Sequence

from services.activity_match import longest_common_substring
from services.dates import DAY, DatePoint, DateSpan
from services.ingest import fields as f
from services.ingest.contacts import contact_block, read_contacts
from services.ingest.dates import DateReader, FoundDate, time_of_day, time_ranges
from services.ingest.fields import Field, Kind
from services.ingest.records import ActivityRecord, NoticeKind, Phase, is_applying
from services.ingest.structure import COLUMN_TAG, Layout, Line, Section

_TITLE_NAMES = (
    # 关于X延期举办的通知, 关于X调整时间及举办形式的通知
    re.compile(r"关于(?P<x>.+?)(?:延期|推迟|改期|调整|变更|取消)(?:举办|举行|召开)?(?:[^“”的]{0,10}?)(?:的|有关事项的)?"
               r"(?:通知|公告)$"),
    # 关于调整X决赛时间和地点的通知: what changes, after the activity's name
    re.compile(r"关于(?:调整|变更|更改)(?P<x>.{4,}?)(?:的)?(?:举办|比赛|活动|培训|会议)?(?:时间|日期|地点|场地|会场|安排)"
               r"(?:(?:和|及|与|、)(?:时间|日期|地点|场地|会场|安排))?(?:的|有关事项的)?(?:通知|公告)$"),
    # 关于调整“X”会场及参会名额的通知: a change notice naming the activity after the verb
    re.compile(r"关于(?:调整|变更|更改|延期举办|推迟举办|延期召开|推迟召开|延期举行)(?P<x>“[^”]{4,}”)"),
    re.compile(r"关于(?:举办|召开|举行|开展|组织|启动|印发)(?P<x>.+?)(?:的|之)?(?:通知|公告|通告|邀请函)$"),
    # 关于X增开第二期的补充通知: a supplementary notice is of X too
    re.compile(r"关于(?:选拔|推荐|选拔推荐|征集|报名参加|参加)?(?P<x>.+?)(?:学员|人选|选手)?(?:的|之)?(?:补充|紧急)?(?:通知|公告)$"),
    # X报名通知, X招生简章: the notice of signing up for X
    re.compile(r"^(?P<x>.+?)(?:的)?(?:报名|招生|征文|征稿)?(?:通知|公告|邀请函|通告|简章)$"),
    # 报名｜第12期“质量青年说”沙龙：用数据讲好质量故事 (a WeChat article: the name, then its subtitle)
    re.compile(r"^(?:邀请函|报名|通知|公告|预告|活动预告|招募令|招募|征集令)(?:开启|开始|启动|通道开启)?\s*[｜|]"
               r"\s*(?P<x>[^：:！!，,？?]+)"),
    # 【青年质量云课堂】第6期 | 用好“质量工具箱”…: the bracketed series and the issue after it
    re.compile(r"^【(?P<x>[^】]+】[^|｜]*?)\s*[|｜]"),
    # 走进标杆企业｜2月25日赴临港观摩…: a series' name, then the headline of this one's date
    re.compile(r"^(?P<x>[^|｜：:，。]{4,24}?)\s*[|｜]\s*\d{1,2}月"),
    # 第28期质量沙龙｜当AI遇上质量检验: the name of an activity, then the article's headline
    re.compile(r"^(?P<x>[^|｜：:，。]{0,24}(?:沙龙|讲堂|讲座|论坛|培训班?|课堂|公开课|开放日|竞赛|大赛|交流会|发表会|宣贯会"
               r"|大会|年会|训练营|研修班)[^|｜：:，。]{0,8}?)\s*[|｜]"),
    # 2027年度“质量创新奖”申报启动，辅导会同步开放报名！: a headline announcing that applications open
    re.compile(r"^(?P<x>[^，,！!。｜|？?]{4,40}?)(?:的)?(?:申报|报名|征集|评选|招募|征文|参评)(?:工作)?(?:正式)?"
               r"(?:启动|开启|开始|开放|通道开启)(?:啦|了)?(?:[，,！!]|$)"),
    # 质量诊所进园区｜2027首站开诊，免费“问诊”等你来！: whatever short name stands before the headline, when
    # no pattern above finds one (not an organisation's, 上海市质量协会｜…, nor a column's, 直播预告｜…)
    re.compile(r"^(?![^|｜]*(?:协会|学会|商会|委员会|中心|局|预告|通知|公告|报名|邀请函|快讯|资讯|回顾|动态|招募令?)\s*[|｜])(?P<x>[^|｜：:，。！!？?]{4,16}?)\s*[|｜]"),
)
_OPENING_LINES = 4
_ARRIVING_ROW = re.compile(r"签到|报到|入场|集合|入会|调试")  # an agenda's row before the event itself
_HOLDS_QUOTED = re.compile(r"(?:举办|召开|举行|开展|组织)(?:第[^“，。]{1,6})?“(?P<x>[^”]{4,40})”")
# 邀请函 / ——2027长三角食品质量安全发展年会: the letter's subtitle names the event
_SUBTITLE = re.compile(r"^[—–-]{1,2}\s*(?P<x>[^—–\-\s].{3,40})$", re.MULTILINE)
# “2027长三角食品质量安全发展年会”将于3月25日至26日在上海召开: the name before the sentence's verb
_QUOTED_THEN_HELD = re.compile(r"“(?P<x>[^”]{4,40})”(?:将|定|拟|计划)于[^。；]{2,60}?(?:举办|召开|举行|开展)")
_QUOTED_NAME = re.compile(r"“([^”]{4,40})”")
_HEADLINE_TAIL = re.compile(r"(?:来啦|来了|开始啦|开始了|开启啦|开启了|等你来|等你|啦)$")
# 招生简章（2026—2027年度）: a bracketed year after what the title is, not part of the name
# 征文通知（第一轮）, 通知（补充）: which of the notices of one activity this is
_TITLE_NOTE_TAIL = re.compile(r"\s*[（(](?:第[一二三四五六七八九十\d]+[轮号批次]|补充|更正|修订|二次)"
                              r"[^（）()]{0,4}[）)]$")
_TITLE_YEAR_TAIL = re.compile(r"\s*[（(][^（）()]*\d{4}[^（）()]*[）)]$")
_NAME_NOISE = re.compile(r"^(?:各?会员单位|有关单位|企业|职工)|(?:工作|相关事宜|有关事项|报名工作)$")
_EVENT_SENTENCE = re.compile(
    r"(?:定于|将于|拟于|计划于|决定于)(?P<when>[^，。；]{2,40}?)[，,]?(?:在(?P<place>[^，。；]{2,40}?)"
    r"|通过[^，。；]{2,20}?)?(?:在线|线上|网上)?(?:举办|召开|举行|开展|组织)(?P<what>[^，。；]{0,40})")
# the stages of one activity, and its sessions (第一期：12月14日—16日)
_PHASE_WORDS = re.compile(r"申报|推荐|初审|审核|评审|评选|公示|命名|表彰|初赛|复赛|决赛|预赛|半决赛|发表|答辩|"
                          r"征集|启动|公布|报名|颁奖|路演|结果|^第[一二三四五六七八九十\d]+[期批场班]$")
# A change notice's sentence of one field: 培训时间由A调整为B, 培训地点由A调整为B.
# (比赛地点调整为B: without what it was, the place read before is)
_FIELD_CHANGED = re.compile(r"(?<!截止)(?<!提交)(?<!报名)(?<!公布)(?<!公示)(?<!缴费)"  # another step's time
                            r"(?P<field>时间|日期|地点|场地|会场)(?:由(?P<old>[^，。；]+?))?"
                            r"(?:调整|改|变更|延期|推迟|延长|提前|更改)(?:为|至|到)(?P<new>[^，。；\n]+)")
_CHANGED = re.compile(r"由(?P<old>[^，。；]+?)(?:调整|改|变更|延期|推迟|延长|提前)(?:为|至|到)(?P<new>[^。；\n]+)")
# 竞赛分初赛、复赛、决赛三个阶段进行, 培训分三个阶段: the numbered items below are its stages.
_STAGED = re.compile(r"分(?:[^，。；]{0,20}?[两二三四五六七八九十\d]个?)?(?:阶段|环节|步骤|轮次|轮|模块|单元)")
# 赛程｜, 时间安排：: a schedule's heading, the dated lines under it its stages.
_SCHEDULE_HEADING = re.compile(r"^(?:[\u4e00-\u9fff]{0,4}安排|赛程|日程|流程|议程)[｜|：:]?$")
# A stage's line: a short name (with a bracketed note: 初赛（书面评审）) and its date after a colon,
# a full stop or a table's gap, or in brackets.
_PHASE_LINE = re.compile(r"^(?P<name>[\u4e00-\u9fff][\u4e00-\u9fff\s]{0,11}?(?:[（(][^（）()]{1,10}[）)])?)\s*"
                         r"(?:[：:。]\s*(?P<value>.+)|(?:\s{2,}|\s(?=\d{1,2}月|\d{4}[年./-]))(?P<column>.+)|[（(](?P<when>[^（）()]*\d[^（）()]*)[）)]\s*$)")
_NOT_A_PHASE = re.compile(r"截止|截至|方式|办法|要求|对象|地点|费用|条件|范围|名额|程序|联系|咨询|地址")
_NOT_WORDS = re.compile(r"[\W\d_]+")
_FROM_NOW = re.compile(r"^(?:自|从)?即日起?(?:开始)?[至到—-]")
_HELD_ONLINE = re.compile(r"(?:线上|网络|在线|网上)[^。；\n]{0,10}?通过[“「]?(?P<platform>腾讯会议|钉钉|飞书|zoom|"
                          r"[^，。；\n“”「」]{2,12}?(?:视频号|直播间|直播平台))", re.IGNORECASE)
_MEETING_NUMBER = re.compile(r"会议号(?:码)?\s*[：:]?\s*(?P<n>\d[\d ]{5,14}\d)")
_MOVED_TO = re.compile(r"(?:延期|推迟|改期|顺延|时间调整|日期调整)(?:举办|举行|召开)?(?:至|到|为)"
                       r"(?P<to>[^，。；\n]{4,40})")
_AS_PLANNED = re.compile(r"[^。；\n]*原(?:定|计划|拟)[^。；\n]*[。；]?")
_ONLINE = re.compile(r"线上|直播|腾讯会议|视频号|网络会议|在线|云端|钉钉|zoom", re.I)
# how an online activity is joined: its platform (关注“崇明市场监管”微信公众号，进入“质量竞答”栏目)
_ONLINE_WAY = re.compile(_ONLINE.pattern + r"|公众号|小程序|APP|网站|平台", re.IGNORECASE)
_ABBREVIATION = re.compile(r"^(?:\d{4}年度?)?(?:第[一二三四五六七八九十\d]+期)?"
                           r"[\u4e00-\u9fff]*?（([A-Za-z][^）]{0,10})）")
# 现场报名, 邮件报名, 网上报名: a label naming one way to sign up among others
_SIGNUP_CHANNEL = re.compile(r"(?:现场|邮件|邮箱|网上|线上|在线|电话|微信|传真|邮寄|书面|窗口)(?:报名|预约|申报)")
_TRAVEL_ADVICE = re.compile(r"建议|停车|乘坐|地铁|公交|自驾|交通")
_CAPACITY_SENTENCE = re.compile(r"名额|限\d|额满|座位|规模")
# 2027年首期“质量开放日”: a headline's quoted name with the year and issue before it
# (with its year or issue, or an event's word: not 免费“问诊”等你来)
_EVENT_NOUN = r"(?:活动|沙龙|讲座|论坛|培训班|培训|开放日|大赛|竞赛|大会|年会)"
_ISSUE = r"(?:首期|第[一二三四五六七八九十\d]+[期届])"
_QUOTED_IN_HEADLINE = re.compile(rf"(?:\d{{4}}年度?{_ISSUE}?|{_ISSUE})"
                                 rf"“[^”]{{2,20}}”(?:[^，,！!。？?“\s]{{0,10}}?{_EVENT_NOUN})?"
                                 rf"|“[^”]{{2,20}}{_EVENT_NOUN}”|“[^”]{{2,20}}”[^，,！!。？?“\s]{{0,10}}?{_EVENT_NOUN}")
# 重磅｜, 速看｜: a WeChat headline's mark of attention before the title itself
_HEADLINE_MARK = re.compile(r"^(?:重磅|速看|速递|官宣|快讯|提醒|倒计时\d*天?|最新|热点|聚焦|关注|转发|干货|福利)"
                            r"\s*[｜|丨]\s*")


def title_name(title: str) -> str | None:
    untagged = _HEADLINE_MARK.sub("", COLUMN_TAG.sub("", _TITLE_YEAR_TAIL.sub("", _TITLE_NOTE_TAIL.sub("", title))))
    name = _name_in_title(untagged)
    if name is not None and "“" not in name and re.search(r"[｜|]", untagged):
        # 报名 | 走进质量标杆！2027年首期“质量开放日”邀您同行: the quoted name, not the slogan before it
        quoted = _QUOTED_IN_HEADLINE.search(untagged.split("｜")[-1].split("|")[-1])
        if quoted is not None:
            return quoted.group(0)
    if name is None and untagged != title:
        # 【线上直播】“质量大讲堂”2027年第1讲：ISO 9001…: the name before the headline's colon
        before = re.split(r"[：:｜|]", untagged)[0].strip()
        return before if 4 <= len(before) <= 30 else None
    return name


def _name_in_title(title: str) -> str | None:
    for pattern in _TITLE_NAMES:
        match = pattern.search(title)
        if match:
            name = _NAME_NOISE.sub("", match.group("x")).strip()
            name = _HEADLINE_TAIL.sub("", name)  # 2027质量创新黑客松来啦: the name, not the headline
            name = re.sub(r"^《([^》]+)》$|^“([^”]+)”$", lambda m: m.group(1) or m.group(2), name)
            name = re.sub(r"^(?:会员单位|各单位)?赴", "赴", name)
            name = re.sub(r"^(?:会员单位|各单位|企业|职工)?参加(?=.{4,})", "", name)  # 组织会员单位参加X活动: X
            name = re.sub(r"^([^】]+)】", r"“\1”", name)  # 【青年质量云课堂】第6期 → “青年质量云课堂”第6期
            return name or None
    return None


def _event_sentence(text: str) -> re.Match[str] | None:
    return _EVENT_SENTENCE.search(text)


def aliases_of(name: str) -> list[str]:
    """Names members use: the quoted part (质量大讲堂), the part before a dash, the name without 第N期."""
    found: list[str] = []
    for quoted in re.findall(r"[“\"《]([^”\"》]{2,30})[”\"》]", name):
        found.append(quoted)
    before_dash = re.split(r"——|—", name)[0]
    if before_dash != name:
        found.append(re.sub(r"[“”\"]", "", before_dash))
    plain = re.sub(r"[“”\"]", "", name)
    if plain != name:
        found.append(plain)
    # 2027长三角（浦东）质量创新发展论坛 is asked as 长三角质量论坛: the name without its bracketed note
    unbracketed = re.sub(r"[（(][^（）()]{1,12}[）)]", "", plain)
    if unbracketed != plain and len(unbracketed) >= 4:
        found.append(unbracketed)
    # 质量管理小组（QC小组）活动骨干培训班 → QC小组活动骨干培训班: the abbreviation members type.
    abbreviated = _ABBREVIATION.sub(r"\1", name)
    if abbreviated != name:
        found.append(abbreviated)
    return [a for a in dict.fromkeys(found) if a and a != name]


_MAX_EVENT_NAME = 48  # IATF 16949核心工具（APQP/PPAP/FMEA/MSA/SPC）专题培训
# 各单位要…, 请于…: a duty or a request, not an event; 怎么申报？: a question the section answers.
_TASK = re.compile(r"^(?:各|请|要|应|须|凡)|[？?]$|^(?:怎么|如何|谁|哪些)")
# 申报辅导会: a meeting about a step is an event of its own, not the step
_EVENT_OF_ITS_OWN = re.compile(r"(?:辅导|说明|宣讲|宣贯|培训|座谈|交流|解读)会$|讲座$|沙龙$|论坛$")


def _names_stage(name: str) -> bool:
    """Whether a heading names a stage (初赛（线上理论考试）, 决赛, 第二期), not an event."""
    core = re.sub(r"[（(][^（）()]*[）)]", "", name).strip()
    return len(core) <= 6 and bool(_PHASE_WORDS.search(core)) and not _EVENT_OF_ITS_OWN.search(core)


def _span_stages(activity: ActivityRecord) -> None:
    """The activity runs from its first dated stage to the end of its last."""
    spans = [p.span for p in activity.phases if p.span]
    activity.span = DateSpan(spans[0].start, max(spans, key=lambda s: s.end.last_day).end)
    activity.cite("start", "；".join(p.text for p in activity.phases))


def _own_lines(section: Section) -> list[Line]:
    """A section's lines with its heading's text after the name (1.名称。时间：…；地点：…)."""
    heading = section.heading
    _, _, rest = heading.text.partition("。")
    lines = list(section.lines[1:])
    if rest.strip():
        lines.insert(0, Line(heading.index, rest.strip()))
    return lines


def _first(fields: Iterable[Field], *kinds: Kind) -> Field | None:
    return next((x for x in fields if x.kind in kinds), None)


class ActivityReader:
    """Reads the activities of one notice against its dates."""

    def __init__(self, layout: Layout, reader: DateReader, kind: NoticeKind) -> None:
        self._layout = layout
        self._dates = reader
        self._kind = kind

    def activities(self) -> list[ActivityRecord]:
        top_events: list[Section] = []  # the events among the highest level's sections
        for depth, level in enumerate(self._layout.levels()):
            events = [s for s in self._layout.sections_at(level) if self._is_event(s)]
            if depth == 0:
                top_events = events
            if len(events) >= 2 and all(_names_stage(self._section_name(s)) for s in events):
                return self._staged(events)  # 二、初赛 / 三、复赛 / 四、决赛: one contest's rounds
            if len(events) >= 2:
                activities = [self._event(s) for s in events]
                self._shared_signup(activities, events)
                return activities
        name = self._notice_name()
        if name is None:
            return []
        beside = self._event_beside(name, top_events)
        if beside is not None:
            return beside
        activity = self._activity(name, self._layout.body, self._opening())
        # 春节期间办公安排: a notice with no date, place or way to take part announces nothing to join.
        if not (activity.span or activity.place or activity.signup_deadline or activity.signup_method):
            return []
        return [activity]

    def _event_beside(self, name: str, events: list[Section]) -> list[ActivityRecord] | None:
        """The notice's own activity and the one event a top-level section holds beside it (an award's
        applications, and ▌ 申报辅导会 with its own 时间：…): two activities, each from its own lines.
        None when the section is the notice's activity (its name in the title's) or the rest of the
        notice gives no date of its own."""
        if len(events) != 1:
            return None
        section = events[0]
        heading = self._section_name(section)
        if _names_stage(heading) or heading in name or name in heading \
                or longest_common_substring(heading, name) >= len(heading) - 1:
            return None
        own = {line.index for line in section.lines}
        rest = [line for line in self._layout.body if line.index not in own]
        main = self._activity(name, rest, self._opening())
        if main.span is None and main.signup_deadline is None:
            return None
        event = self._event(section)
        return [main, event] if event.span is not None else None

    def _event(self, section: Section) -> ActivityRecord:
        """The activity a section names, read from its own lines, with the people its lines name."""
        lines = _own_lines(section)
        activity = self._activity(self._full_name(self._section_name(section)), lines, section.lines[0].text)
        issuers = self._layout.issuers
        block = contact_block([line.text for line in lines])
        activity.contacts = [c for c in read_contacts(block, issuers[0] if issuers else None)
                             if c.person or c.phone or c.mobile or c.email]
        return activity

    # -- what is an activity ------------------------------------------------------

    def _is_event(self, section: Section) -> bool:
        """A section named like an event (not like a field) under which a date or stages are given."""
        name = self._section_name(section)
        # 一、标准化沙龙：企业标准“领跑者”培育 is an event's name; 一、报名方式：… a field
        labelled = section.heading.label is not None and (bool(f.kinds_of(section.heading.label))
                                                          or not section.heading.value)
        if labelled or f.kinds_of(name[:10]) or not 2 <= len(name) <= _MAX_EVENT_NAME:
            return False
        if _TASK.search(name):
            return False
        lines = _own_lines(section)
        inner = f.read_fields(lines)
        # a time under it, or stages (赛程安排：1. 作品征集：即日起至2月28日 …), or a sentence that holds it
        # on a date (会员大会拟于2027年3月召开，具体时间另行通知)
        held = _event_sentence("\n".join(line.text for line in lines))
        return any(x.kind is Kind.TIME and self._dates.find(x.value) for x in inner) or bool(self._phases(lines)) \
            or (held is not None and bool(self._dates.find(held.group("when"))))

    @staticmethod
    def _section_name(section: Section) -> str:
        return re.split(r"[。；]", section.heading.text)[0].rstrip("：:")

    def _staged(self, stages: list[Section]) -> list[ActivityRecord]:
        """The notice's one activity, whose headed sections are its rounds or sessions (二、初赛（线上
        理论考试） with 时间：… under it): each a stage, together its dates."""
        name = self._notice_name()
        if name is None:
            return []
        activity = self._activity(name, self._layout.body, self._opening())
        phases = []
        for section in stages:
            when = _first(f.read_fields(_own_lines(section)), Kind.TIME)
            found = self._dates.first(when.value) if when else None
            if found is not None:
                phases.append(Phase(self._section_name(section), found.span, found.text))
        if len(phases) >= 2:
            activity.phases = phases
            _span_stages(activity)
        return [activity]

    def _shared_signup(self, activities: list[ActivityRecord], events: list[Section]) -> None:
        """A 报名方式 section beside the events' (论坛及现场交流报名均截止于1月12日) is how to sign up for
        each of them that does not say otherwise, and a fee said beside them (两场活动均不收取费用) is each one's."""
        own = {line.index for section in events for line in section.lines}
        rest = [line for line in self._layout.body if line.index not in own]
        fields = f.read_fields(rest)
        text = "\n".join(line.text for line in rest)
        for activity in activities:
            if activity.signup_deadline is None or activity.signup_method is None:
                self._signup(activity, fields, text)
            if activity.fee is None:  # 两场活动均不收取费用
                self._money(activity, fields, text)

    def _full_name(self, heading: str) -> str:
        """The name the title or the opening gives in quotes for the event a heading names short
        (一、论坛 under “2027上海卓越绩效管理论坛”): the one quoted name that holds the heading."""
        quoted = set(_QUOTED_NAME.findall(f"{self._layout.title}\n{self._opening()}"))
        holding = [name for name in quoted if heading in name and name != heading]
        return holding[0] if len(holding) == 1 else heading

    def _opening(self) -> str:
        """The paragraphs before the first section: an 邀请函's subtitle can put its letter in the body."""
        lead = list(itertools.takewhile(lambda line: not line.level, self._layout.body))[:_OPENING_LINES]
        return "\n".join([*self._layout.preamble, *(line.text for line in lead)])

    def _notice_name(self) -> str | None:
        name = title_name(self._layout.title)
        opening = self._opening()
        event = _event_sentence(opening)
        # 原计划于12月举行的第一站: 举行的 makes a clause of the stop, naming no event
        if event and not event.group("what").startswith("的") \
                and (name is None or not re.search(r"举办|召开|举行|开展|印发", self._layout.title)):
            what = re.split(r"[，。；、]|活动$", event.group("what"))[0]
            year = re.match(r"\d{4}年", event.group("when"))
            if what and len(what) >= 4:
                # the event's year before its name, unless the name says its own (“2026年度…发布会”)
                return (year.group(0) if year and not re.search(r"\d{4}年", what) else "") + what
        if name is None:  # 邀请函 alone: the event the letter names (共同举办“2026长三角质量发展论坛”)
            held = _HOLDS_QUOTED.search(opening) or _SUBTITLE.search(opening) or _QUOTED_THEN_HELD.search(opening)
            return held.group("x").strip() if held else None
        return name

    # -- its fields -----------------------------------------------------------------

    def read(self, name: str, lines: list[Line]) -> ActivityRecord:
        """An activity's fields from these lines alone (one session's row or heading)."""
        return self._activity(name, lines, "")

    def _activity(self, name: str, lines: list[Line], intro: str) -> ActivityRecord:
        fields = f.read_fields(lines)
        text = "\n".join(line.text for line in lines)
        activity = ActivityRecord(name=name, aliases=aliases_of(name))
        self._when(activity, fields, lines, intro)
        self._where(activity, fields, text, intro)
        self._who(activity, fields, text)
        self._money(activity, fields, text, lines)
        self._signup(activity, fields, text)
        applying = _first(fields, Kind.TIME)
        if activity.signup_deadline is None and activity.span and applying and is_applying(applying.label):
            activity.signup_deadline = activity.span.end.last_day  # 征稿时间：即日起至3月15日
            activity.cite("signup_deadline", applying.sentence)
        self._theme(activity, fields, intro + "\n" + text)
        self._field_changes(activity, text)
        if self._kind is NoticeKind.CHANGE:
            self._moved_to(activity, intro + "\n" + text)
        units = _first(fields, Kind.UNITS)
        if units:
            activity.responsible_units = [u for u in re.split(r"[、，,\s]+", f.clean_value(units.value)) if u]
            activity.cite("responsible_units", units.sentence)
        return activity

    def _field_changes(self, activity: ActivityRecord, text: str) -> None:
        """培训时间由A调整为B: B replaces what was read (the 原定 sentence's A), and A is kept as
        what it was."""
        for change in _FIELD_CHANGED.finditer(text):
            new, old = change.group("new").strip(), (change.group("old") or "").strip()
            if change.group("field") in ("时间", "日期"):
                found = self._dates.first(new)
                if found:
                    previous = old or (activity.span.describe() if activity.span else "")
                    if previous:
                        activity.previously["span"] = previous
                    activity.span = found.span
                    activity.time_of_day = time_of_day(new) or activity.time_of_day
                    activity.cite("start", change.group(0))
            else:
                previous = old or activity.place
                if previous:
                    activity.previously["place"] = previous
                activity.place = f.clean_value(new)
                activity.cite("place", change.group(0))

    def _moved_to(self, activity: ActivityRecord, text: str) -> None:
        """原定于12月4日…延期至2027年1月8日举办: the day it moved to, not the one first planned."""
        for moved in _MOVED_TO.finditer(text):
            if re.search(r"截止|报名|缴费|提交|申报", text[max(0, moved.start() - 10):moved.start()]):
                continue  # 报名截止时间相应顺延至…: the deadline moved, not the activity
            found = self._dates.first(moved.group("to"))
            if found is None or found.start > 2:
                continue
            if activity.span is not None and "span" not in activity.previously:
                activity.previously["span"] = activity.span.describe()
            activity.span = found.span
            activity.time_of_day = time_of_day(moved.group("to")[found.end:]) or activity.time_of_day
            activity.cite("start", moved.group(0))
            return

    def _changed(self, activity: ActivityRecord, key: str, value: str) -> str:
        """由A调整为B → B, remembering A as what it was (a change notice)."""
        change = _CHANGED.search(value)
        if not change:
            return value
        activity.previously[key] = change.group("old").strip()
        return change.group("new")

    def _when(self, activity: ActivityRecord, fields: list[Field], lines: list[Line], intro: str) -> None:
        activity.phases = self._phases(lines)
        when = next((x for x in fields if x.kind is Kind.TIME and self._dates.find(x.value)), None)
        # 时间安排 listing the stages: together they span the activity
        stages_listed = when is not None and len(activity.phases) > 1 and len(self._dates.find(when.value)) > 1
        if when is not None and not stages_listed:
            value = self._changed(activity, "span", when.value)
            found = self._from_now(value) or self._dates.first(value)
            if found:
                activity.span = found.span
                activity.time_of_day = time_of_day(value[found.end:]) or time_of_day(value)
                activity.cite("start", when.sentence)
        elif activity.phases and any(p.span for p in activity.phases):
            _span_stages(activity)
            if when is not None:
                activity.time_of_day = time_of_day(when.value)
        else:
            # the opening's event sentence, else one under the activity's own heading (拟于2027年3月召开)
            event = _event_sentence(intro) or _event_sentence("\n".join(line.text for line in lines))
            found = self._dates.first(event.group("when")) if event else None
            if found and event:
                activity.span = found.span
                activity.time_of_day = time_of_day(event.group("when"))
                activity.cite("start", event.group(0))
        if activity.time_of_day in ("上午", "下午", "晚上"):
            # 定于1月14日下午举行 over an agenda (13:30—14:00 签到 / 14:00—16:30 发布会): the agenda's clock,
            # from its first row that is not arriving
            rows = [line.text for line in lines if time_ranges(line.text)]
            held = [row for row in rows if not _ARRIVING_ROW.search(row)]
            if held:
                start, _ = time_ranges(held[0])[0]
                activity.time_of_day = f"{start}-{max(end for row in rows for _, end in time_ranges(row))}"
        if activity.time_of_day and len(activity.time_of_day) == 5:
            # 每天9:00开始: the day ends when the schedule's last session does.
            ends = [end for _, end in time_ranges("\n".join(line.text for line in lines))]
            if ends:
                activity.time_of_day = f"{activity.time_of_day}-{max(ends)}"
        if activity.time_of_day is None and len(activity.phases) > 1:
            # sessions with one and the same hours (第一场  1月12日  13:30-16:30 / 第二场 …): those hours
            hours = [f"{start}-{end}" for line in lines if self._dates.find(line.text)
                     for start, end in time_ranges(line.text)]
            if len(hours) > 1 and len(set(hours)) == 1:
                activity.time_of_day = hours[0]
        if activity.time_of_day is None:
            arrival = _first(fields, Kind.ASSEMBLY)
            if arrival:
                activity.time_of_day = time_of_day(arrival.value)

    def _phases(self, lines: list[Line]) -> list[Phase]:
        """The stages of the activity: lines named by a stage word (初赛：3月1日至31日, （一）申报
        阶段（2026年12月7日至2027年1月29日）, 报名：即日起至12月25日止), or any named and dated
        lines right under a sentence that says the activity runs in stages (培训分三个阶段进行：)
        or under a schedule's heading (赛程｜)."""
        phases = []
        in_stages = False
        for line in lines:
            if (_STAGED.search(line.text) or _SCHEDULE_HEADING.match(line.text)) and not _PHASE_LINE.match(line.text):
                in_stages = True
                continue
            phase = self._phase(line, in_stages)
            in_stages = in_stages and phase is not None
            if phase is not None:
                phases.append(phase)
        return phases if len(phases) >= 2 else []

    def _phase(self, line: Line, in_stages: bool) -> Phase | None:
        match = _PHASE_LINE.match(line.text)
        if match is None:
            return None
        name = re.sub(r"\s+", "", match.group("name"))
        if _NOT_A_PHASE.search(name) or not (in_stages or _PHASE_WORDS.search(name)):
            return None
        value = match.group("value") or match.group("column") or match.group("when")
        if _FROM_NOW.match(value):
            opened = self._from_now(value)
            return Phase(name, opened.span, value.strip("。；")) if opened else None
        found = self._dates.first(value)
        if found is None or found.start > 2:
            return None
        return Phase(name, found.span, found.text)

    def _from_now(self, value: str) -> FoundDate | None:
        """即日起至12月25日止: from the notice's day to that one; None for a value not so written."""
        from_now = _FROM_NOW.match(value)
        found = self._dates.first(value[from_now.end():]) if from_now else None
        if from_now is None or found is None or found.start > 2:
            return None
        opened = self._dates.issued_on
        start = DatePoint(opened, DAY) if opened else found.span.start
        return FoundDate(DateSpan(start, found.span.end), value.strip("。；"), 0, from_now.end() + found.end)

    def _where(self, activity: ActivityRecord, fields: list[Field], text: str, intro: str) -> None:
        place = _first(fields, Kind.PLACE)
        if place:
            first, *rest = re.split(r"(?<=[。；\n])", place.value)
            value = first + "".join(s for s in rest if not _TRAVEL_ADVICE.search(s))  # 停车资源紧张，建议乘坐地铁
            activity.place = f.clean_value(self._changed(activity, "place", value))
            activity.cite("place", place.sentence)
            return
        online = next((x for x in fields if x.kind is Kind.SIGNUP and _ONLINE_WAY.search(x.value)), None)
        if online and _ONLINE.search(self._layout.title + intro + text[:200]):
            activity.place = "线上：" + f.clean_value(online.value)
            activity.cite("place", online.sentence)
            return
        held_online = _HELD_ONLINE.search(text)
        if held_online:  # 由线下举办改为线上举办，通过腾讯会议进行 / 会议号：628 317 905
            meeting = _MEETING_NUMBER.search(text)
            platform = held_online.group("platform") + (f"，会议号{meeting.group('n')}" if meeting else "")
            activity.place = f"线上（{platform}）"
            activity.cite("place", held_online.group(0))
            return
        # what was planned (原定于…在协会二楼会议室举办) is not where it is held
        value, sentence = f.place_in_sentence(_AS_PLANNED.sub("", intro + "\n" + text))
        if value and sentence:
            activity.place = value
            activity.cite("place", sentence)

    def _who(self, activity: ActivityRecord, fields: list[Field], text: str) -> None:
        audience = _first(fields, Kind.AUDIENCE) or _first(fields, Kind.CONDITIONS)
        if audience:
            kept = [s for s in re.split(r"(?<=[。；\n])", audience.value) if not _CAPACITY_SENTENCE.search(s)
                    or re.search(r"每", s)]
            activity.audience = f.clean_value("".join(kept) or audience.value)
            activity.cite("audience", audience.sentence)
        for candidate in [x for x in fields if x.kind is Kind.CAPACITY] + [None]:
            number, clause = f.capacity(candidate.value if candidate else text)
            if number is None and candidate is not None:
                # 招募人数 over a line of its own (40名): the label says what the number counts
                number, _ = f.capacity(f"{candidate.label}：{candidate.value}")
                clause = candidate.value
            if number is not None and clause:
                activity.capacity = number
                activity.cite("capacity", clause)
                return

    def _money(self, activity: ActivityRecord, fields: list[Field], text: str,
               lines: Sequence[Line] = ()) -> None:
        given = _first(fields, Kind.FEE)
        value = f.fee(given.value) if given else None
        if value and given:
            activity.fee = f.clean_value(value)
            activity.cite("fee", given.sentence)
            return
        table = f.priced_rows(lines)
        if table:
            activity.fee = table
            activity.cite("fee", table)
            return
        free = f.priced_clause(text) or f.free_sentence(text)
        if free:
            activity.fee = f.clean_value(free)
            activity.cite("fee", free)

    def _signup(self, activity: ActivityRecord, fields: list[Field], text: str) -> None:
        stated = _first(fields, Kind.DEADLINE)
        if stated:
            value = self._changed(activity, "signup_deadline", stated.value)
            # 1月15日 12:00，报名结果将于1月18日前短信通知: the deadline is the first clause's date
            clause = next((c for c in re.split(r"[，。；]", value) if self._dates.find(c)), value)
            found = self._dates.find(clause)
            if found:
                activity.signup_deadline = found[-1].span.end.last_day
                activity.cite("signup_deadline", stated.sentence)
        # a bare 方式 (线上答题，通过小程序参与) says how only when no sign-up field does
        ways = sorted((x for x in fields if x.kind is Kind.SIGNUP), key=lambda x: x.label == "方式")
        channels = [x for x in ways if _SIGNUP_CHANNEL.fullmatch(x.label)]
        if activity.signup_method is None and channels:  # 现场报名：… / 邮件报名：…: each way by its label
            activity.signup_method = "；".join(f"{x.label}：{f.clean_value(x.value)}" for x in channels)
            activity.cite("signup_method", channels[0].sentence)
        for way in ways:
            window = self._dates.first(way.value)
            if window and len(_NOT_WORDS.sub("", way.value[:window.start] + way.value[window.end:])) <= 2:
                # 报名：2月22日到3月12日 says when, not how: its end closes the sign-up
                if activity.signup_deadline is None:
                    activity.signup_deadline = window.span.end.last_day
                    activity.cite("signup_deadline", way.sentence)
                continue
            if activity.signup_deadline is None:
                day, sentence = f.deadline(way.value, self._dates, require_signup_words=False)
                if day and sentence:
                    activity.signup_deadline = day
                    activity.cite("signup_deadline", sentence)
            if activity.signup_method is None:
                kept = "".join(s for s in re.split(r"(?<=[。；\n])", way.value)
                               if not _CAPACITY_SENTENCE.search(s) or re.search(r"报名|发送|登录", s))
                method = f.signup_method(kept)
                if method:
                    activity.signup_method = f.clean_value(method)
                    activity.cite("signup_method", way.sentence)
        if activity.signup_deadline is None:
            day, sentence = f.deadline(text, self._dates)
            if day and sentence:
                activity.signup_deadline = day
                activity.cite("signup_deadline", sentence)
        if activity.signup_deadline is None:
            opening = next((p for p in activity.phases if p.takes_applications), None)
            if opening and opening.span:
                activity.signup_deadline = opening.span.end.last_day
                activity.cite("signup_deadline", opening.text)
        if activity.signup_method is None:
            for sentence in re.split(r"(?<=[。；\n])", text):
                if (re.search(r"报名|申报|填报|推荐", sentence)
                        and re.search(r"登录|发送|扫描|扫码|填写|电话|网站|系统|二维码|邮箱", sentence)):
                    activity.signup_method = f.clean_value(f.signup_method(sentence) or sentence)
                    activity.cite("signup_method", sentence)
                    break

    def _theme(self, activity: ActivityRecord, fields: list[Field], intro: str) -> None:
        stated = _first(fields, Kind.THEME)
        if stated:
            activity.theme = f.clean_value(stated.value).strip("“”")
            activity.cite("theme", stated.sentence)
            return
        found = f.theme_in(intro)
        if found:
            activity.theme = found
            activity.cite("theme", found)
            return
        dash = re.split(r"——", activity.name)
        if len(dash) == 2 and len(dash[1]) >= 4:
            activity.theme = dash[1].strip("“”")
            activity.cite("theme", activity.name)
