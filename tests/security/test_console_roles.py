"""Row 15 of issue #13: what each role may do, as services/accounts.py says it."""

from __future__ import annotations

from aiohttp import FormData

from bot.gateway import keys
from services.models import Activity
from services.signups import SignupService
from tests.conftest import TODAY
from tests.console.test_signups import MOBILE, seed

WRITES = [("/console/activities/new", {"name": "一个新活动"}, "/console/activities"),
          ("/console/inbox", {"decision": "ignore", "message": "1"}, "/console/inbox")]


async def test_staff_cannot_edit_activities_publish_notices_or_write_training_data(console):
    console.user("kefu")  # the 客服 role
    assert await console.login("kefu") == 302
    for path, data, page in WRITES:
        response = await console.post(path, data, page=page)
        assert response.status == 403 and "没有此项权限" in await response.text(), path
    for path in ("/console/activities/new", "/console/upload", "/console/notices"):
        assert (await console.client.get(path)).status == 403, path
    token = await console.csrf("/console/conversations")
    form = FormData()
    form.add_field("_csrf", token)
    form.add_field("notice", b"notice", filename="n.txt", content_type="text/plain")
    assert (await console.client.post("/console/upload", data=form, allow_redirects=False)).status == 403
    with console.gateway.app[keys.SESSIONS]() as session:
        assert session.query(Activity).count() == 0


async def test_an_editor_may(console):
    console.user("bianji", "editor")
    assert await console.login("bianji") == 302
    for path in ("/console/activities/new", "/console/upload", "/console/notices"):
        assert (await console.client.get(path)).status == 200, path


async def test_an_organiser_exports_the_list_of_their_own_activity_only(console):
    activity_id = seed(console)
    with console.gateway.app[keys.SESSIONS]() as session:
        other_id = session.query(Activity.id).filter(Activity.id != activity_id).first()[0]
    console.user("li.admin", "admin")
    console.user("fuzeren", "organiser")
    assert await console.login("fuzeren") == 302
    export = f"/console/activities/{activity_id}/export.csv"
    refused = await console.post(export, page="/console/activities")
    assert refused.status == 403 and MOBILE not in await refused.text()
    # An admin assigns the activity to the organiser (audited).
    console.client.session.cookie_jar.clear()
    assert await console.login("li.admin") == 302
    assigned = await console.post(f"/console/activities/{activity_id}/organisers",
                                  {"username": "fuzeren", "assigned": "1"}, page="/console/activities")
    assert assigned.status == 302
    console.client.session.cookie_jar.clear()
    assert await console.login("fuzeren") == 302
    exported = await console.post(export, page="/console/activities")
    assert exported.status == 200 and MOBILE in (await exported.read()).decode("utf-8-sig")
    other = await console.post(f"/console/activities/{other_id}/export.csv", page="/console/activities")
    assert other.status == 403
    # And nothing else an admin may.
    assert (await console.client.get("/console/admin/users")).status == 403
    actions = [(entry.username, entry.action) for entry in console.accounts.audit_log()]
    assert actions == [("fuzeren", "export_csv"), ("li.admin", "organiser_assign")]


async def test_every_role_takes_sign_ups_by_phone_an_organiser_only_for_their_own(console, monkeypatch):
    monkeypatch.setenv("ASSISTANT_TODAY", TODAY.isoformat())
    activity_id = seed(console)
    SignupService(console.gateway.app[keys.SESSIONS], lambda: TODAY).cancel(activity_id, "wechat", "o-b")
    for number, role in enumerate(("staff", "editor", "admin", "organiser")):
        console.user(f"user{number}", role)
        console.logout_cookies()
        assert await console.login(f"user{number}") == 302
        response = await console.post(f"/console/activities/{activity_id}/signups",
                                      {"name": "王敏", "mobile": f"1370000111{number}", "company": "某公司"},
                                      page="/console/activities")
        if role == "organiser":
            assert response.status == 403 and "只能为自己负责的活动" in await response.text()
        else:
            assert response.status in (302, 409), role  # taken, or refused as full: never 403
    assert [entry.action for entry in console.accounts.audit_log()] == ["signup_phone_add"]
