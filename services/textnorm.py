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
# Five or more of the same character are a keyboard held down, not meaning.
_LONG_REPEAT = re.compile(r"(.)\1{3,}")
_SPACES = re.compile(r"\s+")
_CONTROL = re.compile(r"[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\u200b-\u200f\ufeff]")


@lru_cache(maxsize=1)
def _converter() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    return _converter().convert(text)


def strip_pinyin_artefacts(text: str) -> str:
    return _PINYIN_ARTEFACT.sub("", text)


def to_half_width(text: str) -> str:
    """Full-width letters, digits and ASCII punctuation to half-width (ＱＣ→QC, ２０２１→2021)."""
    return "".join(
        chr(ord(ch) - 0xFEE0) if 0xFF01 <= ord(ch) <= 0xFF5E else (" " if ch == "\u3000" else ch)
        for ch in text
    )


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


def match_key(text: str) -> str:
    """A key for comparing names: normalised, case-folded, without spaces or punctuation."""
    text = normalise(text).casefold()
    return "".join(ch for ch in text if ch.isalnum())
