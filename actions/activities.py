"""Questions about activities: lists, time, place, theme, fee, capacity, organisers, phases, deadlines."""

from __future__ import annotations

import abc
import datetime as dt
import re
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.base import (
    AssistantAction,
    DomainDict,
    call,
    cite,
    is_follow_up,
    latest_entity,
    phrase,
    timing_phrase,
)
from actions.knowledge import answer_from_documents, answer_other_question
from services.activities import ActivityService
from services.dates import DAY, format_date, format_point, parse_month, parse_year
from services.places import other_quality_month
from services.textnorm import normalise
from services.views import ActivityDetails, ActivitySummary, Resolution

MAX_LISTED = 10
MAX_OPTIONS = 6


def describe_when(domain: DomainDict, summary: ActivitySummary, today: dt.date) -> str:
    if summary.span is None:
        return phrase(domain, "utter_not_stated")
    return f"{summary.span.describe()}，{timing_phrase(domain, summary.timing(today))}"


def when_with_hours(domain: DomainDict, details: ActivityDetails) -> str:
    """2027年3月18日 13:30-16:30（原定2027年1月21日): the day, its hours and what it replaced."""
    assert details.summary.span is not None
    when = details.summary.span.describe()
    if details.time_of_day:
        when += f" {details.time_of_day}"
    previous = details.previous("span")
    return when + (phrase(domain, "utter_detail_previously", previous=previous) if previous else "")


def list_items(domain: DomainDict, summaries: list[ActivitySummary], today: dt.date,
               numbered: bool = False) -> str:
    lines = []
    for index, summary in enumerate(summaries, start=1):
        bullet = f"{index}." if numbered else "•"
        lines.append(f"{bullet} {summary.name}（{describe_when(domain, summary, today)}）")
    return "\n".join(lines)


def organisers_of(domain: DomainDict, details: ActivityDetails) -> tuple[str, str]:
    """(role label, names): organisers where the notice names them, else responsible units."""
    if details.organisers:
        return phrase(domain, "utter_role_organisers"), "、".join(details.organisers)
    if details.responsible_units:
        return phrase(domain, "utter_role_responsible"), "、".join(details.responsible_units)
    return phrase(domain, "utter_role_organisers"), ""


class ActivityQuestion(AssistantAction):
    """Finds the activity the member means, asks when unclear, then answers one topic."""

    topic = "details"
    # The kinds of answer (services.retrieval.asked_kinds) this topic's reply gives.
    answer_kinds: frozenset[str] = frozenset()

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[dict[str, Any]]:
        return await self.answer_about(dispatcher, tracker, domain, follow_up=False)

    async def answer_about(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                           domain: DomainDict, follow_up: bool,
                           chosen_id: int | None = None) -> list[dict[str, Any]]:
        activities = self.services.activities
        today = activities.today()
        events: list[dict[str, Any]] = [SlotSet("last_topic", self.topic)]
        # A question of its own (not "2018年的", "第二个"): what the notices say answers it when
        # the database has no activity for it, or none that says what was asked.
        question = None if follow_up else tracker.latest_message.get("text")
        if await answer_other_question(self.services, dispatcher, domain, question, self.answer_kinds):
            return events  # 质量大讲堂计划办几期 asks a count, which no activity's time answers
        if chosen_id is None:
            named = latest_entity(tracker, "activity")
            resolution = await self._find(tracker, named, follow_up, today)
            if not resolution.matches:
                if await self.from_documents(dispatcher, domain, question):
                    return events
                if named:
                    dispatcher.utter_message(response="utter_activity_not_found", query=named)
                else:
                    dispatcher.utter_message(response="utter_which_activity_for_question")
                return events
            options = list(resolution.matches[:MAX_OPTIONS])
            if resolution.ambiguous:
                # Ask only among the activities whose record says what is asked: when one alone
                # does (质量信得过班组的主题: only 2018's notice gives one), that is the answer.
                # When none does, a sentence of the notices may, else the question back lists them all.
                knowing = [o for o in options if await self.knows(o.id)]
                if len(knowing) != 1:
                    if not knowing and await self.from_documents(dispatcher, domain, question):
                        return events
                    options = knowing or options
                    dispatcher.utter_message(response="utter_which_activity",
                                             options=list_items(domain, options, today, numbered=True))
                    return [*events, SlotSet("activity_candidates", [o.id for o in options])]
                options = knowing
            chosen_id = options[0].id
        details = await call(activities.details, chosen_id)
        if details is None:
            dispatcher.utter_message(response="utter_which_activity_for_question")
            return events
        answered = await self._answer(dispatcher, domain, details, today, question)
        return [*events, SlotSet("activity", details.name), SlotSet("activity_candidates", None),
                *answered]

    async def knows(self, activity_id: int) -> bool:
        """Whether the activity's record says what this topic answers (its theme, its place …)."""
        details = await call(self.services.activities.details, activity_id)
        return details is not None and self.record_answers(details)

    def record_answers(self, details: ActivityDetails) -> bool:
        """Whether these details hold this topic's answer; the whole card always does."""
        return True

    async def from_documents(self, dispatcher: CollectingDispatcher, domain: DomainDict,
                             question: str | None) -> bool:
        """Answer a question of its own from the notices' sentences; False when none answers."""
        return question is not None and await answer_from_documents(self.services, dispatcher, domain, question)

    async def not_given(self, dispatcher: CollectingDispatcher, domain: DomainDict, question: str | None,
                        response: str, **values: Any) -> None:
        """The activity's record does not say: a sentence of the notices that does, else `response`
        (通知里没有写…)."""
        if not await self.from_documents(dispatcher, domain, question):
            dispatcher.utter_message(response=response, **values)

    async def _find(self, tracker: Tracker, named: str | None, follow_up: bool,
                    today: dt.date) -> Resolution[ActivitySummary]:
        """The activities meant: the tagged name, else words in the message, else
        (for a follow-up) the options just offered or the activity in context."""
        activities = self.services.activities
        year = parse_year(latest_entity(tracker, "year") or (tracker.get_slot("year") if follow_up else None),
                          today)
        if named:
            tagged = await call(activities.resolve, named, year)
            if tagged.matches:
                return tagged
        in_words = await call(activities.resolve, tracker.latest_message.get("text"), year, False)
        if in_words.matches or named:
            return in_words
        offered = tracker.get_slot("activity_candidates") or []
        if follow_up and year is not None and offered:
            # "2018年的" after "您问的是哪一项?": pick among the options offered.
            summaries = [await call(activities.summary, int(i)) for i in offered]
            that_year = tuple(s for s in summaries if s is not None and s.year == year)
            if that_year:
                return Resolution(that_year)
        remembered = tracker.get_slot("activity")
        return await call(activities.resolve, remembered, year) if remembered else Resolution()

    @abc.abstractmethod
    async def _answer(self, dispatcher: CollectingDispatcher, domain: DomainDict,
                      details: ActivityDetails, today: dt.date, question: str | None) -> list[dict[str, Any]]:
        """Reply about this topic for one activity (`question`: the member's words, when the
        question is one of its own; None for a follow-up)."""


class ActionActivityDetails(ActivityQuestion):
    topic = "details"
    # what the card tells; a count, a duration or who won is asked of the notices' sentences
    answer_kinds = frozenset({"when", "year", "where", "theme", "units", "fee", "signup"})

    def name(self) -> str:
        return "action_activity_details"

    async def _answer(self, dispatcher: CollectingDispatcher, domain: DomainDict,
                      details: ActivityDetails, today: dt.date, question: str | None) -> list[dict[str, Any]]:
        role_label, organisers = organisers_of(domain, details)
        not_stated = phrase(domain, "utter_not_stated")
        practical = "".join([
            phrase(domain, "utter_detail_location", location=details.location) if details.location else "",
            phrase(domain, "utter_detail_fee", fee=details.fee) if details.fee else "",
            phrase(domain, "utter_detail_capacity", capacity=details.capacity, taken=details.seats_taken)
            if details.capacity else "",
            phrase(domain, "utter_detail_deadline", deadline=format_date(details.signup_deadline))
            if details.signup_deadline and details.signup_deadline >= today else "",
            phrase(domain, "utter_detail_audience", audience=details.audience) if details.audience else "",
            phrase(domain, "utter_detail_signup_method", method=details.signup_method)
            if details.signup_method else "",
        ])
        dispatcher.utter_message(
            response="utter_activity_details",
            practical=practical,
            activity=details.name,
            when=(f"{when_with_hours(domain, details)}，{timing_phrase(domain, details.summary.timing(today))}"
                  if details.summary.span else not_stated),
            theme=details.theme or not_stated,
            role_label=role_label,
            organisers=organisers or not_stated,
            description=details.description or not_stated,
            source=cite(domain, details.source),
        )
        return []


class ActionActivityTime(ActivityQuestion):
    topic = "time"
    answer_kinds = frozenset({"when", "year"})

    def record_answers(self, details: ActivityDetails) -> bool:
        return details.summary.span is not None

    def name(self) -> str:
        return "action_activity_time"

    async def _answer(self, dispatcher: CollectingDispatcher, domain: DomainDict,
                      details: ActivityDetails, today: dt.date, question: str | None) -> list[dict[str, Any]]:
        summary = details.summary
        if summary.span is None:
            await self.not_given(dispatcher, domain, question, "utter_activity_time_unknown",
                                 activity=details.name, source=cite(domain, details.source))
            return []
        response = "utter_activity_time"
        if asks_for_a_day(question) and DAY not in (summary.span.start.precision, summary.span.end.precision):
            # 启动仪式是9月几号: the notice says 2021年9月; a sentence may say the day, else we say it does not
            if await self.from_documents(dispatcher, domain, question):
                return []
            response = "utter_activity_time_to_the_month"
        dispatcher.utter_message(
            response=response,
            activity=details.name,
            when=when_with_hours(domain, details) if response == "utter_activity_time" else summary.span.describe(),
            timing=timing_phrase(domain, summary.timing(today)),
            source=cite(domain, details.source),
        )
        return []


class ActionActivityPlace(ActivityQuestion):
    topic = "place"
    answer_kinds = frozenset({"where"})

    def record_answers(self, details: ActivityDetails) -> bool:
        return bool(details.location)

    def name(self) -> str:
        return "action_activity_place"

    async def _answer(self, dispatcher: CollectingDispatcher, domain: DomainDict,
                      details: ActivityDetails, today: dt.date, question: str | None) -> list[dict[str, Any]]:
        if details.location:
            dispatcher.utter_message(response="utter_activity_place", activity=details.name,
                                     location=details.location, source=cite(domain, details.source))
            return []
        await self.not_given(dispatcher, domain, question, "utter_activity_place_unknown",
                             activity=details.name, organisers_hint=organisers_hint(domain, details),
                             source=cite(domain, details.source))
        return []


class ActionActivityTheme(ActivityQuestion):
    topic = "theme"
    answer_kinds = frozenset({"theme"})

    def record_answers(self, details: ActivityDetails) -> bool:
        return bool(details.theme)

    def name(self) -> str:
        return "action_activity_theme"

    async def _answer(self, dispatcher: CollectingDispatcher, domain: DomainDict,
                      details: ActivityDetails, today: dt.date, question: str | None) -> list[dict[str, Any]]:
        if not details.theme:
            await self.not_given(dispatcher, domain, question, "utter_activity_theme_unknown",
                                 activity=details.name, source=cite(domain, details.source))
            return []
        dispatcher.utter_message(response="utter_activity_theme", activity=details.name, theme=details.theme,
                                 source=cite(domain, details.source))
        return []


def organisers_hint(domain: DomainDict, details: ActivityDetails) -> str:
    """Who to ask when the notice is silent on something."""
    _, organisers = organisers_of(domain, details)
    return phrase(domain, "utter_organisers_hint", organisers=organisers) if organisers else ""


class ActionActivityFee(ActivityQuestion):
    topic = "fee"
    answer_kinds = frozenset({"fee"})

    def record_answers(self, details: ActivityDetails) -> bool:
        return bool(details.fee)

    def name(self) -> str:
        return "action_activity_fee"

    async def _answer(self, dispatcher: CollectingDispatcher, domain: DomainDict,
                      details: ActivityDetails, today: dt.date, question: str | None) -> list[dict[str, Any]]:
        if details.fee:
            dispatcher.utter_message(response="utter_activity_fee", activity=details.name,
                                     fee=details.fee, source=cite(domain, details.source))
        else:
            await self.not_given(dispatcher, domain, question, "utter_activity_fee_unknown",
                                 activity=details.name, organisers_hint=organisers_hint(domain, details),
                                 source=cite(domain, details.source))
        return []


class ActionActivityCapacity(ActivityQuestion):
    topic = "capacity"
    answer_kinds = frozenset({"count", "signup"})

    def record_answers(self, details: ActivityDetails) -> bool:
        return bool(details.capacity)

    def name(self) -> str:
        return "action_activity_capacity"

    async def _answer(self, dispatcher: CollectingDispatcher, domain: DomainDict,
                      details: ActivityDetails, today: dt.date, question: str | None) -> list[dict[str, Any]]:
        if not details.capacity:
            await self.not_given(dispatcher, domain, question, "utter_activity_capacity_unknown",
                                 activity=details.name, organisers_hint=organisers_hint(domain, details),
                                 source=cite(domain, details.source))
            return []
        deadline = details.signup_deadline
        left = details.capacity - details.seats_taken
        if deadline is None or deadline < today:
            # Seats left only mean something while sign-up is open.
            seats = phrase(domain, "utter_capacity_closed")
        elif left <= 0:
            seats = phrase(domain, "utter_capacity_full")
        else:
            seats = phrase(domain, "utter_capacity_seats_left", left=left, deadline=format_date(deadline))
        dispatcher.utter_message(response="utter_activity_capacity", activity=details.name,
                                 capacity=details.capacity, seats=seats, source=cite(domain, details.source))
        return []


class ActionActivityOrganiser(ActivityQuestion):
    topic = "organiser"
    answer_kinds = frozenset({"units"})

    def record_answers(self, details: ActivityDetails) -> bool:
        return bool(details.organisers or details.responsible_units)

    def name(self) -> str:
        return "action_activity_organiser"

    async def _answer(self, dispatcher: CollectingDispatcher, domain: DomainDict,
                      details: ActivityDetails, today: dt.date, question: str | None) -> list[dict[str, Any]]:
        role_label, organisers = organisers_of(domain, details)
        if not organisers:
            await self.not_given(dispatcher, domain, question, "utter_activity_organiser_unknown",
                                 activity=details.name, source=cite(domain, details.source))
            return []
        dispatcher.utter_message(response="utter_activity_organiser", activity=details.name,
                                 role_label=role_label, organisers=organisers,
                                 source=cite(domain, details.source))
        return []


class ActionActivityPhases(ActivityQuestion):
    topic = "phases"
    answer_kinds = frozenset({"when", "how_long", "count"})  # 分几个阶段 counts them

    def name(self) -> str:
        return "action_activity_phases"

    async def _answer(self, dispatcher: CollectingDispatcher, domain: DomainDict,
                      details: ActivityDetails, today: dt.date, question: str | None) -> list[dict[str, Any]]:
        milestones = await call(self.services.activities.inherited_milestones, details.summary.id)
        if not milestones:
            when_hint = (phrase(domain, "utter_when_hint", when=details.summary.span.describe())
                         if details.summary.span else "")
            await self.not_given(dispatcher, domain, question, "utter_activity_phases_unknown",
                                 activity=details.name, when_hint=when_hint, source=cite(domain, details.source))
            return []
        lines = [
            f"{index}. {milestone.name}：{milestone.when or phrase(domain, 'utter_not_stated')}"
            f"（{timing_phrase(domain, milestone.timing(today))}）"
            for index, milestone in enumerate(milestones, start=1)
        ]
        dispatcher.utter_message(response="utter_activity_phases", activity=details.name,
                                 count=len(milestones), phases="\n".join(lines),
                                 source=cite(domain, details.source))
        return []


class ActionActivityDeadline(ActivityQuestion):
    topic = "deadline"
    answer_kinds = frozenset({"signup", "when"})

    def record_answers(self, details: ActivityDetails) -> bool:
        return details.signup_deadline is not None

    def name(self) -> str:
        return "action_activity_deadline"

    async def _answer(self, dispatcher: CollectingDispatcher, domain: DomainDict,
                      details: ActivityDetails, today: dt.date, question: str | None) -> list[dict[str, Any]]:
        source = cite(domain, details.source)
        deadline = details.signup_deadline
        if deadline is None:
            when_hint = (phrase(domain, "utter_when_hint", when=details.summary.span.describe())
                         if details.summary.span else "")
            await self.not_given(dispatcher, domain, question, "utter_deadline_unknown",
                                 activity=details.name, when_hint=when_hint, source=source)
            return []
        milestones = await call(self.services.activities.inherited_milestones, details.summary.id)
        closing = next((m for m in milestones if m.closes_signup and m.span), None)
        response = "utter_deadline"
        if closing is not None and closing.span is not None and closing.span.end.last_day == deadline:
            # Say "2018年12月", not a day the notice never gave.
            written = format_point(closing.span.end)
            milestone = phrase(domain, "utter_deadline_milestone", milestone=closing.name)
            if asks_for_a_day(question) and closing.span.end.precision != DAY:
                response = "utter_deadline_to_the_month"  # 截止到几号: and the notice gives a month
        else:
            written, milestone = format_date(deadline), ""
        status = "utter_deadline_passed" if deadline < today else "utter_deadline_open"
        dispatcher.utter_message(response=response, activity=details.name,
                                 deadline=written, milestone=milestone,
                                 status=phrase(domain, status), source=source)
        return []


_ASKS_FOR_A_DAY = re.compile(r"几号|几日|哪天|哪一天|哪日|几点|具体日期|具体时间|具体哪")


def asks_for_a_day(question: str | None) -> bool:
    """Whether the member asks for the day (几号, 哪一天), not just when."""
    return bool(question) and bool(_ASKS_FOR_A_DAY.search(normalise(question or "")))


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
            # 企业质量管理现状调研覆盖多少个行业 names 调研 but asks a count, which no list gives
            if await answer_other_question(self.services, dispatcher, domain, text, frozenset()):
                return events
            if not _LIST_REQUEST.search(normalise(text)) and await answer_from_documents(
                    self.services, dispatcher, domain, text):
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


ANSWERS_BY_TOPIC: dict[str, type[ActivityQuestion]] = {
    action.topic: action
    for action in (ActionActivityDetails, ActionActivityTime, ActionActivityPlace,
                   ActionActivityTheme, ActionActivityFee, ActionActivityCapacity,
                   ActionActivityOrganiser, ActionActivityPhases, ActionActivityDeadline)
}
