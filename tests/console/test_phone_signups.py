"""电话报名: staff take, correct and cancel sign-ups on an activity's list, by the member's
rules (seats, deadline, one each), audited, with Chinese messages and 4xx for bad requests,
and mobile numbers masked for whoever may not reveal them."""

from __future__ import annotations

import pytest

from bot.gateway import keys
from services.activities import ActivityService
from services.signups import PHONE, SignupService
from tests.conftest import TODAY
from tests.console.test_signups import MOBILE, seed

PHONE_MOBILE = "13700001111"
TYPED = {"name": "王敏", "mobile": "137 0000 1111", "company": "上海某某质量技术公司"}


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setenv("ASSISTANT_TODAY", TODAY.isoformat())


def seats_taken(console, activity_id: int) -> int:
    return ActivityService(console.gateway.app[keys.SESSIONS], lambda: TODAY).details(activity_id).seats_taken


def signups(console) -> SignupService:
    return SignupService(console.gateway.app[keys.SESSIONS], lambda: TODAY)


def list_url(activity_id: int) -> str:
    return f"/console/activities/{activity_id}"


async def add(console, activity_id: int, data: dict[str, str]):
    return await console.post(f"/console/activities/{activity_id}/signups", data, page=list_url(activity_id))


async def logged_in(console, role: str = "staff", username: str = "kefu") -> None:
    console.user(username, role)
    assert await console.login(username) == 302


async def test_staff_take_a_sign_up_by_phone_and_the_seats_left_go_down(console):
    activity_id = seed(console)  # capacity 2, both taken
    cancelled = signups(console).cancel(activity_id, "wechat", "o-b")
    assert cancelled is not None
    await logged_in(console)
    page = await (await console.client.get(list_url(activity_id))).text()
    assert "电话报名" in page and "名额 2（剩余 1）" in page
    response = await add(console, activity_id, TYPED)
    assert response.status == 302, await response.text()
    page = await (await console.client.get(response.headers["Location"])).text()
    assert "已为 王敏 登记电话报名" in page and "剩余名额 0" in page
    assert "名额 2（剩余 0）" in page
    # On the list: masked like every number, its channel in Chinese.
    assert "137****1111" in page and PHONE_MOBILE not in page and "<td>电话报名</td>" in page
    assert seats_taken(console, activity_id) == 2
    assert signups(console).check(activity_id, PHONE, PHONE_MOBILE).eligibility.value == "already"
    entries = console.accounts.audit_log()
    assert [(e.username, e.action) for e in entries] == [("kefu", "signup_phone_add")]
    assert "王敏" in entries[0].detail and "137****1111" in entries[0].detail
    assert PHONE_MOBILE not in entries[0].detail


@pytest.mark.parametrize("data, field, message", [
    ({**TYPED, "name": ""}, "name", "请填写报名人的姓名"),
    ({**TYPED, "name": "王敏2"}, "name", "姓名请填写 2–15 个汉字"),
    ({**TYPED, "mobile": ""}, "mobile", "请填写报名人的手机号"),
    ({**TYPED, "mobile": "1370000111"}, "mobile", "手机号应为 11 位数字"),
    ({**TYPED, "mobile": "12700001111"}, "mobile", "这不是有效的手机号"),
    ({**TYPED, "company": ""}, "company", "请填写报名人的单位"),
])
async def test_bad_input_gets_its_chinese_message_keeps_what_was_typed_and_stores_nothing(
        console, data, field, message):
    activity_id = seed(console)
    signups(console).cancel(activity_id, "wechat", "o-b")
    await logged_in(console)
    response = await add(console, activity_id, data)
    assert response.status == 400
    page = await response.text()
    assert message in page and "没有报名" in page and "Traceback" not in page
    for name, value in data.items():
        if value:
            assert f'value="{value}"' in page, name
    assert seats_taken(console, activity_id) == 1
    assert console.accounts.audit_log() == []


async def test_a_full_activity_refuses_in_chinese_and_nothing_is_stored(console):
    activity_id = seed(console)  # 2 of 2 taken
    await logged_in(console)
    response = await add(console, activity_id, TYPED)
    assert response.status == 409
    page = await response.text()
    assert "名额已满（共 2 个名额），没有报名" in page and 'value="王敏"' in page
    assert seats_taken(console, activity_id) == 2
    assert console.accounts.audit_log() == []


async def test_a_number_already_signed_up_on_wechat_is_not_signed_up_again(console):
    activity_id = seed(console)
    signups(console).cancel(activity_id, "wechat", "o-b")
    await logged_in(console)
    response = await add(console, activity_id, {**TYPED, "mobile": MOBILE})
    assert response.status == 409
    page = await response.text()
    assert "手机号 139****5678 已报名此活动（报名编号 SQ" in page
    assert seats_taken(console, activity_id) == 1


async def test_after_the_deadline_a_phone_sign_up_is_refused_with_the_date(console, monkeypatch):
    activity_id = seed(console)
    signups(console).cancel(activity_id, "wechat", "o-b")
    monkeypatch.setenv("ASSISTANT_TODAY", "2026-12-06")
    await logged_in(console)
    response = await add(console, activity_id, TYPED)
    assert response.status == 409 and "报名已于 2026-12-05 截止" in await response.text()


async def test_an_unknown_activity_or_sign_up_is_a_404_in_chinese(console):
    activity_id = seed(console)
    await logged_in(console, "admin", "li.admin")  # may do all of it: what is missing is the activity
    for response in (await console.post("/console/activities/99999/signups", TYPED, page=list_url(activity_id)),
                     await console.client.get("/console/activities/99999"),
                     await console.post("/console/activities/99999/export.csv", page=list_url(activity_id))):
        assert response.status == 404
        assert "没有这个活动" in await response.text()
    for response in (await console.client.get(f"{list_url(activity_id)}/signups/SQ000000XXXXX/edit"),
                     await console.post(f"{list_url(activity_id)}/signups/SQ000000XXXXX/cancel",
                                        page=list_url(activity_id))):
        assert response.status == 404
        assert "此活动没有这条报名" in await response.text()
    assert console.accounts.audit_log() == []


async def test_staff_correct_a_sign_up_without_seeing_its_number(console):
    activity_id = seed(console)
    reference = signups(console).list_for("wechat", "o-a")[0].reference
    await logged_in(console)
    edit = f"{list_url(activity_id)}/signups/{reference}/edit"
    page = await (await console.client.get(edit)).text()
    assert "139****5678" in page and MOBILE not in page and 'value="张三"' in page
    # A bad number: 400, what was typed kept, nothing changed.
    response = await console.post(edit, {"name": "张叁", "mobile": "139", "company": "上海某某公司"}, page=edit)
    assert response.status == 400 and "手机号应为 11 位数字" in await response.text()
    # The number left empty keeps it.
    response = await console.post(edit, {"name": "张叁", "mobile": "", "company": "上海某某有限公司"}, page=edit)
    assert response.status == 302, await response.text()
    page = await (await console.client.get(response.headers["Location"])).text()
    assert f"已修改报名 {reference}：姓名：张三 → 张叁；单位：上海某某公司 → 上海某某有限公司" in page
    line = signups(console).list_for("wechat", "o-a")[0]
    assert (line.name, line.mobile, line.company) == ("张叁", MOBILE, "上海某某有限公司")
    # A new number is taken, and the audit entry holds it masked.
    response = await console.post(edit, {"name": "张叁", "mobile": "13912340000", "company": "上海某某有限公司"},
                                  page=edit)
    assert response.status == 302
    details = [e.detail for e in console.accounts.audit_log() if e.action == "signup_edit"]
    assert details[0] == f"修改报名 {reference}：手机：139****5678 → 139****0000"
    assert not any(MOBILE in (e.detail or "") or "13912340000" in (e.detail or "")
                   for e in console.accounts.audit_log())
    # Another sign-up's number is refused.
    response = await console.post(edit, {"name": "张叁", "mobile": "13800001111", "company": "上海某某有限公司"},
                                  page=edit)
    assert response.status == 409 and "这个手机号已有此活动的另一条有效报名" in await response.text()


async def test_staff_cancel_a_sign_up_and_its_seat_is_freed_once(console):
    activity_id = seed(console)
    reference = signups(console).list_for("wechat", "o-a")[0].reference
    await logged_in(console)
    cancel = f"{list_url(activity_id)}/signups/{reference}/cancel"
    response = await console.post(cancel, page=list_url(activity_id))
    assert response.status == 302
    page = await (await console.client.get(response.headers["Location"])).text()
    assert f"已取消 张三 的报名（{reference}），名额已释放" in page and "名额 2（剩余 1）" in page
    assert signups(console).list_for("wechat", "o-a") == []
    again = await console.post(cancel, page=list_url(activity_id))
    assert again.status == 409 and "这条报名已经取消" in await again.text()
    edit = await console.client.get(f"{list_url(activity_id)}/signups/{reference}/edit")
    assert edit.status == 409 and "这条报名已经取消" in await edit.text()
    assert seats_taken(console, activity_id) == 1
    assert [e.action for e in console.accounts.audit_log()] == ["signup_cancel"]
    # The member may sign up again, on WeChat or by phone.
    assert (await add(console, activity_id, {**TYPED, "name": "张三", "mobile": MOBILE})).status == 302


async def test_without_the_csrf_token_nothing_changes(console):
    activity_id = seed(console)
    signups(console).cancel(activity_id, "wechat", "o-b")
    reference = signups(console).list_for("wechat", "o-a")[0].reference
    await logged_in(console)
    for path, data in ((f"{list_url(activity_id)}/signups", TYPED),
                       (f"{list_url(activity_id)}/signups/{reference}/cancel", {}),
                       (f"{list_url(activity_id)}/signups/{reference}/edit", {**TYPED, "mobile": ""})):
        response = await console.client.post(path, data=data, allow_redirects=False)
        assert response.status == 403, path
    assert seats_taken(console, activity_id) == 1
    assert signups(console).list_for("wechat", "o-a")[0].name == "张三"
    assert console.accounts.audit_log() == []


async def test_an_organiser_takes_sign_ups_for_their_own_activities_only(console):
    activity_id = seed(console)
    signups(console).cancel(activity_id, "wechat", "o-b")
    console.user("li.admin", "admin")
    await logged_in(console, "organiser", "fuzeren")
    page = await (await console.client.get(list_url(activity_id))).text()
    assert "登记报名" not in page and "取消报名" not in page
    refused = await add(console, activity_id, TYPED)
    assert refused.status == 403 and "只能为自己负责的活动" in await refused.text()
    console.logout_cookies()
    assert await console.login("li.admin") == 302
    await console.post(f"{list_url(activity_id)}/organisers", {"username": "fuzeren", "assigned": "1"},
                       page=list_url(activity_id))
    console.logout_cookies()
    assert await console.login("fuzeren") == 302
    assert (await add(console, activity_id, TYPED)).status == 302
    assert seats_taken(console, activity_id) == 2
