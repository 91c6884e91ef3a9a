"""The terms a question and a passage are searched by.

jieba (search mode, with the NLU's user dictionary) on normalised, case-folded text, without
question words and the colloquial words members type (啥, 咋, 请问, 麻烦问下, 搞, 今年…); a
question's function word (by jieba's part of speech: pronoun, adverb, particle…) that no notice
uses is dropped too. A counted number gives its measure word too (十二期 → 期, so 几期 finds it;
几次 asks for 期/届/场). An organisation's names (质协, 市质协, 上海市质量协会: the NLU's
synonyms) share a term, and so do the words of a group in config/retrieval_synonyms.yml
(诞生 = 成立, 国企 = 国有企业). Besides words, the character bigrams of each run of content
words: they reward words met in the question's order (全国城市公共服务质量监测) and tolerate
jieba cutting a question and a notice differently, or a mistyped character.
"""
from __future__ import annotations

import logging
import re
from collections.abc import Container, Iterable
from functools import lru_cache
from typing import Any

from services.settings import PROJECT_ROOT
from services.textnorm import normalise

BIGRAM = "·"  # bigrams live in their own namespace: 全国 the word ≠ ·全国 the bigram
ENTITY = "="  # so does the organisation a name or short name stands for
SYNONYMS = PROJECT_ROOT / "data" / "nlu" / "synonyms.yml"
RETRIEVAL_SYNONYMS = PROJECT_ROOT / "config" / "retrieval_synonyms.yml"
USER_DICTIONARY = PROJECT_ROOT / "bot" / "nlu" / "jieba_dict" / "userdict.txt"
_SYNONYM_FREQUENCY = 2000
_QUESTION_WORDS = frozenset({
    "什么", "是", "的", "吗", "呢", "了", "哪", "哪些", "哪里", "哪儿", "几", "多少",
    "怎么", "怎么样", "如何", "请问", "一下", "有", "有没有", "在", "和", "与", "么",
    "个", "我", "你", "您", "想", "知道", "问", "问问", "谁", "时候", "什么时候", "啥",
    "可以", "吧", "一共", "为", "为什么", "哪个", "哪一年", "哪年", "是否", "都", "会",
    "能", "要", "告诉", "下", "那", "这", "这个", "那个", "其", "及", "或", "被",
    "把", "对", "给", "让", "从", "向", "到", "于", "由", "还", "也", "又", "就",
    "等", "之", "以", "中", "上", "具体", "情况", "内容", "关于", "方面", "相关", "哪家",
    "谁家", "多久", "叫", "叫做", "是不是", "对吗",
})
# How members talk on WeChat, not what they ask about: modal particles, openers, colloquial
# question words and light verbs (搞/弄 for 开展/举办). Dropped like the question words above.
_COLLOQUIAL = frozenset({
    "啊", "呀", "哇", "啦", "嘛", "呗", "哦", "噢", "哈", "嗯", "哎", "诶",
    "麻烦", "问下", "问一下", "想问", "想问下", "请教", "打扰", "你好", "您好", "谢谢",
    "咋", "咋样", "咋么", "干嘛", "干啥", "啥时候", "啥时", "几时", "哪天", "几号", "几月", "几点",
    "几次", "几回", "多大", "多长", "哪些", "哪位", "什么样", "怎样", "咋办", "怎么办", "为啥", "啥样",
    "是啥", "有啥", "些", "有些", "一些", "过", "着", "搞", "弄", "干", "整", "跟", "来", "去",
    "路上", "号码",  # 在哪条路上, 传真号码: the contact cue's words
    "哪几", "哪几个", "哪几家", "哪几项", "哪几种", "哪种", "哪类", "哪方面",
    # asking who issued a notice and when (谁发的, 发出来, 落款日期): the card answers, in its own words
    "发", "发的", "发出", "发出来", "落款",
    # a time counted from when the member asks, which no notice's words can match
    "今年", "明年", "去年", "今天", "明天", "昨天", "这次", "那次", "本次", "此次", "下次", "上次",
})
DROPPED = _QUESTION_WORDS | _COLLOQUIAL
# How often jieba's dictionary counts a word that is too common to be a misspelling on its own.
COMMON_WORD = 1000
# Parts of speech of jieba's dictionary that are how something is said, not what it is about:
# pronouns, adverbs, prepositions, conjunctions, particles, modal words, interjections, measure
# words and numerals. A question's word of these that no notice uses is dropped.
_FUNCTION_TAGS = frozenset({"r", "rr", "rz", "rg", "d", "dg", "df", "p", "c", "u", "uj", "ul", "ug", "uv",
                            "uz", "ud", "y", "e", "o", "zg", "q", "m", "mq"})


CJK = re.compile(r"[\u4e00-\u9fff]")
# A counted number (十二期, 37场) also gives its measure word; a question's 几期/多少场 gives only that.
COUNTED = re.compile(r"(?:[0-9一二三四五六七八九十百千万两]+|几|多少)([期届场项名家个次回位人])")
_TIMES = ("次", "期", "届", "场")
_DATE_UNITS = frozenset({"年", "月", "日", "号"})
# A two-character word spelt out with a space, as forms do (电 话, 传 真, 竺 敏).
# 第2期 as tables write it, 第二期 as members type it: one term
_ORDINAL = re.compile(r"第(\d{1,2})(?=[期届次场站轮批讲天组])")
_SPELT = "〇一二三四五六七八九"
_SPACED_OUT = re.compile(r"(?<![\u4e00-\u9fff])([\u4e00-\u9fff]) +([\u4e00-\u9fff])(?![\u4e00-\u9fff])")


@lru_cache(maxsize=1)
def jieba_tokenizer() -> Any:
    """A jieba tokenizer of our own (the process-wide one is the NLU's) with the NLU's domain words.

    Text is case-folded before it is cut, so the dictionary's words are too (QC小组 → qc小组)."""
    import jieba

    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    entries = [line.split() for line in USER_DICTIONARY.read_text(encoding="utf-8").splitlines()
               if line.strip()] if USER_DICTIONARY.exists() else []
    for word, *rest in entries:
        tokenizer.add_word(word.casefold(), int(rest[0]) if rest and rest[0].isdigit() else None)
    # A synonym group's words are kept whole, or the group could not stand for them: at least as
    # common as an everyday word (诞生: 2,048), else jieba cuts 抄送给谁 as 抄/送给/谁 (抄送: 16).
    for word in synonym_heads():
        tokenizer.add_word(word, max(tokenizer.FREQ.get(word) or 0, _SYNONYM_FREQUENCY))
    return tokenizer


@lru_cache(maxsize=1)
def parts_of_speech() -> dict[str, str]:
    """Each word of jieba's dictionary and the NLU's → its part of speech (the NLU's tag wins)."""
    tags: dict[str, str] = {}
    with jieba_tokenizer().get_dict_file() as dictionary:  # bytes
        lines = [line.decode("utf-8") for line in dictionary]
    if USER_DICTIONARY.exists():  # after jieba's: the NLU's tag wins (报名 is a verb)
        lines += USER_DICTIONARY.read_text(encoding="utf-8").splitlines()
    for line in lines:
        parts = line.split()
        if len(parts) == 3:
            tags[parts[0].casefold()] = parts[2]
    return tags


@lru_cache(maxsize=1)
def function_words() -> frozenset[str]:
    """The words tagged with a part of speech of `_FUNCTION_TAGS`."""
    return frozenset(word for word, tag in parts_of_speech().items() if tag in _FUNCTION_TAGS)


def names_things(word: str) -> bool:
    """A noun, a place, a name, or a word jieba's dictionary does not know (卓越绩效, 云课堂): not a verb."""
    tag = parts_of_speech().get(word)
    return tag is None or tag.startswith(("n", "eng", "j", "l", "i"))


@lru_cache(maxsize=1)
def _organisations() -> dict[str, str]:
    """Each name and short name of an organisation (the NLU's synonyms: 质协, 市质协 …) → its full name."""
    import yaml

    names: dict[str, str] = {}
    data = yaml.safe_load(SYNONYMS.read_text(encoding="utf-8")) if SYNONYMS.exists() else None
    for entry in (data or {}).get("nlu") or []:
        canonical = str(entry.get("synonym") or "")
        if not CJK.search(canonical):
            continue  # contact fields (phone, address …), not organisations
        for line in [canonical, *str(entry.get("examples") or "").splitlines()]:
            name = normalise(line.strip().lstrip("-").strip()).casefold()
            if name:
                names[name] = canonical
    return names


@lru_cache(maxsize=1)
def synonym_heads() -> dict[str, str]:
    """Each word of a group in config/retrieval_synonyms.yml → the group's first word, which
    stands for all of them in questions and passages alike (国企 and 国有企业: =国企)."""
    import yaml

    data = yaml.safe_load(RETRIEVAL_SYNONYMS.read_text(encoding="utf-8")) if RETRIEVAL_SYNONYMS.exists() else None
    return {normalise(str(word)).casefold(): normalise(str(group[0])).casefold()
            for group in (data or {}).get("groups") or [] for word in group}


def _ordinal_in_words(match: re.Match[str]) -> str:
    """第2期 as members type it, 第二期 (which jieba keeps one word)."""
    number = int(match.group(1))
    if not 0 < number < 100:
        return match.group(0)
    tens, units = divmod(number, 10)
    spelt = ("" if tens < 2 else _SPELT[tens]) + ("十" if tens else "") + (_SPELT[units] if units else "")
    return f"第{spelt}"


def terms(text: str, known: Container[str] | None = None) -> list[str]:
    """Search terms of a question or a passage: content words, and bigrams of their runs.

    With `known` (the index's terms), a question's function word that no notice uses is dropped."""
    cleaned = _ORDINAL.sub(_ordinal_in_words, _SPACED_OUT.sub(r"\1\2", normalise(text, max_chars=10**6).casefold()))
    found: list[str] = []
    run: list[str] = []
    tokenizer = jieba_tokenizer()

    def end_run() -> None:
        chars = "".join(run)
        found.extend(BIGRAM + chars[i:i + 2] for i in range(len(chars) - 1))
        run.clear()

    after_number = False
    for word in tokenizer.lcut(cleaned):
        ordinal = word.startswith("第") and not word.startswith(("第几", "第多少"))
        counted = COUNTED.fullmatch(word[1:] if ordinal else word)  # 第四期 gives 期 too (最后一期)
        if counted and word.startswith(("几", "多少")):
            # the question's 几期 is the notice's 期; 几次/几回 asks how many times, which notices count in 期/届/场
            found.extend(_TIMES if counted.group(1) in "次回" else [counted.group(1)])
            end_run()
            continue
        if not word.strip() or not any(ch.isalnum() for ch in word) or word in DROPPED \
                or (known is not None and word not in known and word in function_words()):
            end_run()
            continue
        if word in synonym_heads():
            # 诞生 is 成立: one term, so that a sentence with both does not outweigh one with either
            found.append(ENTITY + synonym_heads()[word])
            end_run()
            continue
        parts = tokenizer.lcut_for_search(word) if len(word) > 2 else [word]
        found.extend(parts)
        # 不合格者 holds 不合格, which stands for 考不过 as well
        found.extend(ENTITY + synonym_heads()[part] for part in parts if part != word and part in synonym_heads())
        if word in _organisations():
            found.append(ENTITY + _organisations()[word])  # 质协 and 上海市质量协会 are one organisation
        if counted:
            found.append(counted.group(1))  # 十二期 answers 几期
            if ordinal:
                found.append("第")  # 第二十一届 answers 第几届 as 第21届 did
        if all(CJK.fullmatch(ch) for ch in word) and not (word in _DATE_UNITS and after_number):
            run.extend(word)
        else:
            end_run()  # 2021年质量月: 年 belongs to the date, and 年质 is no pair the member typed
        after_number = word.isdigit()
    end_run()
    return found


def covered_by(word: str, parts: Iterable[str]) -> bool:
    """Whether shorter words among `parts` cover every character of `word` (qc小组: qc, 小组)."""
    covered = [False] * len(word)
    for part in parts:
        if len(part) >= len(word):
            continue
        start = word.find(part)
        while start != -1:
            covered[start:start + len(part)] = [True] * len(part)
            start = word.find(part, start + 1)
    return all(covered)
