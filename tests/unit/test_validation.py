import pytest

from services.validation import check_company, check_mobile, check_name, mask_mobile


@pytest.mark.parametrize("raw", ["13912345678", "139 1234 5678", "+86 139-1234-5678",
                                 "手机号是13912345678", "１３９１２３４５６７８"])
def test_mainland_mobiles_are_accepted_in_the_forms_people_type(raw):
    assert check_mobile(raw).value == "13912345678"


@pytest.mark.parametrize("raw, problem", [("1391234567", "wrong_length"), ("12912345678", "not_mobile"),
                                          ("没有手机", "no_digits"), ("021-52588281", "not_mobile")])
def test_bad_mobiles_are_refused_with_the_reason(raw, problem):
    checked = check_mobile(raw)
    assert not checked.ok and checked.problem == problem


def test_names():
    assert check_name("我叫张伟").value == "张伟"
    assert check_name("欧阳·娜娜").value == "欧阳·娜娜"
    assert check_name("Li Na").value == "Li Na"
    assert not check_name("13912345678").ok
    assert not check_name("<script>alert(1)</script>").ok
    assert not check_name("").ok


def test_companies():
    assert check_company("我在上海电气工作").value == "上海电气"
    assert check_company("单位是宝钢股份").value == "宝钢股份"
    assert not check_company("1").ok
    assert not check_company("上海电气集团有限公司" * 20).ok


def test_masking():
    assert mask_mobile("13912345678") == "139****5678"
