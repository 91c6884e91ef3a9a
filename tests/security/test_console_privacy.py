"""Row 9 of issue #13: full numbers and exports only by a POST an admin's own page
makes (CSRF-checked), each written to the audit log."""

from __future__ import annotations

import re

from tests.conftest import TODAY
from tests.console.test_signups import MOBILE, seed
from tests.gateway.standins import text_xml


async def test_partial_reveal_by_get_shows_masked_numbers_and_audits_nothing(console):
    console.user("li.admin", role="admin")
    await console.gateway.wechat().push(text_xml("o-member", f"我的手机{MOBILE}", msg_id=91))
    await console.gateway.settle()
    assert await console.login("li.admin") == 302
    member = "/console/conversations/wechat/o-member"
    for query in ("?partial=1&reveal=1", "?reveal=1"):
        page = await (await console.client.get(member + query)).text()
        assert "139****5678" in page and MOBILE not in page
    assert console.accounts.audit_log() == []
    shown = await console.post(member + "/reveal", page=member)
    assert shown.status == 200 and MOBILE in await shown.text()
    assert [entry.action for entry in console.accounts.audit_log()] == ["unmask"]


async def test_a_cross_site_link_cannot_export_or_reveal(console):
    activity_id = seed(console)
    console.user("li.admin", role="admin")
    assert await console.login("li.admin") == 302
    # What a link or an <img> on another site makes the admin's browser send: a GET with the cookie.
    for path in (f"/console/activities/{activity_id}/export.csv", f"/console/activities/{activity_id}/export.xlsx",
                 f"/console/activities/{activity_id}?reveal=1"):
        response = await console.client.get(path, allow_redirects=False)
        assert MOBILE not in await response.text(), path
    # A form on another site: a POST with the cookie (SameSite=Lax keeps it off, but the token alone suffices).
    for path in (f"/console/activities/{activity_id}/export.csv", f"/console/activities/{activity_id}/reveal"):
        response = await console.client.post(path, data={"cancelled": "1"}, allow_redirects=False)
        assert response.status == 403 and MOBILE not in await response.text(), path
    assert console.accounts.audit_log() == []
    exported = await console.post(f"/console/activities/{activity_id}/export.csv", page="/console/activities")
    assert exported.status == 200 and MOBILE in (await exported.read()).decode("utf-8-sig")
    assert [entry.action for entry in console.accounts.audit_log()] == ["export_csv"]


async def test_taking_correcting_and_refusing_sign_ups_shows_no_whole_number_to_staff(console, monkeypatch):
    """Staff may take and correct sign-ups by phone, not reveal numbers: every page of it masks them."""
    monkeypatch.setenv("ASSISTANT_TODAY", TODAY.isoformat())
    activity_id = seed(console)
    console.user("kefu")
    assert await console.login("kefu") == 302
    base = f"/console/activities/{activity_id}"
    reference = (await (await console.client.get(base)).text()).split("<td>SQ", 1)[1][:11]
    pages = [await console.client.get(base), await console.client.get(f"{base}/signups/SQ{reference}/edit"),
             await console.post(f"{base}/signups", {"name": "王敏", "mobile": MOBILE, "company": "某公司"}, page=base),
             await console.post(f"{base}/signups/SQ{reference}/edit",
                                {"name": "张三", "mobile": "13800001111", "company": "某公司"}, page=base)]
    assert [page.status for page in pages] == [200, 200, 409, 409]
    for page in pages:
        # A refused form keeps what staff typed themselves, in its field; nothing else shows it.
        text = re.sub(r'name="mobile" value="\d*"', "", await page.text())
        assert MOBILE not in text and "13800001111" not in text and "139****5678" in text
    # Being told a typed number is signed up already is audited: no silent guessing of masked digits.
    entries = console.accounts.audit_log()
    assert [entry.action for entry in entries] == ["signup_taken_number", "signup_taken_number"]
    assert all(MOBILE not in (entry.detail or "") for entry in entries)
