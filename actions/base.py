"""What every action shares: lazy services, safe execution and reply fragments."""

from __future__ import annotations

import abc
import asyncio
import logging
from collections.abc import Callable
from typing import Any, TypeVar

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.exc import SQLAlchemyError

from services.answers import Answer, Asked, Phrase, Topic
from services.answers.replies import Value
from services.container import Services, get_services
from services.dates import Timing
from services.views import SourceView

log = logging.getLogger(__name__)
T = TypeVar("T")
DomainDict = dict[str, Any]


async def call(function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run a (blocking) service call off the event loop."""
    return await asyncio.to_thread(function, *args, **kwargs)


def phrase(domain: DomainDict, response: str, **values: Any) -> str:
    """A fragment from domain.yml (labels, timing words) to put inside another reply."""
    variants = domain.get("responses", {}).get(response) or [{"text": ""}]
    text = variants[0].get("text", "")
    return text.format(**values) if values else text


def render(domain: DomainDict, value: Value) -> str | int:
    """A typed reply's value as text: fragments from domain.yml, tuples one after the other."""
    if isinstance(value, Phrase):
        return phrase(domain, value.response, **{k: render(domain, v) for k, v in value.values.items()})
    if isinstance(value, tuple):
        return "".join(str(render(domain, item)) for item in value)
    return value


def utter(dispatcher: CollectingDispatcher, domain: DomainDict, answer: Answer) -> None:
    dispatcher.utter_message(response=answer.response,
                             **{name: render(domain, value) for name, value in answer.values.items()})


def remembered(answer: Answer) -> list[dict[str, Any]]:
    """What the conversation keeps: the activity answered about, the options offered, or the
    notice read when no activity was (the conversation has moved off the activity before)."""
    if answer.candidates is not None:
        return [SlotSet("activity_candidates", list(answer.candidates))]
    if answer.activity is not None:
        return [SlotSet("activity", answer.activity), SlotSet("activity_candidates", None),
                SlotSet("notice", None)]
    if answer.notice is not None:
        return remember_notice(answer.notice)
    return []


def remember_notice(document_id: int) -> list[dict[str, Any]]:
    return [SlotSet("notice", float(document_id)), SlotSet("activity", None), SlotSet("activity_candidates", None)]


def timing_phrase(domain: DomainDict, timing: Timing | None) -> str:
    if timing is None:
        return phrase(domain, "utter_not_stated")
    return phrase(domain, f"utter_timing_{timing.value}")


def cite(domain: DomainDict, source: SourceView | None) -> str:
    return source.cite() if source else phrase(domain, "utter_not_stated")


def is_follow_up(tracker: Tracker) -> bool:
    """Whether the member's words go on with the last question ("市总工会呢?", "2018年的"):
    the NLU's `inform`, which a question of its own is not."""
    return tracker.latest_message.get("intent", {}).get("name") == "inform"


def latest_entity(tracker: Tracker, entity: str) -> str | None:
    value = next(tracker.get_latest_entity_values(entity), None)
    return str(value) if value not in (None, "") else None


def talked_about(tracker: Tracker, named: str | None) -> str | None:
    """The activity the conversation was about before this message. The slot is also filled from
    the message's own entity (区长质量奖是哪几家企业): that is what is named, not remembered."""
    activity = tracker.get_slot("activity")
    return None if activity is None or activity == named else str(activity)


def last_topic(tracker: Tracker) -> Topic | None:
    """The topic of the last question about an activity (the slot also holds "list", "contact" …)."""
    value = tracker.get_slot("last_topic")
    return Topic(value) if value in {t.value for t in Topic} else None


def member_key(tracker: Tracker) -> tuple[str, str]:
    """(channel, user id): the gateway passes the channel in the message metadata."""
    metadata = tracker.latest_message.get("metadata") or {}
    channel = metadata.get("channel") or tracker.get_latest_input_channel() or "rest"
    return str(channel), tracker.sender_id


def asked_in(tracker: Tracker, topic: Topic, follow_up: bool = False, chosen: int | None = None,
             about: str | None = None) -> Asked:
    """The member's latest question as the answer service takes it. `about`: the activity the
    conversation is about when it is not the `activity` slot (the one being signed up for)."""
    notice = tracker.get_slot("notice")
    named = latest_entity(tracker, "activity")
    return Asked(
        topic=topic,
        text=tracker.latest_message.get("text"),
        named=named,
        year=latest_entity(tracker, "year") or (tracker.get_slot("year") if follow_up else None),
        follow_up=follow_up,
        remembered=about or talked_about(tracker, named),
        offered=tuple(int(i) for i in tracker.get_slot("activity_candidates") or ()),
        chosen=chosen,
        notice=int(notice) if notice is not None else None,
    )


class UsesServices:
    """Services built on first use (rasa-sdk creates actions with no arguments);
    tests pass their own."""

    def __init__(self, services: Services | None = None) -> None:
        self._services = services

    @property
    def services(self) -> Services:
        if self._services is None:
            self._services = get_services()
        return self._services


class AssistantAction(UsesServices, Action, abc.ABC):
    """An action whose failures become a polite reply, never a traceback."""

    @abc.abstractmethod
    def name(self) -> str:
        """The action's name in domain.yml."""

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        try:
            return await self.act(dispatcher, tracker, domain)
        except SQLAlchemyError:
            log.exception("database error in %s", self.name())
            dispatcher.utter_message(response="utter_service_error")
            return []

    @abc.abstractmethod
    async def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Do the action's work; database errors are handled by `run`."""
