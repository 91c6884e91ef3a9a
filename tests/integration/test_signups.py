"""Sign-ups on SQLite and PostgreSQL: rules the database itself must keep."""

import threading

import pytest
from sqlalchemy import update

from services.models import Activity
from services.signups import Eligibility

WEB = "rest"


def activity_id(services, name):
    return services.activities.resolve(name).unique.id


def test_sign_up_list_and_cancel(services):
    lecture = activity_id(services, "2026年质量大讲堂（冬季）")
    outcome = services.signups.sign_up(lecture, WEB, "u1", "张伟", "13912345678", "上海电气")
    assert outcome.done and outcome.signup.reference.startswith("SQ261121")
    assert [s.activity_name for s in services.signups.list_for(WEB, "u1")] == ["2026年质量大讲堂（冬季）"]

    again = services.signups.sign_up(lecture, WEB, "u1", "张伟", "13912345678", "上海电气")
    assert again.check.eligibility is Eligibility.ALREADY
    assert again.check.existing_reference == outcome.signup.reference

    cancelled = services.signups.cancel(lecture, WEB, "u1")
    assert cancelled.status == "cancelled" and cancelled.reference == outcome.signup.reference
    assert services.signups.list_for(WEB, "u1") == []
    assert services.signups.cancel(lecture, WEB, "u1") is None
    # A cancelled sign-up frees the seat and allows signing up again.
    assert services.signups.sign_up(lecture, WEB, "u1", "张伟", "13912345678", "上海电气").done


def test_capacity_is_respected(services):
    lecture = activity_id(services, "2026年质量大讲堂（冬季）")  # capacity 2
    assert services.signups.sign_up(lecture, WEB, "a", "甲某", "13900000001", "甲公司").done
    assert services.signups.sign_up(lecture, WEB, "b", "乙某", "13900000002", "乙公司").done
    full = services.signups.sign_up(lecture, WEB, "c", "丙某", "13900000003", "丙公司")
    assert full.check.eligibility is Eligibility.FULL and full.check.capacity == 2
    assert lecture not in [a.id for a in services.signups.open_activities()]


def test_closed_and_unoffered_sign_ups_are_refused_with_the_date(services):
    qc_2018 = activity_id(services, "2018年上海市优秀质量管理小组活动")
    closed = services.signups.sign_up(qc_2018, WEB, "u", "张伟", "13912345678", "上海电气")
    assert closed.check.eligibility is Eligibility.CLOSED
    assert closed.check.deadline.isoformat() == "2018-12-31"
    report = activity_id(services, "第三届世界质量论坛")
    refused = services.signups.check(report, WEB, "u")
    assert refused.eligibility in (Eligibility.CLOSED, Eligibility.NO_SIGNUP)


def test_open_activities_are_the_staff_published_ones(services):
    names = [a.name for a in services.signups.open_activities()]
    assert names == ["2026年质量大讲堂（冬季）", "2026年QC小组成果发表会"]


def test_two_members_racing_for_the_last_seat(services):
    lecture = activity_id(services, "2026年质量大讲堂（冬季）")
    with services.session_factory() as session, session.begin():
        session.execute(update(Activity).where(Activity.id == lecture).values(capacity=1))
    barrier = threading.Barrier(2)
    outcomes = []

    def attempt(user):
        barrier.wait()
        outcomes.append(services.signups.sign_up(lecture, WEB, user, "抢位", "13900000000", "公司"))

    threads = [threading.Thread(target=attempt, args=(f"racer{i}",)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(o.done for o in outcomes) == [False, True]
    assert [o.check.eligibility for o in outcomes if not o.done] == [Eligibility.FULL]
    details = services.activities.details(lecture)
    assert details.seats_taken == 1


@pytest.mark.parametrize("attempts", [4])
def test_the_same_member_twice_at_once_signs_up_once(services, attempts):
    lecture = activity_id(services, "2026年QC小组成果发表会")
    barrier = threading.Barrier(attempts)
    outcomes = []

    def attempt():
        barrier.wait()
        outcomes.append(services.signups.sign_up(lecture, WEB, "twice", "张伟", "13912345678", "电气"))

    threads = [threading.Thread(target=attempt) for _ in range(attempts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sum(o.done for o in outcomes) == 1
    assert len(services.signups.list_for(WEB, "twice")) == 1
    assert services.activities.details(lecture).seats_taken == 1
