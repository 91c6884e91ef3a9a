"""What a notice's fields mean: time, place, audience, capacity, fee, sign-up, deadline, theme.

A field is a labelled line (地点：…), a heading with its content below ((二)培训地点), or a
sentence that says the same without a label (本次讲座免费, 名额150人, 请于3月10日前报名). Labels
are recognised by the words they contain, not by a list per notice: 培训时间, 会议时间 and
直播时间 are all times; 参加对象, 培训对象 and 收看对象 are all audiences.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum

from services.ingest.dates import DateReader
from services.ingest.structure import Line


class Kind(str, Enum):
    TIME = "time"
    ASSEMBLY = "assembly"  # 集合时间, 报到时间: when to arrive
    PLACE = "place"
    AUDIENCE = "audience"
    CONDITIONS = "conditions"  # 评选范围, 推荐条件: an audience when no 对象 is given
    CAPACITY = "capacity"
    FEE = "fee"
    SIGNUP = "signup"
    DEADLINE = "deadline"
    THEME = "theme"
    CONTACT = "contact"
    CONTENT = "content"
    UNITS = "units"  # 负责单位, 主办单位
    SCHEDULE = "schedule"  # 安排, 日程, 议程: the dates of phases or sessions
    MATERIALS = "materials"  # 报名材料, 申报材料: what to hand in, not how to sign up


# Checked in order; a label may be of two kinds (名额及报名).
_LABEL_WORDS: tuple[tuple[Kind, re.Pattern[str]], ...] = (
    (Kind.CONTACT, re.compile(r"联系|咨询(?!日|会|活动|周|服务)")),  # 质量咨询日 is an event
    (Kind.MATERIALS, re.compile(r"(?<!方式及)(?:材料|资料)(?!及方式)")),
    (Kind.DEADLINE, re.compile(r"截止|截至")),
    (Kind.ASSEMBLY, re.compile(r"集合时间|报到时间|签到时间")),
    (Kind.THEME, re.compile(r"主题")),
    (Kind.UNITS, re.compile(r"负责单位|主办单位|承办单位|主办|承办")),
    (Kind.CAPACITY, re.compile(r"名额|人数|规模|席位|座位")),
    # 方式：线上答题，职工通过小程序参与 (a bare 方式 last: activities.py)
    (Kind.SIGNUP, re.compile(r"报名|申报方式|推荐方式|观看方式|收看方式|参加方式|参会方式|参与方式|参赛方式|答题方式"
                             r"|预约|^方式$")),
    (Kind.FEE, re.compile(r"费用|收费|会务费|培训费|参会费|报名费|费$")),
    (Kind.AUDIENCE, re.compile(r"对象")),
    (Kind.CONDITIONS, re.compile(r"范围|条件|要求$")),
    (Kind.PLACE, re.compile(r"地点|会场|场地|集合地点|平台$")),
    # not the notice's own date (发布日期：, 发文时间：), which the layout reads as its date of issue
    (Kind.TIME, re.compile(r"(?<!发布)(?<!发文)(?<!印发)(?<!落款)(?<!更新)(?:时间|日期|时段)")),
    (Kind.SCHEDULE, re.compile(r"安排|日程|议程|赛程|流程")),
    (Kind.CONTENT, re.compile(r"内容|主讲|嘉宾|讲师|形式")),
)
_MAX_LABEL = 10


def kinds_of(label: str) -> list[Kind]:
    """What a label names: 培训时间 → time; 名额及报名 → capacity and sign-up."""
    if len(label) > _MAX_LABEL:
        return []
    found = [kind for kind, words in _LABEL_WORDS if words.search(label)]
    if Kind.ASSEMBLY in found:
        return [Kind.ASSEMBLY]
    if Kind.DEADLINE in found:
        return [Kind.DEADLINE]
    if Kind.MATERIALS in found and Kind.CONTACT not in found:
        return [Kind.MATERIALS]
    return found


@dataclass(frozen=True)
class Field:
    kind: Kind
    label: str
    value: str
    sentence: str  # the line as the notice wrote it, for the reviewer


_BRACKETED_HEADING = re.compile(r"^[【\[]([^】\]]{1,10})[】\]]$")
_INLINE_LABEL = re.compile(r"(?:^|(?<=[。；;]))\s*(?P<label>[\u4e00-\u9fff]{1,8})[：:]\s*(?P<value>[^。；;]+)")


def _inline_fields(line: Line) -> list[Field]:
    """时间：…；地点：…；名额：… written inside one paragraph."""
    found = []
    for match in _INLINE_LABEL.finditer(line.text):
        for kind in kinds_of(match.group("label")):
            found.append(Field(kind, match.group("label"), match.group("value").strip(), line.text))
    return found


def read_fields(lines: list[Line]) -> list[Field]:
    """The labelled lines, and the headings whose content follows on the next lines."""
    fields: list[Field] = []
    for position, line in enumerate(lines):
        if line.label is not None and line.value:
            for kind in kinds_of(line.label):
                fields.append(Field(kind, line.label, line.value, line.text))
            continue
        fields += _inline_fields(line)
        bracketed = _BRACKETED_HEADING.match(line.text)
        if bracketed and not line.level and line.label is None:
            # 【费用】 over 会员单位：2200元/人 / 非会员单位：… : the lines up to the next field are its value
            under = list(itertools.takewhile(
                lambda following: not (following.level or _BRACKETED_HEADING.match(following.text)
                                       or (following.label and kinds_of(following.label))), lines[position + 1:]))
            for kind in kinds_of(bracketed.group(1)) if under else []:
                value = "\n".join(following.text for following in under)
                fields.append(Field(kind, bracketed.group(1), value, f"{line.text}\n{value}"))
            continue
        heading = line.label or line.text
        if not (line.level or line.label is not None) or len(heading) > _MAX_LABEL:
            continue
        below, labelled = [], False
        for following in lines[position + 1:]:
            if following.level and following.level <= line.level:
                break
            below.append(following.text)
            labelled = labelled or bool(following.label and kinds_of(following.label))
        if below and not labelled:  # 二、时间地点 over 时间：… 地点：…: the lines are the fields
            for kind in kinds_of(heading):
                fields.append(Field(kind, heading, "\n".join(below), line.text + "\n" + "\n".join(below)))
    return fields


# -- values ---------------------------------------------------------------------

_NUMBER = r"(?P<n>\d{1,5})"
_CAPACITY = (
    re.compile(rf"(?:名额|人数)(?:有限)?[，,：:为共约]*\s*(?:限|共|仅|约)?\s*{_NUMBER}\s*(?:名|人|个|位)?"),
    re.compile(rf"限(?:额|报|招|收)?\s*{_NUMBER}\s*(?:名|人|位)"),
    re.compile(rf"(?:招收|招募|录取)(?:学员|学生|人员)?{_NUMBER}\s*(?:名|人)"),
    re.compile(rf"(?:共设|设|共有|提供|招收|招募|录取|规模约?|可容纳|容纳){_NUMBER}\s*(?:个|名|人|位)?(?:座位|席位|学员|名额|人)"),
    re.compile(rf"{_NUMBER}\s*(?:个)?名额"),
    re.compile(rf"(?:座位|席位|坐席|会场座位)(?:数|共)?\s*{_NUMBER}\s*(?:个|席|名|人|位)"),  # 现场设席位150个
)
# 每家单位限2人, 推荐不超过3个, 拟命名不超过120个, 前40支队伍: quotas, not seats.
_NOT_CAPACITY = re.compile(r"每(?!期|班|场|次)|不超过|不多于|至多|最多|前\d|命名|获奖|奖项|评选|入选|推荐|支队|队伍")
_UNLIMITED = re.compile(r"不限人数|人数不限|不限名额")


def capacity(text: str) -> tuple[int | None, str | None]:
    """How many people the activity takes, and the clause that says so."""
    for clause in re.split(r"[，,。；;\n]", text):
        if _UNLIMITED.search(clause):
            return None, None
        for pattern in _CAPACITY:
            for match in pattern.finditer(clause):
                if _NOT_CAPACITY.search(clause[max(0, match.start() - 8):match.end()]):
                    continue
                return int(match.group("n")), clause
    return None, None


_FREE = re.compile(r"免费|免收|不收取?(?:任何)?(?:[\u4e00-\u9fff]{0,3})?费|不收费|"
                   r"不(?:向[^，。；]{1,10})?收取(?:任何)?费用|无需(?:缴纳|支付)?费用|费用全免|"
                   r"由主办方承担|(?:不|无需|不需|不用|免于?)(?:缴纳|交纳|支付|缴|交)(?:任何)?(?:[\u4e00-\u9fff]{0,3})?费"
                   r"|费(?:用)?由[^，。；]{2,20}(?:承担|负担|支付)")
_PRICE = re.compile(r"\d+(?:\.\d+)?\s*(?:元|万元)")


def fee(text: str) -> str | None:
    """The fee as the notice states it; 免费 first where it says no charge."""
    text = _strip_sentences_about_payment(text)
    if not text:
        return None
    if _PRICE.search(text):
        return text
    if _FREE.search(text):
        return text if text.startswith("免费") else f"免费（{text}）"
    return None


def _strip_sentences_about_payment(text: str) -> str:
    """Keep the price; drop how to pay (户名, 账号…)."""
    kept = [s for s in re.split(r"(?<=[。；])", text.replace("\n", "")) if s
            and not re.search(r"汇款|转账|账号|户名|开户行|发票", s)]
    return "".join(kept).strip().rstrip("。；")


def priced_rows(lines: Sequence[Line]) -> str | None:
    """A fee set as a table under its heading (6. 培训费用 / 会员单位学员   6800元/人 / 非会员…):
    its priced rows, one price each, before the first labelled line (费用包含：…)."""
    for position, line in enumerate(lines):
        if not line.level or Kind.FEE not in kinds_of(line.text):
            continue
        rows = []
        for following in lines[position + 1:]:
            if following.level or following.label:
                break
            if _PRICE.search(following.text):
                rows.append(re.sub(r"\s{2,}", " ", following.text.strip()))
        if rows:
            return "；".join(rows)
    return None


def priced_clause(text: str) -> str | None:
    """会务费300元/人 inside a paragraph, where no fee field is given."""
    for clause in re.split(r"[，,。；;\n]", text):
        if re.search(r"费|收费|价格", clause) and _PRICE.search(clause) and not re.search(r"汇款|账号|奖", clause):
            return clause.strip()
    return None


def free_sentence(text: str) -> str | None:
    """A sentence saying it costs nothing, where no fee field is given."""
    for sentence in re.split(r"(?<=[。；\n])", text):
        if _FREE.search(sentence) and not _PRICE.search(sentence):
            clause = sentence.strip().rstrip("。；")
            return clause if clause.startswith("免费") else f"免费（{clause}）"
    return None


# a day of a month as notices write it (2027年3月5日（周五）, 3月5号)
MONTH_DAY = r"(?:\d{4}年)?\d{1,2}月\d{1,2}[日号](?:\s*[（(][^）)]{1,4}[）)])?"
_DEADLINE = (
    re.compile(r"(?:请|须|务必)?(?:于|在)(?P<d>[^，。；]{3,24}?)(?:前|之前|以前)"),
    re.compile(r"(?:截止|截至)(?:时间|日期)?(?:为|是|：|:|到|至)?\s*(?P<d>[^，。；（]{3,24})"),
    re.compile(r"即日起?(?:开始)?(?:至|到)(?P<d>[^，。；]{3,24}?)(?:止|前|截止|(?=[，。；\n]|$))"),
    re.compile(r"(?P<d>\d{1,4}[^，。；]{2,16}?)(?:止|截止)(?!时间|日期)"),
    re.compile(r"(?:延长|推迟|调整)(?:至|为|到)(?P<d>[^，。；]{3,24})"),
    re.compile(rf"(?P<d>{MONTH_DAY})\s*(?:前|之前|以前)"),  # 报名：3月5日前通过…报名
)
_SIGNUP_WORDS = re.compile(r"报名|报送|申报|提交|发送|回执|填报|登录|推荐|录入|寄送|预约|回复")
# 于8月31日前报市质量协会 in a 工作要求 section is a duty, not a sign-up; 前5个工作日 no date.
_NOT_DEADLINE = re.compile(r"总结|结束后|不予退还|更换|工作日")


def deadline(text: str, reader: DateReader, require_signup_words: bool = True) -> tuple[dt.date | None, str | None]:
    """The last day to sign up, and the clause that says so."""
    for sentence in re.split(r"(?<=[。；\n])", text):
        if require_signup_words and not _SIGNUP_WORDS.search(sentence) and not re.search(r"截止|截至", sentence):
            continue
        for pattern in _DEADLINE:
            for match in pattern.finditer(sentence):
                if _NOT_DEADLINE.search(_clause_around(sentence, match.start(), match.end())):
                    continue
                found = reader.find(match.group("d"))
                if found:
                    return found[-1].span.end.last_day, sentence.strip()
    return None, None


# Sentences of a sign-up paragraph that are not how to sign up: fees, confirmations, late entries.
_NOT_METHOD = re.compile(r"费|成功后|逾期|额满|名额")


def _clause_around(sentence: str, start: int, end: int) -> str:
    begin = max(sentence.rfind(mark, 0, start) for mark in "，,") + 1
    ends = [i for i in (sentence.find(mark, end) for mark in "，,") if i >= 0]
    return sentence[begin:min(ends) if ends else len(sentence)]


def signup_method(text: str) -> str | None:
    """How to sign up, without the deadline phrase and the confirmation that follows."""
    clauses = re.split(r"(?<=[，,。；\n])", text)
    text = "".join(c for c in clauses if not _NOT_METHOD.search(c)).replace("\n", "")
    text = re.sub(r"(?:请|须)?(?:各[^，。；]{1,8}?)?(?:于|在)\s*\d[^，。；]{2,22}?\s*(?:前|之前|以前)[，,]?", "", text)
    text = re.sub(r"[，,]?(?:报名)?(?:截止|截至)(?:时间|日期)?[：:为]?[^，。；]{3,24}[。；]?", "", text)
    text = re.sub(r"即日起?至[^，。；]{3,24}?(?:止|前|截止)[，,]?", "", text)
    text = re.sub(rf"^(?:报名[：:])?{MONTH_DAY}\s*(?:前|之前|以前)[，,]?", "", text)
    text = re.sub(r"[，,]?[^，。；]{0,6}\d{1,2}月\d{1,2}日(?:前|止)[。；]?$", "", text)
    text = re.sub(r"^(?:报名方式|报名)[：:]|^请", "", text).strip(" ，,。；")
    return text or None


_THEME = (
    re.compile(r"以“(?P<t>[^”]{2,60})”为(?:主题|题)"),
    re.compile(r"主题(?:为|是|：|:)\s*“?(?P<t>[^”，。；\n]{2,60})”?"),
    re.compile(r"围绕“(?P<t>[^”]{2,60})”"),
)


def theme_in(text: str) -> str | None:
    for pattern in _THEME:
        match = pattern.search(text)
        if match:
            return match.group("t").strip()
    return None


_EVENT_PLACE = re.compile(r"(?<![存现正实所内外旨潜好])在(?P<v>[^，。；\n]{2,40}?)(?:举办|举行|召开|开展)")
_PLACE_IN_TEXT = re.compile(r"地\s*点(?:均|统一|暂定)?(?:为|设在|在|[：:])\s*(?P<v>[^，。；\n]{4,60})")
_TO_BE_ANNOUNCED = re.compile(r"另行通知|待定|另定|另告")
_VAGUE_PLACE = re.compile(r"^(?:本市|上海|线上|全市|各区|我市|京|沪)$|^\d|年|月")


def place_in_sentence(text: str) -> tuple[str | None, str | None]:
    """定于…在长宁区泰安路74号市质协三楼报告厅举办: the place of an event sentence; else a place
    stated inside a sentence (复赛、决赛地点均为嘉定区工人文化宫, …全天，地点：东川路2008号)."""
    for pattern in (_EVENT_PLACE, _PLACE_IN_TEXT):
        for match in pattern.finditer(text):
            value = match.group("v").strip()
            if not _VAGUE_PLACE.search(value) and not _TO_BE_ANNOUNCED.search(value):
                return value, match.group(0)
    return None, None


def clean_value(value: str) -> str:
    """A field's value on one line, without the end mark and doubled spaces."""
    value = re.sub(r"\s*\n\s*", "；", value.strip())
    value = re.sub(r"([；;。])[；;。]+", r"\1", value)
    value = re.sub(r"^(?:调整|改|变更|更改)为", "", value)  # 二、决赛地点 / 调整为…: the new value
    return re.sub(r"\s{2,}", " ", value).strip(" 。；;，,")
