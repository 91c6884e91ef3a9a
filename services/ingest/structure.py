"""The layout of a notice: letterhead, title, addressees, numbered sections, fields, signature.

Chinese notices share one layout whoever issues them: the issuer and a document number
above the title (关于…的通知), the addressees (各会员单位：), a preamble, sections numbered at
several levels (一、 （一） 1. （1）), fields written `标签：内容` or as a heading with its
content below (（一）培训时间 / 2027.4.7—4.9), and the issuer with the date at the end.
This module finds that layout; what the fields mean is `fields.py`'s business.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from services.dates import chinese_number
from services.ingest.dates import ISSUE_DATE_LINE
from services.ingest.tables import cells

_CJK = r"\u4e00-\u9fff"
# Number marks by level: 一、 (1), （一） (2), 1. 1、 (3), （1） ① (4).
_NUMBERING = (
    # 活动一：… in a WeChat article is a first-level heading too
    (1, re.compile(r"^(?P<n>[一二三四五六七八九十]{1,3})\s*[、.．]\s*|^活动[一二三四五六七八九十]{1,2}\s*[：:、]\s*")),
    (2, re.compile(r"^[（(](?P<n>[一二三四五六七八九十]{1,3})[)）]\s*")),
    (3, re.compile(r"^(?P<n>\d{1,2})\s*(?:[.．、](?!\d)|[.．](?=\d{4}年)|\s(?=[^\d\s]))\s*")),
    (4, re.compile(r"^[（(](?P<n>\d{1,2})[)）]\s*|^(?P<c>[①②③④⑤⑥⑦⑧⑨⑩])\s*")),
)
# ▌ 申报辅导会, ▍第一站：走进…: a WeChat article's section heading, marked by a bar instead of a number
_BAR_HEADING = re.compile(r"^[▌▍▎]\s*(?=\S.{1,29}$)")
_BULLET = re.compile(r"^[●◆■□◇▲△▼▽◎○★☆※▶►▌▍▎]\s*")
# A label is a few characters before a colon: 时间：, 名  额：, 报名方式：.
_BRACKETED_LABEL = re.compile(rf"^[【\[](?P<label>[{_CJK}][{_CJK}\s]{{0,7}})[】\]]\s*[：:]?\s*(?P<value>\S.*)$")
_LABEL = re.compile(rf"^(?P<label>[{_CJK}][{_CJK}\s]{{0,9}}?)\s*[：:]\s*(?P<value>.*)$")
_DOC_NUMBER = re.compile(r"〔\d{4}〕|\[\d{4}\]|第\s*\d[\d-]*\s*号$")  # 台品协字第2026-047号
# 关于…的通知, …邀请函; a WeChat article's 报名｜…, 邀请函｜走进恒川…, 【青年质量云课堂】第6期 | …
# 【活动报名】走进标杆企业｜…, 【线上直播】“质量大讲堂”…: a WeChat column's tag before a title (not a series'
# name such as 【青年质量云课堂】)
COLUMN_TAG = re.compile(r"^【[^】]{0,4}(?:报名|预告|通知|公告|招募|直播|回顾|速递|邀请|推荐|资讯|动态)】\s*")
_TITLE = re.compile(r"(?:^关于.{2,}|.{2,}(?:通知|公告|公示|通告|邀请函|启事|简章|方案|安排))"
                    r"(?:[（(][^（）()]{1,8}[）)])?$"  # 征文通知（第一轮）
                    r"|^(?:邀请函|报名|通知|公告|预告)(?:开启|开始|启动|通道开启)?\s*[｜|]|^【[^】]+】[^|｜]*[|｜]"
                    r"|^[^|｜：:，。]{4,30}[｜|]"  # 第28期质量沙龙｜当AI遇上质量检验
                    rf"|{COLUMN_TAG.pattern}[^：:]{{4,}}")
_ADDRESSEES = re.compile(r"^[^。]{2,80}[：:]$")
_ATTACHMENT = re.compile(r"^(?:附件|抄送|附：)")
_ATTACHMENT_START = re.compile(r"^附件\s*\d{0,2}\s*[:：]?\s*$")


@dataclass
class Line:
    """One line of the body with its number mark and, when it has one, its label."""

    index: int
    text: str  # without the number mark
    level: int = 0  # 0: not numbered
    label: str | None = None
    value: str | None = None
    raw: str = ""  # as written, number mark and all (a table's row begins with its 序号)


@dataclass
class Section:
    """A numbered heading and the lines under it (its own line first)."""

    heading: Line
    lines: list[Line] = field(default_factory=list)

    @property
    def title(self) -> str:
        return self.heading.label if self.heading.label else self.heading.text

    def text(self) -> str:
        return "\n".join(line.text for line in self.lines)


@dataclass
class Layout:
    title: str
    issuers: list[str]
    issued_on: dt.date | None
    preamble: list[str]  # the paragraphs between the addressees and the first field or section
    body: list[Line]  # everything after the addressees up to the signature
    closing: list[str]  # attachments and signature lines

    def levels(self) -> list[int]:
        return sorted({line.level for line in self.body if line.level})

    def top_sections(self) -> list[Section]:
        """The sections of the highest numbering level the body uses."""
        levels = self.levels()
        return self.sections_at(levels[0]) if levels else []

    def sections_at(self, top: int) -> list[Section]:
        """The sections numbered at one level, each with the lines under it."""
        sections: list[Section] = []
        open_section = False
        last_heading = max((line.index for line in self.body if line.level == top), default=-1)
        for line in self.body:
            if line.level == top:
                sections.append(Section(line, [line]))
                open_section = True
            elif line.level and line.level < top:
                open_section = False  # （二）第二期 ends where 二、报名 begins
            elif not line.level and line.label is not None \
                    and (not line.value or ("联系" in line.label and line.index > last_heading)):
                # 工作要求：, and 联系人：… after the last section, belong to no section; a 联系人 line
                # between two sections is the first one's own
                open_section = False
            elif open_section and sections:
                sections[-1].lines.append(line)
        return sections

    def body_text(self) -> str:
        return "\n".join(line.text for line in self.body)


def read_line(index: int, raw: str) -> Line:
    text, level = raw.strip(), 0
    bare = _BULLET.sub("", text)  # ■ 活动一：…: a bullet before the number mark
    if bare != text and any(pattern.match(bare) for _, pattern in _NUMBERING):
        text = bare
    for candidate, pattern in _NUMBERING:
        match = pattern.match(text)
        if match and match.end() < len(text):
            text, level = text[match.end():].strip(), candidate
            break
    bar = _BAR_HEADING.match(text) if not level else None
    if bar:
        text, level = text[bar.end():], 1
    line = Line(index, text, level, raw=raw.strip())
    # ■ 培训费用：3600元/人, 【费　　用】会员单位人员免费；…
    label = _LABEL.match(text) or _LABEL.match(_BULLET.sub("", text)) or _BRACKETED_LABEL.match(text)
    if label:
        line.label = re.sub(r"\s+", "", label.group("label"))
        line.value = label.group("value").strip()
    return line


def _issue_date(line: str) -> dt.date | None:
    match = ISSUE_DATE_LINE.match(line)
    if not match:
        return None
    if match.group(1):
        numbers = [int(match.group(i)) for i in (1, 2, 3)]
    else:
        numbers = [chinese_number(match.group(i)) or 0 for i in (4, 5, 6)]
    try:
        return dt.date(*numbers)
    except ValueError:
        return None


# A WeChat article's byline under its title: 原创 质协青委会 上海市质量协会 2026年12月01日 09:30 上海
_BYLINE_DATE = re.compile(r"(\d{4})[年.-](\d{1,2})[月.-](\d{1,2})日?")


def _byline(lines: list[str]) -> tuple[str, re.Match[str]] | None:
    """The first short line with a date and no sentence (原创 … 上海市质量协会 2026年12月01日 09:30 上海)."""
    for line in lines:
        match = _BYLINE_DATE.search(line)
        if match and len(line) <= 80 and not re.search(r"[：。]|:(?!\d)", line):
            return line, match
    return None


def _byline_date(byline: tuple[str, re.Match[str]] | None) -> dt.date | None:
    if byline is None:
        return None
    _, match = byline
    try:
        return dt.date(*(int(match.group(i)) for i in (1, 2, 3)))
    except ValueError:
        return None


_FORMAL_ORG = re.compile(r"^[\u4e00-\u9fff（）()]{2,30}"
                         r"(?:协会|学会|商会|联合会|促进会|委员会|局|中心|研究院|公司|集团|大学|学院)$")


def _byline_account(byline: tuple[str, re.Match[str]] | None) -> str | None:
    """The account a WeChat byline names just before its date (…上海市质量协会 2026年12月01日 09:30)."""
    if byline is None:
        return None
    line, match = byline
    before = line[:match.start()].split()
    name = before[-1] if before else ""
    # an account's formal name only (上海市质量协会, not 上海质协 or 奉贤市场监管)
    return name if _FORMAL_ORG.search(name) and _is_org_line(name) else None


def _split_issuers(line: str) -> list[str]:
    return [part for part in re.split(r"\s{2,}|、", line.strip()) if part]


def _is_org_line(line: str) -> bool:
    # a line with a phone number is a contact's and one with a date a table's row, however much
    # either looks like a signature
    # nor one about a picture or a code to scan (长按识别二维码报名, （文末二维码图片）)
    return (len(line) <= 60 and not re.search(r"[，。；：:！？]|\d[\d\s-]{6,}\d|\d月\d{1,2}日", line)
            and not re.search(r"二维码|图片|长按|扫码", line)
            and not read_line(0, line).level
            and not _DOC_NUMBER.search(line) and not _TITLE.search(line))


def _table_follows(lines: list[str]) -> bool:
    """Whether a table begins right under a line (附：2027年度活动计划, with the plan's rows under it
    before the signature: the notice's content, not a list of attached files)."""
    return any(len(cells(line)) >= 3 for line in lines)


def read_layout(text: str, filename: str = "") -> Layout:
    lines = [line.strip() for line in text.split("\n") if line.strip()]
    # (三、活动安排 is a section, whatever it ends with)
    title_at = next((i for i, line in enumerate(lines[:10]) if _TITLE.search(line)
                     and not _ADDRESSEES.match(line) and not _DOC_NUMBER.search(line)
                     and not _NUMBERING[0][1].match(line)), None)
    if title_at is None:
        title_at = next((i for i, line in enumerate(lines[:5]) if not _DOC_NUMBER.search(line)), 0)
    title = lines[title_at] if lines else filename
    letterhead = [line for line in lines[:title_at] if _is_org_line(line)]

    # The signature: the date of issue alone on a line near the end, the issuers just above.
    # At the end, else above an attachment (附件 alone on its line, then its table or form).
    attachments = [i for i, line in enumerate(lines) if _ATTACHMENT_START.match(line)]
    near_ends = (index for end_at in (len(lines), *reversed(attachments))
                 for index in range(end_at - 1, max(title_at, end_at - 8), -1))
    signed_at = next((index for index in near_ends if _issue_date(lines[index])), len(lines))
    issued_on = _issue_date(lines[signed_at]) if signed_at < len(lines) else None
    signers: list[str] = []
    signature_at = signed_at
    for index in range(signed_at - 1, max(title_at, signed_at - 4), -1):
        if not _is_org_line(lines[index]) or _ATTACHMENT.match(lines[index]):
            break
        signers[:0] = _split_issuers(lines[index])
        signature_at = index
    byline = _byline(lines[title_at + 1:title_at + 3])
    if issued_on is None:
        issued_on = _byline_date(byline)
    end = next((i for i in range(title_at + 1, signature_at)
                if _ATTACHMENT.match(lines[i]) and not _table_follows(lines[i + 1:min(i + 4, signature_at)])),
               signature_at)
    issuers = signers or [part for line in letterhead for part in _split_issuers(line)]
    if not issuers:
        account = _byline_account(byline)
        issuers = [account] if account else []

    start = title_at + 1
    if start < len(lines) and _DOC_NUMBER.search(lines[start]):
        start += 1
    if start < len(lines) and _ADDRESSEES.match(lines[start]) and len(lines[start]) < 80:
        start += 1
    body = [read_line(i, line) for i, line in enumerate(lines[start:end], start)]
    preamble = []
    for line in body:
        if line.level or line.label:
            break
        preamble.append(line.text)
    return Layout(title=title, issuers=issuers, issued_on=issued_on, preamble=preamble, body=body,
                  closing=lines[end:])
