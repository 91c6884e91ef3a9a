"""The expected extraction of each shared notice, written by reading it, and of a staff notice."""

from __future__ import annotations

from pathlib import Path

import pytest

from services.ingest.cleaning import clean_text
from services.ingest.extraction import extract, find_dates, responsible_units
from services.settings import PROJECT_ROOT

CORPUS = PROJECT_ROOT / "corpus"
FIXTURES = Path(__file__).parent / "fixtures"


def extracted(path: Path):
    return extract(clean_text(path.read_text(encoding="utf-8")), path.name)


def by_name(extraction, name: str) -> dict:
    return next(a for a in extraction.activities if a["name"] == name)


def test_dates_keep_their_precision_and_the_notices_year():
    spans = [(f.start.iso(), f.end.iso()) for f in find_dates(
        "2018年8月—9月；2027年4月1日—5月31日；12月5~6日；9月；2018年12月—2019年2月", 2019)]
    assert spans == [("2018-08", "2018-09"), ("2027-04-01", "2027-05-31"),
                     ("2027-12-05", "2027-12-06"), ("2027-09", "2027-09"), ("2018-12", "2019-02")]


def test_responsible_units_are_split_and_expanded():
    assert responsible_units("…的做法和经验。（市、区质量工作领导小组办公室及成员单位、相关单位）") == [
        "市质量工作领导小组办公室", "市质量工作领导小组成员单位",
        "区质量工作领导小组办公室", "区质量工作领导小组成员单位", "相关单位"]
    assert responsible_units("…。（市市场监管局、市经济信息化委、有关质量技术机构和企业集团）") == [
        "市市场监管局", "市经济信息化委", "有关质量技术机构", "有关企业集团"]


def test_2018_mass_quality_notice():
    notice = extracted(CORPUS / "2018-mass-quality-management-activities-notice.txt")
    assert notice.document["title"] == "关于开展2018年上海市群众性质量管理活动的通知"
    assert notice.document["issuer"] == "上海市质量协会、上海市总工会、共青团上海市委员会、上海市妇女联合会"
    assert notice.document["issued_on"] == "2018-09-07"
    programme = by_name(notice, "2018年上海市群众性质量管理活动")
    assert [(m["name"], m["start"], m["end"]) for m in programme["milestones"]] == [
        ("宣传动员", "2018-08", "2018-09"), ("活动开展", "2018-09", "2018-12"),
        ("成果推广", "2018-12", "2019-02")]
    assert by_name(notice, "2018年上海市优秀质量管理小组活动")["theme"] == "传承QC精神、激发参与热情、助力质量提升"
    assert by_name(notice, "2018年上海质量品牌故事比赛活动")["theme"] == "讲好高质量发展故事 传播新时代品牌强音"
    contacts = {o["name"]: o for o in notice.organisations}
    assert contacts["上海市质量协会"]["phones"] == ["18917186600", "18917185269"]
    assert contacts["上海市质量协会"]["contact_persons"] == ["周秀慧", "徐俊杰"]
    assert contacts["上海市质量协会"]["postcode"] == "200052"
    assert contacts["上海市总工会"]["contact_persons"] == ["竺敏"]
    assert contacts["上海市妇女联合会"]["phones"] == ["64330001*6303"]
    assert contacts["共青团上海市委员会"]["address"] == "东湖路17号"


def test_2019_work_priorities():
    notice = extracted(CORPUS / "2019-shqa-work-priorities.txt")
    assert notice.document["title"] == "2019年度上海市质协工作重点"
    assert notice.document["issuer"] == "上海市质协秘书处"
    forum = by_name(notice, "第三届世界质量论坛")
    assert forum["theme"] == "质量的未来思维模式"
    assert [(m["start"], m["end"]) for m in forum["milestones"]] == [("2019-12-05", "2019-12-06")]
    assert by_name(notice, "质量大讲堂公益讲座")["theme"] == "先进质量文化、质量品牌创新、智慧质量管理"


def test_2019_council_report():
    notice = extracted(CORPUS / "2019-shqa-sixth-council-report.txt")
    assert notice.document["title"] == (
        "不忘初心，牢记使命 为推动高质量发展作出新贡献——上海市质量协会第六届理事会工作报告")
    assert notice.document["issuer"] == "唐晓芬"
    assert notice.document["kind"] == "工作报告"
    assert "no date of issue found" in notice.problems


def test_2020_work_points():
    notice = extracted(CORPUS / "2020-shanghai-quality-work-points.txt")
    assert notice.document["title"] == "上海市质量工作领导小组关于印发《2020年上海市质量工作要点》的通知"
    assert (notice.document["issuer"], notice.document["issued_on"]) == ("上海市质量工作领导小组", "2020-01-21")
    assert notice.document["kind"] == "工作要点"
    assert len([a for a in notice.activities if a.get("parent")]) == 20
    assert by_name(notice, "大力推进群众性质量提升行动")["responsible_units"] == [
        "市质量工作领导小组办公室", "市总工会", "团市委", "市妇联", "质量专业组织"]


def test_2021_quality_month_in_traditional_script():
    notice = extracted(CORPUS / "2021-shanghai-quality-month-activities.txt")
    assert notice.document["title"] == "2021年上海市“质量月”活动"
    assert notice.document["issuer"] == "上海市质量工作领导小组办公室"
    programme = by_name(notice, "2021年上海市质量月活动")
    assert programme["theme"] == "推动数字化转型，实现高质量发展"
    assert [(m["start"], m["end"]) for m in programme["milestones"]] == [("2021-09", "2021-09")]
    assert len([a for a in notice.activities if a.get("parent")]) == 20
    assert by_name(notice, "开展群众性质量提升活动")["responsible_units"] == [
        "市总工会", "团市委", "市质量协会", "相关区市场监管局", "相关企业集团"]


@pytest.mark.parametrize("name", ["2027-qc-presentation-notice.txt"])
def test_a_staff_notice_gives_every_field(name):
    notice = extracted(FIXTURES / name)
    assert notice.document["issued_on"] == "2026-11-21"
    qc = by_name(notice, "2027年上海市QC小组成果发表交流会")
    assert qc["theme"] == "数智赋能 质量提升"
    assert qc["location"] == "长宁区泰安路74号上海市质量协会三楼报告厅"
    assert (qc["capacity"], qc["fee"], qc["signup_deadline"]) == (120, "免费", "2027-03-31")
    assert [(m["start"], m["end"]) for m in qc["milestones"]] == [("2027-04-15", "2027-04-16")]
    assert qc["responsible_units"] == ["上海市质量协会培训部"]
    lecture = by_name(notice, "2027年质量大讲堂（第一期）")
    assert (lecture["capacity"], lecture["fee"], lecture["signup_deadline"]) == (50, "300元/人", "2027-05-10")
    office = next(o for o in notice.organisations if o["name"] == "上海市质量协会培训部")
    assert office["contact_persons"] == ["王晓明"]
    assert office["phones"] == ["021-52588282"]
    assert office["email"] == "training@shqa.example.cn"
