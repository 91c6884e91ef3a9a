"""Sign-up lists: counts against capacity, masking, and audited unmasking and exports."""

from __future__ import annotations

import csv
import io

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
    assert response.status == 200 and "attachment" in response.headers["Content-Disposition"]
    body = (await response.read()).decode("utf-8")
    assert body.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
    assert rows[0][:4] == ["报名编号", "姓名", "手机", "单位"]
    assert [row[2] for row in rows[1:]] == [MOBILE, "13800001111"]
    assert rows[2][3] == "'=HYPERLINK(\"x\")"  # never a formula

    response = await console.post(f"/console/activities/{activity_id}/export.xlsx", page="/console/activities")
    assert response.status == 200
    sheet = load_workbook(io.BytesIO(await response.read())).active
    assert sheet["C2"].value == MOBILE and sheet["B3"].value == "李四"
    assert sheet["D3"].data_type == "s"

    actions = [(entry.username, entry.action) for entry in console.accounts.audit_log()]
    assert actions == [("admin1", "export_xlsx"), ("admin1", "export_csv"), ("admin1", "unmask")]
    audit = await (await console.client.get("/console/admin/audit")).text()
    assert "export_csv" in audit and "2026年质量大讲堂（冬季）" in audit
