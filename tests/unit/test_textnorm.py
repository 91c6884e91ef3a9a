from services.textnorm import clean_display_text, match_key, normalise, parse_choice


def test_traditional_becomes_simplified_and_pinyin_artefacts_go():
    assert normalise("質量月什麼時候發(fā)布") == "质量月什么时候发布"
    assert clean_display_text("上海市質量協(xié)會") == "上海市质量协会"


def test_full_width_letters_digits_and_punctuation():
    assert normalise("ＱＣ小組２０２１年？") == "QC小组2021年?"
    # Text for display keeps Chinese punctuation but not full-width digits.
    pasted = "推動數(shù)字化轉型，實現(xiàn)高質量發(fā)展２０２１"
    assert clean_display_text(pasted) == "推动数字化转型，实现高质量发展2021"


def test_runaway_repeats_and_spaces_are_trimmed():
    assert normalise("在吗？？？？？？？   你好哈哈哈哈哈哈哈") == "在吗??? 你好哈哈哈"


def test_digits_are_never_trimmed():
    assert normalise("手机13611112222") == "手机13611112222"
    assert normalise("18800000000") == "18800000000"


def test_long_messages_are_bounded_and_control_characters_removed():
    assert len(normalise("质量月活动" * 1000)) == 500
    assert normalise("\u200b报名\x00") == "报名"
    assert normalise("") == ""


def test_match_key_ignores_case_spaces_and_punctuation():
    assert match_key("qc 小组！") == match_key("QC小组")


def test_parse_choice_reads_numbers_and_ordinals():
    assert parse_choice("2", 3) == 2
    assert parse_choice("第二个", 3) == 2
    assert parse_choice("选第1项", 3) == 1
    assert parse_choice("第五个", 3) is None
    assert parse_choice("世界质量论坛", 3) is None
