"""Sign-ups on SQLite and PostgreSQL: rules the database itself must keep."""

import threading

import pytest
from sqlalchemy import update

from services.models import Activity
from services.signups import PHONE, Eligibility, Refusal

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


# -- sign-ups staff take by phone, correct and cancel (the console's 电话报名) ------------------


def test_a_phone_sign_up_keeps_the_members_rules_and_takes_a_seat(services):
    lecture = activity_id(services, "2026年质量大讲堂（冬季）")  # capacity 2
    signups = services.signups
    taken = signups.sign_up_by_phone(lecture, "王敏", "13700001111", "上海某某公司")
    assert taken.done and taken.signup.reference.startswith("SQ261121")
    assert services.activities.details(lecture).seats_taken == 1
    # The same number again, by phone: one sign-up each.
    again = signups.sign_up_by_phone(lecture, "王敏", "13700001111", "上海某某公司")
    assert again.check.eligibility is Eligibility.ALREADY and again.check.existing_reference == taken.signup.reference
    # A member who signed up on WeChat and then calls: the number is already signed up.
    assert signups.sign_up(lecture, WEB, "o-w", "李雷", "13800002222", "甲公司").done
    called = signups.sign_up_by_phone(lecture, "李雷", "13800002222", "甲公司")
    assert called.check.eligibility is Eligibility.ALREADY
    # Full: refused, and no seat is taken beyond the capacity.
    full = signups.sign_up_by_phone(lecture, "韩梅梅", "13600003333", "乙公司")
    assert full.check.eligibility is Eligibility.FULL and full.check.capacity == 2
    assert services.activities.details(lecture).seats_taken == 2


def test_a_phone_sign_up_after_the_deadline_is_refused_with_the_date(services):
    qc_2018 = activity_id(services, "2018年上海市优秀质量管理小组活动")
    closed = services.signups.sign_up_by_phone(qc_2018, "王敏", "13700001111", "上海某某公司")
    assert closed.check.eligibility is Eligibility.CLOSED and closed.check.deadline.isoformat() == "2018-12-31"
    assert services.signups.sign_up_by_phone(999_999, "王敏", "13700001111", "公司").check.eligibility \
        is Eligibility.UNKNOWN_ACTIVITY


def test_staff_correct_a_sign_up_and_a_phone_sign_up_follows_its_new_number(services):
    lecture = activity_id(services, "2026年质量大讲堂（冬季）")
    signups = services.signups
    first = signups.sign_up_by_phone(lecture, "王敏", "13700001111", "上海某某公司").signup
    member = signups.sign_up(lecture, WEB, "o-w", "李雷", "13800002222", "甲公司").signup
    changed = signups.change(lecture, first.reference, "王敏敏", "13700009999", "上海某某有限公司")
    assert changed.changed and changed.before.mobile == "13700001111"
    assert (changed.signup.name, changed.signup.mobile, changed.signup.company) == \
        ("王敏敏", "13700009999", "上海某某有限公司")
    # The new number is the member now: it cannot sign up twice; the old one is free again.
    assert signups.sign_up_by_phone(lecture, "王敏", "13700009999", "公司").check.eligibility is Eligibility.ALREADY
    assert signups.check(lecture, PHONE, "13700001111").eligibility is not Eligibility.ALREADY
    # Another sign-up's number is refused, and so is an unknown reference.
    taken = signups.change(lecture, first.reference, "王敏敏", member.mobile, "上海某某有限公司")
    assert taken.refused is Refusal.TAKEN and taken.other_reference == member.reference
    assert signups.change(lecture, "SQ000000XXXXX", "王敏", "13700001111", "公司").refused is Refusal.UNKNOWN
    # Nothing changed: nothing to record.
    same = signups.change(lecture, member.reference, "李雷", "13800002222", "甲公司",
                          record=lambda *_: pytest.fail("recorded a change that changed nothing"))
    assert same.signup is not None and not same.changed


def test_staff_cancel_a_sign_up_by_its_reference_and_the_seat_is_free(services):
    lecture = activity_id(services, "2026年质量大讲堂（冬季）")
    signups = services.signups
    member = signups.sign_up(lecture, WEB, "o-w", "李雷", "13800002222", "甲公司").signup
    assert signups.sign_up_by_phone(lecture, "王敏", "13700001111", "公司").done
    cancelled = signups.cancel_reference(lecture, member.reference)
    assert cancelled.signup.status == "cancelled" and services.activities.details(lecture).seats_taken == 1
    assert signups.list_for(WEB, "o-w") == []
    again = signups.cancel_reference(lecture, member.reference)
    assert again.refused is Refusal.CANCELLED and services.activities.details(lecture).seats_taken == 1
    assert signups.change(lecture, member.reference, "李雷", "13800002222", "甲公司").refused is Refusal.CANCELLED
    # The reference of another activity's sign-up is not this activity's.
    other = activity_id(services, "2026年QC小组成果发表会")
    assert signups.cancel_reference(other, member.reference).refused is Refusal.UNKNOWN
    # The freed seat takes a new sign-up.
    assert signups.sign_up_by_phone(lecture, "韩梅梅", "13600003333", "乙公司").done


def test_what_the_recorder_refuses_is_not_stored(services):
    """The console's audit entry is written in the sign-up's transaction: no sign-up without it."""
    lecture = activity_id(services, "2026年质量大讲堂（冬季）")

    def broken(*_):
        raise RuntimeError("the audit entry could not be written")

    with pytest.raises(RuntimeError):
        services.signups.sign_up_by_phone(lecture, "王敏", "13700001111", "公司", record=broken)
    assert services.activities.details(lecture).seats_taken == 0
    assert services.signups.check(lecture, PHONE, "13700001111").eligibility is Eligibility.OPEN


def test_a_phone_sign_up_and_a_member_racing_for_the_last_seat(services):
    lecture = activity_id(services, "2026年质量大讲堂（冬季）")
    with services.session_factory() as session, session.begin():
        session.execute(update(Activity).where(Activity.id == lecture).values(capacity=1))
    barrier = threading.Barrier(2)
    outcomes = []

    def by_phone():
        barrier.wait()
        outcomes.append(services.signups.sign_up_by_phone(lecture, "王敏", "13700001111", "公司"))

    def by_wechat():
        barrier.wait()
        outcomes.append(services.signups.sign_up(lecture, WEB, "racer", "抢位", "13900000000", "公司"))

    threads = [threading.Thread(target=by_phone), threading.Thread(target=by_wechat)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(o.done for o in outcomes) == [False, True]
    assert [o.check.eligibility for o in outcomes if not o.done] == [Eligibility.FULL]
    assert services.activities.details(lecture).seats_taken == 1
