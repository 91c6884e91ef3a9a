"""A member asking for a person: the request, the queue, and what the member is told
(SQLite and PostgreSQL; run by both environments: SQLAlchemy 1.4 and 2.x)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from services.answers import Phrase
from services.db import make_engine, make_session_factory
from services.handoff import ACTIVE, PENDING, RESOLVED, HandoffService, next_opening, when_answered
from services.models import Activity, Member, Signup
from services.settings import SHANGHAI, SettingsError, WorkingHours, load_settings
from services.setup import migrate
from services.takeover import TakeoverService

HOURS = WorkingHours(days=frozenset({1, 2, 3, 4, 5}), start=dt.time(9, 0), end=dt.time(17, 0), reply_minutes=10)
# A Tuesday morning, Shanghai time.
TUESDAY_10 = dt.datetime(2026, 12, 8, 10, 0, tzinfo=SHANGHAI)


class Clock:
    def __init__(self, now: dt.datetime) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now


@pytest.fixture
def factory(database_url: str) -> Iterator:
    migrate(database_url)
    engine = make_engine(database_url)
    yield make_session_factory(engine)
    engine.dispose()


@pytest.fixture
def clock() -> Clock:
    return Clock(TUESDAY_10)


@pytest.fixture
def handoffs(factory, clock) -> HandoffService:
    return HandoffService(factory, HOURS, clock)


def test_a_request_waits_in_the_queue_and_the_member_is_told_how_soon(handoffs):
    recorded = handoffs.request("wechat", "o-1", "我想开发票，能找个人工吗", None, "gh_1", live=False)
    assert recorded.new
    assert recorded.answer.response == "utter_handoff_in_hours"
    assert recorded.answer.values == {"minutes": 10, "hint": Phrase("utter_handoff_hint_next_message")}
    [entry] = handoffs.queue()
    assert (entry.status, entry.question, entry.user_id, entry.assigned_to) == (PENDING, "我想开发票，能找个人工吗",
                                                                                "o-1", None)
    assert handoffs.state().waiting == 1 and handoffs.state().newest_id == recorded.request_id


def test_asking_again_keeps_the_one_request_and_says_it_is_queued(handoffs):
    first = handoffs.request("wechat", "o-1", "转人工", "发票怎么开", live=True)
    again = handoffs.request("wechat", "o-1", "人工呢？", live=True)
    assert not again.new and again.request_id == first.request_id
    assert again.answer.response == "utter_handoff_again_in_hours"
    assert again.answer.values["hint"] == Phrase("utter_handoff_hint_live")
    [entry] = handoffs.queue()
    assert (entry.question, entry.context) == ("转人工", "发票怎么开")


def test_taking_and_resolving_moves_the_request_and_a_new_one_may_follow(handoffs):
    handoffs.request("wechat", "o-1", "转人工")
    assert handoffs.take("wechat", "o-1", "wang")
    [entry] = handoffs.queue()
    assert (entry.status, entry.assigned_to) == (ACTIVE, "wang")
    assert handoffs.state().waiting == 0
    assert handoffs.resolve("wechat", "o-1", "wang")
    assert handoffs.queue() == []
    [done] = handoffs.queue((RESOLVED,))
    assert done.resolved_at is not None
    assert not handoffs.resolve("wechat", "o-1", "wang")  # nothing open any more
    assert handoffs.request("wechat", "o-1", "又有问题了").new
    assert handoffs.counts() == {PENDING: 1, ACTIVE: 0, RESOLVED: 1}


def test_taking_over_a_member_who_never_asked_changes_no_request(handoffs):
    assert not handoffs.take("wechat", "o-silent", "wang")
    assert handoffs.queue() == []


def test_the_queue_names_members_by_their_sign_ups_and_counts_their_new_messages(factory, handoffs, clock):
    with factory() as session, session.begin():
        activity = Activity(key="a1", name="质量大讲堂")
        named = Member(channel="wechat", channel_user_id="o-named", name="张伟", company="上海电气")
        unnamed = Member(channel="wechat", channel_user_id="o-signed")
        session.add_all([activity, named, unnamed])
        session.flush()
        session.add(Signup(reference="SQ1", member_id=unnamed.id, activity_id=activity.id, name="李娜",
                           mobile="13912345678", company="宝钢"))
    for user in ("o-named", "o-signed", "o-anon"):
        handoffs.request("wechat", user, "转人工")
    names = {entry.user_id: (entry.member_name, entry.company) for entry in handoffs.queue()}
    assert names == {"o-named": ("张伟", "上海电气"), "o-signed": ("李娜", "宝钢"), "o-anon": (None, None)}
    # Oldest first: first come, first served.
    clock.now = TUESDAY_10 + dt.timedelta(minutes=5)
    handoffs.request("wecom", "u-late", "人工")
    assert [entry.user_id for entry in handoffs.queue()][-1] == "u-late"


def test_staff_see_the_display_name_of_whoever_holds_a_request(factory, handoffs):
    from services.accounts import AccountService

    AccountService(factory).create_user("wang", "correct horse battery", "staff", "王老师")
    TakeoverService(factory).start("wechat", "o-1", None, "wang")
    handoffs.request("wechat", "o-1", "转人工")
    handoffs.take("wechat", "o-1", "wang")
    assert handoffs.queue()[0].assigned_name == "王老师"
    assert TakeoverService(factory).holder("wechat", "o-1") == "王老师"
    assert TakeoverService(factory).holder("wechat", "o-other") is None


@pytest.mark.parametrize(("now", "response", "day", "time"), [
    (dt.datetime(2026, 12, 8, 8, 0, tzinfo=SHANGHAI), "utter_handoff_after_hours", "utter_handoff_day_today", "09:00"),
    (dt.datetime(2026, 12, 8, 18, 0, tzinfo=SHANGHAI), "utter_handoff_after_hours", "utter_handoff_day_tomorrow",
     "09:00"),
    # Friday evening → Monday; Saturday → Monday.
    (dt.datetime(2026, 12, 11, 17, 30, tzinfo=SHANGHAI), "utter_handoff_after_hours", "utter_handoff_day_date",
     "09:00"),
    (dt.datetime(2026, 12, 12, 11, 0, tzinfo=SHANGHAI), "utter_handoff_after_hours", "utter_handoff_day_date",
     "09:00"),
    (dt.datetime(2026, 12, 8, 16, 59, tzinfo=SHANGHAI), "utter_handoff_in_hours", None, None),
])
def test_outside_working_hours_the_member_is_told_when(now, response, day, time):
    answer = when_answered(HOURS, now.astimezone(dt.timezone.utc), live=False, again=False)
    assert answer.response == response
    if day:
        assert answer.values["day"].response == day and answer.values["time"] == time
    if day == "utter_handoff_day_date":
        assert answer.values["day"].values == {"month": 12, "day": 14, "weekday": "一"}


def test_hours_until_midnight_and_no_working_day():
    late = WorkingHours(days=frozenset(range(1, 8)), start=dt.time(0, 0), end=dt.time(0, 0))
    assert next_opening(late, TUESDAY_10) == TUESDAY_10
    none = WorkingHours(days=frozenset())
    assert when_answered(none, TUESDAY_10, live=True, again=True).response == "utter_handoff_again_no_hours"


def test_working_hours_come_from_the_settings_and_bad_values_stop_the_start():
    hours = load_settings({"HANDOFF_HOURS": "08:30-18:00", "HANDOFF_DAYS": "1-5,7",
                           "HANDOFF_REPLY_MINUTES": "5"}).working_hours
    assert (hours.start, hours.end, hours.days, hours.reply_minutes) == (
        dt.time(8, 30), dt.time(18, 0), frozenset({1, 2, 3, 4, 5, 7}), 5)
    assert load_settings({}).working_hours == WorkingHours()
    for env in ({"HANDOFF_HOURS": "9-17"}, {"HANDOFF_HOURS": "18:00-09:00"}, {"HANDOFF_DAYS": "0-8"},
                {"HANDOFF_DAYS": "周一"}, {"HANDOFF_REPLY_MINUTES": "0"}):
        with pytest.raises(SettingsError):
            load_settings(env)
