"""Which activity a member means: the name they typed, the words of their question, the one the
conversation is about, or the options just offered, with the open or upcoming one preferred
when a series has several (质量大讲堂 2019, 2020, 2027).

Names are searched by their character pairs, weighed by how few activities share them
(大讲 names the lectures, 质量 names nothing), so a short name (大讲堂, 开放日, 卓越绩效讲座)
finds the activity without a list of nicknames.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from services.activities import ActivityService
from services.activity_match import YEAR_IN_NAME, longest_common_substring
from services.dates import Timing, chinese_number
from services.retrieval import uncommon_words
from services.textnorm import match_key
from services.views import ActivitySummary, Resolution

_MONTH = re.compile(r"(?<![\d年])(1[0-2]|[1-9])月(?!\d)")
# A name found in the words must share this many characters in a row with them, unless a
# whole short name (沙龙, 开放日) is there.
_MIN_RUN = 3
# Matches scoring within this share of the best are alike enough for the member's other
# cues (a year, a month, which one is still to come) to choose among them.
_ALIKE = 0.85
_MIN_SCORE = 3.0


# Names members write either way: a key with one is searched with the other too.
_SAME_NAMES = (("质量管理小组", "qc小组"), ("质量管理小组", "qc"), ("竞赛", "比赛"), ("大赛", "比赛"))
# What kind of activity a name is: "论坛几号开" means the one forum still to come.
_KIND_WORDS = re.compile(r"论坛|峰会|讲座|讲堂|沙龙|开放日|竞赛|比赛|大赛|交流会|发表会|宣贯会|公开课|课堂|训练营"
                         r"|研修班|培训班|年会|大会|联谊会|观摩|参观|志愿|征文|征集|招募|竞答|直播|黑客松"
                         r"|研讨会|座谈会|发布会|发布赛|发表赛|宣贯|培训|考核|评选|(?<=\w)班(?!组)")
# Who asks (我们不是会员单位, 我司): never part of what they ask about.
WHO_ASKS = re.compile(r"非?会员(?:单位|企业)|非会员|我们?单位|本单位|我们?公司|我司")
# What a question asks, not which activity: no character pair of these names one.
_ASKING = re.compile(r"今年|去年|明年|前年|本年度?|这次|本次|上次|下次"  # 今年质量月: no 年质 of 青年质量
                     r"|什么时候|啥时候|什么|怎么|怎样|如何|哪里|哪儿|哪天|哪些|哪个|多少|几号|几点|几个|几天"
                     r"|报名|申报|截止|时间|地点|费用|收费|名额|联系|电话|可以|能不能|还能|是不是|要不要"
                     rf"|{WHO_ASKS.pattern}"
                     r"|[吗呢吧啊了的是在有要能去哪几谁]")


def _variants(key: str) -> list[str]:
    found = [key]
    for one, other in _SAME_NAMES:
        found += [k.replace(one, other) for k in found if one in k]
        found += [k.replace(other, one) for k in found if other in k and one not in k]
    return list(dict.fromkeys(found))


def _pairs(key: str) -> set[str]:
    return {key[i:i + 2] for i in range(len(key) - 1)}


def _asked_pairs(words: str) -> set[str]:
    """The character pairs of the question's naming part: asking words cut it."""
    return set().union(*(_pairs(piece) for piece in _ASKING.split(words)))


# Which session of a course the words mean: 第二期, 二期, 线上那期, 面授班.
_SESSION_NAMED = re.compile(r"第?([一二三四五六七八九十\d]{1,2})[期场班批]")
# 线上那期, 面授班, 现场的那场: a session by how it is held (not 能现场交钱吗)
_HELD_SESSION = re.compile(r"(?:(?P<online>线上|网上|在线|直播|网络|云端)|(?P<in_person>面授|线下|现场|面对面))"
                           r"的?[那这]?一?[期场班批]")
_ONLINE_PLACE = re.compile(r"线上|网上|在线|直播|腾讯会议|视频号|钉钉|云端|zoom", re.IGNORECASE)


def _session_numbers(text: str) -> set[int]:
    return {n for n in map(chinese_number, _SESSION_NAMED.findall(text)) if n is not None}


def session_words(question: str) -> set[str]:
    """The words with which the question chose a session of a course (线上 of 线上那期, 第二期)."""
    held = {m.group("online") or m.group("in_person") for m in _HELD_SESSION.finditer(question)}
    return held | {m.group(0) for m in _SESSION_NAMED.finditer(question)}


def kind_of(name: str) -> str | None:
    """The kind of activity a name says it is (培训 of 首席质量官专题培训), the last one named."""
    kinds = _KIND_WORDS.findall(match_key(name))
    return kinds[-1] if kinds else None


@dataclass(frozen=True)
class NameIndex:
    """Every activity's names and aliases as match keys, and how rare each character pair is."""

    names: dict[int, tuple[str, ...]]
    pairs: dict[int, frozenset[str]]  # every character pair of each activity's names
    rarity: dict[str, float]
    ids_by_key: dict[str, frozenset[int]]  # the activities of each whole name or alias

    @classmethod
    def build(cls, keys: Sequence[tuple[str, int]]) -> NameIndex:
        names: dict[int, list[str]] = {}
        ids_by_key: dict[str, set[int]] = {}
        for key, activity_id in keys:
            ids_by_key.setdefault(key, set()).add(activity_id)
            bare = YEAR_IN_NAME.sub("", key)
            if bare:
                names.setdefault(activity_id, []).extend(_variants(bare))
        pairs = {i: frozenset().union(*map(_pairs, keys_of_one)) for i, keys_of_one in names.items()}
        counts: dict[str, int] = {}
        for pairs_of_one in pairs.values():
            for pair in pairs_of_one:
                counts[pair] = counts.get(pair, 0) + 1
        total = max(len(names), 1)
        return cls({i: tuple(k) for i, k in names.items()}, pairs,
                   {pair: math.log(1 + total / count) for pair, count in counts.items()},
                   {key: frozenset(ids) for key, ids in ids_by_key.items()})

    def without(self, ids: set[int]) -> NameIndex:
        """The same index with some activities left out (the rarity of pairs unchanged)."""
        return NameIndex({i: k for i, k in self.names.items() if i not in ids},
                         {i: p for i, p in self.pairs.items() if i not in ids}, self.rarity,
                         {key: frozenset(found - ids) for key, found in self.ids_by_key.items() if found - ids})

    def scores(self, text: str) -> dict[int, float]:
        """Activities the words name, by the rarity of the character pairs they share."""
        words = YEAR_IN_NAME.sub("", match_key(text))
        asked = _asked_pairs(words)
        found: dict[int, float] = {}
        for activity_id, keys in self.names.items():
            shared = asked & self.pairs[activity_id]
            named = any(len(key) >= 2 and key in words for key in keys)
            # a name's run of three characters, or two of its pairs apart (参观…工厂)
            if not named and len(shared) < 2 and max(longest_common_substring(words, key) for key in keys) < _MIN_RUN:
                continue
            score = sum(self.rarity.get(pair, 0.0) for pair in shared)
            if score >= _MIN_SCORE:
                found[activity_id] = score
        return found


@dataclass(frozen=True)
class Cues:
    """What else the member said that picks among activities of one name."""

    year: int | None = None
    month: int | None = None
    applying: bool = False  # 首席质量官申报啥时候截止: of the award, not the course of the name


# Words of applying for an award or a title, and the names of what one applies for.
_APPLYING = re.compile(r"申报|参评|申请|推荐|报送|评选|评审")
_APPLIED_FOR = re.compile(r"评选|推荐|申报|奖|认定|命名|征集|评价")
_WRITTEN_YEAR = re.compile(r"((?:19|20)\d\d)年")


def cues_in(text: str | None, year: int | None) -> Cues:
    """The year the NLU found (else one written in full in the words) and a month named."""
    month = _MONTH.search(text or "")
    written = _WRITTEN_YEAR.search(text or "")
    return Cues(year=year if year is not None else int(written.group(1)) if written else None,
                month=int(month.group(1)) if month else None, applying=bool(_APPLYING.search(text or "")))


class ActivityFinder:
    def __init__(self, activities: ActivityService) -> None:
        self._activities = activities

    def today(self) -> dt.date:
        return self._activities.today()

    def names(self) -> NameIndex:
        """The activities' names as they are now: read once per question, built again only
        when they changed."""
        return _index_of(tuple(self._activities.name_index()))

    def notice_named(self, text: str, titles: Sequence[tuple[int, str]]) -> int | None:
        """Of notices with no activity (a 公示), the one the words name better than they name any
        activity not yet over ("化工行业信得过班组结果出来了吗")."""
        if not titles:
            return None
        # notices among the activities, by negative ids, so that one scale compares them
        keys = (*self._activities.name_index(), *((match_key(title), -notice_id) for notice_id, title in titles))
        scores = _index_of(tuple(keys)).scores(text)
        today = self.today()
        for activity_id in [i for i in scores if i > 0]:
            summary = self._activities.summary(activity_id)
            if summary is None or not not_over(summary, today):
                del scores[activity_id]
        best = max(scores, key=lambda i: scores[i], default=None)
        return -best if best is not None and best < 0 else None

    def exactly(self, names: NameIndex, named: str, cues: Cues) -> Resolution[ActivitySummary]:
        """The activities of exactly this full name (an alias such as 大讲堂 names a series)."""
        key = match_key(named)
        ids = sorted(names.ids_by_key.get(key, ()))
        summaries = tuple(s for s in map(self._activities.summary, ids) if s is not None and match_key(s.name) == key)
        return self.prefer(summaries, cues)

    def by_name(self, names: NameIndex, named: str, cues: Cues) -> Resolution[ActivitySummary]:
        """A name the member typed (the NLU's entity, a slot): searched like words, else by the
        name matcher's short forms (QC成果发表 for 质量管理小组成果发表交流会)."""
        searched = self.in_words(names, named, cues)
        if searched.matches:
            return searched
        return self.prefer(self._activities.resolve(named, cues.year).matches, cues)

    def in_words(self, names: NameIndex, text: str, cues: Cues) -> Resolution[ActivitySummary]:
        """The activities a whole question names, best first."""
        scores = names.scores(text)
        if not scores:
            return Resolution()
        best = max(scores.values())
        alike = [i for i, score in scores.items() if score >= _ALIKE * best]
        summaries = [s for s in map(self._activities.summary, alike) if s is not None]
        summaries.sort(key=lambda s: -scores[s.id])
        return self.prefer(tuple(summaries), cues)

    def of_kind(self, text: str) -> Resolution[ActivitySummary]:
        """The one activity still to come of the kind the words name (论坛, 沙龙, 开放日)."""
        kinds = set(_KIND_WORDS.findall(match_key(text)))
        if not kinds:
            return Resolution()
        current = tuple(s for s in self._activities.upcoming() if any(kind in s.name for kind in kinds))
        return Resolution(current) if len(current) == 1 else Resolution()

    def by_uncommon_word(self, names: NameIndex, text: str, cues: Cues) -> Resolution[ActivitySummary]:
        """The one activity whose names hold an uncommon word of the question that no other
        activity's names hold (冷库 of 冷库参观早上几点集合: 走进鲜达智慧冷库企业开放日)."""
        owners: set[int] = set()
        # the words, and pairs of characters everyday Chinese does not use (绿带 of 绿带班, which jieba
        # cuts 绿/带班)
        pairs = {pair for pair in _asked_pairs(match_key(text)) if uncommon_words(pair)}
        for word in uncommon_words(WHO_ASKS.sub("", text)) | pairs:
            holding = [i for i, keys in names.names.items() if any(word in key for key in keys)]
            if len(holding) == 1:
                owners.add(holding[0])
        summary = self._activities.summary(owners.pop()) if len(owners) == 1 else None
        return self.prefer((summary,), cues) if summary is not None else Resolution()

    def sibling(self, remembered: str, text: str) -> Resolution[ActivitySummary]:
        """Of the activities announced with the one talked about (a notice's 沙龙 and 竞答), the one
        the words name by a pair of characters that neither it nor the others share (竞答在哪答)."""
        talked_about = self._activities.resolve(remembered, fuzzy=False).matches
        if len(talked_about) != 1:
            return Resolution()
        details = self._activities.details(talked_about[0].id)
        if details is None or details.source_document_id is None:
            return Resolution()
        names = [n for n in self._activities.names_from(details.source_document_id) if n != details.name]
        asked = _asked_pairs(match_key(text)) - _pairs(match_key(details.name))
        naming = {name: asked & _pairs(match_key(name)) for name in names}
        named = [name for name, shared in naming.items()
                 if shared and not any(shared & other for n, other in naming.items() if n != name)]
        if len(named) != 1:
            return Resolution()
        return Resolution(self._activities.resolve(named[0], fuzzy=False).matches[:1])

    def by_session(self, matches: Sequence[ActivitySummary], text: str) -> tuple[ActivitySummary, ...]:
        """Of a course's sessions, the ones the words mean by number (第二期) or by how they are held
        (线上那期, 面授班); all of them when the words say neither or mean none."""
        chosen = tuple(matches)
        numbers = _session_numbers(match_key(text))
        if numbers:
            chosen = tuple(s for s in chosen if _session_numbers(s.name) & numbers) or chosen
        ways = {"online" if m.group("online") else "in_person" for m in _HELD_SESSION.finditer(text)}
        if len(ways) == 1 and len(chosen) > 1:
            places = {s.id: getattr(self._activities.details(s.id), "location", None) or "" for s in chosen}
            held = tuple(s for s in chosen if bool(_ONLINE_PLACE.search(places[s.id])) == (ways == {"online"}))
            chosen = held or chosen
        return chosen

    def session_of_course(self, remembered: str, text: str) -> Resolution[ActivitySummary]:
        """The other sessions of the course talked about that the words mean (线上那期呢, 面授班呢,
        after the online session's place)."""
        talked_about = self._activities.resolve(remembered, fuzzy=False).matches
        if len(talked_about) != 1 or not _session_numbers(talked_about[0].name):
            return Resolution()
        details = self._activities.details(talked_about[0].id)
        if details is None or details.source_document_id is None:
            return Resolution()
        sessions = [s for s in self._activities.announced_in(details.source_document_id) if _session_numbers(s.name)]
        meant = self.by_session(sessions, text)
        return Resolution(meant) if talked_about[0].id not in {s.id for s in meant} else Resolution()

    def sharing_most(self, text: str, summaries: Sequence[ActivitySummary]) -> Resolution[ActivitySummary]:
        """Of one notice's activities, the one whose name shares most character pairs with the words
        (论坛 of 卓越绩效论坛是几号, between 论坛 and 标杆企业现场交流); none when that is not one."""
        asked = _asked_pairs(match_key(text))
        shared = {s.id: len(asked & _pairs(match_key(s.name))) for s in summaries}
        most = max(shared.values(), default=0)
        best = [s for s in summaries if most and shared[s.id] == most]
        return Resolution(tuple(best)) if len(best) == 1 else Resolution()

    def among(self, ids: Sequence[int], cues: Cues) -> Resolution[ActivitySummary]:
        """The options offered before, narrowed by the member's year or month."""
        summaries = tuple(s for s in map(self._activities.summary, ids) if s is not None)
        narrowed = self._narrow(summaries, cues)
        return Resolution(narrowed) if len(narrowed) < len(summaries) else Resolution()

    def prefer(self, matches: Sequence[ActivitySummary], cues: Cues) -> Resolution[ActivitySummary]:
        """The member's year or month where given; else, of several, the ones not yet over."""
        narrowed = self._narrow(tuple(matches), cues)
        if len(narrowed) > 1 and cues.year is None:
            today = self.today()
            current = tuple(s for s in narrowed if not_over(s, today))
            # all over: this year's, if any (知识竞赛谁负责 after this year's 质量月); else which year's
            narrowed = current or _of_year(narrowed, today.year) or narrowed
        return Resolution(narrowed)

    @staticmethod
    def _narrow(matches: tuple[ActivitySummary, ...], cues: Cues) -> tuple[ActivitySummary, ...]:
        chosen = matches
        if cues.year is not None:
            chosen = tuple(s for s in chosen if of_year(s, cues.year)) or chosen
        if cues.month is not None:
            chosen = tuple(s for s in chosen if s.span is not None and _covers_month(s, cues.month)) or chosen
        if cues.applying and len(chosen) > 1:
            chosen = tuple(s for s in chosen if _APPLIED_FOR.search(s.name)) or chosen
        return chosen


def of_year(summary: ActivitySummary, year: int) -> bool:
    """Whether the activity is the year's: named for it, or held in it."""
    span = summary.span
    return summary.year == year or (span is not None and span.start.first_day.year <= year <= span.end.last_day.year)


def _of_year(matches: tuple[ActivitySummary, ...], year: int) -> tuple[ActivitySummary, ...]:
    return tuple(s for s in matches if (s.span.end.last_day.year if s.span else s.year) == year)


def not_over(summary: ActivitySummary, today: dt.date) -> bool:
    """To come or under way; without dates, named for this year or a later one (2027年…竞赛)."""
    timing = summary.timing(today)
    if timing is not None:
        return timing in (Timing.UPCOMING, Timing.ONGOING)
    named_year = YEAR_IN_NAME.search(summary.name)
    year = summary.year or (int(named_year.group(0)[:4]) if named_year else None)
    return year is not None and year >= today.year


def _covers_month(summary: ActivitySummary, month: int) -> bool:
    assert summary.span is not None
    first, last = summary.span.start.first_day, summary.span.end.last_day
    day = dt.date(first.year, month, 1)
    if day < first.replace(day=1):
        day = dt.date(first.year + 1, month, 1)
    return day <= last


@lru_cache(maxsize=4)
def _index_of(keys: tuple[tuple[str, int], ...]) -> NameIndex:
    """Built again only when the names change (a notice published, an activity renamed)."""
    return NameIndex.build(keys)
