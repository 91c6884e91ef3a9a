"""A course held in several sessions: one activity a session when each is signed up for apart."""

from __future__ import annotations

from services.ingest.cleaning import clean_text
from services.ingest.extraction import extract

HEAD = """上海市质量协会
关于举办2027年卓越绩效自评师培训班的通知
各会员单位：
本会定于2027年举办卓越绩效自评师培训班，现将有关事项通知如下：
"""
TAIL = """
三、培训费用
1. 第一期、第二期：会员单位2000元/人，非会员单位2400元/人；
2. 第三期（线上）：1200元/人；
3. 同一单位报名5人以上的九折优惠。
四、报名方式
请登录协会网站在线报名。
五、联系方式
联系人：赵明　电话：021-5555 0101
上海市质量协会
2026年11月20日
"""


def read(text: str):
    return extract(clean_text(text), "notice.txt")


def test_a_table_of_sessions_with_their_own_places_and_deadlines_gives_an_activity_each():
    notice = read(HEAD + """一、培训对象
企业质量负责人。
二、班次安排
班次　　日期　　　　　地点　　　　　　　　　　　　名额　　报名截止
第一期　3月8日—10日　协会培训中心（长寿路100号）　　30人　　2月26日
第二期　5月10日—12日　嘉定会议中心（城中路8号）　　　25人　　4月28日
第三期　7月5日—7日　　线上（腾讯会议）　　　　　　　50人　　6月25日
""" + TAIL)
    first, second, online = notice.activities
    assert first.name == "2027年卓越绩效自评师培训班（第一期）"
    assert (first.start.iso(), first.end.iso()) == ("2027-03-08", "2027-03-10")
    assert (first.place, first.capacity, first.signup_deadline.isoformat()) == (
        "协会培训中心（长寿路100号）", 30, "2027-02-26")
    assert (second.place, second.capacity, second.signup_deadline.isoformat()) == (
        "嘉定会议中心（城中路8号）", 25, "2027-04-28")
    assert online.place == "线上（腾讯会议）"
    # the audience, the way to sign up and the fee said of all of them are each one's
    assert all(a.audience == "企业质量负责人" and a.signup_method for a in notice.activities)
    assert "2400元" in first.fee and "1200元" not in first.fee and "九折" in first.fee
    assert "1200元" in online.fee and "2400元" not in online.fee and "九折" in online.fee
    assert not any(a.phases for a in notice.activities)


def test_sessions_under_their_own_headings_or_lines_are_activities():
    notice = read(HEAD + """一、培训安排
（一）第一期
1. 时间：2027年3月8日至10日
2. 地点：协会培训中心
3. 名额：30人
（二）第二期
1. 时间：2027年6月7日至9日
2. 地点：浦东培训点
3. 名额：40人
二、报名
第一期报名截止：2月26日
第二期报名截止：5月28日
""" + TAIL)
    first, second = notice.activities
    assert (first.place, first.capacity, first.signup_deadline.isoformat()) == ("协会培训中心", 30, "2027-02-26")
    assert (second.place, second.capacity, second.signup_deadline.isoformat()) == ("浦东培训点", 40, "2027-05-28")


def test_sessions_with_one_deadline_and_no_places_of_their_own_stay_stages_of_one_activity():
    notice = read("""闵行区市场监管局
关于举办2027年标准化宣贯会的通知
各企业：
我局定于2027年1月举办标准化宣贯会，现将有关事项通知如下：
一、场次安排
场次　　日期　　　　地点
第一场　1月12日　　莘庄活动中心
第二场　1月14日　　七宝活动中心
二、报名
请于2027年1月8日前在线报名。
闵行区市场监管局
2026年12月1日
""")
    (activity,) = notice.activities
    assert [p.name for p in activity.phases] == ["第一场", "第二场"]
    assert activity.signup_deadline.isoformat() == "2027-01-08"


def test_sessions_on_lines_of_their_own_with_their_fields_under_them_are_activities():
    notice = read(HEAD + """一、培训安排
三期内容相同，任选一期参加。
第一期
时间：2027年3月10日—12日
地点：闵行会议中心
报名截止：2027年2月26日
第二期
时间：2027.4.14-4.16
地点：浦润酒店二楼
报名截止：2027年3月31日
每期限50人，额满为止。
""" + TAIL)
    first, second = notice.activities
    assert (first.start.iso(), first.place, first.signup_deadline.isoformat()) == (
        "2027-03-10", "闵行会议中心", "2027-02-26")
    assert (second.start.iso(), second.place, second.signup_deadline.isoformat()) == (
        "2027-04-14", "浦润酒店二楼", "2027-03-31")


def test_a_plan_typed_as_a_table_with_bars_after_its_attachment_line_is_read_row_by_row():
    notice = read("""上海市质量协会
关于印发《2027年度会员活动计划》的通知
各会员单位：
现将我会2027年度会员活动计划印发给你们，请结合实际组织参加。
附：2027年度会员活动计划
序号 | 活动名称 | 时间 | 负责单位
1 | 新春质量论坛 | 1月中旬 | 会员服务部
2 | 质量信得过班组现场观摩 | 10月上旬 | 评价部
上海市质量协会
2026年12月1日
""")
    assert [(a.name, a.start.iso(), a.responsible_units) for a in notice.activities] == [
        ("新春质量论坛", "2027-01中旬", ["会员服务部"]), ("质量信得过班组现场观摩", "2027-10上旬", ["评价部"])]
