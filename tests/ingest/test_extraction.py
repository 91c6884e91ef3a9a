"""The expected extraction of each shared notice, written by reading it, and of staff notices."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from services.ingest.cleaning import clean_text
from services.ingest.extraction import extract, find_dates, mentions, responsible_units
from services.ingest.loader import read_and_extract
from services.ingest.readers import UnreadableNotice
from services.settings import PROJECT_ROOT
from services.textnorm import match_key

CORPUS = PROJECT_ROOT / "corpus"
FIXTURES = Path(__file__).parent / "fixtures"
EXPECTED = sorted((FIXTURES / "expected").glob("*.yml"))


def extracted(path: Path):
    return extract(clean_text(path.read_text(encoding="utf-8")), path.name)


def by_name(extraction, name: str) -> dict:
    return next(a for a in extraction.activities if a["name"] == name)


def names(extraction) -> list[str]:
    return [a["name"] for a in extraction.activities]


def spans(activity: dict) -> list[tuple[str, str]]:
    return [(m["start"], m["end"]) for m in activity["milestones"]]


def test_dates_keep_their_precision_and_the_notices_year():
    found = [(f.start.iso(), f.end.iso()) for f in find_dates(
        "2018年8月—9月；2027年4月1日—5月31日；12月5~6日；9月；2018年12月—2019年2月", 2019)]
    assert found == [("2018-08", "2018-09"), ("2027-04-01", "2027-05-31"),
                     ("2027-12-05", "2027-12-06"), ("2027-09", "2027-09"), ("2018-12", "2019-02")]


def test_a_year_alone_is_a_date_only_where_it_times_a_sentence():
    text = ("2014年，开展了课题研究。自2015年起，连续开展测评。在2017年第二届大会上致辞。"
            "2016年成为试点单位。2018年上海市质量活动启动。贯彻《行动计划（2019—2020年）》。")
    assert [(f.text, f.start.iso()) for f in find_dates(text, 2019)] == [
        ("2014年", "2014"), ("自2015年起", "2015"), ("在2017年", "2017"), ("2016年", "2016")]


def test_responsible_units_are_split_and_expanded():
    assert responsible_units("…的做法和经验。（市、区质量工作领导小组办公室及成员单位、相关单位）") == [
        "市质量工作领导小组办公室", "市质量工作领导小组成员单位",
        "区质量工作领导小组办公室", "区质量工作领导小组成员单位", "相关单位"]
    assert responsible_units("…。（市市场监管局、市经济信息化委、有关质量技术机构和企业集团）") == [
        "市市场监管局", "市经济信息化委", "有关质量技术机构", "有关企业集团"]


@pytest.mark.parametrize(("sentence", "expected"), [
    ("五年来举办了5届中国国际工业博览会质量创新论坛、4届上海国际质量研讨会，还承办了第21届亚太质量组织国际会议以及多场院士论坛。",
     ["中国国际工业博览会质量创新论坛", "上海国际质量研讨会", "第21届亚太质量组织国际会议", "院士论坛"]),
    ("开展营商环境、养老服务、垃圾分类等10项社会公益性专项调查。", ["10项社会公益性专项调查"]),
    ("开展“质量文化创新”、“公共服务质量监测”两项课题项目研究。",
     ["质量文化创新课题项目研究", "公共服务质量监测课题项目研究"]),
    ("组织开展“品牌大讲堂”、“首席品牌官”等品牌建设经验分享交流活动。", ["品牌大讲堂"]),
    ("组织开展全市“质量月”活动；继续开展好市领导小组委托的2019年度全市服务质量水平测评工作。",
     ["质量月活动", "2019年度全市服务质量水平测评"]),
    ("市质协创立了“刘源张蓝领质量贡献奖”，参与了工程院《制造质量强国战略研究》。",
     ["刘源张蓝领质量贡献奖", "《制造质量强国战略研究》"]),
    # Relative clauses, work that is no event, and what is inside a book title hold no activity.
    ("与我国质量组织开展的专业交流；引领开展更为宽广、深入的质量提升行动；落实《关于开展质量提升行动的意见》。", []),
])
def test_activities_held_in_sentences(sentence, expected):
    assert [m.name for m in mentions(sentence)] == expected


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
    assert len(notice.activities) == 5
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
    assert spans(forum) == [("2019-12-05", "2019-12-06")]
    assert by_name(notice, "质量大讲堂公益讲座")["theme"] == "先进质量文化、质量品牌创新、智慧质量管理"
    # 在2019年度内…开展: what states no date of its own is of that year.
    assert spans(by_name(notice, "先进质量技术推广活动")) == [("2019", "2019")]
    # 一是…开展“A”、“B”两项课题项目研究; 办好A论坛、B论坛; …等10项X: one activity each.
    assert {"质量文化与全面质量管理创新课题项目研究", "全国城市公共服务质量监测课题项目研究",
            "第21届中国国际工业博览会质量创新论坛", "第二届中国国际进口博览会国际质量创新论坛",
            "10项社会公益性专项调查", "2019年度全市服务质量水平测评", "质量品牌故事大赛"} <= set(names(notice))
    # 积极配合完成好第三届中国质量大会的筹办工作: the association does not hold it.
    assert by_name(notice, "第三届中国质量大会")["organisers"] == []
    assert by_name(notice, "群众性质量管理活动")["organisers"] == ["上海市质协", "市总工会", "团市委", "市妇联"]
    # A 要点 point that is a paragraph is an activity; the closing signature is not part of it.
    region = by_name(notice, "完善区域质协合作机制，服务长三角一体化发展")
    assert region["responsible_units"] == [] and region["organisers"] == ["上海市质协"]


def test_2019_council_report():
    notice = extracted(CORPUS / "2019-shqa-sixth-council-report.txt")
    assert notice.document["title"] == (
        "不忘初心，牢记使命 为推动高质量发展作出新贡献——上海市质量协会第六届理事会工作报告")
    assert notice.document["issuer"] == "唐晓芬"
    assert notice.document["kind"] == "工作报告"
    assert notice.document["year"] == 2019  # 自1982年诞生……至今已有37年
    assert "no date of issue found" in notice.problems
    ciie = by_name(notice, "首届中国国际进口博览会国际质量创新论坛")
    assert (ciie["year"], spans(ciie), ciie["organisers"]) == (2018, [("2018-11", "2018-11")], ["上海市质量协会"])
    summit = by_name(notice, "首次中美质量高峰论坛")
    assert summit["organisers"] == ["上海市质量协会", "美国质量学会"]
    assert spans(by_name(notice, "第二届中国质量（上海）大会")) == [("2017", "2017")]
    assert spans(by_name(notice, "上海市城区文明进步指数和上海文明行业进步指数测评")) == [("2014", "2014")]
    assert by_name(notice, "公益性社会调查")["aliases"] == ["社会调查"]
    # A paragraph's short heading; how it was done (积极, 切实) is no part of the name.
    assert {"引导企业实施卓越绩效管理", "推动企业质量管理创新", "推动企业履行社会责任",
            "刘源张蓝领质量贡献奖", "质量大讲堂公益讲座"} <= set(names(notice))
    # Headings that sum up what the sentences below tell are not activities.
    assert not {"调查研究", "大型质量会议", "推进区域质量发展协作共建", "更为宽广"} & set(names(notice))


def test_2020_work_points():
    notice = extracted(CORPUS / "2020-shanghai-quality-work-points.txt")
    assert notice.document["title"] == "上海市质量工作领导小组关于印发《2020年上海市质量工作要点》的通知"
    assert (notice.document["issuer"], notice.document["issued_on"]) == ("上海市质量工作领导小组", "2020-01-21")
    assert notice.document["kind"] == "工作要点"
    programme = by_name(notice, "2020年上海市质量工作要点")
    assert [(m["name"], m["start"]) for m in programme["milestones"]] == [("印发", "2020-01-21")]
    assert len([a for a in notice.activities if a.get("parent") == programme["name"]]) == 20
    assert by_name(notice, "大力推进群众性质量提升行动")["responsible_units"] == [
        "市质量工作领导小组办公室", "市总工会", "团市委", "市妇联", "质量专业组织"]
    assert by_name(notice, "加强质量工作宣传")["milestones"] == []
    # The events a task names are activities of their own, of the 要点's year, with the units
    # of the sentence that names them.
    month = by_name(notice, "质量月活动")
    assert (month["parent"], spans(month), month["organisers"]) == ("加强质量工作宣传", [("2020", "2020")], [])
    assert by_name(notice, "品牌大讲堂")["responsible_units"] == ["市市场监管局"]
    assert by_name(notice, "品牌大讲堂")["aliases"] == ["首席品牌官"]
    assert by_name(notice, "中德国际质量创新论坛")["parent"] == "加强质量国际交流"


def test_2021_quality_month_in_traditional_script():
    notice = extracted(CORPUS / "2021-shanghai-quality-month-activities.txt")
    assert notice.document["title"] == "2021年上海市“质量月”活动"
    assert notice.document["issuer"] == "上海市质量工作领导小组办公室"
    programme = by_name(notice, "2021年上海市质量月活动")
    assert programme["theme"] == "推动数字化转型，实现高质量发展"
    assert spans(programme) == [("2021-09", "2021-09")]
    assert len([a for a in notice.activities if a.get("parent")]) == 20
    assert by_name(notice, "开展群众性质量提升活动")["responsible_units"] == [
        "市总工会", "团市委", "市质量协会", "相关区市场监管局", "相关企业集团"]
    # A notice's item is one activity: what it names are other names of it.
    assert by_name(notice, "开展市民质量体验活动")["aliases"] == ["家庭质量寻访", "市民看质量", "线上质量知识竞赛"]


@pytest.mark.parametrize("name", ["2027-qc-presentation-notice.txt"])
def test_a_staff_notice_gives_every_field(name):
    notice = extracted(FIXTURES / name)
    assert notice.document["issued_on"] == "2026-11-21"
    qc = by_name(notice, "2027年上海市QC小组成果发表交流会")
    assert qc["theme"] == "数智赋能 质量提升"
    assert qc["location"] == "长宁区泰安路74号上海市质量协会三楼报告厅"
    assert (qc["capacity"], qc["fee"], qc["signup_deadline"]) == (120, "免费", "2027-03-31")
    assert spans(qc) == [("2027-04-15", "2027-04-16")]
    assert qc["responsible_units"] == ["上海市质量协会培训部"]
    lecture = by_name(notice, "2027年质量大讲堂（第一期）")
    assert (lecture["capacity"], lecture["fee"], lecture["signup_deadline"]) == (50, "300元/人", "2027-05-10")
    office = next(o for o in notice.organisations if o["name"] == "上海市质量协会培训部")
    assert office["contact_persons"] == ["王晓明"]
    assert office["phones"] == ["021-52588282"]
    assert office["email"] == "training@shqa.example.cn"


def _value(activity: dict, key: str):
    value = activity.get(key)
    if key == "milestones":
        return sorted((str(m["start"]), str(m["end"])) for m in value or [])
    if key in ("organisers", "responsible_units"):
        return sorted(match_key(v) for v in value or [])
    if key in ("theme", "location") and value:
        return match_key(value)
    return str(value) if key == "signup_deadline" and value else value


# Organisations as the notices write them and as the expected files name them.
_SAME = {"上海市质协": "上海市质量协会", "市总工会": "上海市总工会", "团市委": "共青团上海市委员会"}


@pytest.mark.parametrize("expected_file", EXPECTED, ids=[p.stem for p in EXPECTED])
def test_staff_notices_give_what_a_reader_finds(expected_file):
    """Each notice of fixtures/ against its facts in fixtures/expected/, written by reading it:
    a .txt with 1. items, a .md with （一） items, a 要点 of 一是… sentences, a 繁體 report."""
    expected = yaml.safe_load(expected_file.read_text(encoding="utf-8"))
    _, notice = read_and_extract(FIXTURES / expected["document"]["source_file"])
    for key in ("title", "issuer", "issued_on", "year", "kind"):
        assert match_key(str(notice.document[key])) == match_key(str(expected["document"][key])), key
    found = {match_key(a["name"]): a for a in notice.activities}
    unexpected = set(found)
    for wanted in expected["activities"]:
        keys = [match_key(n) for n in [wanted["name"], *(wanted.get("aliases") or [])]]
        activity = next((found[k] for k in keys if k in found), None)
        assert activity is not None, f"not extracted: {wanted['name']}"
        unexpected.discard(match_key(activity["name"]))
        for key in ("year", "theme", "milestones", "organisers", "responsible_units", "location",
                    "capacity", "fee", "signup_deadline"):
            if key in wanted:
                got = {**activity, "organisers": [_SAME.get(o, o) for o in activity["organisers"]]}
                assert _value(got, key) == _value(wanted, key), (wanted["name"], key)
    assert not unexpected, f"extracted but not in {expected_file.name}: {unexpected}"
    contacts = {o["name"]: o for o in notice.organisations}
    for organisation in expected.get("organisations") or []:
        if organisation.get("phones"):
            got = contacts[organisation["name"]]
            for key in ("phones", "contact_persons", "email", "address", "postcode", "fax"):
                assert got.get(key) == organisation.get(key), (organisation["name"], key)


def test_a_notice_with_no_activities_says_so():
    _, notice = read_and_extract(FIXTURES / "bad" / "no-activities-notice.txt")
    assert notice.document["issued_on"] == "2028-01-10"
    assert notice.activities == []
    assert any(problem.startswith("no activities found") for problem in notice.problems)
    # 值班电话：… is the issuer's number, not an organisation called 值班.
    assert [(o["name"], o["phones"]) for o in notice.organisations] == [("上海市质量协会", ["021-52588281"])]


def test_a_damaged_file_is_refused_with_the_reason():
    with pytest.raises(UnreadableNotice, match=r"damaged-notice\.docx: cannot be read as docx"):
        read_and_extract(FIXTURES / "bad" / "damaged-notice.docx")
