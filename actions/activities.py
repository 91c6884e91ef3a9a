"""Questions about activities: lists, time, place, theme, fee, capacity, organisers, phases, deadlines."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.base import (
    AssistantAction,
    DomainDict,
    asked_in,
    call,
    cite,
    is_follow_up,
    latest_entity,
    phrase,
    remember_notice,
    remembered,
    timing_phrase,
    utter,
)
from actions.knowledge import answer_about_activity, answer_from_documents, answer_other_question
from services.activities import ActivityService
from services.answers import Topic
from services.answers.topics import topic_in_words
from services.dates import format_date, parse_month, parse_year
from services.places import other_quality_month
from services.textnorm import normalise
from services.views import ActivitySummary

MAX_LISTED = 10


def describe_when(domain: DomainDict, summary: ActivitySummary, today: dt.date) -> str:
    if summary.span is None:
        return phrase(domain, "utter_not_stated")
    return f"{summary.span.describe()}，{timing_phrase(domain, summary.timing(today))}"


def list_items(domain: DomainDict, summaries: list[ActivitySummary], today: dt.date,
               numbered: bool = False) -> str:
    lines = []
    for index, summary in enumerate(summaries, start=1):
        bullet = f"{index}." if numbered else "•"
        lines.append(f"{bullet} {summary.name}（{describe_when(domain, summary, today)}）")
    return "\n".join(lines)


class ActivityQuestion(AssistantAction):
    """A question about one activity: the answer service decides, the action utters."""

    topic = Topic.DETAILS

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[dict[str, Any]]:
        return await self.answer_about(dispatcher, tracker, domain, follow_up=False)

    async def answer_about(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict,
                           follow_up: bool, chosen_id: int | None = None,
                           topic: Topic | None = None) -> list[dict[str, Any]]:
        text = tracker.latest_message.get("text")
        # 停车收费吗 asks of parking, not the fee: a practical question keeps its intent's topic
        asked_topic = Topic.OTHER if self.topic is Topic.OTHER else topic_in_words(text) or topic or self.topic
        asked = asked_in(tracker, asked_topic, follow_up, chosen_id)
        answer = await call(self.services.answers.answer, asked)
        utter(dispatcher, domain, answer)
        return [SlotSet("last_topic", asked_topic.value), *remembered(answer)]


class ActionActivityDetails(ActivityQuestion):
    topic = Topic.DETAILS

    def name(self) -> str:
        return "action_activity_details"


class ActionActivityTime(ActivityQuestion):
    topic = Topic.TIME

    def name(self) -> str:
        return "action_activity_time"


class ActionActivityPlace(ActivityQuestion):
    topic = Topic.PLACE

    def name(self) -> str:
        return "action_activity_place"


class ActionActivityTheme(ActivityQuestion):
    topic = Topic.THEME

    def name(self) -> str:
        return "action_activity_theme"


class ActionActivityFee(ActivityQuestion):
    topic = Topic.FEE

    def name(self) -> str:
        return "action_activity_fee"


class ActionActivityCapacity(ActivityQuestion):
    topic = Topic.CAPACITY

    def name(self) -> str:
        return "action_activity_capacity"


class ActionActivityOrganiser(ActivityQuestion):
    topic = Topic.ORGANISER

    def name(self) -> str:
        return "action_activity_organiser"


class ActionActivityPhases(ActivityQuestion):
    topic = Topic.PHASES

    def name(self) -> str:
        return "action_activity_phases"


class ActionActivityOther(ActivityQuestion):
    """住宿, 停车, 证书: what the activity's notice says, or that it does not say."""

    topic = Topic.OTHER

    def name(self) -> str:
        return "action_activity_other"


class ActionActivityDeadline(ActivityQuestion):
    topic = Topic.DEADLINE

    def name(self) -> str:
        return "action_activity_deadline"


# A request for a list of activities: 有哪些…, 哪些活动, 最近, 2019年的培训 ….
_LISTED = r"(?:活动|项目|安排|培训|论坛|比赛|大赛|会议|讲座|讲堂|评选|调查|调研)"
_LIST_REQUEST = re.compile(rf"有(?:哪些|什么|啥)\W*$|(?:哪些|什么|啥){_LISTED}|{_LISTED}(?:安排|列表|日程|清单)"
                           rf"|最近|近期|列出|所有|全部|(?:19|20)\d\d年(?:度)?的?{_LISTED}|^\W*{_LISTED}\W*$")


class ActionListActivities(AssistantAction):
    def name(self) -> str:
        return "action_list_activities"

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[dict[str, Any]]:
        activities: ActivityService = self.services.activities
        today = activities.today()
        year = parse_year(latest_entity(tracker, "year"), today)
        month = parse_month(latest_entity(tracker, "month"), today)
        category = latest_entity(tracker, "category")
        organisation_name = latest_entity(tracker, "organisation")
        organisation_id = None
        if organisation_name:
            found = await call(self.services.contacts.resolve, organisation_name)
            if found.unique:
                organisation_name = found.unique.organisation
                organisation_id = await call(self.services.contacts.organisation_id, organisation_name)
        events: list[dict[str, Any]] = [SlotSet("last_topic", "list")]
        text = tracker.latest_message.get("text") or ""
        if not is_follow_up(tracker):
            asks_for_list = bool(_LIST_REQUEST.search(normalise(text)))
            if not asks_for_list:
                # 内审员培训会员价多少 names 培训 but asks of one activity
                about_activity = await answer_about_activity(self.services, dispatcher, domain, tracker)
                if about_activity is not None:
                    return about_activity
            # 企业质量管理现状调研覆盖多少个行业 names 调研 but asks a count, which no list gives
            if await answer_other_question(self.services, dispatcher, domain, text, frozenset()):
                return events
            if not asks_for_list and await answer_from_documents(self.services, dispatcher, domain, text):
                return events  # QC小组活动要培训宣贯哪个标准: names 培训, asks for no list
        if not any([year, month, category, organisation_id]):
            upcoming = await call(activities.upcoming)
            if upcoming:
                dispatcher.utter_message(response="utter_list_upcoming", today=format_date(today),
                                         items=list_items(domain, upcoming[:MAX_LISTED], today))
            else:
                latest = await call(activities.latest, 5)
                dispatcher.utter_message(response="utter_list_none_upcoming", today=format_date(today),
                                         items=list_items(domain, latest, today))
            return events
        found_activities = await call(activities.list_activities, year, month, category, organisation_id)
        filters = []
        if month:
            filters.append(phrase(domain, "utter_filter_month", year=month[0], month=month[1]))
        elif year:
            filters.append(phrase(domain, "utter_filter_year", year=year))
        if organisation_id:
            filters.append(phrase(domain, "utter_filter_organisation", organisation=organisation_name))
        if category:
            filters.append(phrase(domain, "utter_filter_category", category=category))
        filter_text = "".join(filters)
        if not found_activities:
            dispatcher.utter_message(response="utter_list_empty", filter=filter_text)
            return events
        shown = found_activities[:MAX_LISTED]
        more = (phrase(domain, "utter_list_more", count=len(found_activities) - len(shown))
                if len(found_activities) > len(shown) else "")
        dispatcher.utter_message(response="utter_list_filtered", filter=filter_text,
                                 count=len(found_activities), items=list_items(domain, shown, today),
                                 more=more)
        return events


# What the programme's card tells: when, its theme, how many activities.
QUALITY_MONTH_KINDS = frozenset({"when", "year", "theme", "count"})


class ActionQualityMonth(AssistantAction):
    def name(self) -> str:
        return "action_quality_month"

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[dict[str, Any]]:
        activities = self.services.activities
        today = activities.today()
        year = parse_year(latest_entity(tracker, "year"), today)
        events: list[dict[str, Any]] = [SlotSet("last_topic", "quality_month")]
        text = tracker.latest_message.get("text")
        fresh = not is_follow_up(tracker)
        if fresh and "质量月" not in normalise(text or "") and await answer_from_documents(
                self.services, dispatcher, domain, text):
            return events  # 2020年上海市质量工作要点的文号是多少: the NLU's 质量月, not the member's
        place = other_quality_month(text)
        if place is not None:  # 杭州质量月有啥活动: not Shanghai's
            dispatcher.utter_message(response="utter_quality_month_other_place", place=place)
            return events
        if fresh and await answer_other_question(self.services, dispatcher, domain, text, QUALITY_MONTH_KINDS):
            return events  # 质量月知识竞赛有奖品吗: the programme's card has no prize
        details = await call(activities.quality_month, year)
        if details is None:
            known = await call(activities.quality_month, None)
            if year is not None and known is not None:
                years = sorted({s.year for s in await call(activities.list_activities, None, None, "质量月")
                                if s.year})
                if year in years:
                    # that year's 质量月 activities came from a notice of their own (a district's), with
                    # no programme above them: its sentences answer
                    notice = await answer_from_documents(self.services, dispatcher, domain, text)
                    if notice is not None:
                        return [*events, *remember_notice(notice)]
                    years = [y for y in years if y != year]
                dispatcher.utter_message(response="utter_quality_month_unknown_year", year=year,
                                         years="、".join(f"{y}年" for y in years))
            else:
                dispatcher.utter_message(response="utter_quality_month_none")
            return events
        summary = details.summary
        when = summary.span.describe() if summary.span else phrase(domain, "utter_not_stated")
        dispatcher.utter_message(
            response="utter_quality_month",
            activity=details.name,
            when=when,
            timing=timing_phrase(domain, summary.timing(today)),
            theme=details.theme or phrase(domain, "utter_not_stated"),
            count=len(details.children),
            items="\n".join(f"• {child.name}" for child in details.children[:5]),
            source=cite(domain, details.source),
        )
        return [*events, SlotSet("activity", details.name)]
