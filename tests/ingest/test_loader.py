"""From a notice's record into the database and out again: stored, asked about, signed up for.

The records are built by hand (extraction has tests of its own); the loader is given
them through its `extractor`, and reads only the file's text for its content hash.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from services.activity_admin import ActivityAdminService
from services.container import Services
from services.dates import DAY, MONTH, DatePoint, DateSpan
from services.ingest.loader import FileReport, NoticeLoader, describe_activity, notice_yaml, read_and_extract
from services.ingest.records import ActivityRecord, Contact, NoticeKind, NoticeRecord, Phase
from services.models import Activity, ActivityContact, SourceDocument
from services.settings import PROJECT_ROOT
from services.signups import Eligibility, applies_elsewhere
from tests.conftest import KNOWLEDGE_DIR, build_services

TODAY = dt.date(2026, 12, 1)
LECTURE = "2027年质量大讲堂（第一期）"
WANG = Contact(org="上海市质量协会培训部", person="王敏", phone="021-6543 2187", mobile="13912345678",
               email="wangmin@shqa.example.cn")


def day(year: int, month: int, day_of_month: int) -> DateSpan:
    return DateSpan.single(DatePoint(dt.date(year, month, day_of_month), DAY))


def lecture(**fields) -> ActivityRecord:
    values = dict(name=LECTURE, span=day(2027, 3, 18), time_of_day="13:30-16:30",
                  place="徐汇区漕溪北路331号质量会议中心", audience="会员单位质量管理人员", capacity=150,
                  fee="免费", signup_method="填写报名回执发送至邮箱", theme="卓越绩效与数字化转型")
    return ActivityRecord(**{**values, **fields})


def notice(*activities: ActivityRecord, kind: NoticeKind = NoticeKind.ANNOUNCEMENT,
           title: str = "关于举办2027年质量大讲堂的通知", contacts: tuple[Contact, ...] = (WANG,),
           doubts: tuple[str, ...] = ()) -> NoticeRecord:
    return NoticeRecord(title=title, issuer="上海市质量协会", issued_on=dt.date(2026, 12, 1), kind=kind,
                        activities=list(activities), contacts=list(contacts), doubts=list(doubts))


def ingest(services: Services, record: NoticeRecord, folder: Path, name: str = "2027-lecture.txt",
           text: str | None = None, dry_run: bool = False) -> FileReport:
    """Ingest a file whose text is `text` (its hash decides "unchanged") and whose record is `record`."""
    path = folder / name
    path.write_text(text or f"{record.title}\n各会员单位：\n现将有关事项通知如下。\n", encoding="utf-8")
    return NoticeLoader(services.session_factory, extractor=lambda _text, _name: record).ingest(path, dry_run)


def counts(services: Services) -> tuple[int, int]:
    with services.session_factory() as session:
        return (session.scalar(select(func.count(Activity.id))),
                session.scalar(select(func.count(SourceDocument.id))))


def the_activity(services: Services, name: str = LECTURE):
    found = services.activities.resolve(name)
    assert found.unique is not None, found
    return found.unique


@pytest.fixture
def svc(sqlite_url: str) -> Iterator[Services]:
    built = build_services(sqlite_url, [KNOWLEDGE_DIR], today=TODAY)
    yield built
    built.engine.dispose()


def services_on(url: str, today: dt.date) -> Services:
    return build_services(url, [KNOWLEDGE_DIR], today=today)


# -- storing ---------------------------------------------------------------------------------


def test_an_announcement_is_stored_with_every_field_and_answered(database_url, tmp_path):
    svc = services_on(database_url, TODAY)
    try:
        report = ingest(svc, notice(lecture()), tmp_path)
        assert report.status == "stored"
        found = the_activity(svc)
        assert found.key == "ingest-2027-lecture-01"
        details = svc.activities.details(found.id)
        assert details.summary.span.describe() == "2027年3月18日" and details.time_of_day == "13:30-16:30"
        assert details.location == "徐汇区漕溪北路331号质量会议中心"
        assert (details.audience, details.capacity, details.fee) == ("会员单位质量管理人员", 150, "免费")
        assert details.signup_method == "填写报名回执发送至邮箱"
        assert details.theme == "卓越绩效与数字化转型"
        assert details.organisers == ("上海市质量协会",)  # the issuer, when the notice names no organiser
        assert [m.name for m in details.milestones] == ["举办"]
        assert details.source.cite() == "《关于举办2027年质量大讲堂的通知》（2026年12月1日）"
        assert details.previously == ()
        # The short name members use finds it too.
        assert the_activity(svc, "质量大讲堂（第一期）").id == found.id
    finally:
        svc.engine.dispose()


def test_the_same_file_again_changes_nothing_and_a_corrected_one_updates_in_place(svc, tmp_path):
    ingest(svc, notice(lecture()), tmp_path, text="第一版")
    before = counts(svc)
    assert ingest(svc, notice(lecture()), tmp_path, text="第一版").status == "unchanged"
    corrected = notice(lecture(place="长宁区泰安路74号五楼会议室", capacity=120))
    report = ingest(svc, corrected, tmp_path, text="第二版")
    assert report.status == "updated"
    assert counts(svc) == before
    details = svc.activities.details(the_activity(svc).id)
    assert (details.location, details.capacity) == ("长宁区泰安路74号五楼会议室", 120)


def test_a_dry_run_stores_nothing(svc, tmp_path):
    before = counts(svc)
    assert ingest(svc, notice(lecture(signup_deadline=dt.date(2027, 3, 12))), tmp_path,
                  dry_run=True).status == "would store"
    assert counts(svc) == before


def test_the_command_lines_dry_run_prints_the_record_and_stores_nothing(svc, tmp_path, capsys, monkeypatch):
    # `make ingest` runs in Rasa's environment, whose tqdm draws its progress; the edge has none.
    pytest.importorskip("tqdm", reason="the ingest command line runs in Rasa's environment (.venv)")
    from services.ingest.__main__ import main as ingest_main

    before = counts(svc)
    record = notice(lecture(signup_deadline=dt.date(2027, 3, 12)))
    (tmp_path / "2027-lecture.txt").write_text(f"{record.title}\n各会员单位：\n现将有关事项通知如下。\n",
                                               encoding="utf-8")
    monkeypatch.setattr("services.ingest.extraction.extract", lambda _text, _name="": record)
    monkeypatch.setenv("DATABASE_URL", svc.settings.database_url)
    from services.settings import get_settings

    get_settings.cache_clear()
    try:
        assert ingest_main([str(tmp_path / "2027-lecture.txt"), "--dry-run"]) == 0
    finally:
        get_settings.cache_clear()
    printed = capsys.readouterr().out
    assert "signup_deadline: '2027-03-12'" in printed and "预览（未写入）" in printed
    assert counts(svc) == before


def test_notices_with_a_reviewed_file_stay_authoritative(svc, tmp_path):
    with svc.session_factory() as session:
        reviewed = session.scalars(select(SourceDocument.source_file)).first()
    before = counts(svc)
    report = ingest(svc, notice(lecture()), tmp_path, name=reviewed)
    assert report.status == "reviewed" and counts(svc) == before


def test_an_activity_already_reviewed_is_kept_not_duplicated(svc, tmp_path):
    forum = ActivityRecord(name="第三届世界质量论坛", span=DateSpan(DatePoint(dt.date(2019, 12, 5), DAY),
                                                            DatePoint(dt.date(2019, 12, 6), DAY)))
    report = ingest(svc, notice(forum), tmp_path)
    assert any("2019-world-quality-forum" in line and "以审核内容为准" in line for line in report.skipped)
    assert len(svc.activities.resolve("第三届世界质量论坛").matches) == 1


def test_an_activity_staff_edited_is_kept_on_re_ingestion(svc, tmp_path):
    ingest(svc, notice(lecture()), tmp_path, text="第一版")
    found = the_activity(svc)
    admin = ActivityAdminService(svc.session_factory, lambda: TODAY)
    form, _ = admin.page(found.id)
    form.location = "线上（腾讯会议）"
    admin.update(found.id, form, "staff")

    report = ingest(svc, notice(lecture(place="长宁区泰安路74号五楼会议室")), tmp_path, text="第二版")
    assert report.status == "updated"
    assert any("工作人员在后台修改过" in line for line in report.skipped)
    assert svc.activities.details(found.id).location == "线上（腾讯会议）"


# -- what kind of notice -----------------------------------------------------------------------


def test_a_change_notice_moves_the_earlier_activity_and_keeps_the_date_it_had(svc, tmp_path):
    ingest(svc, notice(lecture(span=day(2027, 1, 21))), tmp_path)
    original = the_activity(svc)
    before = counts(svc)
    moved = ActivityRecord(name="质量大讲堂（第一期）", span=day(2027, 3, 18),
                           place="长宁区泰安路74号五楼会议室", previously={"span": "2027年1月21日"})
    change = notice(moved, kind=NoticeKind.CHANGE, title="关于2027年质量大讲堂（第一期）延期举办的通知")
    report = ingest(svc, change, tmp_path, name="2027-lecture-postponed.txt")
    assert report.status == "stored"
    assert counts(svc) == (before[0], before[1] + 1)  # a new document, no new activity
    details = svc.activities.details(the_activity(svc).id)
    assert details.summary.id == original.id
    assert details.summary.span.describe() == "2027年3月18日"
    assert details.location == "长宁区泰安路74号五楼会议室"
    assert details.time_of_day == "13:30-16:30"  # what the change does not mention stays
    assert details.previous("span") == "2027年1月21日"
    # The earlier place was not in the change notice's words: the stored one is kept instead.
    assert details.previous("place") == "徐汇区漕溪北路331号质量会议中心"
    assert "原定时间：2027年1月21日" in details.description
    assert details.source.title == "关于2027年质量大讲堂（第一期）延期举办的通知"
    assert any("按变更通知更新" in line for line in report.stored)
    # Sign-up follows the new date.
    check = svc.signups.check(original.id, "wechat", "o-1")
    assert check.eligibility is Eligibility.OPEN and check.deadline == dt.date(2027, 3, 17)


def test_a_corrected_change_notice_keeps_the_original_date_as_the_earlier_one(svc, tmp_path):
    ingest(svc, notice(lecture(span=day(2027, 1, 21))), tmp_path)
    for version, new_day in (("第一版", 18), ("第二版", 25)):
        moved = ActivityRecord(name=LECTURE, span=day(2027, 3, new_day))
        ingest(svc, notice(moved, kind=NoticeKind.CHANGE, title="关于质量大讲堂延期的通知"), tmp_path,
               name="postponed.txt", text=version)
    details = svc.activities.details(the_activity(svc).id)
    assert details.summary.span.describe() == "2027年3月25日"
    assert details.previous("span") == "2027年1月21日"


def test_a_postponement_without_a_new_date_closes_nothing_it_cannot_know(svc, tmp_path):
    ingest(svc, notice(lecture(span=day(2027, 1, 21))), tmp_path)
    postponed = ActivityRecord(name=LECTURE, previously={"span": "2027年1月21日"})
    ingest(svc, notice(postponed, kind=NoticeKind.CHANGE, title="关于质量大讲堂延期的通知"), tmp_path,
           name="postponed.txt")
    found = the_activity(svc)
    details = svc.activities.details(found.id)
    assert details.previous("span") == "2027年1月21日" and "举办" not in [m.name for m in details.milestones]
    assert svc.signups.check(found.id, "wechat", "o-1").eligibility is Eligibility.NO_SIGNUP


def test_a_change_to_an_activity_never_stored_is_stored_as_new(svc, tmp_path):
    moved = ActivityRecord(name="2027年卓越绩效自评师培训班", span=day(2027, 4, 8),
                           previously={"span": "2027年3月10日"})
    report = ingest(svc, notice(moved, kind=NoticeKind.CHANGE, title="关于培训班延期的通知"), tmp_path)
    details = svc.activities.details(the_activity(svc, "2027年卓越绩效自评师培训班").id)
    assert details.previous("span") == "2027年3月10日"
    assert any("没有找到变更前的活动" in line for line in report.notes)


def test_a_results_notice_stores_its_text_and_no_activity(svc, tmp_path):
    winners = ActivityRecord(name="2026年上海市质量金奖", span=day(2027, 1, 10))
    before = counts(svc)
    report = ingest(svc, notice(winners, kind=NoticeKind.RESULTS, title="关于2026年上海市质量金奖获奖名单的公示"),
                    tmp_path)
    assert report.status == "stored"
    assert counts(svc) == (before[0], before[1] + 1)
    with svc.session_factory() as session:
        document = session.scalars(select(SourceDocument).where(SourceDocument.slug.like("ingest-%"))).one()
        assert document.kind == "公示" and "获奖名单" in document.title


def test_a_reports_activities_are_answered_but_not_open_for_sign_up(svc, tmp_path):
    ingest(svc, notice(lecture(), kind=NoticeKind.REPORT, title="上海市质量协会2026年工作报告"), tmp_path)
    found = the_activity(svc)
    assert svc.activities.details(found.id).location
    assert svc.signups.check(found.id, "wechat", "o-1").eligibility is Eligibility.NO_SIGNUP
    assert found.id not in {a.id for a in svc.signups.open_activities()}


# -- signing up --------------------------------------------------------------------------------


def test_without_a_stated_deadline_sign_up_is_open_until_the_day_before(svc, tmp_path):
    ingest(svc, notice(lecture(capacity=None)), tmp_path)  # no deadline, no limit
    found = the_activity(svc)
    check = svc.signups.check(found.id, "wechat", "o-1")
    assert check.eligibility is Eligibility.OPEN and check.deadline == dt.date(2027, 3, 17)
    assert check.capacity is None and check.signup_method == "填写报名回执发送至邮箱"
    assert found.id in {a.id for a in svc.signups.open_activities()}
    assert svc.signups.sign_up(found.id, "wechat", "o-1", "张三", "13800138000", "某某公司").done


def test_after_the_deadline_sign_up_is_closed(sqlite_url, tmp_path):
    svc = services_on(sqlite_url, dt.date(2027, 3, 18))
    try:
        ingest(svc, notice(lecture()), tmp_path)
        outcome = svc.signups.sign_up(the_activity(svc).id, "wechat", "o-1", "张三", "13800138000", "某公司")
        assert not outcome.done
        assert outcome.check.eligibility is Eligibility.CLOSED and outcome.check.deadline == dt.date(2027, 3, 17)
    finally:
        svc.engine.dispose()


def test_a_stated_deadline_wins(sqlite_url, tmp_path):
    svc = services_on(sqlite_url, dt.date(2027, 3, 13))
    try:
        ingest(svc, notice(lecture(signup_deadline=dt.date(2027, 3, 12))), tmp_path)
        check = svc.signups.check(the_activity(svc).id, "wechat", "o-1")
        assert check.eligibility is Eligibility.CLOSED and check.deadline == dt.date(2027, 3, 12)
    finally:
        svc.engine.dispose()


def test_a_full_activity_takes_no_more(svc, tmp_path):
    ingest(svc, notice(lecture(capacity=1)), tmp_path)
    found = the_activity(svc)
    assert svc.signups.sign_up(found.id, "wechat", "o-1", "张三", "13800138000", "某公司").done
    refused = svc.signups.sign_up(found.id, "wechat", "o-2", "李四", "13900139000", "某公司")
    assert refused.check.eligibility is Eligibility.FULL and refused.check.capacity == 1


def test_an_application_through_another_channel_is_not_taken_here(svc, tmp_path):
    method = "登录上海市质量协会网站“质量奖申报系统”在线填报，并提交申报书纸质版"
    award = ActivityRecord(
        name="2027年上海市质量金奖", signup_method=method,
        phases=[Phase("申报", DateSpan(DatePoint(dt.date(2027, 3, 1), DAY), DatePoint(dt.date(2027, 3, 31), DAY)),
                      "2027年3月1日至31日"),
                Phase("评审", DateSpan.single(DatePoint(dt.date(2027, 5, 1), MONTH)), "2027年5月")])
    ingest(svc, notice(award), tmp_path)
    found = the_activity(svc, "2027年上海市质量金奖")
    check = svc.signups.check(found.id, "wechat", "o-1")
    assert check.eligibility is Eligibility.APPLY_ELSEWHERE and check.signup_method == method
    assert check.deadline == dt.date(2027, 3, 31)  # the 申报 phase closes applications
    assert found.id not in {a.id for a in svc.signups.open_activities()}
    assert not svc.signups.sign_up(found.id, "wechat", "o-1", "张三", "13800138000", "某公司").done


@pytest.mark.parametrize(("method", "elsewhere"), [
    ("通过“上海质量”网站申报系统在线申报", True),
    ("请登录www.shqa.org.cn下载并填写申报书", True),
    ("请于3月12日前将报名回执发送至邮箱 training@shqa.example.cn", False),
    ("电话报名", False),
    (None, False),
])
def test_which_sign_up_methods_send_members_elsewhere(method, elsewhere):
    assert applies_elsewhere(method) is elsewhere


def test_a_stated_deadline_outranks_an_application_phase(svc, tmp_path):
    award = ActivityRecord(
        name="2027年上海市质量金奖", signup_deadline=dt.date(2027, 3, 20),
        phases=[Phase("材料提交", DateSpan(DatePoint(dt.date(2027, 3, 1), DAY), DatePoint(dt.date(2027, 4, 10), DAY)),
                      "3月1日至4月10日")])
    ingest(svc, notice(award), tmp_path)
    details = svc.activities.details(the_activity(svc, "2027年上海市质量金奖").id)
    assert details.signup_deadline == dt.date(2027, 3, 20)
    assert [m.closes_signup for m in details.milestones] == [False]


# -- contacts ----------------------------------------------------------------------------------


def test_each_activity_keeps_its_notices_contacts_and_asking_whom_to_call_gives_them(svc, tmp_path):
    issuer_line = Contact(org=None, person="李强", phone="021-5258 8282")
    second = lecture(name="2027年质量大讲堂（第二期）", span=day(2027, 5, 20))
    report = ingest(svc, notice(lecture(), second, contacts=(WANG, issuer_line)), tmp_path)
    for name in (LECTURE, "2027年质量大讲堂（第二期）"):
        details = svc.activities.details(the_activity(svc, name).id)
        assert [(c.org, c.person, c.phone, c.mobile) for c in details.contacts] == [
            ("上海市质量协会培训部", "王敏", "021-6543 2187", "13912345678"), (None, "李强", "021-5258 8282", None)]
        assert details.contacts[0].email == "wangmin@shqa.example.cn"

    views = svc.contacts.for_activity(the_activity(svc).id)
    first = views[0]
    assert first.organisation == "上海市质量协会培训部" and first.contact_persons == ("王敏",)
    assert first.phones == ("021-6543 2187", "13912345678") and first.email == "wangmin@shqa.example.cn"
    assert first.source.title == "关于举办2027年质量大讲堂的通知"
    # The line without a unit is the issuer's; its reviewed contact details are not overwritten.
    assert views[1].organisation == "上海市质量协会" and views[1].contact_persons == ("李强",)
    assert svc.contacts.contact("上海市质量协会").contact_persons == ("周秀慧", "徐俊杰")
    assert any("保留已审核" in line for line in report.notes)
    # A unit without a reviewed contact gets the notice's.
    assert svc.contacts.contact("上海市质量协会培训部").contact_persons == ("王敏",)


def test_a_corrected_notice_replaces_the_activitys_contacts(svc, tmp_path):
    ingest(svc, notice(lecture()), tmp_path, text="第一版")
    ingest(svc, notice(lecture(), contacts=(Contact(org="上海市质量协会培训部", person="赵丽"),)), tmp_path,
           text="第二版")
    with svc.session_factory() as session:
        assert session.scalars(select(ActivityContact.person)).all() == ["赵丽"]


# -- the card staff read -----------------------------------------------------------------------


def test_the_report_is_a_chinese_card(svc, tmp_path):
    award = ActivityRecord(
        name="2027年上海市质量金奖", signup_method="网上申报系统填报",
        phases=[Phase("申报", DateSpan(DatePoint(dt.date(2027, 3, 1), DAY), DatePoint(dt.date(2027, 3, 31), DAY)),
                      "3月1日至31日")])
    record = notice(lecture(signup_deadline=dt.date(2027, 3, 12)), award, doubts=("第二项活动没有写地点",))
    lines = ingest(svc, record, tmp_path).lines()
    text = "\n".join(lines)
    assert lines[0] == "《关于举办2027年质量大讲堂的通知》 已入库（2027-lecture.txt）"
    assert ("• 2027年质量大讲堂（第一期） | 时间：2027年3月18日 13:30-16:30 | 地点：徐汇区漕溪北路331号质量会议中心"
            " | 对象：会员单位质量管理人员 | 名额：150人 | 费用：免费 | 报名截止：2027年3月12日"
            " | 报名方式：填写报名回执发送至邮箱 | 主题：卓越绩效与数字化转型") in text
    assert "    阶段：申报 2027年3月1日至31日（报名截止）" in lines
    assert "报名方式：网上申报系统填报（按此办理，助手不代为报名）" in text
    assert ("  ☎ 联系：上海市质量协会培训部 王敏 电话 021-6543 2187 手机 13912345678"
            " 邮箱 wangmin@shqa.example.cn") in lines
    assert "  ？第二项活动没有写地点" in lines
    assert "  + ingest-2027-lecture-01：2027年质量大讲堂（第一期）" in lines
    # No English words for staff, beyond the file name, keys and the e-mail address.
    words = set(re.findall(r"[A-Za-z]{3,}", re.sub(r"ingest-[\w-]+|\S+@\S+|\S+\.txt", "", text)))
    assert words == set(), words


def test_the_default_deadline_is_shown_as_the_assistant_will_apply_it():
    assert "报名截止：未写明，按活动前一天 2027年3月17日" in describe_activity(lecture())


def test_the_record_dumps_as_yaml_for_review():
    dumped = notice_yaml(notice(lecture(signup_deadline=dt.date(2027, 3, 12))))
    assert "kind: 通知" in dumped and "signup_deadline: '2027-03-12'" in dumped
    assert "span: '2027-03-18'" in dumped and "null" not in dumped


def test_every_reviewed_corpus_notice_still_loads_unchanged(svc):
    # The loader's new columns stay empty for the reviewed activities: nothing is invented.
    with svc.session_factory() as session:
        assert session.scalar(select(func.count(ActivityContact.id))) == 0
        assert not session.scalars(select(Activity.time_of_day).where(Activity.time_of_day.is_not(None))).all()
    assert (PROJECT_ROOT / "data" / "knowledge").is_dir()


def test_a_contest_s_headed_rounds_are_its_stages_and_a_column_tag_starts_the_title(tmp_path):
    contest = tmp_path / "inspector-contest.txt"
    contest.write_text("关于举办2027年上海市职工“质量工匠”技能竞赛（质量检验员赛项）的通知\n各区局：\n"
                       "一、竞赛安排\n二、初赛（线上理论考试）\n时间：2027年3月20日（星期六）9:00—10:30\n"
                       "形式：通过“申工社”小程序在线答题。\n三、复赛（实操）\n时间：2027年4月17日—18日\n"
                       "地点：上海市职工技能实训基地。\n四、决赛\n时间：2027年5月15日（星期六）\n地点：另行通知。\n"
                       "上海市总工会\n2026年12月1日\n", encoding="utf-8")
    activities = read_and_extract(contest)[1].activities
    assert [a.name for a in activities] == ["2027年上海市职工“质量工匠”技能竞赛（质量检验员赛项）"]
    assert [p.name for p in activities[0].phases] == ["初赛（线上理论考试）", "复赛（实操）", "决赛"]
    live = tmp_path / "live-lecture.txt"
    live.write_text("上海市徐汇区市场监督管理局　上海市徐汇区质量协会\n\n"
                    "【线上直播】“质量大讲堂”2027年第1讲：ISO 9001新版标准变化要点解读\n\n各有关企业：\n"
                    "直播时间：2027年1月13日（周三）14:00~16:00\n直播平台：腾讯会议\n费　　用：免费\n"
                    "上海市徐汇区市场监督管理局\n2026年12月6日\n", encoding="utf-8")
    notice = read_and_extract(live)[1]
    assert notice.title.startswith("【线上直播】")
    assert [a.name for a in notice.activities] == ["“质量大讲堂”2027年第1讲"]
