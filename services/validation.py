"""Checks on what members type into the sign-up form."""

from __future__ import annotations

import re
from dataclasses import dataclass

from services.textnorm import normalise

# Mainland mobile numbers: 11 digits, 1 then 3–9 (MIIT numbering plan).
_MOBILE = re.compile(r"1[3-9]\d{9}")
_COUNTRY_PREFIX = re.compile(r"^(?:\+?86|0086)")
_NAME = re.compile(r"[\u4e00-\u9fa5·•]{2,15}|[A-Za-z][A-Za-z .'-]{1,39}")
_NAME_LEADS = ("我的名字是", "我的名字叫", "名字是", "名字叫", "姓名是", "姓名", "我叫", "我是", "叫")


@dataclass(frozen=True)
class Checked:
    value: str | None
    problem: str | None = None  # why it was refused: a key the bot turns into words

    @property
    def ok(self) -> bool:
        return self.value is not None


def check_mobile(raw: str | None) -> Checked:
    text = normalise(raw or "")
    digits = re.sub(r"[\s\-()（）]", "", text)
    digits = _COUNTRY_PREFIX.sub("", digits) if len(digits) > 11 else digits
    found = re.search(r"\d+", digits)
    if not found:
        return Checked(None, "no_digits")
    number = found.group()
    if len(number) != 11:
        return Checked(None, "wrong_length")
    if not _MOBILE.fullmatch(number):
        return Checked(None, "not_mobile")
    return Checked(number)


def check_name(raw: str | None) -> Checked:
    text = normalise(raw or "").strip(" 。.,，!！")
    for lead in _NAME_LEADS:
        if text.startswith(lead):
            text = text[len(lead):].strip(" :：")
            break
    if not text or any(ch.isdigit() for ch in text):
        return Checked(None, "invalid_name")
    if not _NAME.fullmatch(text):
        return Checked(None, "invalid_name")
    return Checked(text)


def check_company(raw: str | None) -> Checked:
    text = normalise(raw or "").strip(" 。.,，!！")
    for lead in ("我的单位是", "单位是", "公司是", "我在", "单位:", "单位：", "单位"):
        if text.startswith(lead):
            text = text[len(lead):].strip(" :：")
            break
    for tail in ("工作", "上班"):
        text = text.removesuffix(tail)
    if len(text) < 2 or len(text) > 100 or not re.search(r"[\u4e00-\u9fa5A-Za-z]", text):
        return Checked(None, "invalid_company")
    return Checked(text)


def mask_mobile(mobile: str) -> str:
    """139****5678: how numbers appear in logs and to staff without the right to see them."""
    return mobile[:3] + "****" + mobile[-4:] if len(mobile) == 11 else "****"
