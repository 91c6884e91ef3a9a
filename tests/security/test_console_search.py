"""Row 6 of issue #13: staff searching digit by digit for a masked number."""

from __future__ import annotations

from tests.gateway.standins import text_xml

NUMBER = "13987654321"


async def seeded(console):  # type: ignore[no-untyped-def]
    await console.gateway.wechat().push(text_xml("o-member", f"我的手机是{NUMBER}，请回电", msg_id=61))
    await console.gateway.settle()


async def listed(console, query: str) -> bool:  # type: ignore[no-untyped-def]
    page = await (await console.client.get("/console/conversations", params={"q": query})).text()
    return "o-member" in page


async def test_staff_cannot_recover_a_masked_number_by_searching_digits(console):
    await seeded(console)
    console.user("li.staff")
    assert await console.login("li.staff") == 302
    assert await listed(console, "请回电")  # words are found
    assert await listed(console, "139****4321")  # what staff see is found
    # The attack: extend a prefix one digit at a time and watch which searches hit.
    for probe in ("1398", "13987", "987654", NUMBER, "８７６５"):
        assert not await listed(console, probe), probe
    assert console.accounts.audit_log() == []


async def test_an_admin_searching_by_number_finds_it_and_is_audited(console):
    await seeded(console)
    console.user("li.admin", role="admin")
    assert await console.login("li.admin") == 302
    assert await listed(console, NUMBER)
    [entry] = console.accounts.audit_log()
    assert (entry.action, entry.target) == ("search_number", NUMBER)
