"""Answers from the notices' own sentences when no structured answer fits."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.base import AssistantAction, DomainDict, call, cite
from services.container import Services
from services.retrieval import retriever_for


async def answer_from_documents(services: Services, dispatcher: CollectingDispatcher,
                                domain: DomainDict, text: str | None) -> bool:
    """Utter the best sentence of the notices and its source; False when none answers."""
    if not text or not text.strip():
        return False
    retriever = retriever_for(services.session_factory)
    answer = await call(retriever.answer, text, services.settings.today())
    if answer is None:
        return False
    dispatcher.utter_message(response="utter_document_answer", answer=answer.text,
                             source=cite(domain, answer.source))
    return True


class ActionAnswerFromDocuments(AssistantAction):
    """The member's question answered from the notices, or a request to rephrase."""

    def name(self) -> str:
        return "action_answer_from_documents"

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[dict[str, Any]]:
        text = tracker.latest_message.get("text")
        if not await answer_from_documents(self.services, dispatcher, domain, text):
            dispatcher.utter_message(response="utter_document_no_answer")
        return []
