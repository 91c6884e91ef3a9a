"""A member asks for a person (转人工, 我要投诉, the menu's 人工服务): the request is recorded for
the console's queue, and the member is told at once when a person will answer."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.base import AssistantAction, DomainDict, call, member_key, utter
from actions.signup import form_slot_resets
from services.senders import member_user_id

# The gateway says in the metadata how replies reach this member after the passive window.
LIVE_DELIVERY = "customer_service"


def earlier_question(tracker: Tracker) -> str | None:
    """What the member wrote before asking for a person (转人工 alone says nothing of the matter)."""
    texts = [str(event.get("text") or "") for event in tracker.applied_events() if event.get("event") == "user"]
    earlier = [text for text in texts[:-1] if text and not text.startswith("/")]
    return earlier[-1] if earlier else None


class ActionRequestHandoff(AssistantAction):
    def name(self) -> str:
        return "action_request_handoff"

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[dict[str, Any]]:
        channel, sender = member_key(tracker)
        metadata = tracker.latest_message.get("metadata") or {}
        text = str(tracker.latest_message.get("text") or "")
        recorded = await call(self.services.handoff.request, channel, member_user_id(channel, sender),
                              None if text.startswith("/") else text,  # a menu click: "/human_handoff"
                              earlier_question(tracker), metadata.get("account"),
                              metadata.get("delivery") == LIVE_DELIVERY)
        utter(dispatcher, domain, recorded.answer)
        # Asked in the middle of signing up: the form has ended (the rule), so do its slots.
        return form_slot_resets(domain) if tracker.get_slot("requested_slot") else []
