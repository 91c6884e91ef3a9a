"""Follow-ups ("市总工会呢?", "2019年的呢", "第二个"), clarification and fallback."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet, UserUtteranceReverted
from rasa_sdk.executor import CollectingDispatcher

from actions.activities import ActionActivityDetails, ActionListActivities, ActionQualityMonth
from actions.base import AssistantAction, DomainDict, call, last_topic, latest_entity, remember_notice
from actions.contacts import ActionContact
from actions.knowledge import answer_about_activity, answer_from_documents
from services.answers import Topic
from services.answers.topics import topic_in_words
from services.retrieval import is_question, question_form
from services.textnorm import parse_choice

FALLBACK_INTENT = "nlu_fallback"


def previous_user_intent(tracker: Tracker) -> str | None:
    """The intent of the user message before the latest one (reverted ones do not count)."""
    user_events = [e for e in tracker.applied_events() if e.get("event") == "user"]
    if len(user_events) < 2:
        return None
    return (user_events[-2].get("parse_data") or {}).get("intent", {}).get("name")


class ActionAnswerFollowup(AssistantAction):
    """Answers the last question again, about what the member just named."""

    def name(self) -> str:
        return "action_answer_followup"

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[dict[str, Any]]:
        topic = tracker.get_slot("last_topic")
        asked_topic = last_topic(tracker)
        candidates = tracker.get_slot("activity_candidates") or []
        choice = parse_choice(tracker.latest_message.get("text"), len(candidates))
        if choice is not None:
            events = await ActionActivityDetails(self.services).answer_about(
                dispatcher, tracker, domain, follow_up=True, chosen_id=int(candidates[choice - 1]),
                topic=asked_topic)
            return [*events, SlotSet("activity_candidates", None)]

        has_org = latest_entity(tracker, "organisation") is not None
        has_activity = latest_entity(tracker, "activity") is not None
        has_year = latest_entity(tracker, "year") is not None
        if has_org and (topic in (None, "contact") or not has_activity):
            return await ActionContact(self.services).answer(dispatcher, tracker, domain)
        if topic == "quality_month" and has_year and not has_activity:
            return await ActionQualityMonth(self.services).act(dispatcher, tracker, domain)
        if topic == "list" or (has_year and not has_activity and not candidates
                               and not tracker.get_slot("activity")):
            return await ActionListActivities(self.services).act(dispatcher, tracker, domain)
        if has_activity or has_year or candidates:
            return await ActionActivityDetails(self.services).answer_about(
                dispatcher, tracker, domain, follow_up=True, topic=asked_topic)
        if tracker.get_slot("activity") or tracker.get_slot("notice"):
            # 非会员呢, 密码呢: more of the activity (or the notice) talked about, which its notice may say
            return await ActionActivityDetails(self.services).answer_about(
                dispatcher, tracker, domain, follow_up=True, topic=Topic.OTHER)
        dispatcher.utter_message(response="utter_ask_rephrase")
        return []


class ActionAcknowledge(AssistantAction):
    """是的, 不用了 with nothing pending: acknowledged. A question the NLU took for a yes or a no
    (那不是会员呢, 原来不是12月吗) goes on with the activity or notice talked about instead."""

    def name(self) -> str:
        return "action_acknowledge"

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[dict[str, Any]]:
        text = tracker.latest_message.get("text") or ""
        if is_question(question_form(text)) and (tracker.get_slot("activity") or tracker.get_slot("notice")):
            topic = topic_in_words(text) or last_topic(tracker) or Topic.OTHER
            return await ActionActivityDetails(self.services).answer_about(
                dispatcher, tracker, domain, follow_up=True, topic=topic)
        dispatcher.utter_message(response="utter_ok")
        return []


class ActionClarifyOrFallback(AssistantAction):
    """Low confidence: an answer from the notices when one fits; else first one
    clarifying question, then the hotline."""

    def name(self) -> str:
        return "action_clarify_or_fallback"

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[dict[str, Any]]:
        text = (tracker.latest_message.get("text") or "").strip()
        if not text:
            dispatcher.utter_message(response="utter_empty_message")
            return [UserUtteranceReverted()]
        candidates = tracker.get_slot("activity_candidates") or []
        if parse_choice(text, len(candidates)) is not None:
            return await ActionAnswerFollowup(self.services).act(dispatcher, tracker, domain)
        about_activity = await answer_about_activity(self.services, dispatcher, domain, tracker)
        if about_activity is not None:
            return about_activity
        notice = await answer_from_documents(self.services, dispatcher, domain, text)
        if notice is not None:
            return remember_notice(notice)
        if previous_user_intent(tracker) == FALLBACK_INTENT:
            return await ActionDefaultFallback(self.services).act(dispatcher, tracker, domain)
        dispatcher.utter_message(response="utter_ask_rephrase")
        return []


class ActionDefaultFallback(AssistantAction):
    """Nothing fits: an answer from the notices when one does, else apologise and
    give the association's hotline from its notice."""

    def name(self) -> str:
        return "action_default_fallback"

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[dict[str, Any]]:
        if await answer_from_documents(self.services, dispatcher, domain,
                                       tracker.latest_message.get("text")):
            return [UserUtteranceReverted()]
        organisation = self.services.settings.hotline_organisation
        contact = await call(self.services.contacts.contact, organisation)
        phone = contact.field("phone") if contact else None
        if phone:
            dispatcher.utter_message(response="utter_default", organisation=organisation, phone=phone)
        else:
            dispatcher.utter_message(response="utter_default_no_hotline")
        return [UserUtteranceReverted()]
