"""Reviewing a notice before members see it: an upload becomes a draft, the review page shows
every field with the sentence it came from, staff correct, add and remove activities and
publish (the assistant answers with the corrected values), re-publish without duplicates,
withdraw; refused corrections come back with 400 and everything typed."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import delete, func, select

from bot.gateway import keys
from services.activities import ActivityService
from services.ingest.drafts import DraftService
from services.ingest.extraction import extract
from services.ingest.loader import read_and_extract
from services.ingest.record_json import record_from_json, record_to_json
from services.models import Activity, Signup, SourceDocument
from services.signups import SignupService
from tests.conftest import TODAY
from tests.console.nlu_events import ON_BOTH, gateway_db  # noqa: F401  (SQLite, or PostgreSQL too)
from tests.console.review_forms import form_fields, review_page, submit
from tests.console.test_upload import FIXTURE, QC, counts, fixed_today, login, upload  # noqa: F401  (fixture)

LECTURE = "2027年质量大讲堂（第一期）"
NEW_PLACE = "线上（腾讯会议，会议号 123 456 789）"


def sessions(console):
    return console.gateway.app[keys.SESSIONS]


def activities(console) -> ActivityService:
    return ActivityService(sessions(console), lambda: TODAY)


async def uploaded_draft(console) -> str:
    """Log in, upload the fixture notice; the review page's path."""
    await login(console)
    response = await upload(console, FIXTURE.name, FIXTURE.read_bytes())
    assert response.status == 302, await response.text()
    location = response.headers["Location"]
    assert re.fullmatch(r"/console/notices/\d+", location)
    return location


def activity_field(page: str, name: str) -> str | None:
    """Which activity (a0, a1 …) of the form has this name."""
    fields = form_fields(page)
    return next((key.removesuffix("-name") for key, value in fields.items()
                 if re.fullmatch(r"a\d+-name", key) and value == name), None)


async def test_an_upload_becomes_a_draft_members_cannot_see(console):
    before = counts(console)
    path = await uploaded_draft(console)
    assert counts(console) == before  # no document, no activity yet
    assert activities(console).resolve(QC).unique is None
    listing = await review_page(console, "/console/notices")
    assert "《关于举办2027年上海市质量管理小组成果发表交流活动的通知》" in listing and path in listing
    assert "草稿" in listing
    entry = console.accounts.audit_log()[0]
    assert (entry.action, entry.target) == ("notice_upload", FIXTURE.name) and "草稿" in entry.detail


async def test_the_review_page_shows_every_field_its_sentence_and_what_is_missing(console):
    page = await review_page(console, await uploaded_draft(console))
    # The notice on one side, the sentences values came from marked in it.
    assert "<mark>长宁区泰安路74号上海市质量协会三楼报告厅</mark>" in page
    assert "<mark>限120名</mark>" in page and "<mark>会务费300元/人</mark>" in page
    # Each filled field links to its sentence; the place's quote is the sentence it was read from.
    anchor = re.search(r'<span class="anchor" id="(q\d+)"></span><mark>长宁区泰安路74号', page).group(1)
    assert f'href="#{anchor}"' in page
    assert "原文：“请于2027年3月31日前报名。”" in page
    fields = form_fields(page)
    qc = activity_field(page, QC)
    assert fields[f"{qc}-start"] == "2027-04-15" and fields[f"{qc}-end"] == "2027-04-16"
    assert fields[f"{qc}-capacity"] == "120" and fields[f"{qc}-signup_deadline"] == "2027-03-31"
    assert fields[f"{qc}-theme"] == "数智赋能 质量提升"
    for label in ("活动名称", "开始日期", "结束日期", "时间段", "地点", "参加对象", "名额（人）", "费用", "报名截止",
                  "报名方式", "主题", "阶段", "联系人", "通知标题", "发文单位", "发文日期", "通知类型"):
        assert label in page, label
    assert fields["c0-phone"] == "021-52588282" and fields["c0-person"] == "王晓明"
    # Missing and doubtful fields are marked, in Chinese; no English debug lines.
    assert "通知未写明" in page and "请核对" in page
    assert not re.search(r"\bno (theme|dates|place|deadline)\b|Traceback|None\b", page)


async def test_refused_corrections_come_back_with_400_chinese_messages_and_what_was_typed(console):
    path = await uploaded_draft(console)
    page = await review_page(console, path)
    qc, lecture = activity_field(page, QC), activity_field(page, LECTURE)
    draft_before = DraftService(sessions(console)).get(int(path.rsplit("/", 1)[1]))
    response = await submit(console, path, {f"{qc}-start": "2027年13月5日", f"{qc}-capacity": "一百二十人",
                                            f"{qc}-place": NEW_PLACE, f"{lecture}-start": "2027-05-20",
                                            f"{lecture}-end": "2027-05-01"})
    assert response.status == 400
    text = await response.text()
    assert "日期格式不正确" in text and "名额必须是整数" in text and "结束日期早于开始日期" in text
    fields = form_fields(text)  # nothing typed is lost
    assert fields[f"{qc}-start"] == "2027年13月5日" and fields[f"{qc}-capacity"] == "一百二十人"
    assert fields[f"{qc}-place"] == NEW_PLACE and fields[f"{lecture}-end"] == "2027-05-01"
    assert activities(console).resolve(QC).unique is None  # nothing published …
    after = DraftService(sessions(console)).get(draft_before.id)
    assert after.record == draft_before.record  # … nor saved


@ON_BOTH
async def test_publishing_stores_the_corrected_values_for_the_assistant(console):
    path = await uploaded_draft(console)
    page = await review_page(console, path)
    qc = activity_field(page, QC)
    response = await submit(console, path, {f"{qc}-place": NEW_PLACE, f"{qc}-capacity": "80",
                                            f"{qc}-signup_method": "发送报名表至 training@shqa.example.cn"})
    assert response.status == 302 and response.headers["Location"] == path
    found = activities(console)
    qc_activity = found.resolve(QC).unique
    assert qc_activity is not None
    details = found.details(qc_activity.id)
    assert details.location == NEW_PLACE and details.capacity == 80
    assert details.signup_method == "发送报名表至 training@shqa.example.cn"
    assert found.resolve(LECTURE).unique is not None
    outcome = SignupService(sessions(console), lambda: TODAY).sign_up(qc_activity.id, "wechat", "o-rv", "张三",
                                                                       "13800138000", "某某公司")
    assert outcome.done
    page = await review_page(console, path)
    assert "已发布" in page and "重新发布" in page and "撤回通知" in page
    entry = console.accounts.audit_log()[0]
    assert (entry.username, entry.action, entry.target) == ("uploader", "notice_publish", FIXTURE.name)


@ON_BOTH
async def test_re_publishing_updates_the_activities_rather_than_duplicating_them(console):
    path = await uploaded_draft(console)
    assert (await submit(console, path)).status == 302
    with sessions(console)() as session:
        before = session.scalars(select(Activity.id).order_by(Activity.id)).all()
    lecture_id = activities(console).resolve(LECTURE).unique.id
    page = await review_page(console, path)
    lecture = activity_field(page, LECTURE)
    renamed = "2027年质量大讲堂（第一期）——卓越绩效专场"
    response = await submit(console, path, {f"{lecture}-name": renamed, f"{lecture}-start": "2027-06-03",
                                            f"{lecture}-end": "", f"{lecture}-time_of_day": "13:30-16:30"})
    assert response.status == 302
    with sessions(console)() as session:
        assert session.scalars(select(Activity.id).order_by(Activity.id)).all() == before  # no new row
    found = activities(console)
    details = found.details(lecture_id)
    assert details.name == renamed and details.time_of_day == "13:30-16:30"
    assert details.summary.span.start.first_day.isoformat() == "2027-06-03"
    assert found.resolve("卓越绩效专场").unique.id == lecture_id
    # The same file uploaded again reads into the same draft, published ids kept.
    again = await upload(console, FIXTURE.name, FIXTURE.read_bytes())
    assert again.headers["Location"] == path
    assert len(DraftService(sessions(console)).all()) == 1


async def test_adding_and_removing_activities(console):
    path = await uploaded_draft(console)
    response = await submit(console, path, action="add")
    assert response.status == 200
    page = await response.text()
    assert "活动 3（新添加）" in page and "修改尚未保存" in page
    fields = form_fields(page)
    fields.update({"a2-name": "2027年质量开放日", "a2-start": "2027-06-12", "a2-place": "市质协一楼大厅",
                   "a2-capacity": "30", "action": "publish"})
    response = await console.client.post(path, data=fields, allow_redirects=False)
    assert response.status == 302, await response.text()
    open_day = activities(console).resolve("2027年质量开放日").unique
    assert open_day is not None and activities(console).details(open_day.id).location == "市质协一楼大厅"

    page = await review_page(console, path)
    index = activity_field(page, "2027年质量开放日").removeprefix("a")
    response = await submit(console, path, action=f"remove:{index}")
    assert response.status == 200 and "2027年质量开放日" not in form_fields(await response.text()).values()
    assert activities(console).resolve("2027年质量开放日").unique is not None  # not until published
    fields = form_fields(await response.text())
    response = await console.client.post(path, data={**fields, "action": "publish"}, allow_redirects=False)
    assert response.status == 302
    assert activities(console).resolve("2027年质量开放日").unique is None
    assert activities(console).resolve(QC).unique is not None


@ON_BOTH
async def test_withdrawing_takes_the_notice_back_from_members(console):
    path = await uploaded_draft(console)
    assert (await submit(console, path)).status == 302
    qc = activities(console).resolve(QC).unique
    # An activity with sign-ups is not deleted: the withdrawal is refused, with a reason.
    signups = SignupService(sessions(console), lambda: TODAY)
    assert signups.sign_up(qc.id, "wechat", "o-wd", "李四", "13900139000", "某某公司").done
    token = await console.csrf(path)
    response = await console.client.post(path + "/withdraw", data={"_csrf": token}, allow_redirects=False)
    assert response.status == 400 and "已有报名记录" in await response.text()
    assert activities(console).resolve(QC).unique is not None

    with sessions(console)() as session, session.begin():  # the member's sign-up gone, the notice can go
        session.execute(delete(Signup))
    response = await console.client.post(path + "/withdraw", data={"_csrf": token}, allow_redirects=False)
    assert response.status == 302
    assert activities(console).resolve(QC).unique is None and activities(console).resolve(LECTURE).unique is None
    with sessions(console)() as session:
        documents = select(func.count(SourceDocument.id)).where(SourceDocument.source_file == FIXTURE.name)
        assert session.scalar(documents) == 0
    page = await review_page(console, path)
    assert "已撤回" in page and "撤回通知" not in page
    assert console.accounts.audit_log()[0].action == "notice_withdraw"
    # It can be published again.
    assert (await submit(console, path)).status == 302
    assert activities(console).resolve(QC).unique is not None


async def test_without_login_or_csrf_nothing_happens(console):
    path = await uploaded_draft(console)
    token = await console.csrf(path)
    response = await console.client.post(path, data={"action": "publish"}, allow_redirects=False)
    assert response.status == 403  # no CSRF token
    response = await console.client.post(path + "/withdraw", data={"_csrf": "forged"}, allow_redirects=False)
    assert response.status == 403
    console.logout_cookies()
    for url in (path, "/console/notices"):
        response = await console.client.get(url, allow_redirects=False)
        assert response.status == 302 and response.headers["Location"].startswith("/console/login")
    response = await console.client.post(path, data={"action": "publish", "_csrf": token}, allow_redirects=False)
    assert response.status in (302, 403)
    assert activities(console).resolve(QC).unique is None
    assert (await console.client.get("/console/notices/999", allow_redirects=False)).status == 302


async def test_a_missing_draft_is_not_found(console):
    await login(console)
    assert (await console.client.get("/console/notices/999")).status == 404


async def test_damaged_and_oversized_uploads_make_no_draft(console):
    await login(console)
    response = await upload(console, "通知.docx", b"PK\x03\x04 this is not really a Word file")
    assert response.status == 400 and "这个 Word 文件已损坏" in await response.text()
    response = await upload(console, "huge.txt", b"x" * (10 * 1024 * 1024 + 1))
    assert response.status == 400 and "文件太大" in await response.text()
    assert DraftService(sessions(console)).all() == []


NOTICES = sorted(p for p in (Path(__file__).parent.parent / "ingest" / "fixtures").iterdir()
                 if p.suffix in (".txt", ".md"))


@pytest.mark.parametrize("fixture", NOTICES, ids=lambda path: path.name)
def test_a_record_survives_its_json(fixture: Path):
    text, record = read_and_extract(fixture)
    assert record_from_json(record_to_json(record)) == record
    assert record_from_json(record_to_json(extract(text, fixture.name))) == record
