"""Text as members and web pages write it, made uniform before anything reads it.

Used by the NLU pipeline (so 繁體 questions work), by the activity resolver and
by the notice loader: one normalisation everywhere, so the same words match.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import opencc

MAX_MESSAGE_CHARS = 500

# Pages converted between scripts leave the pinyin of some characters behind
# them: 發(fā)展, 質量協(xié)會.
_PINYIN_ARTEFACT = re.compile(
    r"(?<=[\u4e00-\u9fff])[（(][a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹḿ]{1,7}[)）]"
)
# Four or more of the same character are a key held down, not meaning; digits
# repeat in real numbers (13611112222), so they are left alone.
_LONG_REPEAT = re.compile(r"(\D)\1{3,}")
_SPACES = re.compile(r"\s+")
_CONTROL = re.compile(r"[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\u200b-\u200f\ufeff]")


@lru_cache(maxsize=1)
def _converter() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    return _converter().convert(text)


def strip_pinyin_artefacts(text: str) -> str:
    return _PINYIN_ARTEFACT.sub("", text)


def to_half_width(text: str, punctuation: bool = True) -> str:
    """Full-width letters and digits (ＱＣ→QC, ２０２１→2021) to half-width, and
    full-width punctuation too unless the text is for display."""

    def convert(ch: str) -> str:
        if ch == "\u3000":
            return " "
        if 0xFF01 <= ord(ch) <= 0xFF5E and (punctuation or ch.isalnum()):
            return chr(ord(ch) - 0xFEE0)
        return ch

    return "".join(map(convert, text))


def normalise(text: str, max_chars: int = MAX_MESSAGE_CHARS) -> str:
    """Simplified script, half-width, no artefacts or runaway repeats, bounded length."""
    text = unicodedata.normalize("NFC", text or "")
    text = _CONTROL.sub("", text)
    text = strip_pinyin_artefacts(text)
    text = to_simplified(text)
    text = to_half_width(text)
    text = _LONG_REPEAT.sub(r"\1\1\1", text)
    text = _SPACES.sub(" ", text).strip()
    return text[:max_chars]


def clean_display_text(text: str, max_chars: int = 10**6) -> str:
    """Notice text for showing to members: simplified, no artefacts, Chinese punctuation kept."""
    text = unicodedata.normalize("NFC", text or "")
    text = _CONTROL.sub("", text)
    text = to_simplified(strip_pinyin_artefacts(text))
    return to_half_width(text, punctuation=False).strip()[:max_chars]


@lru_cache(maxsize=50_000)
def match_key(text: str) -> str:
    """A key for comparing names: normalised, case-folded, without spaces or punctuation.

    Cached: every lookup compares the member's words with every activity and
    organisation name, and the names rarely change."""
    text = normalise(text).casefold()
    return "".join(ch for ch in text if ch.isalnum())


_ORDINALS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}


def parse_choice(text: str | None, count: int) -> int | None:
    """The 1-based option a member picked from a numbered list: 2, 第二个, 第2项, 二."""
    cleaned = normalise(text or "").strip(" 。.!！?？,，")
    match = re.fullmatch(r"(?:选|选择|要)?第?([1-9]|[一二两三四五六七八九])(?:个|项|条|号)?(?:吧|的)?", cleaned)
    if not match:
        return None
    token = match.group(1)
    number = int(token) if token.isdigit() else _ORDINALS[token]
    return number if 1 <= number <= count else None
