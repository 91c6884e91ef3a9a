"""Signing up: the form, its validation, submission, listing and cancelling."""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import FormValidationAction, Tracker
from rasa_sdk.events import ActiveLoop, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.exc import SQLAlchemyError

from actions.activities import list_items
from actions.base import (
    AssistantAction,
    UsesServices,
    asked_in,
    call,
    latest_entity,
    log,
    member_key,
    remembered,
    utter,
)
from actions.knowledge import answer_about_activity, answer_from_documents
from services.answers import Topic
from services.answers.topics import INTENT_TOPICS, topic_in_words
from services.dates import format_date
from services.retrieval import is_question, question_form
from services.signups import Eligibility, SignupCheck
from services.textnorm import normalise, parse_choice
from services.validation import check_company, check_mobile, check_name
from services.views import ActivitySummary

FORM = "signup_form"


def form_slot_resets(domain: DomainDict) -> list[dict[str, Any]]:
    """Clear every slot the sign-up form fills, as domain.yml lists them."""
    required = domain.get("forms", {}).get(FORM, {}).get("required_slots", [])
    return [SlotSet(slot, None) for slot in [*required, "signup_activity_id"]]


def explain_refusal(dispatcher: CollectingDispatcher, check: SignupCheck) -> None:
    name = check.activity.name if check.activity else ""
    if check.eligibility is Eligibility.CLOSED and check.deadline:
        dispatcher.utter_message(response="utter_signup_closed", activity=name,
                                 deadline=format_date(check.deadline))
    elif check.eligibility is Eligibility.FULL:
        dispatcher.utter_message(response="utter_signup_full", activity=name, capacity=check.capacity)
    elif check.eligibility is Eligibility.ALREADY:
        dispatcher.utter_message(response="utter_signup_already", activity=name,
                                 reference=check.existing_reference)
    elif check.eligibility is Eligibility.APPLY_ELSEWHERE and check.signup_method:
        dispatcher.utter_message(response="utter_signup_apply_elsewhere", activity=name,
                                 method=check.signup_method)
    elif check.eligibility is Eligibility.NO_SIGNUP and check.signup_method:
        dispatcher.utter_message(response="utter_signup_not_offered_method", activity=name,
                                 method=check.signup_method)
    else:
        dispatcher.utter_message(response="utter_signup_not_offered", activity=name)


async def open_for_member(action: UsesServices, tracker: Tracker) -> list[ActivitySummary]:
    """Open activities, without those the member already signed up for."""
    channel, user = member_key(tracker)
    signed = {s.activity_id for s in await call(action.services.signups.list_for, channel, user)}
    return [a for a in await call(action.services.signups.open_activities) if a.id not in signed]


# What the NLU takes for a question, whatever the form is waiting for.
_QUESTION_INTENTS = frozenset({*INTENT_TOPICS, "ask_activity_other", "ask_contact", "ask_quality_month"})
# Words of a member who asks to be signed up ("能报名质量大讲堂吗" is a request, not a question).
_ASKS_TO_SIGN_UP = re.compile(r"报名|报个名|参加|登记")
# Whether one has to sign up at all (要报名吗, 需不需要提前预约): a question of how one takes part.
_ASKS_IF_NEEDED = re.compile(r"(?:要|需要|用|须|得|必须)(?:提前|先|另外|单独)?(?:报名|报个名|预约|登记)(?:吗|么|嘛|不)"
                             r"|(?:要不要|需不需要|用不用|是否需要|需要不需要)(?:提前|先|另外|单独)?(?:报名|预约|登记)")


def question_asked(tracker: Tracker) -> Topic | None:
    """The topic of a question the member asks while the form waits for an answer
    ("要交费吗" when asked for a name): a question in form and in intent or words."""
    text = str(tracker.latest_message.get("text") or "")
    if not is_question(question_form(text)):
        return None
    intent = (tracker.latest_message.get("intent") or {}).get("name")
    words = topic_in_words(text)
    if words is None and intent not in _QUESTION_INTENTS:
        return None
    if intent == "ask_contact":
        return words or Topic.CONTACT
    return words or INTENT_TOPICS.get(intent or "", Topic.OTHER)


def question_instead_of_request(tracker: Tracker) -> Topic | None:
    """The topic of a question the NLU took for a request to sign up ("申报要交费吗",
    "什么时候颁奖", "一个单位最多能报几个班组"); None for a request ("我要报名", "能报名大讲堂吗")."""
    text = normalise(str(tracker.latest_message.get("text") or ""))
    if not is_question(question_form(text)):
        return None
    if _ASKS_IF_NEEDED.search(text):
        return Topic.SIGNUP_METHOD
    words = topic_in_words(text)
    if words is not None and words is not Topic.AUDIENCE:
        return words
    return None if _ASKS_TO_SIGN_UP.search(text) else Topic.OTHER


class ValidateSignupForm(UsesServices, FormValidationAction):
    def name(self) -> str:
        return "validate_signup_form"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[dict[str, Any]]:
        """A question is answered, about the activity being signed up for (or talked about)
        unless it names another. One that started the form ends it; one asked while the form
        waits makes it ask again: nothing typed is taken for a name or a number, nothing filled
        so far is lost."""
        requested = tracker.get_slot("requested_slot")
        starting = requested is None
        topic = question_instead_of_request(tracker) if starting else question_asked(tracker)
        if topic is None and requested == "signup_activity":
            topic = await self._question_naming_no_activity(tracker)
        if topic is None:
            return await super().run(dispatcher, tracker, domain)
        # the activity being signed up for once it is chosen (before, the slot holds the words typed)
        chosen = tracker.get_slot("signup_activity") if tracker.get_slot("signup_activity_id") else None
        asked = asked_in(tracker, topic, about=chosen)
        try:
            answer = await call(self.services.answers.answer, asked)
        except SQLAlchemyError:
            log.exception("database error while answering a question during sign-up")
            dispatcher.utter_message(response="utter_service_error")
            return [SlotSet(requested, None)] if requested else []
        if starting and answer.asks_which:
            return await super().run(dispatcher, tracker, domain)  # "怎么报名": which one is the form's question
        utter(dispatcher, domain, answer)
        if starting:
            return [ActiveLoop(None), SlotSet("requested_slot", None), *remembered(answer)]
        return [SlotSet(requested, None), *remembered(answer)]

    async def _question_naming_no_activity(self, tracker: Tracker) -> Topic | None:
        """A question typed while the form asks which activity ("之后还能看吗"), naming none of those
        open: a question about the activity talked about, not the name of one to sign up for."""
        text = str(tracker.latest_message.get("text") or "")
        if not is_question(question_form(text)):
            return None
        try:
            named = await self._matching(text, await open_for_member(self, tracker))
        except SQLAlchemyError:
            log.exception("database error while reading the activity names")
            return None
        return None if named else Topic.OTHER

    async def extract_signup_activity(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                      domain: DomainDict) -> dict[str, Any]:
        """"我要报名卓越绩效自评师培训班": a name the NLU never saw in training is not
        tagged, so look for known names in the words that started the form."""
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        if tracker.get_slot("signup_activity") or tracker.get_slot("requested_slot") or intent != "signup":
            return {}
        text = str(tracker.latest_message.get("text") or "")
        try:
            named = (await call(self.services.activities.resolve, text, None, False)).matches \
                or await call(self.services.answers.named_in, text)
        except SQLAlchemyError:
            log.exception("database error while reading the activity names")
            return {}
        return {"signup_activity": text} if named else {}

    async def validate_signup_activity(self, value: Any, dispatcher: CollectingDispatcher,
                                       tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        text = str(value or "")
        channel, user = member_key(tracker)
        try:
            open_now = await open_for_member(self, tracker)
            matches = await self._matching(text, open_now)
            latest_text = str(tracker.latest_message.get("text") or "")
            if len(matches) != 1 and latest_text != text:
                # The entity may be only part of the name (质量大讲堂 in 冬季质量大讲堂).
                matches = await self._matching(latest_text, open_now)
            if len(matches) != 1:
                dispatcher.utter_message(response="utter_signup_activity_not_found", query=text)
                return {"signup_activity": None, "signup_activity_id": None}
            check = await call(self.services.signups.check, matches[0].id, channel, user)
        except SQLAlchemyError:
            log.exception("database error while validating the activity")
            dispatcher.utter_message(response="utter_service_error")
            return {"signup_activity": None}
        if check.eligibility is not Eligibility.OPEN or check.activity is None:
            explain_refusal(dispatcher, check)
            return {"signup_activity": None, "signup_activity_id": None}
        return {"signup_activity": check.activity.name, "signup_activity_id": check.activity.id}

    async def _matching(self, text: str, open_now: list[ActivitySummary]) -> tuple[ActivitySummary, ...]:
        """The activities `text` names: an option number; an open activity named as members
        shorten names (卓越绩效讲座); else names and aliases, preferring the open one when a name
        fits several (an activity that is closed is named so that the member hears why)."""
        choice = parse_choice(text, len(open_now))
        if choice is not None:
            return (open_now[choice - 1],)
        open_ids = {a.id for a in open_now}
        named = await call(self.services.answers.named_in, text)
        if any(m.id in open_ids for m in named):
            return tuple(m for m in named if m.id in open_ids)
        matches = (await call(self.services.activities.resolve, text)).matches
        if not matches:  # a whole sentence: "我要报名内审员培训"
            matches = (await call(self.services.activities.resolve, text, None, False)).matches
        matches = matches or named
        if len(matches) > 1 and any(m.id in open_ids for m in matches):
            return tuple(m for m in matches if m.id in open_ids)
        return matches

    def validate_person_name(self, value: Any, dispatcher: CollectingDispatcher,
                             tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        checked = check_name(str(value or ""))
        if not checked.ok:
            dispatcher.utter_message(response="utter_invalid_name")
        return {"person_name": checked.value}

    def validate_mobile(self, value: Any, dispatcher: CollectingDispatcher,
                        tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        checked = check_mobile(str(value or ""))
        if not checked.ok:
            dispatcher.utter_message(response=f"utter_invalid_mobile_{checked.problem}")
        return {"mobile": checked.value}

    def validate_company(self, value: Any, dispatcher: CollectingDispatcher,
                         tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        checked = check_company(str(value or ""))
        if not checked.ok:
            dispatcher.utter_message(response="utter_invalid_company")
        return {"company": checked.value}


class ActionAskSignupActivity(AssistantAction):
    """Offers the activities open for sign-up, or ends the form when there are none."""

    def name(self) -> str:
        return "action_ask_signup_activity"

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[dict[str, Any]]:
        today = self.services.activities.today()
        open_now = await open_for_member(self, tracker)
        if not open_now:
            dispatcher.utter_message(response="utter_no_open_activities", today=format_date(today))
            return [ActiveLoop(None), SlotSet("requested_slot", None), *form_slot_resets(domain)]
        dispatcher.utter_message(response="utter_ask_signup_activity",
                                 options=list_items(domain, open_now, today, numbered=True))
        return []


class ActionSubmitSignup(AssistantAction):
    def name(self) -> str:
        return "action_submit_signup"

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[dict[str, Any]]:
        activity_id = tracker.get_slot("signup_activity_id")
        confirmed = tracker.get_slot("signup_confirmed")
        if activity_id is None:
            return form_slot_resets(domain)
        if not confirmed:
            dispatcher.utter_message(response="utter_signup_not_submitted")
            return form_slot_resets(domain)
        channel, user = member_key(tracker)
        try:
            outcome = await call(
                self.services.signups.sign_up, int(activity_id), channel, user,
                tracker.get_slot("person_name"), tracker.get_slot("mobile"), tracker.get_slot("company"),
            )
        except SQLAlchemyError:
            log.exception("sign-up could not be stored")
            dispatcher.utter_message(response="utter_service_error")
            # Keep what the member typed; saying 我要报名 again shows it for confirmation.
            return [SlotSet("signup_confirmed", None)]
        if outcome.signup is not None:
            dispatcher.utter_message(response="utter_signup_done", activity=outcome.signup.activity_name,
                                     name=outcome.signup.name, reference=outcome.signup.reference)
        else:
            explain_refusal(dispatcher, outcome.check)
        return form_slot_resets(domain)


class ActionStopSignup(AssistantAction):
    def name(self) -> str:
        return "action_stop_signup"

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[dict[str, Any]]:
        dispatcher.utter_message(response="utter_signup_stopped")
        return form_slot_resets(domain)


# A request for one's own sign-ups: 我报了哪些, 我报名了吗, 我的报名, 查一下报名记录 …
_ASKS_OWN_SIGNUPS = re.compile(r"我(?:的|都|已经)?报(?:名)?(?:了|过|的)|我的(?:报名|活动)|报名(?:记录|情况|编号)"
                               r"|查.{0,4}报名|编号")
# Words that may be about them when nothing else is asked ("我的", "取消").
_MAY_BE_OWN_SIGNUPS = re.compile(r"报|我的|我参加|我登记|取消|编号")


class ActionMySignups(AssistantAction):
    def name(self) -> str:
        return "action_my_signups"

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[dict[str, Any]]:
        text = normalise(tracker.latest_message.get("text") or "")
        if not _ASKS_OWN_SIGNUPS.search(text):
            # 我自己能直接报名吗, 之前报过名了要重新报吗: a question about an activity
            about_activity = await answer_about_activity(self.services, dispatcher, domain, tracker)
            if about_activity is not None:
                return about_activity
            if not _MAY_BE_OWN_SIGNUPS.search(text) and await answer_from_documents(
                    self.services, dispatcher, domain, text):
                return []  # 服务质量专项检查查哪些: not a question about the member's own sign-ups
        channel, user = member_key(tracker)
        signups = await call(self.services.signups.list_for, channel, user)
        if not signups:
            dispatcher.utter_message(response="utter_my_signups_none")
            return []
        items = "\n".join(f"• {s.activity_name}（{s.reference}，{format_date(s.created_at.date())}）"
                          for s in signups)
        dispatcher.utter_message(response="utter_my_signups", count=len(signups), items=items)
        return []


class ActionRequestCancel(AssistantAction):
    """Finds which sign-up to cancel and asks the member to confirm."""

    def name(self) -> str:
        return "action_request_cancel"

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[dict[str, Any]]:
        channel, user = member_key(tracker)
        signups = await call(self.services.signups.list_for, channel, user)
        if not signups:
            # 改期了我去不了怎么办, 去不了钱能退吗: a question about the activity, not a cancellation
            about_activity = await answer_about_activity(self.services, dispatcher, domain, tracker)
            if about_activity is not None:
                return [*about_activity, SlotSet("cancel_activity_id", None)]
            dispatcher.utter_message(response="utter_cancel_nothing")
            return [SlotSet("cancel_activity_id", None)]
        named = latest_entity(tracker, "activity")
        chosen = signups[0] if len(signups) == 1 and not named else None
        named_elsewhere = None
        # The tagged name may be only part of it (大讲堂 in 冬季大讲堂): try the
        # whole message too, and look only among this member's sign-ups.
        for text, fuzzy in ((named, True), (tracker.latest_message.get("text"), False)):
            if chosen is not None or not text:
                continue
            resolution = await call(self.services.activities.resolve, text, None, fuzzy)
            ids = {m.id for m in resolution.matches}
            mine = [s for s in signups if s.activity_id in ids]
            if len(mine) == 1:
                chosen = mine[0]
            elif named and resolution.matches and not mine and named_elsewhere is None:
                named_elsewhere = resolution.matches[0].name
        if chosen is None and named_elsewhere is not None:
            dispatcher.utter_message(response="utter_cancel_not_signed", activity=named_elsewhere)
            return [SlotSet("cancel_activity_id", None)]
        if chosen is None:
            items = "\n".join(f"• {s.activity_name}（{s.reference}）" for s in signups)
            dispatcher.utter_message(response="utter_cancel_which", items=items)
            return [SlotSet("cancel_activity_id", None)]
        dispatcher.utter_message(response="utter_confirm_cancel", activity=chosen.activity_name,
                                 reference=chosen.reference)
        return [SlotSet("cancel_activity_id", float(chosen.activity_id))]


class ActionCancelSignup(AssistantAction):
    def name(self) -> str:
        return "action_cancel_signup"

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[dict[str, Any]]:
        activity_id = tracker.get_slot("cancel_activity_id")
        if activity_id is None:
            dispatcher.utter_message(response="utter_ok")
            return []
        channel, user = member_key(tracker)
        cancelled = await call(self.services.signups.cancel, int(activity_id), channel, user)
        if cancelled is None:
            dispatcher.utter_message(response="utter_cancel_nothing")
        else:
            dispatcher.utter_message(response="utter_cancel_done", activity=cancelled.activity_name,
                                     reference=cancelled.reference)
        return [SlotSet("cancel_activity_id", None)]
