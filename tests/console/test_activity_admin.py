"""Creating and editing activities and milestones in the console: validation that keeps
what was typed, CSRF, the audit log, the assistant seeing changes at once, and staff
edits surviving a reload of the knowledge files."""

from __future__ import annotations

import datetime as dt
import shutil

import pytest
from sqlalchemy import func, select

from bot.gateway import keys
from services.activities import ActivityService
from services.activity_admin import ActivityAdminService, ActivityInput, FormErrors, staff_edited_ids
from services.knowledge import KnowledgeLoader
from services.models import Activity
from services.signups import Eligibility, SignupService
from tests.conftest import FIXTURE_KNOWLEDGE, TODAY

NEW = "/console/activities/new"
VALID = {"name": "2027年质量沙龙（春季）", "aliases": "春季沙龙、质量沙龙春季", "year": "2027", "category": "讲座",
         "theme": "精益质量", "description": "面向会员单位的交流沙龙。", "location": "长宁区泰安路74号",
         "capacity": "30", "fee": "免费", "signup_deadline": "2027-03-01", "signup_open": "1",
         "organisers": "上海市质量协会\n上海市某某行业协会"}


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setenv("ASSISTANT_TODAY", TODAY.isoformat())


def sessions(console):
    return console.gateway.app[keys.SESSIONS]


def activity_count(console) -> int:
    with sessions(console)() as session:
        return session.scalar(select(func.count(Activity.id)))


def activity_by_key(console, key: str) -> Activity:
    with sessions(console)() as session:
        return session.scalars(select(Activity).where(Activity.key == key)).one()


async def staff_login(console, username: str = "zhang") -> None:
    console.user(username, "editor")  # editors (and admins) edit activities
    assert await console.login(username) == 302


async def create(console, data: dict[str, str]):
    return await console.post(NEW, data, page=NEW)


async def test_a_refused_form_shows_every_problem_and_keeps_what_was_typed(console):
    await staff_login(console)
    before = activity_count(console)
    response = await create(console, {**VALID, "name": "  ", "year": "20x7", "capacity": "-3",
                                      "signup_deadline": "2027-02-30", "theme": "数字化转型与质量"})
    assert response.status == 400
    page = await response.text()
    assert "没有保存" in page
    assert "请填写活动名称" in page and "年份请填写" in page and "名额请填写" in page
    assert "2027年2月没有30日" in page
    # Nothing typed is lost.
    for typed in ("20x7", "-3", "数字化转型与质量", "春季沙龙、质量沙龙春季", "面向会员单位的交流沙龙。",
                  "上海市某某行业协会"):
        assert typed in page, typed
    assert activity_count(console) == before
    assert console.accounts.audit_log() == []


async def test_staff_create_an_activity_the_assistant_finds_and_takes_sign_ups_for_at_once(console):
    await staff_login(console)
    response = await create(console, VALID)
    assert response.status == 302, await response.text()
    edit_url = response.headers["Location"]
    assert edit_url.endswith("/edit")
    page = await (await console.client.get(edit_url)).text()
    assert "已创建活动" in page and "助手正在接受报名，截止 2027-03-01" in page

    services = ActivityService(sessions(console), lambda: TODAY)
    found = services.resolve("春季沙龙")
    assert found.unique is not None and found.unique.name == VALID["name"]
    details = services.details(found.unique.id)
    assert (details.location, details.capacity, details.fee, details.theme) == \
        ("长宁区泰安路74号", 30, "免费", "精益质量")
    assert details.organisers == ("上海市质量协会", "上海市某某行业协会")
    outcome = SignupService(sessions(console), lambda: TODAY).sign_up(found.unique.id, "wechat", "o-new", "王五",
                                                                       "13800138000", "某公司")
    assert outcome.done

    entries = console.accounts.audit_log()
    assert [(e.username, e.action) for e in entries] == [("zhang", "activity_create")]
    assert entries[0].target.startswith(f"activity {found.unique.id} ") and "新建" in entries[0].detail
    listing = await (await console.client.get("/console/activities")).text()
    assert VALID["name"] in listing and "工作人员录入" in listing and "已人工修改" in listing


async def test_a_second_activity_with_the_same_name_and_year_is_refused(console):
    await staff_login(console)
    assert (await create(console, VALID)).status == 302
    response = await create(console, {**VALID, "aliases": ""})
    assert response.status == 400 and "已有同名同年份的活动" in await response.text()


async def test_editing_is_audited_keeps_the_old_name_and_refuses_fewer_seats_than_taken(console):
    KnowledgeLoader(sessions(console)).load_dir(FIXTURE_KNOWLEDGE)
    lecture = activity_by_key(console, "2026-test-winter-lecture")
    signups = SignupService(sessions(console), lambda: TODAY)
    signups.sign_up(lecture.id, "wechat", "o-1", "张三", "13912345678", "甲公司")
    signups.sign_up(lecture.id, "wechat", "o-2", "李四", "13912345679", "乙公司")
    await staff_login(console)
    edit = f"/console/activities/{lecture.id}/edit"
    page = await (await console.client.get(edit)).text()
    assert "2026年质量大讲堂（冬季）" in page and "知识文件（已审核）" in page
    assert 'value="2026-12-05"' in page and "已占名额 2" in page

    services = ActivityService(sessions(console), lambda: TODAY)
    assert services.resolve("冬季·加场").unique is None  # looked up (and its keys cached) before the rename
    form = ActivityInput.from_mapping({**VALID, "name": "2026年质量大讲堂（冬季·加场）", "year": "2026",
                                       "aliases": "冬季大讲堂", "capacity": "1", "signup_deadline": "2026-12-05"})
    response = await console.post(edit, vars(form) | {"signup_open": "1"}, page=edit)
    assert response.status == 400
    page = await response.text()
    assert "已有 2 人报名，名额不能少于 2" in page and "2026年质量大讲堂（冬季·加场）" in page
    assert activity_by_key(console, "2026-test-winter-lecture").name == "2026年质量大讲堂（冬季）"  # nothing saved

    response = await console.post(edit, vars(form) | {"capacity": "80", "signup_open": "1"}, page=edit)
    assert response.status == 302
    page = await (await console.client.get(edit)).text()
    assert "已保存" in page and "名额：2 → 80" in page
    # Renamed: members who use the notice's name still find it.
    assert services.resolve("2026年质量大讲堂（冬季）").unique.id == lecture.id
    assert services.resolve("冬季·加场").unique.id == lecture.id
    entry = console.accounts.audit_log()[0]
    assert (entry.username, entry.action) == ("zhang", "activity_edit")
    assert "名称：2026年质量大讲堂（冬季） → 2026年质量大讲堂（冬季·加场）" in entry.detail


async def test_unticking_signup_open_closes_sign_up_and_ticking_it_needs_a_future_deadline(console):
    KnowledgeLoader(sessions(console)).load_dir(FIXTURE_KNOWLEDGE)
    lecture = activity_by_key(console, "2026-test-winter-lecture")
    admin = ActivityAdminService(sessions(console), lambda: TODAY)
    form, _ = admin.page(lecture.id)
    assert form.signup_open
    form.signup_open = False
    saved = admin.update(lecture.id, form, "zhang")
    assert "报名已关闭（报名截止记为 2026-11-20）" in saved.changes
    outcome = SignupService(sessions(console), lambda: TODAY).sign_up(lecture.id, "wechat", "o-9", "赵六",
                                                                       "13700137000", "丙公司")
    assert outcome.check.eligibility is Eligibility.CLOSED
    form, page = admin.page(lecture.id)
    assert not form.signup_open and page.deadline == dt.date(2026, 11, 20)
    form.signup_open = True
    with pytest.raises(FormErrors) as refused:
        admin.update(lecture.id, form, "zhang")
    assert "已过" in refused.value.errors["signup_deadline"]
    # Without a stated deadline, sign-up runs to the day before the activity (10 December).
    form.signup_deadline = ""
    admin.update(lecture.id, form, "zhang")
    check = SignupService(sessions(console), lambda: TODAY).check(lecture.id, "wechat", "o-9")
    assert check.eligibility is Eligibility.OPEN and check.deadline == dt.date(2026, 12, 9)


async def test_the_date_and_hours_are_fields_of_the_form_and_the_assistant_answers_with_them(console):
    await staff_login(console)
    response = await create(console, {**VALID, "signup_deadline": "", "held_start": "2027-04-15",
                                      "held_end": "2027-04-16", "time_of_day": "13:30-16:30"})
    assert response.status == 302, await response.text()
    activity_id = int(response.headers["Location"].split("/")[-2])
    edit = f"/console/activities/{activity_id}/edit"
    page = await (await console.client.get(edit)).text()
    assert 'value="2027-04-15"' in page and 'value="2027-04-16"' in page and 'value="13:30-16:30"' in page
    # No stated deadline: sign-up runs to the day before the activity.
    assert "助手正在接受报名，截止 2027-04-14" in page
    details = ActivityService(sessions(console), lambda: TODAY).details(activity_id)
    assert details.held.describe() == "2027年4月15日至16日" and details.time_of_day == "13:30-16:30"
    assert [(m.name, m.when) for m in details.milestones] == [("举办", "2027年4月15日至16日")]
    listing = await (await console.client.get("/console/activities")).text()
    assert "2027年4月15日至16日 13:30-16:30" in listing

    # Moved to a month not yet fixed to the day, the hours kept: audited with both dates.
    form, _ = ActivityAdminService(sessions(console), lambda: TODAY).page(activity_id)
    response = await console.post(edit, vars(form) | {"held_start": "2027-05", "held_end": "", "time_of_day": "上午",
                                                      "signup_open": "", "signup_deadline": ""}, page=edit)
    assert response.status == 302
    entry = console.accounts.audit_log()[0]
    assert entry.action == "activity_edit"
    assert "活动日期：2027年4月15日至16日 → 2027年5月" in entry.detail
    assert "活动时间：13:30-16:30 → 上午" in entry.detail
    assert ActivityService(sessions(console), lambda: TODAY).details(activity_id).held.describe() == "2027年5月"
    # Emptied: the 举办 milestone goes, nothing else does.
    response = await console.post(edit, vars(form) | {"held_start": "", "held_end": "", "time_of_day": "",
                                                      "signup_open": "", "signup_deadline": ""}, page=edit)
    assert response.status == 302
    details = ActivityService(sessions(console), lambda: TODAY).details(activity_id)
    assert details.milestones == () and details.time_of_day is None


@pytest.mark.parametrize("typed, field, message", [
    ({"held_start": "2027-04-31"}, "held_start", "2027年4月没有31日"),
    ({"held_start": "明年春天"}, "held_start", "请按“年-月-日”填写"),
    ({"held_start": "2027-04-15", "held_end": "2027-04-14"}, "held_end", "结束日期早于活动日期"),
    ({"held_end": "2027-04-14"}, "held_start", "填写了结束日期时，也请填写活动日期"),
    ({"time_of_day": "25:00-26:00"}, "time_of_day", "25:00 不是有效的时刻"),
    ({"time_of_day": "16:30-13:30"}, "time_of_day", "结束时刻应晚于开始时刻"),
])
async def test_a_wrong_date_or_time_is_refused_in_chinese_with_what_was_typed(console, typed, field, message):
    await staff_login(console)
    response = await create(console, {**VALID, **typed})
    assert response.status == 400
    page = await response.text()
    assert message in page
    for value in typed.values():
        assert f'value="{value}"' in page
    assert activity_count(console) == 0


async def test_milestones_are_added_edited_and_removed_with_their_precision(console):
    await staff_login(console)
    response = await create(console, {**VALID, "signup_deadline": "", "signup_open": ""})
    activity_id = int(response.headers["Location"].split("/")[-2])
    base = f"/console/activities/{activity_id}"
    edit = base + "/edit"

    response = await console.post(base + "/milestones", {"name": "申报", "start": "2027-13", "start_precision": "month",
                                                         "end": "2027-02", "end_precision": "month"}, page=edit)
    assert response.status == 400
    page = await response.text()
    assert "月份应在 1 至 12 之间" in page and 'value="2027-13"' in page and 'value="申报"' in page

    response = await console.post(base + "/milestones", {"name": "申报", "start": "2027-01-15",
                                                         "start_precision": "month", "end": "2027-02",
                                                         "end_precision": "month", "closes_signup": "1"}, page=edit)
    assert response.status == 302
    response = await console.post(base + "/milestones", {"name": "发表", "start": "2027", "start_precision": "day"},
                                  page=edit)
    assert response.status == 400 and "精确到日时请填写完整日期" in await response.text()
    response = await console.post(base + "/milestones", {"name": "发表", "start": "2027-04-15",
                                                         "start_precision": "day", "end": "2027-04-16",
                                                         "end_precision": "day"}, page=edit)
    assert response.status == 302

    services = ActivityService(sessions(console), lambda: TODAY)
    details = services.details(activity_id)
    assert [(m.name, m.when, m.closes_signup) for m in details.milestones] == [
        ("申报", "2027年1月至2月", True), ("发表", "2027年4月15日至16日", False)]
    assert details.signup_deadline == dt.date(2027, 2, 28)  # the phase that closes sign-up
    assert "助手正在接受报名，截止 2027-02-28" in await (await console.client.get(edit)).text()

    with sessions(console)() as session:
        first, second = [m.id for m in session.get(Activity, activity_id).milestones]
    response = await console.post(f"{base}/milestones/{second}", {"name": "发表", "start": "2027-04-20",
                                                                 "start_precision": "day", "end": "2027-04-15",
                                                                 "end_precision": "day"}, page=edit)
    assert response.status == 400 and "结束日期早于开始日期" in await response.text()
    response = await console.post(f"{base}/milestones/{second}", {"name": "成果发表", "start": "2027-05",
                                                                 "start_precision": "month"}, page=edit)
    assert response.status == 302
    response = await console.post(f"{base}/milestones/{first}/delete", {}, page=edit)
    assert response.status == 302
    details = services.details(activity_id)
    assert [(m.name, m.when) for m in details.milestones] == [("成果发表", "2027年5月")]
    assert details.signup_deadline is None

    actions = [entry.action for entry in console.accounts.audit_log()]
    assert actions == ["milestone_remove", "milestone_edit", "milestone_add", "milestone_add", "activity_create"]
    assert "删除阶段：申报 2027年1月至2月（报名截止）" in console.accounts.audit_log()[0].detail


async def test_posts_without_the_csrf_token_change_nothing(console):
    KnowledgeLoader(sessions(console)).load_dir(FIXTURE_KNOWLEDGE)
    lecture = activity_by_key(console, "2026-test-winter-lecture")
    await staff_login(console)
    before = activity_count(console)
    for path, data in ((NEW, VALID), (f"/console/activities/{lecture.id}/edit", {**VALID, "name": "改名"}),
                       (f"/console/activities/{lecture.id}/milestones", {"name": "x", "start": "2027"}),
                       (f"/console/activities/{lecture.id}/release", {})):
        response = await console.client.post(path, data=data, allow_redirects=False)
        assert response.status == 403, path
        response = await console.client.post(path, data={**data, "_csrf": "forged"}, allow_redirects=False)
        assert response.status == 403, path
    assert activity_count(console) == before
    assert activity_by_key(console, "2026-test-winter-lecture").name == "2026年质量大讲堂（冬季）"
    assert console.accounts.audit_log() == []


async def test_the_pages_need_a_login(console):
    for path in (NEW, "/console/activities/1/edit", "/console/upload", "/console/dashboard"):
        response = await console.client.get(path, allow_redirects=False)
        assert response.status == 302 and response.headers["Location"].startswith("/console/login"), path


async def test_staff_edits_survive_a_reload_of_the_knowledge_files_until_released(console, tmp_path):
    folder = tmp_path / "knowledge"
    shutil.copytree(FIXTURE_KNOWLEDGE, folder)
    loader = KnowledgeLoader(sessions(console))
    loader.load_dir(folder)
    lecture = activity_by_key(console, "2026-test-winter-lecture")
    await staff_login(console)
    edit = f"/console/activities/{lecture.id}/edit"
    form, _ = ActivityAdminService(sessions(console), lambda: TODAY).page(lecture.id)
    response = await console.post(edit, vars(form) | {"location": "徐汇区漕溪北路331号", "signup_open": "1"}, page=edit)
    assert response.status == 302

    # The reviewed file changes (a corrected fee for both activities) and is loaded again.
    path = folder / "2026-staff-open-activities.yml"
    path.write_text(path.read_text(encoding="utf-8").replace("fee: 免费", "fee: 200元/人")
                    .replace("capacity: null", "capacity: 60"), encoding="utf-8")
    report = loader.load_dir(folder)
    assert report.kept == ["2026-test-winter-lecture: edited by staff in the console; kept"]
    assert "1 activities edited by staff kept" in str(report)
    kept = activity_by_key(console, "2026-test-winter-lecture")
    assert (kept.location, kept.fee) == ("徐汇区漕溪北路331号", "免费")
    assert activity_by_key(console, "2026-test-qc-results").capacity == 60  # the rest of the file is loaded
    page = await (await console.client.get(edit)).text()
    assert "不会覆盖这里的内容" in page

    # Released: the next load applies the file again (its hash was reset), staff edits are gone.
    response = await console.post(f"/console/activities/{lecture.id}/release", {}, page=edit)
    assert response.status == 302
    with sessions(console)() as session:
        assert lecture.id not in staff_edited_ids(session)
    report = loader.load_dir(folder)
    assert report.kept == []
    released = activity_by_key(console, "2026-test-winter-lecture")
    assert (released.location, released.fee) == ("长宁区泰安路74号", "200元/人")
    assert console.accounts.audit_log()[0].action == "activity_release"
