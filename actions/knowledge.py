"""Answers from the notices' own sentences when no structured answer fits."""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.base import AssistantAction, DomainDict, asked_in, call, cite, remember_notice, remembered, utter
from services.answers import Topic
from services.answers.topics import topic_in_words
from services.container import Services
from services.retrieval import is_question, question_form
from services.textnorm import normalise

# What greets or thanks, around a question the NLU took for the greeting (你好，考试费包含在里面吗)
_PLEASANTRY = re.compile(r"你好|您好|哈喽|嗨|hi|hello|早上好|上午好|中午好|下午好|晚上好|在吗|在不在|老师好"
                         r"|谢谢|多谢|感谢|辛苦了?|麻烦(?:你|您)?了?|请问|[\W_]", re.IGNORECASE)
MIN_QUESTION = 3  # characters besides the pleasantry that can ask something (几点开)


async def answer_from_documents(services: Services, dispatcher: CollectingDispatcher,
                                domain: DomainDict, text: str | None) -> int | None:
    """Utter the best sentence of the notices and its source: the notice's id, None when none answers."""
    if not text or not text.strip():
        return None
    retriever = services.retriever
    answer = await call(retriever.answer, text, services.settings.today())
    if answer is None:
        return None
    dispatcher.utter_message(response="utter_document_answer", answer=answer.text,
                             source=cite(domain, answer.source))
    return answer.document_id


async def answer_other_question(services: Services, dispatcher: CollectingDispatcher, domain: DomainDict,
                                text: str | None, kinds: frozenset[str]) -> bool:
    """When the member's words ask what an answer of `kinds` cannot give (a count of an activity
    whose time is known, the prize of a quiz): the notices' sentences answer, or we say they do
    not, rather than state something else. False when the question is one `kinds` answers."""
    if not text or not text.strip():
        return False
    retriever = services.retriever
    if not await call(retriever.asks_beyond, text, kinds):
        return False
    if not await answer_from_documents(services, dispatcher, domain, text):
        dispatcher.utter_message(response="utter_document_no_answer")
    return True


async def answer_about_activity(services: Services, dispatcher: CollectingDispatcher, domain: DomainDict,
                                tracker: Tracker) -> list[dict[str, Any]] | None:
    """A question the NLU took for something else (包住宿吗, 能看回放吗) that names an activity or
    follows a question about one: that activity's notice answers it, or we say it does not; or
    the notice the conversation is reading, or the 公示 the words name, says. None when no
    activity or notice is meant."""
    text = tracker.latest_message.get("text")
    if not text or not is_question(question_form(text)):
        return None
    asked = asked_in(tracker, topic_in_words(text) or Topic.OTHER)
    answer = await call(services.answers.about_something, asked)
    if answer is None or answer.asks_which:
        return None  # not one activity's: the notices' sentences, or the action's own reply
    utter(dispatcher, domain, answer)
    return [SlotSet("last_topic", asked.topic.value), *remembered(answer)]


class DocumentsOrResponse(AssistantAction):
    """The member's question about an activity, else answered from the notices, else a reply
    of the domain's."""

    response = "utter_document_no_answer"

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[dict[str, Any]]:
        about_activity = await answer_about_activity(self.services, dispatcher, domain, tracker)
        if about_activity is not None:
            return about_activity
        text = tracker.latest_message.get("text")
        notice = await answer_from_documents(self.services, dispatcher, domain, text)
        if notice is None:
            dispatcher.utter_message(response=self.response)
            return []
        return remember_notice(notice)


class ActionAnswerFromDocuments(DocumentsOrResponse):
    def name(self) -> str:
        return "action_answer_from_documents"


class ActionOutOfScope(DocumentsOrResponse):
    """What the NLU takes for out of scope may still be in a notice (五年来做了多少项社会调查)."""

    response = "utter_out_of_scope"

    def name(self) -> str:
        return "action_out_of_scope"


class ActionCapabilities(DocumentsOrResponse):
    """A question the NLU takes for "what can you do" may be one a notice answers
    (优秀班组可以优先推荐哪些荣誉称号); a request for help gets the list of what the assistant does."""

    response = "utter_capabilities"

    def name(self) -> str:
        return "action_capabilities"


class PleasantryOrQuestion(DocumentsOrResponse):
    """A greeting or thanks that carries a question (谢谢，第二天下午讲啥) has the question answered;
    the pleasantry alone gets the domain's reply."""

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[dict[str, Any]]:
        rest = _PLEASANTRY.sub("", normalise(tracker.latest_message.get("text") or ""))
        if len(rest) >= MIN_QUESTION and is_question(question_form(rest)):
            return await super().act(dispatcher, tracker, domain)
        dispatcher.utter_message(response=self.response)
        return []


class ActionGreet(PleasantryOrQuestion):
    response = "utter_greet"

    def name(self) -> str:
        return "action_greet"


class ActionThank(PleasantryOrQuestion):
    response = "utter_thank"

    def name(self) -> str:
        return "action_thank"
