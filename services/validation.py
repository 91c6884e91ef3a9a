"""Checks on what members type into the sign-up form."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from services.textnorm import normalise

# Mainland mobile numbers: 11 digits, 1 then 3–9 (MIIT numbering plan), as people write
# them: grouped by spaces, hyphens or brackets (139 1234 5678, (139)1234-5678), after
# +86 / 0086 / 86, in full-width digits (１３９…). This one pattern decides what the sign-up
# form accepts and what logs, staff pages and training files mask or refuse, so a number
# the form takes can never slip past the masking.
_DIGIT = "[0-9０-９]"
_GAP = "[ \u3000\\-－()（）]?"
MOBILE = re.compile(
    rf"(?<![0-9０-９])(?:(?:[+＋]|00|００)?(?:86|８６){_GAP})?"
    rf"[1１]{_GAP}[3-9３-９](?:{_GAP}{_DIGIT}){{9}}(?![0-9０-９])")
_NAME = re.compile(r"[\u4e00-\u9fa5·•]{2,15}|[A-Za-z][A-Za-z .'-]{1,39}")
_NAME_LEADS = ("我的名字是", "我的名字叫", "名字是", "名字叫", "姓名是", "姓名", "我叫", "我是", "叫")


@dataclass(frozen=True)
class Checked:
    value: str | None
    problem: str | None = None  # why it was refused: a key the bot turns into words

    @property
    def ok(self) -> bool:
        return self.value is not None


def mobile_digits(written: str) -> str:
    """A number as MOBILE found it → its 11 half-width digits (prefix and gaps dropped)."""
    digits = "".join(str(unicodedata.digit(ch)) for ch in written if unicodedata.digit(ch, None) is not None)
    return digits[-11:]


def find_mobiles(text: str | None) -> list[str]:
    """Every mainland mobile number in the text, as 11 digits."""
    return [mobile_digits(match.group()) for match in MOBILE.finditer(text or "")]


def mask_mobiles(text: str) -> str:
    """The text with every mobile number masked (139****5678), however it was written."""
    return MOBILE.sub(lambda match: mask_mobile(mobile_digits(match.group())), text)


def check_mobile(raw: str | None) -> Checked:
    text = normalise(raw or "")
    found = find_mobiles(text)
    if found:
        return Checked(found[0])
    # Not a mobile number: say why, the way the member wrote it (gaps and +86 ignored).
    digits = re.search(r"\d+", re.sub(r"[\s\-()（）]", "", text))
    if not digits:
        return Checked(None, "no_digits")
    number = re.sub(r"^(?:86|0086)(?=\d{11}$)", "", digits.group())
    return Checked(None, "wrong_length" if len(number) != 11 else "not_mobile")


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
