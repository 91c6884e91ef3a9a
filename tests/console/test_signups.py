"""Sign-up lists: counts against capacity, masking, and audited unmasking and exports."""

from __future__ import annotations

import csv
import io
import re
import urllib.parse

from openpyxl import load_workbook

from bot.gateway import keys
from services.knowledge import KnowledgeLoader
from services.models import Activity
from services.signups import SignupService
from tests.conftest import FIXTURE_KNOWLEDGE, TODAY

MOBILE = "13912345678"


def seed(console) -> int:
    sessions = console.gateway.app[keys.SESSIONS]
    KnowledgeLoader(sessions).load_dir(FIXTURE_KNOWLEDGE)
    with sessions() as session:
        activity = session.query(Activity).filter(Activity.capacity == 2).one()
        activity_id = activity.id
    signups = SignupService(sessions, lambda: TODAY)
    assert signups.sign_up(activity_id, "wechat", "o-a", "张三", MOBILE, "上海某某公司").done
    assert signups.sign_up(activity_id, "wechat", "o-b", "李四", "13800001111", "=HYPERLINK(\"x\")").done
    return activity_id


async def test_staff_see_counts_and_masked_numbers_and_cannot_unmask(console):
    activity_id = seed(console)
    console.user("staff1")
    assert await console.login("staff1") == 302
    listing = await (await console.client.get("/console/activities")).text()
    assert "2026年质量大讲堂（冬季）" in listing
    page = await (await console.client.get(f"/console/activities/{activity_id}?reveal=1")).text()
    assert "139****5678" in page and MOBILE not in page
    assert "名额 2（剩余 0）" in page
    refused = await console.post(f"/console/activities/{activity_id}/reveal", page="/console/activities")
    assert refused.status == 403 and MOBILE not in await refused.text()
    assert "导出" not in page
    assert console.accounts.audit_log() == []


async def test_admin_unmasking_and_exports_are_audited(console):
    activity_id = seed(console)
    console.user("admin1", "admin")
    assert await console.login("admin1") == 302
    page = await (await console.client.get(f"/console/activities/{activity_id}")).text()
    assert "139****5678" in page and MOBILE not in page  # masked until asked
    page = await (await console.post(f"/console/activities/{activity_id}/reveal", page="/console/activities")).text()
    assert MOBILE in page

    response = await console.post(f"/console/activities/{activity_id}/export.csv", page="/console/activities")
    assert response.status == 200
    disposition = response.headers["Content-Disposition"]
    # Named by the activity and its date (RFC 6266's UTF-8 name, an ASCII one for old clients).
    assert disposition.startswith("attachment; filename=\"signups-")
    name = urllib.parse.unquote(disposition.split("filename*=UTF-8''")[1])
    assert re.fullmatch(r"2026年质量大讲堂（冬季）_2026-12-10_报名名单_导出\d{8}-\d{4}\.csv", name), name
    body = (await response.read()).decode("utf-8")
    assert body.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
    # A title row says which event the list is of.
    assert len(rows[0]) == 1 and rows[0][0].startswith("2026年质量大讲堂（冬季） 报名名单")
    assert "活动时间：2026年12月10日" in rows[0][0] and "地点：长宁区泰安路74号" in rows[0][0]
    assert "有效报名 2 人（名额 2）" in rows[0][0] and "导出时间：" in rows[0][0]
    assert rows[1][:4] == ["报名编号", "姓名", "手机", "单位"]
    assert [row[2] for row in rows[2:]] == [MOBILE, "13800001111"]
    assert rows[3][3] == "'=HYPERLINK(\"x\")"  # never a formula
    assert {row[7] for row in rows[2:]} == {"公众号"}  # the channel in Chinese, not its code

    response = await console.post(f"/console/activities/{activity_id}/export.xlsx", page="/console/activities")
    assert response.status == 200
    name = urllib.parse.unquote(response.headers["Content-Disposition"].split("filename*=UTF-8''")[1])
    assert name.startswith("2026年质量大讲堂（冬季）_2026-12-10_报名名单_导出") and name.endswith(".xlsx")
    sheet = load_workbook(io.BytesIO(await response.read())).active
    assert sheet["A1"].value.startswith("2026年质量大讲堂（冬季） 报名名单") and sheet["A1"].font.b
    assert sheet["A2"].value == "报名编号"
    assert sheet["C3"].value == MOBILE and sheet["B4"].value == "李四"
    assert sheet["D4"].data_type == "s" and sheet["H3"].value == "公众号"

    actions = [(entry.username, entry.action) for entry in console.accounts.audit_log()]
    assert actions == [("admin1", "export_xlsx"), ("admin1", "export_csv"), ("admin1", "unmask")]
    audit = await (await console.client.get("/console/admin/audit")).text()
    assert "导出名单（CSV）" in audit and "export_csv" not in audit and "2026年质量大讲堂（冬季）" in audit
