"""活动与报名's list: search (繁體 and aliases too), filters by year, 报名状态 and date,
an organiser's own activities, 50 a page with links that keep the filters."""

from __future__ import annotations

import re

import pytest

from bot.gateway import keys
from services.knowledge import KnowledgeLoader
from services.models import Activity
from tests.conftest import FIXTURE_KNOWLEDGE, KNOWLEDGE_DIR, TODAY

LIST = "/console/activities"
LECTURE, QC = "2026年质量大讲堂（冬季）", "2026年QC小组成果发表会"


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setenv("ASSISTANT_TODAY", TODAY.isoformat())


def load(console) -> None:
    sessions = console.gateway.app[keys.SESSIONS]
    for folder in (KNOWLEDGE_DIR, FIXTURE_KNOWLEDGE):
        KnowledgeLoader(sessions).load_dir(folder)


def listed(page: str) -> list[str]:
    """The activities' names in the list, in order."""
    return re.findall(r'<td><a href="/console/activities/\d+">([^<]+)</a>', page)


async def names(console, query: str = "") -> list[str]:
    response = await console.client.get(LIST + query)
    assert response.status == 200
    return listed(await response.text())


async def test_the_search_finds_names_aliases_and_places_in_either_script(console):
    load(console)
    console.user("kefu")
    assert await console.login("kefu") == 302
    everything = await names(console)
    assert LECTURE in everything and QC in everything and len(everything) > 5
    assert await names(console, "?q=冬季大讲堂") == [LECTURE]  # an alias
    assert await names(console, "?q=冬季大講堂") == [LECTURE]  # 繁體
    assert await names(console, "?q=泰安路") == [LECTURE]  # the place
    assert await names(console, "?q=2026+qc") == [QC]  # every word, any case
    page = await (await console.client.get(LIST + "?q=没有这种活动")).text()
    assert listed(page) == [] and "没有符合条件的活动" in page


async def test_the_filters_narrow_by_year_sign_up_and_date_and_unknown_values_are_dropped(console):
    load(console)
    console.user("kefu")
    assert await console.login("kefu") == 302
    everything = await names(console)
    assert set(await names(console, "?status=open")) == {LECTURE, QC}
    closed = await names(console, "?status=closed")
    assert closed and LECTURE not in closed
    assert all(name.startswith("2026") for name in await names(console, "?year=2026"))
    upcoming = await names(console, "?when=upcoming")
    assert LECTURE in upcoming and "2018年上海市优秀质量管理小组活动" not in upcoming
    assert "2018年上海市优秀质量管理小组活动" in await names(console, "?when=past")
    assert await names(console, "?status=open&q=讲堂&year=2026&when=upcoming") == [LECTURE]
    # Unknown values are dropped, not errors.
    assert await names(console, "?status=nonsense&year=abc&when=later&page=x") == everything
    page = await (await console.client.get(LIST + "?status=open")).text()
    assert "报名中" in page and "open" not in re.sub(r'value="[^"]*"|class="[^"]*"', "", page)


async def test_fifty_a_page_and_the_page_links_keep_the_filters(console):
    sessions = console.gateway.app[keys.SESSIONS]
    with sessions() as session, session.begin():
        session.add_all(Activity(key=f"bulk-{n:03d}", name=f"2027年质量沙龙第{n}期", year=2027, seats_taken=0)
                        for n in range(1, 61))
        session.add(Activity(key="other", name="2025年质量论坛", year=2025, seats_taken=0))
    console.user("kefu")
    assert await console.login("kefu") == 302
    first = await (await console.client.get(LIST + "?q=沙龙&year=2027")).text()
    assert len(listed(first)) == 50 and "第 1 / 2 页" in first and "符合条件的活动 60 个" in first
    next_url = re.search(r'<a href="([^"]+)">下一页</a>', first).group(1).replace("&amp;", "&")
    assert "q=%E6%B2%99%E9%BE%99" in next_url and "year=2027" in next_url and "page=2" in next_url
    second = await (await console.client.get(next_url)).text()
    assert len(listed(second)) == 10 and "第 2 / 2 页" in second and "上一页" in second
    assert not set(listed(first)) & set(listed(second))
    # A page past the last shows the last.
    assert listed(await (await console.client.get(LIST + "?q=沙龙&page=9")).text()) == listed(second)


async def test_an_organiser_lists_their_own_activities(console):
    load(console)
    sessions = console.gateway.app[keys.SESSIONS]
    with sessions() as session:
        lecture = session.query(Activity).filter(Activity.name == LECTURE).one().id
    console.user("fuzeren", "organiser")
    console.accounts.set_organiser(lecture, "fuzeren", True, "li.admin")
    assert await console.login("fuzeren") == 302
    page = await (await console.client.get(LIST)).text()
    assert "只看我负责的活动" in page and "我负责" in page and len(listed(page)) > 1
    assert await names(console, "?mine=1") == [LECTURE]
    # Staff have no such filter: mine=1 is dropped.
    console.logout_cookies()
    console.user("kefu")
    assert await console.login("kefu") == 302
    page = await (await console.client.get(LIST + "?mine=1")).text()
    assert "只看我负责的活动" not in page and len(listed(page)) > 1
