"""Cleaning notice text: script, artefacts, width, punctuation and page furniture."""

from __future__ import annotations

from services.ingest.cleaning import clean_text


def test_traditional_script_and_pinyin_artefacts_become_plain_simplified():
    assert clean_text("推動高質量發(fā)展,上海市質量協(xié)會") == "推动高质量发展，上海市质量协会"


def test_full_width_digits_become_half_width_and_ascii_punctuation_chinese():
    assert clean_text("２０２７年４月１日(星期四),地址:长宁区") == "2027年4月1日（星期四），地址：长宁区"


def test_photo_captions_and_end_marks_are_dropped():
    text = ("目前市质协创立的“质量创新论坛”“上海国际质量研讨会”，已经成为国际\n\n"
            "● 2018年首届进博会国际质量创新论坛现场\n\n质量界公认的品牌专业会议。■")
    assert clean_text(text) == ("目前市质协创立的“质量创新论坛”“上海国际质量研讨会”，"
                                "已经成为国际质量界公认的品牌专业会议。")


def test_a_sentence_broken_over_lines_is_joined_but_headings_and_contacts_are_not():
    text = ("一方面重点围绕互联网、大数据等全球经济发展的新特\n\n征、新环境。\n"
            "（一）2018年上海市优秀质量管理小组活动\n以“传承QC精神”为主题。\n"
            "传 真:52588281 联系人: 周秀慧 徐俊杰\n上海市总工会地址: 中山东一路14号")
    assert clean_text(text).split("\n") == [
        "一方面重点围绕互联网、大数据等全球经济发展的新特征、新环境。",
        "（一）2018年上海市优秀质量管理小组活动",
        "以“传承QC精神”为主题。",
        "传 真：52588281 联系人： 周秀慧 徐俊杰",
        "上海市总工会地址： 中山东一路14号",
    ]


def test_cleaning_is_idempotent():
    from services.settings import PROJECT_ROOT

    for path in (PROJECT_ROOT / "corpus").glob("*.txt"):
        once = clean_text(path.read_text(encoding="utf-8"))
        assert clean_text(once) == once


def test_a_section_heading_is_never_joined_to_the_paragraph_below():
    text = ("五、完善区域质协合作机制，服务长三角一体化发展\n\n"
            "上海市质协将进一步发挥质量协作网的交流协作优势。")
    assert clean_text(text).split("\n") == ["五、完善区域质协合作机制，服务长三角一体化发展",
                                            "上海市质协将进一步发挥质量协作网的交流协作优势。"]


def test_markdown_marks_are_dropped():
    text = ("# 关于举办“质量开放周”的通知\n\n## 一、活动内容\n\n- **时间**：2028年5月8日\n"
            "> 详见[协会网站](https://example.cn/notice)\n\n---\n上海市质量协会")
    assert clean_text(text).split("\n") == ["关于举办“质量开放周”的通知", "一、活动内容",
                                            "时间：2028年5月8日", "详见协会网站", "上海市质量协会"]


def test_a_label_alone_on_its_line_takes_the_next_line_as_its_value():
    text = ("本期主题：用好“质量工具箱”——QC七大手法速成\n\n▌ 直播时间\n2026年12月16日（星期三）19:00-20:30\n"
            "\n◆ 活动地点\n松江工厂（松江区新桥镇民益路188号）\n⏰ 报名截止：1月15日 12:00\n")
    assert clean_text(text).split("\n") == [
        "本期主题：用好“质量工具箱”——QC七大手法速成",
        "直播时间：2026年12月16日（星期三）19:00-20:30",
        "活动地点：松江工厂（松江区新桥镇民益路188号）",
        "报名截止：1月15日 12:00",
    ]


def test_a_thousands_separator_stays_one():
    assert clean_text("会员单位：2,800元/人；非会员单位：3，200元/人") == "会员单位：2,800元/人；非会员单位：3,200元/人"


def test_the_rows_of_a_text_table_and_the_sentence_after_it_stay_lines_of_their_own():
    text = ("阶段    时间                   形式              地点\n"
            "初赛    2027年3月1日—3月14日    线上答题          “徐汇质量”微信小程序\n"
            "决赛    2027年5月20日（星期四）下午   现场竞赛     徐汇区职工活动中心\n"
            "公示期为2026年11月30日至12月6日。\n")
    lines = clean_text(text).split("\n")
    assert len(lines) == 4
    assert lines[1].startswith("初赛") and lines[-1] == "公示期为2026年11月30日至12月6日。"


def test_the_signature_date_and_the_title_are_not_joined_to_the_line_above():
    text = ("上海市徐汇区市场监督管理局 上海市徐汇区总工会\n关于举办2027年徐汇区“质量杯”职工质量知识竞赛的通知\n"
            "正文。\n上海市徐汇区市场监督管理局        上海市徐汇区质量协会\n2026年11月30日\n")
    assert clean_text(text).split("\n") == [
        "上海市徐汇区市场监督管理局 上海市徐汇区总工会", "关于举办2027年徐汇区“质量杯”职工质量知识竞赛的通知",
        "正文。", "上海市徐汇区市场监督管理局        上海市徐汇区质量协会", "2026年11月30日"]


def test_dates_in_chinese_numerals_are_written_in_digits():
    assert clean_text("（一）申报阶段：二〇二七年一月四日至三月三十一日。") == "（一）申报阶段：2027年1月4日至3月31日。"
    assert clean_text("第三届“质量杯”竞赛") == "第三届“质量杯”竞赛"


def test_a_title_ending_in_jianzhang_and_a_bracketed_label_alone_stay_lines_of_their_own():
    text = ("上海市质量协会\n2027年六西格玛绿带培训班（第一期）报名简章\n"
            "六西格玛是以数据为基础、以顾客为导向的持续改进方法。\n【培训时间】\n2027年3月20日～4月25日\n")
    assert clean_text(text).split("\n") == [
        "上海市质量协会", "2027年六西格玛绿带培训班（第一期）报名简章",
        "六西格玛是以数据为基础、以顾客为导向的持续改进方法。", "培训时间：2027年3月20日~4月25日"]


def test_a_two_column_table_keeps_its_rows_apart():
    text = clean_text("六、收费标准\n类别                         标准\n会员单位学员                 6800元/人\n"
                      "非会员单位学员               7800元/人\n")
    assert text.split("\n")[1:] == ["类别                         标准", "会员单位学员                 6800元/人",
                                    "非会员单位学员               7800元/人"]


def test_a_markdown_byline_in_italics_is_plain_text():
    assert clean_text("# 报名｜第5期“质量沙龙”\n\n*上海市质量协会　2026-11-26*\n") == \
        "报名｜第5期“质量沙龙”\n上海市质量协会 2026-11-26"


def test_slashed_dates_a_spaced_out_title_and_a_typed_bar_read_as_usual():
    assert clean_text("2027/4/22（周四）— 4/23（周五）") == "2027年4月22日（周四）— 4月23日（周五）"
    assert clean_text("比例约1/3") == "比例约1/3"
    assert clean_text("邀 请 函\n\n通知正文") == "邀请函\n通知正文"
    assert clean_text("邀请函丨2027长三角质量论坛") == "邀请函｜2027长三角质量论坛"


def test_a_dotted_month_and_day_is_a_date_only_where_a_date_is_meant():
    assert clean_text("开课时间：3.6开课，4.24结课") == "开课时间：3月6日开课，4月24日结课"
    assert clean_text("截稿：3.31（周三）24:00") == "截稿：3月31日（周三）24:00"
    assert clean_text("奖励3.5万元，培训1.5天") == "奖励3.5万元，培训1.5天"  # amounts stay amounts
    assert clean_text("报名：2027.1.4-3.31") == "报名：2027.1.4-3.31"  # a range with its year is read as it is
