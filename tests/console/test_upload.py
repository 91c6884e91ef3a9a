"""Uploading a notice in the console: the same reading as `python -m services.ingest`, into a
draft that members see once it is published (tests/console/test_notice_review.py has the
review itself), a preview that stores nothing, clear refusals, the audit log."""

from __future__ import annotations

from pathlib import Path

import pytest
from aiohttp import FormData
from sqlalchemy import func, select

from bot.console.activity_views import NOTICE_MAX_BYTES, safe_file_name
from bot.gateway import keys
from services.activities import ActivityService
from services.activity_admin import ActivityAdminService
from services.activity_match import fuzzy_matches
from services.models import Activity, SourceDocument
from services.repositories import ActivityRepository
from services.retrieval import DocumentRetriever
from services.signups import SignupService
from services.textnorm import match_key
from tests.conftest import TODAY
from tests.console.review_forms import review_page, submit

FIXTURE = Path(__file__).parent.parent / "ingest" / "fixtures" / "2027-qc-presentation-notice.txt"
UPLOAD = "/console/upload"
QC = "2027年上海市QC小组成果发表交流会"


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setenv("ASSISTANT_TODAY", TODAY.isoformat())


def sessions(console):
    return console.gateway.app[keys.SESSIONS]


def counts(console) -> tuple[int, int]:
    with sessions(console)() as session:
        return (session.scalar(select(func.count(Activity.id))), session.scalar(select(func.count(SourceDocument.id))))


async def upload(console, name: str, content: bytes, dry_run: bool = False, token: str | None = None):
    form = FormData()
    form.add_field("_csrf", token if token is not None else await console.csrf(UPLOAD))
    form.add_field("notice", content, filename=name, content_type="application/octet-stream")
    if dry_run:
        form.add_field("dry_run", "1")
    return await console.client.post(UPLOAD, data=form, allow_redirects=False)


async def login(console) -> None:
    console.user("uploader", "editor")  # editors (and admins) upload notices
    assert await console.login("uploader") == 302


async def publish_upload(console, name: str, content: bytes) -> str:
    """Upload a notice and publish its draft as read; the review page."""
    response = await upload(console, name, content)
    assert response.status == 302, await response.text()
    path = response.headers["Location"]
    published = await submit(console, path)
    assert published.status == 302, await published.text()
    return await review_page(console, path)


async def test_an_uploaded_notice_once_published_is_answered_at_once(console):
    await login(console)
    retriever = DocumentRetriever(sessions(console))
    assert retriever.answer("质量大讲堂第一期的会务费多少") is None  # the index is built, without the notice
    before = counts(console)
    response = await upload(console, FIXTURE.name, FIXTURE.read_bytes())
    assert response.status == 302 and response.headers["Location"].startswith("/console/notices/")
    assert counts(console) == before  # a draft: nothing for members yet
    page = await review_page(console, response.headers["Location"])
    assert "请核对下面的内容" in page
    assert QC in page and "2027年质量大讲堂（第一期）" in page and "2027-03-31" in page

    published = await submit(console, response.headers["Location"])
    assert published.status == 302
    page = await review_page(console, response.headers["Location"])
    assert "已发布：2 个活动" in page

    # The assistant finds them at once: exact names, fuzzy names, sign-up.
    activities = ActivityService(sessions(console), lambda: TODAY)
    qc = activities.resolve(QC).unique
    assert qc is not None and activities.details(qc.id).location == "长宁区泰安路74号上海市质量协会三楼报告厅"
    with sessions(console)() as session:
        index = ActivityRepository(session).name_index()
    assert fuzzy_matches(match_key("质量大讲堂第一期"), index)
    outcome = SignupService(sessions(console), lambda: TODAY).sign_up(qc.id, "wechat", "o-up", "张三", "13800138000",
                                                                       "某某公司")
    assert outcome.done
    # The document is searchable: the retriever's fingerprint sees the new document and rebuilds.
    answer = retriever.answer("质量大讲堂第一期的会务费多少")
    assert answer is not None and "会务费300元/人" in answer.text

    publish_entry, upload_entry = console.accounts.audit_log()[:2]
    assert (publish_entry.username, publish_entry.action, publish_entry.target) == ("uploader", "notice_publish",
                                                                                   FIXTURE.name)
    assert (upload_entry.action, upload_entry.target) == ("notice_upload", FIXTURE.name)

    again = await upload(console, FIXTURE.name, FIXTURE.read_bytes())  # the same draft, read again
    assert again.headers["Location"] == response.headers["Location"]
    assert "同名通知的新版本" in await review_page(console, again.headers["Location"])


async def test_a_preview_stores_nothing(console):
    await login(console)
    before = counts(console)
    response = await upload(console, FIXTURE.name, FIXTURE.read_bytes(), dry_run=True)
    assert response.status == 200
    page = await response.text()
    assert "预览" in page and QC in page and "signup_deadline: &#39;2027-03-31&#39;" in page
    assert counts(console) == before
    assert ActivityService(sessions(console), lambda: TODAY).resolve(QC).unique is None
    assert console.accounts.audit_log()[0].action == "notice_preview"


async def test_a_damaged_word_file_gets_a_clear_message_and_stores_nothing(console):
    await login(console)
    before = counts(console)
    response = await upload(console, "通知.docx", b"PK\x03\x04 this is not really a Word file")
    assert response.status == 400
    page = await response.text()
    assert "这个 Word 文件已损坏" in page and "没有写入任何内容" in page
    assert "/tmp" not in page and "BadZipFile" not in page  # no temporary path, no library error
    assert counts(console) == before
    entry = console.accounts.audit_log()[0]
    assert entry.action == "notice_upload" and "Word" in entry.detail

    for name, content, message in (("notice.doc", b"\xd0\xcf\x11\xe0", "另存为 .docx"),
                                   ("notice.pdf", b"not a pdf", "这个 PDF 文件已损坏"),
                                   ("notice.txt", b"", "文件是空的"),
                                   ("scan.txt", b"   \n  ", "没有可识别的文字")):
        response = await upload(console, name, content)
        assert response.status == 400 and message in await response.text(), name
    assert counts(console) == before


async def test_size_limits_and_csrf(console):
    await login(console)
    before = counts(console)
    # Larger than the gateway's 64 KB body limit, well under the notice limit: accepted.
    padded = FIXTURE.read_bytes() + ("\n" + "附：报名回执表格一份。" * 20) .encode() * 600
    assert len(padded) > 200 * 1024
    response = await upload(console, "padded-notice.txt", padded, dry_run=True)
    assert response.status == 200 and "预览" in await response.text()
    # Over the notice limit: refused with a message.
    response = await upload(console, "huge.txt", b"x" * (NOTICE_MAX_BYTES + 1))
    assert response.status == 400 and "文件太大" in await response.text()
    # Without the CSRF token: refused, nothing stored.
    response = await upload(console, FIXTURE.name, FIXTURE.read_bytes(), token="forged")
    assert response.status == 403
    assert counts(console) == before


async def test_re_ingesting_a_notice_leaves_staff_edits_alone(console, tmp_path):
    await login(console)
    await publish_upload(console, FIXTURE.name, FIXTURE.read_bytes())
    qc = ActivityService(sessions(console), lambda: TODAY).resolve(QC).unique
    admin = ActivityAdminService(sessions(console), lambda: TODAY)
    form, _ = admin.page(qc.id)
    form.location = "线上（腾讯会议）"
    admin.update(qc.id, form, "uploader")

    corrected = FIXTURE.read_text(encoding="utf-8").replace("三楼报告厅", "五楼会议室").replace("名额50名", "名额60名")
    page = await publish_upload(console, FIXTURE.name, corrected.encode())
    assert "已重新发布" in page and "工作人员在后台修改过" in page
    activities = ActivityService(sessions(console), lambda: TODAY)
    assert activities.details(qc.id).location == "线上（腾讯会议）"
    lecture = activities.resolve("2027年质量大讲堂（第一期）").unique
    assert activities.details(lecture.id).capacity == 60  # the activity staff did not touch is updated
    assert len(activities.resolve(QC).matches) == 1


def test_uploaded_file_names_lose_folders_and_control_characters():
    assert safe_file_name("C:\\Users\\li\\Desktop\\通知.DOCX") == "通知.docx"
    assert safe_file_name("../../etc/passwd.txt") == "passwd.txt"
    assert safe_file_name("a\x00b\n.txt") == "ab.txt"
    assert safe_file_name("") == "notice"
    assert safe_file_name(".hidden.md") == "hidden.md"
