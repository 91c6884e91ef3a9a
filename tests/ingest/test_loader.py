"""A notice staff wrote today, ingested: asked about, signed up for, refused when closed."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select

from services.activity_match import fuzzy_matches
from services.container import Services
from services.ingest.__main__ import main as ingest_main
from services.ingest.loader import NoticeLoader
from services.ingest.readers import UnreadableNotice
from services.models import Activity, SourceDocument
from services.repositories import ActivityRepository
from services.settings import PROJECT_ROOT
from services.signups import Eligibility
from services.textnorm import match_key
from tests.conftest import KNOWLEDGE_DIR, build_services

FIXTURE = Path(__file__).parent / "fixtures" / "2027-qc-presentation-notice.txt"
TODAY = dt.date(2026, 11, 21)


@pytest.fixture
def svc(sqlite_url: str):
    built = build_services(sqlite_url, [KNOWLEDGE_DIR], today=TODAY)
    yield built
    built.engine.dispose()


def ingest(services: Services, path: Path = FIXTURE, dry_run: bool = False):
    return NoticeLoader(services.session_factory).ingest(path, dry_run=dry_run)


def counts(services: Services) -> tuple[int, int]:
    with services.session_factory() as session:
        return (session.scalar(select(func.count(Activity.id))),
                session.scalar(select(func.count(SourceDocument.id))))


def the_activity(services: Services, text: str):
    resolution = services.activities.resolve(text)
    assert resolution.unique is not None, resolution
    return resolution.unique


def test_a_notice_written_today_answers_every_question_and_takes_sign_ups(svc):
    report = ingest(svc)
    assert report.status == "stored"
    qc = the_activity(svc, "2027年上海市QC小组成果发表交流会")
    assert qc.key.startswith("ingest-")
    details = svc.activities.details(qc.id)
    assert details.summary.span.describe() == "2027年4月15日至16日"
    assert details.location == "长宁区泰安路74号上海市质量协会三楼报告厅"
    assert details.theme == "数智赋能 质量提升"
    assert details.signup_deadline == dt.date(2027, 3, 31)
    assert (details.fee, details.capacity) == ("免费", 120)
    assert details.source.cite() == "《关于举办2027年上海市质量管理小组成果发表交流活动的通知》（2026年11月21日）"
    contact = svc.contacts.contact(details.responsible_units[0])
    assert contact.contact_persons == ("王晓明",) and contact.phones == ("021-52588282",)
    assert "王晓明" in details.description

    outcome = svc.signups.sign_up(qc.id, "wechat", "openid-new", "张三", "13800138000", "某某公司")
    assert outcome.done and outcome.check.eligibility is Eligibility.OPEN


def test_a_passed_deadline_is_refused_with_its_date(sqlite_url):
    later = build_services(sqlite_url, [KNOWLEDGE_DIR], today=dt.date(2027, 4, 2))
    try:
        ingest(later)
        qc = the_activity(later, "2027年上海市QC小组成果发表交流会")
        outcome = later.signups.sign_up(qc.id, "wechat", "openid-late", "李四", "13900139000", "某公司")
        assert not outcome.done
        assert outcome.check.eligibility is Eligibility.CLOSED
        assert outcome.check.deadline == dt.date(2027, 3, 31)
    finally:
        later.engine.dispose()


def test_the_same_file_twice_changes_nothing_and_a_correction_updates_in_place(svc, tmp_path):
    ingest(svc)
    before = counts(svc)
    assert ingest(svc).status == "unchanged"
    assert counts(svc) == before
    corrected = tmp_path / FIXTURE.name
    corrected.write_text(FIXTURE.read_text(encoding="utf-8").replace("三楼报告厅", "五楼会议室"),
                         encoding="utf-8")
    assert ingest(svc, corrected).status == "updated"
    assert counts(svc) == before
    qc = the_activity(svc, "2027年上海市QC小组成果发表交流会")
    assert svc.activities.details(qc.id).location == "长宁区泰安路74号上海市质量协会五楼会议室"


def test_dry_run_stores_nothing(svc, capsys, monkeypatch):
    before = counts(svc)
    assert ingest(svc, dry_run=True).status == "would store"
    assert counts(svc) == before
    monkeypatch.setenv("DATABASE_URL", svc.settings.database_url)
    from services.settings import get_settings

    get_settings.cache_clear()
    try:
        assert ingest_main([str(FIXTURE), "--dry-run"]) == 0
    finally:
        get_settings.cache_clear()
    printed = capsys.readouterr().out
    assert "signup_deadline: '2027-03-31'" in printed and "would store" in printed
    assert counts(svc) == before


def test_reviewed_notices_stay_authoritative(svc):
    before = counts(svc)
    for path in sorted((PROJECT_ROOT / "corpus").glob("*.txt")):
        assert ingest(svc, path).status == "reviewed"
    assert counts(svc) == before


def test_an_activity_already_reviewed_is_skipped_not_duplicated(svc, tmp_path):
    copy = tmp_path / "forum-copy.txt"
    copy.write_text("关于举办第三届世界质量论坛的通知\n各会员单位：\n"
                    "1.第三届世界质量论坛。将于2019年12月5~6日举办。\n上海市质量协会\n2019年11月1日\n",
                    encoding="utf-8")
    report = ingest(svc, copy)
    assert any("2019-world-quality-forum" in line for line in report.skipped)
    assert len(svc.activities.resolve("第三届世界质量论坛").matches) == 1


def test_unreadable_files_fail_clearly_and_write_nothing(svc, tmp_path, capsys, monkeypatch):
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"not a pdf at all")
    before = counts(svc)
    with pytest.raises(UnreadableNotice, match="cannot be read as pdf"):
        ingest(svc, broken)
    with pytest.raises(UnreadableNotice, match="unsupported file type"):
        ingest(svc, tmp_path / "notice.xls")
    assert counts(svc) == before
    monkeypatch.setenv("DATABASE_URL", svc.settings.database_url)
    from services.settings import get_settings

    get_settings.cache_clear()
    try:
        assert ingest_main([str(broken), str(FIXTURE)]) == 1
    finally:
        get_settings.cache_clear()
    assert "cannot read" in capsys.readouterr().err
    assert counts(svc) != before  # the readable file was still ingested


def test_a_word_notice_is_read(svc, tmp_path):
    import docx

    document = docx.Document()
    for line in FIXTURE.read_text(encoding="utf-8").splitlines():
        document.add_paragraph(line)
    path = tmp_path / "staff-notice.docx"
    document.save(str(path))
    assert ingest(svc, path).status == "stored"
    assert the_activity(svc, "2027年质量大讲堂（第一期）").year == 2027


def test_a_traditional_script_notice_is_read(svc, tmp_path):
    import opencc

    path = tmp_path / "traditional.txt"
    path.write_text(opencc.OpenCC("s2t").convert(FIXTURE.read_text(encoding="utf-8")), encoding="utf-8")
    ingest(svc, path)
    qc = the_activity(svc, "2027年上海市QC小组成果发表交流会")
    assert svc.activities.details(qc.id).theme == "数智赋能 质量提升"


@pytest.mark.parametrize("typed", ["QC成果发表交流会", "质量大讲堂第一期", "質量大講堂（第一期）",
                                   "2027年QC小组成果发表"])
def test_fuzzy_names_find_the_ingested_activity(svc, typed):
    ingest(svc)
    with svc.session_factory() as session:
        index = ActivityRepository(session).name_index()
        ids = fuzzy_matches(match_key(typed), index)
        names = {session.get(Activity, i).name for i in ids}
    assert names and all("2027" in name for name in names), names


def test_a_reissued_notice_updates_rather_than_duplicates(svc, tmp_path):
    ingest(svc)
    shutil.copy(FIXTURE, tmp_path / "another-name.txt")
    report = ingest(svc, tmp_path / "another-name.txt")
    # Its activities are the ones just ingested (same name and year): updated, never duplicated.
    assert report.status == "stored"
    assert len(svc.activities.resolve("2027年上海市QC小组成果发表交流会").matches) == 1
