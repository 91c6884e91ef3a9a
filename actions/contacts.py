"""Contact questions: the phone, address, fax, postcode or contact person of an organisation."""

from __future__ import annotations

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
    remembered,
    utter,
)
from actions.knowledge import answer_from_documents, answer_other_question
from services.answers import Topic
from services.places import other_association
from services.retrieval import is_question
from services.textnorm import normalise
from services.views import CONTACT_FIELDS, ContactView, Resolution

# A contact question right after one of these is about the units behind that activity.
ACTIVITY_TOPICS = {*(topic.value for topic in Topic if topic is not Topic.CONTACT), "quality_month"}
CONTACT_KINDS = frozenset({"contact", "where"})
# The words of each contact field, for when the NLU tagged none; the most specific first.
_FIELD_WORDS = (
    ("email", re.compile(r"邮箱|e-?mail|电子邮件", re.IGNORECASE)),
    ("postcode", re.compile(r"邮编|邮政编码")),
    ("fax", re.compile(r"传真")),
    ("contact_person", re.compile(r"联系人|找谁")),
    ("phone", re.compile(r"电话|号码|手机")),
    ("address", re.compile(r"地址|哪条路|在哪")),
)
# Words that ask for a contact, when no contact field was recognised (联系方式, 怎么找他们).
_ASKS_FOR_CONTACT = re.compile(r"联系|电话|地址|传真|邮编|邮政编码|邮箱|找|在哪|怎么去|号码")


class ActionContact(AssistantAction):
    def name(self) -> str:
        return "action_contact"

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[dict[str, Any]]:
        return await self.answer(dispatcher, tracker, domain)

    async def answer(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                     domain: DomainDict) -> list[dict[str, Any]]:
        contacts = self.services.contacts
        events: list[dict[str, Any]] = [SlotSet("last_topic", "contact")]
        known = "、".join(await call(contacts.with_contacts))
        text = tracker.latest_message.get("text") or ""
        other = other_association(text)
        if other is not None:  # 北京市质量协会电话: not ours, whatever the NLU tagged
            dispatcher.utter_message(response="utter_organisation_not_found", query=other, known=known)
            return events
        named = latest_entity(tracker, "organisation")
        resolution = await call(contacts.resolve, named) if named else None
        if resolution is None or not resolution.matches:
            # Untagged names in the sentence, then the units behind an activity the
            # member names or just asked about, then the organisation asked about before.
            in_text = await call(contacts.resolve, text)
            if in_text.matches:
                resolution = in_text
            elif not named:
                resolution = await self._units_behind_activity(tracker)
                if not resolution.matches and tracker.get_slot("organisation"):
                    resolution = await call(contacts.resolve, tracker.get_slot("organisation"))
        # A question of its own (not "市总工会呢?") that asks nothing of a contact (上海市质量协会是
        # 哪一年成立的, 质协是5A级社会组织吗) is answered from the notices when they can.
        simplified = normalise(text)
        other_question = not is_follow_up(tracker) \
            and latest_entity(tracker, "contact_field") is None and not _ASKS_FOR_CONTACT.search(simplified)
        if other_question:
            if await answer_other_question(self.services, dispatcher, domain, text, CONTACT_KINDS) \
                    or await answer_from_documents(self.services, dispatcher, domain, text):
                return events
            if is_question(simplified):
                # 质协的微信公众号叫什么: no contact card answers it, and no notice does
                dispatcher.utter_message(response="utter_document_no_answer")
                return events
        if (resolution is None or not resolution.matches) and not named and tracker.get_slot("notice") is not None:
            # 异议找谁 while reading a 公示: the contact that notice gives
            in_notice = await call(self.services.answers.in_notice, asked_in(tracker, Topic.CONTACT))
            if in_notice is not None:
                utter(dispatcher, domain, in_notice)
                return [*events, *remembered(in_notice)]
        if resolution is None or not resolution.matches:
            if named:
                dispatcher.utter_message(response="utter_organisation_not_found", query=named,
                                         known=known)
            else:
                dispatcher.utter_message(response="utter_which_organisation", known=known)
            return events
        contact = next((c for c in resolution.matches if c.has_any), resolution.matches[0])
        events.append(SlotSet("organisation", contact.organisation))
        if not contact.has_any:
            dispatcher.utter_message(response="utter_contact_none",
                                     organisation=contact.organisation, known=known)
            return events
        field = latest_entity(tracker, "contact_field")
        if field is None and is_follow_up(tracker):
            field = tracker.get_slot("contact_field")  # "市总工会呢?" after "市质协电话多少"
        if field is None:  # the NLU tagged no field the words name (市质协的电子邮箱是多少)
            field = next((name for name, words in _FIELD_WORDS if words.search(simplified)), None)
        if field in CONTACT_FIELDS:
            if not contact.field(field):
                # 回执发到哪个邮箱: no contact gives one, the activity's notice may (…发送至 sqe@…)
                in_notice = await call(self.services.answers.about_activity, asked_in(tracker, Topic.OTHER))
                if in_notice is not None and in_notice.response == "utter_document_answer":
                    utter(dispatcher, domain, in_notice)
                    return [*events, *remembered(in_notice)]
            self._answer_field(dispatcher, domain, contact, field)
            return [*events, SlotSet("contact_field", field)]
        self._answer_all(dispatcher, domain, contact)
        return [*events, SlotSet("contact_field", None)]

    async def _units_behind_activity(self, tracker: Tracker) -> Resolution[ContactView]:
        """"培训班联系人是谁", or "电话呢" right after a question about an activity."""
        activities = self.services.activities
        named = latest_entity(tracker, "activity")
        found = await call(activities.resolve, named) if named else Resolution()
        if not found.matches:
            found = await call(activities.resolve, tracker.latest_message.get("text"), None, False)
        remembered = tracker.get_slot("activity")
        if not found.matches and remembered and tracker.get_slot("last_topic") in ACTIVITY_TOPICS:
            found = await call(activities.resolve, remembered)
        if found.unique is None:
            return Resolution()
        return Resolution(tuple(await call(self.services.contacts.for_activity, found.unique.id)))

    @staticmethod
    def _answer_field(dispatcher: CollectingDispatcher, domain: DomainDict,
                      contact: ContactView, field: str) -> None:
        label = phrase(domain, f"utter_label_{field}")
        value = contact.field(field)
        if value:
            dispatcher.utter_message(response="utter_contact_field", organisation=contact.organisation,
                                     field_label=label, value=value, source=cite(domain, contact.source))
            return
        dispatcher.utter_message(response="utter_contact_field_unknown",
                                 organisation=contact.organisation, field_label=label)
        ActionContact._answer_all(dispatcher, domain, contact)

    @staticmethod
    def _answer_all(dispatcher: CollectingDispatcher, domain: DomainDict, contact: ContactView) -> None:
        not_stated = phrase(domain, "utter_not_stated")
        dispatcher.utter_message(
            response="utter_contact_all",
            organisation=contact.organisation,
            address=contact.address or not_stated,
            postcode=contact.postcode or not_stated,
            phones=contact.field("phone") or not_stated,
            fax=contact.fax or not_stated,
            persons=contact.field("contact_person") or not_stated,
            source=cite(domain, contact.source),
        )
