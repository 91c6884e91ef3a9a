"""Members type with pinyin input: a question's word that no notice uses but that sounds exactly
like one notice word (大将堂 → 大讲堂, 妇连 → 妇联, 启东仪式 → 启动仪式) is respelt before it is cut
into terms (pypinyin, tones ignored)."""
from __future__ import annotations

from collections.abc import Collection
from functools import cached_property

from services.retrieval.words import (
    CJK,
    COMMON_WORD,
    COUNTED,
    DROPPED,
    function_words,
    jieba_tokenizer,
    synonym_heads,
)


class Respeller:
    """Respells a question's words by the sounds of the notices' words (`vocabulary`)."""

    def __init__(self, vocabulary: Collection[str]) -> None:
        self._vocabulary = vocabulary

    @cached_property
    def _words_by_sound(self) -> dict[str, set[str]]:
        """The notices' words (two to six characters) by their pinyin without tones."""
        from pypinyin import lazy_pinyin

        words: dict[str, set[str]] = {}
        for term in self._vocabulary:
            if 2 <= len(term) <= 6 and all(CJK.fullmatch(ch) for ch in term):
                words.setdefault(" ".join(lazy_pinyin(term)), set()).add(term)
        return words

    def respell(self, question: str) -> str:
        """The question with a word no notice uses replaced by the one notice word that sounds
        the same: members type with pinyin input, so 大将堂 is 大讲堂, 妇连 妇联, 启东仪式 启动仪式.

        A word is tried alone and with its neighbours (jieba cuts a misspelt name apart:
        质量/大将/堂); a sound that several notice words share is left alone."""
        from pypinyin import lazy_pinyin

        sounds = self._words_by_sound  # built at the first call
        words = list(jieba_tokenizer().lcut(question.casefold()))
        out: list[str] = []
        index = 0
        while index < len(words):
            word = words[index]
            replaced = False
            asks_count = bool(COUNTED.fullmatch(word)) and word.startswith(("几", "多少"))  # 几个, 几期
            # a word of a synonym group is known through its group (实名 is not 使命)
            if word not in self._vocabulary and word not in DROPPED and not asks_count \
                    and word not in synonym_heads() and all(CJK.fullmatch(ch) for ch in word):
                # a function word or a common word alone is no misspelling (有时 is not 优势, 同事 not
                # 同时); with its neighbours it may be one (质量/大将/堂: 大讲堂)
                alone = word in function_words() or jieba_tokenizer().FREQ.get(word, 0) >= COMMON_WORD
                for start, end in ((index, index + 1), (index, index + 2), (index - 1, index + 1),
                                   (index - 1, index + 2)):
                    if start < 0 or end > len(words) or (start < index and not out) \
                            or (alone and (start, end) == (index, index + 1)):
                        continue
                    span = "".join(words[start:end])
                    if not 2 <= len(span) <= 6 or not all(CJK.fullmatch(ch) for ch in span) \
                            or span in self._vocabulary:
                        continue
                    sounds_like = sounds.get(" ".join(lazy_pinyin(span)), set())
                    if len(sounds_like) == 1:
                        if start < index:
                            out.pop()
                        out.append(next(iter(sounds_like)))
                        index = end
                        replaced = True
                        break
                # the misspelt word is the start of a longer cut (兰领奖: 兰领 for 蓝领)
                for cut in range(len(word) - 1, 1, -1):
                    if replaced or alone:
                        break
                    sounds_like = sounds.get(" ".join(lazy_pinyin(word[:cut])), set())
                    if word[:cut] not in self._vocabulary and len(sounds_like) == 1:
                        out.extend([next(iter(sounds_like)), word[cut:]])
                        index += 1
                        replaced = True
                # jieba cut inside the misspelt name (大讲/当办 for 大讲堂办): its end and the next word's start
                if not replaced and out and len(word) > 1 and all(CJK.fullmatch(ch) for ch in out[-1]):
                    for cut in range(len(word) - 1, 0, -1):
                        span = out[-1] + word[:cut]
                        if len(span) > 6 or span in self._vocabulary:
                            continue
                        sounds_like = sounds.get(" ".join(lazy_pinyin(span)), set())
                        if len(sounds_like) == 1:
                            out[-1] = next(iter(sounds_like))
                            out.append(word[cut:])
                            index += 1
                            replaced = True
                            break
            if not replaced:
                out.append(word)
                index += 1
        return "".join(out)
