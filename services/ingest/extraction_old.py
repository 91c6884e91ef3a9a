"""What a notice says, read from its cleaned text into the knowledge-file shape.

The result has the same fields as a reviewed file in data/knowledge/ (document,
organisations, activities with milestones), so what was extracted can be
printed, compared with a reviewed file, or loaded by the same code. Every
field the rules could not find stays None and is listed in `problems`.

The rules are those of the association's notices: numbered items (`1.`,
`（一）`, `一是`), themes (以“…”为主题, 主题为“…”, 围绕“…”主题), dates relative to
the notice's year, 请于…前报名, 名额, 免费, the parenthesised list of responsible
units ending an item, and contact blocks (联系人, 电话, 传真, 地址, 邮政编码, 邮箱).

Activities are also read from sentences (举办了首届…论坛, 开展“A”、“B”两项课题研究,
创立了“…奖”), and what they are depends on the kind of notice: an activity
notice's item is one activity (what it names are its other names); a 工作要点
item is a task, and the events it names are activities of their own; a 工作报告
tells its activities in sentences under headings that only sum them up.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from services.dates import DAY, MONTH, YEAR, DatePoint, chinese_number
from services.textnorm import match_key

# -- dates -----------------------------------------------------------------------



_CN = "〇零○一二三四五六七八九十"
_ISSUE_DATE = re.compile(
    rf"^\s*(?:(\d{{4}})年(\d{{1,2}})月(\d{{1,2}})日|([{_CN}]{{4}})年([{_CN}]{{1,3}})月([{_CN}]{{1,3}})日)\s*$"
)

_SEP = r"\s*(?:—{1,2}|~|-|至|到)\s*"
_Y = r"(?:(?P<{}>\d{{4}})年)"
_DAY_RANGE = re.compile(
    _Y.format("y1") + r"?(?P<m1>\d{1,2})月(?P<d1>\d{1,2})日?" + _SEP
    + _Y.format("y2") + r"?(?:(?P<m2>\d{1,2})月)?(?P<d2>\d{1,2})日"
)
_MONTH_RANGE = re.compile(
    _Y.format("y1") + r"?(?P<m1>\d{1,2})月份?" + _SEP + _Y.format("y2") + r"?(?P<m2>\d{1,2})月份?"
)
_ONE_DAY = re.compile(_Y.format("y1") + r"?(?P<m1>\d{1,2})月(?P<d1>\d{1,2})日")
_ONE_MONTH = re.compile(_Y.format("y1") + r"?(?P<m1>\d{1,2})月份?(?![0-9日])")
# A year alone only where it is the time of a sentence: 2014年，… 2013年始 自2014年起 在2017年第二届…
# (never 2018年上海市…活动, a name, nor （2019—2020年）).
_ONE_YEAR = re.compile(r"(?:^|(?<=[。；！？]))(?:自|在|于)?(?P<y1>\d{4})年度?(?:始|起|以来|初|底)?"
                       r"(?=[，,]|第|又|先后|成为|获得|荣获|通过|启动)", re.M)


@dataclass(frozen=True)
class FoundDate:
    start: DatePoint
    end: DatePoint
    text: str
    position: int

    def as_milestone(self, name: str, closes_signup: bool = False) -> dict[str, Any]:
        return {"name": name, "when": self.text, "start": self.start.iso(), "end": self.end.iso(),
                "closes_signup": closes_signup}


def _point(year: int, month: int, day: int | None) -> DatePoint | None:
    if not 1 <= month <= 12:
        return None
    if day is None:
        return DatePoint(dt.date(year, month, 1), MONTH)
    if not 1 <= day <= calendar.monthrange(year, month)[1]:
        return None
    return DatePoint(dt.date(year, month, day), DAY)


def find_dates(text: str, default_year: int | None) -> list[FoundDate]:
    """Every date or span in the text, in order; a month without a year is in the
    year last mentioned (or the notice's), and a span ending in an earlier month
    ends the next year (12月—2月)."""
    taken = [False] * len(text)
    found: list[FoundDate] = []
    for pattern in (_DAY_RANGE, _MONTH_RANGE, _ONE_DAY, _ONE_MONTH, _ONE_YEAR):
        for match in pattern.finditer(text):
            if any(taken[match.start():match.end()]):
                continue
            groups = match.groupdict()
            year = int(groups["y1"]) if groups.get("y1") else _year_before(found, match.start(),
                                                                             default_year)
            if year is None:
                continue
            if "m1" not in groups:
                point = _year_point(year)
                for index in range(match.start(), match.end()):
                    taken[index] = True
                found.append(FoundDate(point, point, match.group(0).strip(), match.start()))
                continue
            m1 = int(groups["m1"])
            d1 = int(groups["d1"]) if groups.get("d1") else None
            start = _point(year, m1, d1)
            end = start
            if "m2" in groups and (groups.get("m2") or groups.get("d2")):
                m2 = int(groups["m2"]) if groups.get("m2") else m1
                d2 = int(groups["d2"]) if groups.get("d2") else None
                y2 = int(groups["y2"]) if groups.get("y2") else year + (1 if m2 < m1 else 0)
                end = _point(y2, m2, d2)
            if start is None or end is None or end.last_day < start.first_day:
                continue
            for index in range(match.start(), match.end()):
                taken[index] = True
            found.append(FoundDate(start, end, match.group(0).strip(), match.start()))
    return sorted(found, key=lambda f: f.position)


def _year_point(year: int) -> DatePoint:
    return DatePoint(dt.date(year, 1, 1), YEAR)


def _year_before(found: list[FoundDate], position: int, default_year: int | None) -> int | None:
    earlier = [f for f in found if f.position < position]
    return max(earlier, key=lambda f: f.position).end.first_day.year if earlier else default_year


# -- items -------------------------------------------------------------------------

_SECTION = re.compile(r"^[一二三四五六七八九十]+、\s*(?P<rest>.*)$")
_ITEM_PATTERNS = (
    ("paren", re.compile(r"^（(?P<n>[一二三四五六七八九十]+)）\s*(?P<rest>.+)$")),
    ("arabic", re.compile(r"^(?P<n>\d{1,2})[.．、]\s*(?P<rest>(?:\D|\d{4}年).*)$")),
    ("shi", re.compile(r"^(?P<n>[一二三四五六七八九十]+)是\s*(?P<rest>.+)$")),
)
_PHASE = re.compile(r"^(?P<name>.{2,12}?)阶段\s*（(?P<when>[^）]+)）\s*$")
_THEMES = (
    re.compile(r"以“(?P<t>[^”]{2,60})”为主题"),
    re.compile(r"主题(?:为|是|：)\s*“(?P<t>[^”]{2,60})”"),
    re.compile(r"围绕“(?P<t>[^”]{2,60})”(?:的)?主题"),
    re.compile(r"主题(?:为|是|：)\s*(?P<t>[^，。；\n“”]{2,40})"),
    re.compile(r"围绕(?P<t>[^，。；“”]{2,40}?)等主题"),
)
_LOCATION = (
    re.compile(r"(?:活动|举办|会议|培训|比赛)?地点(?:为|是|：|:)\s*(?P<v>[^。；\n]{2,60}?)(?=[。；\n]|$)"),
    re.compile(r"(?:在|于)(?P<v>[^，。；\n]{2,30}?(?:中心|会议室|会议厅|报告厅|酒店|宾馆|大厦|会堂|礼堂|"
               r"展览馆|学院|大学|园区))(?:举办|举行|召开)"),
    # 于2028年6月18日在杭州举办: a place name alone before the verb.
    re.compile(r"(?<![存现正实所内外旨潜好])在(?P<v>[\u4e00-\u9fff]{2,6}?)(?:举办|举行|召开)"),
)
_CAPACITY = (
    re.compile(r"名额(?:有限)?[，：:为]?\s*(?:限|共|仅)?\s*(?P<n>\d+)\s*(?:名|人|个)"),
    re.compile(r"限(?:额|报)?\s*(?P<n>\d+)\s*(?:名|人)"),
    re.compile(r"(?P<n>\d+)\s*个名额"),
)
_FEE = re.compile(r"(?:会务费|报名费|培训费|参会费|费用|收费)(?:为|：|:|标准为)?\s*"
                  r"(?P<v>\d+(?:\.\d+)?\s*元(?:/人|每人)?)")
_FREE = re.compile(r"免费|免收|不收取?(?:任何)?费用|公益性?(?:讲座|培训|活动)?(?:，|,)?不收费")
_DEADLINE = (
    re.compile(r"(?:请)?于(?P<d>[^，。；]{4,20}?)(?:前|之前|以前)(?:完成)?(?:报名|提交报名|报送|在线报名|网上报名)"),
    re.compile(r"报名(?:截止|截至)(?:时间|日期)?(?:为|是|：|:)?\s*(?P<d>[^，。；]{4,20}?)(?=[，。；（]|$|前|止)"),
    re.compile(r"(?P<d>\d{4}年\d{1,2}月\d{1,2}日|\d{1,2}月\d{1,2}日)(?:前|之前)?(?:报名)?截止"),
)
_UNIT_WORDS = re.compile(r"市|区|局|委|会|组织|单位|集团|机构|海关|部|办|院|中心|政府")
_CONTACT_LABELS = {
    "contact_persons": r"联系人",
    "phones": r"(?:联系)?电\s*话",
    "fax": r"传\s*真",
    "address": r"(?:通讯|联系)?地\s*址",
    "postcode": r"邮政编码|邮\s*编",
    "email": r"(?:电子)?邮\s*箱|E-?mail|email",
}
_LABEL = re.compile("(?:" + "|".join(f"(?P<{k}>{v})" for k, v in _CONTACT_LABELS.items()) + r")\s*[：:]")
_PHONE = re.compile(r"(?:\d{3,4}-)?\d{7,11}(?:\*\d{1,5}|转\d{1,5})?")


@dataclass
class Item:
    kind: str
    number: str
    head: str
    body: str
    section: str


@dataclass
class Extraction:
    """A notice as the rules read it, in the knowledge-file shape."""

    document: dict[str, Any]
    organisations: list[dict[str, Any]] = field(default_factory=list)
    activities: list[dict[str, Any]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def as_knowledge(self) -> dict[str, Any]:
        return {"document": self.document, "organisations": self.organisations,
                "activities": self.activities}


def _first(patterns: tuple[re.Pattern[str], ...], text: str, group: str) -> str | None:
    for pattern in patterns:
        match = pattern.search(text)
        if match:
            return match.group(group).strip(" ：:“”")
    return None


def _expand_short(name: str) -> str:
    """市质量工作领导小组办公室 → 上海市…: the notices' own short form of their city."""
    return "上海" + name if name.startswith("市") and not name.startswith("市场") else name


# -- the document ------------------------------------------------------------------

def _title(lines: list[str]) -> tuple[str | None, int]:
    """The title and the index of its last line; furniture lines (文件, 文号) skipped."""
    for index, line in enumerate(lines[:8]):
        if re.search(r"文件$|〔\d{4}〕|^\s*$", line) or len(line) > 80:
            continue
        title = line
        last = index
        if title.endswith("关于") and index + 1 < len(lines):
            title, last = title + lines[index + 1], index + 1
        if last + 1 < len(lines) and lines[last + 1].startswith("——"):
            title, last = title + lines[last + 1], last + 1
        title = re.sub(r"(?<=[\d年月日])\s+(?=[\u4e00-\u9fff])", "", title)
        return title, last
    return None, -1


def _document(text: str, lines: list[str], filename: str) -> tuple[dict[str, Any], int, list[str]]:
    problems: list[str] = []
    title, title_end = _title(lines)
    announced = re.search(r"[将定]于(?P<y>\d{4})年(?:\d{1,2}月)?(?:开展|举办)(?P<name>[^，。]{2,30}?活动)", text)
    if title is None and announced:
        title = f"{announced.group('y')}年{announced.group('name')}"
    issued_on, issuer = None, None
    for index, line in enumerate(lines):
        match = _ISSUE_DATE.match(line)
        if not match:
            continue
        if match.group(1):
            numbers = [int(match.group(i)) for i in (1, 2, 3)]
        else:
            numbers = [chinese_number(match.group(i)) or 0 for i in (4, 5, 6)]
        try:
            issued_on = dt.date(*numbers)
        except ValueError:
            continue
        signers: list[str] = []
        for above in reversed(lines[max(0, index - 3):index]):
            if re.search(r"[。：，；:]", above) or len(above) > 40 or index - 1 <= title_end:
                break
            signers[:0] = above.split()
        issuer = "、".join(signers) or None
        break
    if issuer is None:
        byline = re.search(r"^◆?\s*(?P<who>[\u4e00-\u9fff]{2,4})\s*/\s*文\s*$", text, re.M)
        closing = re.search(r"^（(?P<who>[^（）]{3,30})）\s*$", text.rstrip().split("\n")[-1])
        lead = re.search(r"(?P<who>市[\u4e00-\u9fff]{2,20}?(?:办公室|委员会|协会))等(?:相关)?部门", text)
        if byline:
            issuer = byline.group("who")
        elif closing:
            issuer = closing.group("who")
        elif lead:
            issuer = _expand_short(lead.group("who"))
    # A report names the years it looks back on: the latest is the year it was written,
    # unless it counts on to now (协会自1982年诞生……至今已有37年 → 2019).
    mentioned = [int(y) for y in re.findall(r"(?<!\d)(19[89]\d|20\d\d)年", text)]
    mentioned += [int(m.group("y")) + int(m.group("n")) for m in _SINCE.finditer(text)]
    year = (issued_on.year if issued_on else None) or _year_in(title) or (max(mentioned) if mentioned else None)
    kind = "通知"
    for word, name in (("报告", "工作报告"), ("要点", "工作要点"), ("重点", "工作重点")):
        if title and word in title:
            kind = name
            break
    for label, value in (("title", title), ("issuer", issuer), ("date of issue", issued_on)):
        if value is None:
            problems.append(f"no {label} found")
    document = {"title": title or filename, "issuer": issuer,
                "issued_on": issued_on.isoformat() if issued_on else None, "year": year,
                "kind": kind, "source_file": filename}
    return document, title_end, problems


_SINCE = re.compile(r"自(?P<y>\d{4})年[^。；]{0,20}?至今已?有?(?P<n>\d{1,3})(?:周)?年")


def _year_in(text: str | None) -> int | None:
    match = re.search(r"(?<!\d)(19[89]\d|20\d\d)年", text or "")
    return int(match.group(1)) if match else None


# -- items and activities ----------------------------------------------------------

def _items(lines: list[str], start: int, sections: bool = False) -> list[Item]:
    """The numbered items after the title; with `sections`, a section (二、…) that has
    no items is one item itself (a 要点 whose point is a paragraph)."""
    items: list[Item] = []
    section = ""
    current: Item | None = None
    for index, line in enumerate(lines[start + 1:], start + 1):
        if index == len(lines) - 1 and re.fullmatch(r"（[^（）]{3,30}）", line):
            break  # the closing signature, （上海市质协秘书处）
        section_match = _SECTION.match(line)
        if section_match:
            section, current = section_match.group("rest"), None
            if sections:
                number = line[:section_match.start("rest")].strip("、 ")
                current = Item("section", number, section.rstrip("。"), "", section)
                items.append(current)
            continue
        if current is not None and current.kind == "section" and any(
                pattern.match(line) for _, pattern in _ITEM_PATTERNS):
            items.remove(current)
            current = None
        for kind, pattern in _ITEM_PATTERNS:
            match = pattern.match(line)
            if match:
                rest = match.group("rest")
                head, _, tail = rest.partition("。")
                current = Item(kind, match.group("n"), head.strip(), rest if tail else "", section)
                items.append(current)
                break
        else:
            if re.match(r"^(?:抄送|附件)|印发$", line):
                current = None
            elif current is not None and not _ISSUE_DATE.match(line):
                current.body = (current.body + "\n" + line).strip()
    return items


def responsible_units(body: str) -> list[str]:
    """The units in the parentheses that close an item (or one of its sentences)."""
    units: list[str] = []
    for match in re.finditer(r"（(?P<u>[^（）]{2,120})）(?=[。；]?\s*(?:$|\n|[^）]))", body):
        after = body[match.end():match.end() + 1]
        if after not in ("", "。", "；", "\n") and match.end() != len(body.rstrip("。")):
            continue
        inner = match.group("u").strip()
        if re.search(r"\d{4}年|版|稿|[：:]|阶段", inner) or not _UNIT_WORDS.search(inner):
            continue
        for unit in _split_units(inner):
            if unit not in units:
                units.append(unit)
    return units


def _split_units(inner: str) -> list[str]:
    inner = re.sub(r"等$", "", inner.strip())
    inner = re.sub(r"市、区(?P<x>[^、，,]+)", r"市\g<x>、区\g<x>", inner)
    parts: list[str] = []
    for chunk in re.split(r"[、，,；]", inner):
        chunk = re.sub(r"等$", "", chunk.strip())
        if not chunk:
            continue
        pieces = re.split(r"(及|和(?=有关|相关|各)|(?<=[机构局委])和)", chunk)
        base = pieces[0].strip()
        parts.append(base)
        for joiner, piece in zip(pieces[1::2], pieces[2::2], strict=False):
            piece = piece.strip()
            prefix = re.match(r"^(有关|相关|各)", base)
            if re.match(r"^(各|相关|有关)?成员单位$", piece):
                parts.append(re.sub(r"办公室$", "", base) + piece)
            elif (joiner == "和" and prefix and not piece.startswith(prefix.group(1))
                  and not _UNIT_WORDS.match(piece[:1])):
                parts.append(prefix.group(1) + piece)
            elif piece:
                parts.append(piece)
    # 市、区X办公室及成员单位: both levels' member units.
    expanded: list[str] = []
    for part in parts:
        expanded.append(part)
    return [p for p in expanded if len(p) >= 2]


def _activity_name(item: Item) -> str:
    """An item's name: its heading without a closing list of units."""
    closing = re.search(r"（(?P<inner>[^）]*)）$", item.head)
    head = item.head
    if closing and _UNIT_WORDS.search(closing.group("inner")) and not re.search(r"期|届|季", closing.group("inner")):
        head = head[:closing.start()].strip()
    return _unquote(head)


def _shi_names(item: Item) -> list[Mention]:
    """一是… names what it holds (承办第三届世界质量论坛 → 第三届世界质量论坛; 开展“A”、“B”两项课题研究
    → two), else what it builds (打造“X”品牌 → X), else its first clause when that is short."""
    head = item.head
    depth = _depths(head)
    for verb in _HOLD.finditer(head):
        if depth[verb.start()]:
            continue
        found = [Mention(name, verb.start(), named, aliases)
                 for name, named, aliases in _names_in(_object(head, verb.end()))]
        if found:
            return found
    built = re.search(r"打造(?P<obj>[^，。；]{4,30}?)品牌", head)
    if built:
        return [Mention(_unquote(built.group("obj")), built.start(), True, [])]
    clause = re.split(r"[，；]", head)[0]
    return [Mention(_unquote(clause), 0, False, [])] if len(clause) <= _MAX_CLAUSE_NAME else []


# -- activities named in prose -----------------------------------------------------
# A work report tells what was held in sentences (2018年11月，市质协举办了首届…论坛); a 要点 item
# names the events it plans (组织开展全市“质量月”活动). The verb holds the activity, its object
# names it; 举办了5届A、4届B → A, B; 开展A、B等10项C → 10项C; “A”、“B”等C活动 → A (alias B).

_HOLD = re.compile(r"(?:举办|承办|主办|召开|举行|开展|实施|办好)(?:了|好)?(?![的之])")
_CREATE = re.compile(r"(?:创立|设立|成立|创办)了?“(?P<n>[^”]{4,30})”")
_RESEARCH = re.compile(r"(?:参与|承担|完成)了?[^，。；《“]{0,12}?(?P<n>《[^》]{4,40}(?:研究|课题)》)")
_ORDINAL = r"(?:第[\d一二三四五六七八九十]+届|首届|首次)"
_MEETING = r"(?:大会|论坛|会议|研讨会|峰会)"
_AT_EVENT = re.compile(rf"在(?:\d{{4}}年)?(?P<n>{_ORDINAL}[^，。；]{{2,30}}?{_MEETING})上")
_ORDINAL_EVENT = re.compile(rf"(?P<n>{_ORDINAL}[^，。；、“”《》的]{{2,30}}?{_MEETING})")
_EVENT_NOUN = re.compile(r"(?:论坛|大会|会议|研讨会|座谈会|峰会|讲堂|讲座|大赛|比赛|竞赛|评选|活动|培训|测评|调查|"
                         r"调研|监测|工程|研究|奖|仪式|交流会|分享会|发布会|沙龙|博览会|培训班|研修班|训练营)$")
# Names of one event (论坛, 大赛) rather than of a kind of work (培训, 调查).
_PROPER_NOUN = re.compile(r"(?:论坛|大会|大赛|峰会|研讨会|讲堂|博览会)$")
_COUNT = re.compile(r"^[\d~—一二三四五六七八九十两多余]+(?:届|场|期|次|个|批|项)|\d+[余多]?(?:项|场|期|次|个)$")
_VAGUE = re.compile(r"^(?:各类|大量|一系列|系列|一批|若干|本届|相关)")
_PREPOSITION = re.compile(r"^(?:以|在|为|对|按照|根据|围绕|通过|结合|关于|由)")
# How a report tells what was done (积极推动, 切实履行) is no part of its name.
_MANNER = re.compile(r"(?:积极|切实|不断|大力|深入|全面|进一步|持续|认真)(?=推动|推进|开展|履行|加强|发挥|实施|落实|"
                     r"引导|提升|做好|深化|参与|组织|举办|承办|建设|完善|培养|服务)")
_ASSIST = re.compile(r"配合|协助")
_TASK_VERB = r"(?:深化|推进|加强|组织|推动|办好|开展|举办|承办|召开|举行|实施)"
_PARTNER = re.compile(r"与(?P<p>[\u4e00-\u9fff]{2,15}?)(?:共同|联合)")
_TOGETHER = re.compile(r"会同(?P<l>[^，。；]{2,40}?)等")
_OPEN, _CLOSE = "“《（", "”》）"
_MAX_OBJECT = 60
_MAX_CLAUSE_NAME = 20
_MIN_NAME = 4
_MIN_PROPER_PREFIX = 4
_MAX_SUBHEADING = 16


@dataclass
class Mention:
    """An activity named in a text: where, whether by a name of its own, and its other names."""

    name: str
    position: int
    named: bool
    aliases: list[str]


def _unquote(text: str) -> str:
    return text.replace("“", "").replace("”", "").strip()


def _depths(text: str) -> list[int]:
    """How deep in quotes, book titles or parentheses each character is."""
    depths, depth = [], 0
    for char in text:
        if char in _CLOSE:
            depth = max(0, depth - 1)
        depths.append(depth)
        if char in _OPEN:
            depth += 1
    return depths


def _split_top(text: str, pattern: str) -> list[str]:
    """Split where the pattern matches outside quotes and parentheses."""
    depth = _depths(text)
    parts, last, index = [], 0, 0
    while index < len(text):
        match = re.match(pattern, text[index:]) if depth[index] == 0 else None
        if match and match.end():
            parts.append(text[last:index])
            index += match.end()
            last = index
            continue
        index += 1
    parts.append(text[last:])
    return parts


def _object(text: str, start: int) -> str:
    """What follows a verb up to the end of its clause (quotes kept whole); '' when too long."""
    depth = _depths(text[start:start + _MAX_OBJECT + 1])
    for offset, char in enumerate(text[start:start + _MAX_OBJECT + 1]):
        if depth[offset] == 0 and char in "，。；：！？\n":
            return text[start:start + offset]
    return "" if len(text) - start > _MAX_OBJECT else text[start:]


def _names_in(obj: str) -> list[tuple[str, bool, list[str]]]:
    """The activities a verb's object names: (name, named, aliases)."""
    listed = _split_top(obj, r"等(?![级同待])")
    if len(listed) > 1:
        head = _clean(listed[-1], keep_count=True)
        if not head or not _EVENT_NOUN.search(head):
            return []
        # Only what is listed by its quoted name alone: “A”、“B”等 (not 制造“X”成熟度评价).
        quoted = [q for element in _split_top("等".join(listed[:-1]), "、")
                  if re.fullmatch(r"(?:“[^”]{2,30}”)+", element.strip())
                  for q in re.findall(r"“([^”]+)”", element)]
        if quoted:
            return [(quoted[0], True, quoted[1:])]
        return [(_unquote(head), _named(head), [])] if _is_name(head) else []
    series = re.fullmatch(r"(?P<q>“[^”]+”(?:、“[^”]+”)+)[两二三四五六七八九十\d]+[项个](?P<noun>.+)", obj)
    if series and _EVENT_NOUN.search(series.group("noun")):
        return [(_unquote(q) + series.group("noun"), True, [])
                for q in re.findall(r"“[^”]+”", series.group("q"))]
    found: list[tuple[str, bool, list[str]]] = []
    for part in _split_top(obj, r"、|以及"):
        if _HOLD.match(part):
            continue  # 举办A、承办B: B is found at its own verb
        name = _clean(part)
        if name and _is_name(name):
            found.append((_unquote(name), _named(name), []))
    return found


def _clean(part: str, keep_count: bool = False) -> str:
    """4届上海国际质量研讨会 → 上海国际质量研讨会; …委托的2019年度X测评工作 → 2019年度X测评;
    全市“质量月”活动 → “质量月”活动."""
    name = part.strip()
    for _ in range(2):
        if not keep_count:
            name = _COUNT.sub("", name).strip()
        name = _VAGUE.sub("", name).strip()
    name = _split_top(name, "的")[-1]
    name = re.sub(r"(?:的?筹办)?工作$", "", name)
    if "“" in name and not name.startswith("“"):
        name = name[name.index("“"):]
    quoted = re.fullmatch(r"“([^”]+)”", name)
    return f"“{quoted.group(1)}”" if quoted else name


def _is_name(name: str) -> bool:
    bare = _unquote(name)
    return (len(bare) >= _MIN_NAME and bool(_EVENT_NOUN.search(bare.rstrip("》")))
            and not _PREPOSITION.match(bare) and not _HOLD.match(bare))


def _named(name: str) -> bool:
    """A name of its own (quoted, titled, numbered, dated, or a forum's), not a kind of work."""
    proper = _PROPER_NOUN.search(name)
    return bool(re.search(r"[“《]", name) or re.match(rf"{_ORDINAL}|\d{{4}}年", name)
                or (proper and proper.start() >= _MIN_PROPER_PREFIX and "的" not in name))


def mentions(text: str, ordinals_anywhere: bool = False) -> list[Mention]:
    """Every activity the text names in its sentences, in order."""
    depth = _depths(text)
    found: list[Mention] = []
    for verb in _HOLD.finditer(text):
        if depth[verb.start()]:
            continue
        for name, named, aliases in _names_in(_object(text, verb.end())):
            found.append(Mention(name, verb.start(), named, aliases))
    patterns = [_CREATE, _RESEARCH, _AT_EVENT] + ([_ORDINAL_EVENT] if ordinals_anywhere else [])
    for pattern in patterns:
        for match in pattern.finditer(text):
            if not depth[match.start()]:
                found.append(Mention(_unquote(match.group("n")), match.start("n"), True, []))
    unique: dict[str, Mention] = {}
    for mention in sorted(found, key=lambda m: m.position):
        unique.setdefault(match_key(mention.name), mention)
    return list(unique.values())


def _sentence(text: str, position: int, marks: str = "。；！？\n") -> str:
    start = max(text.rfind(mark, 0, position) for mark in marks) + 1
    ends = [i for i in (text.find(mark, position) for mark in marks) if i >= 0]
    return text[start:min(ends) + 1 if ends else len(text)].strip()


def _partners(sentence: str) -> list[str]:
    """Who holds it with the notice's organisation: 与美国质量学会共同举办; 会同市总工会、团市委等."""
    partners = [m.group("p") for m in _PARTNER.finditer(sentence)]
    for together in _TOGETHER.finditer(sentence):
        partners += [p.strip() for p in re.split(r"[、，和]", together.group("l")) if p.strip()]
    # As written (市总工会): the short forms are the organisations' aliases.
    return [p for p in partners if _UNIT_WORDS.search(p)]


def _units_after(text: str, position: int) -> list[str]:
    """The units of the first parenthesised list that closes a sentence after the position."""
    for closing in re.finditer(r"（[^（）]{2,120}）", text[position:]):
        end = position + closing.end()
        if text[end:end + 1] not in ("", "。", "；", "\n"):
            continue
        units = responsible_units(text[position:end])
        if units:
            return units
    return []


def _contacts(text: str) -> list[dict[str, Any]]:
    """Contact blocks: an organisation's name (on its own line or before 地址) and its fields."""
    blocks: list[dict[str, Any]] = []
    current: dict[str, Any] | None = None
    previous_line = ""
    for line in text.split("\n"):
        labels = list(_LABEL.finditer(line))
        if not labels:
            previous_line = line
            continue
        owner = line[:labels[0].start()].strip(" ：")
        if owner and not _UNIT_WORDS.search(owner):
            owner = ""  # 值班电话：…, 咨询电话：… name no organisation
        if owner and len(owner) <= 30 and not re.search(r"[，。]", owner):
            current = None
        if current is None or owner:
            if not owner and previous_line and len(previous_line) <= 30 and not re.search(
                    r"[，。：]|联系方式", previous_line) and _UNIT_WORDS.search(previous_line):
                owner = previous_line.strip()
            if current is None or owner:
                current = {"name": owner or None, "address": None, "postcode": None, "phones": [],
                           "fax": None, "email": None, "contact_persons": []}
                blocks.append(current)
        for index, label in enumerate(labels):
            end = labels[index + 1].start() if index + 1 < len(labels) else len(line)
            value = line[label.end():end].strip(" ，,；;。")
            key = next(k for k, v in label.groupdict().items() if v)
            if key == "phones":
                current["phones"].extend(_PHONE.findall(value))
            elif key == "contact_persons":
                current["contact_persons"].extend(_persons(value))
            elif key == "fax":
                fax = _PHONE.search(value)
                current["fax"] = fax.group(0) if fax else value or None
            elif key == "postcode":
                code = re.search(r"\d{6}", value)
                current["postcode"] = code.group(0) if code else None
            elif key == "email":
                mail = re.search(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", value)
                current["email"] = mail.group(0) if mail else None
            else:
                current["address"] = value or None
        previous_line = line
    return [b for b in blocks if b["phones"] or b["contact_persons"] or b["address"] or b["email"]]


def _persons(value: str) -> list[str]:
    """周秀慧 徐俊杰, 竺 敏, 王老师、李老师 → names (a space inside a two-character name is layout)."""
    value = re.sub(r"(?<=[\u4e00-\u9fff]) (?=[\u4e00-\u9fff](?:$|[ 、，,]))", "", value.strip())
    if re.fullmatch(r"[\u4e00-\u9fff]\s[\u4e00-\u9fff]", value):
        value = value.replace(" ", "")
    return [p for p in re.split(r"[\s、，,/]+", value) if 2 <= len(p) <= 6]


def _deadline(text: str, year: int | None) -> dt.date | None:
    for pattern in _DEADLINE:
        match = pattern.search(text)
        if not match:
            continue
        dates = find_dates(match.group("d"), year)
        if dates:
            return dates[-1].end.last_day
    return None


def _dated(text: str, year: int | None) -> list[dict[str, Any]]:
    """The dates of a text as milestones: not the sign-up deadline, not the day a notice was issued."""
    milestones = []
    for found in find_dates(text, year):
        before = text[max(0, found.position - 12):found.position]
        after = text[found.position + len(found.text):found.position + len(found.text) + 6]
        clause_before = re.split(r"[。；]", before)[-1]
        if re.search(r"报名|截止|截至|请于", clause_before + after):
            continue  # the sign-up deadline, stored as such
        if re.search(r"印发|发布|通知", clause_before):
            continue
        name = "举办"
        for word in ("申报", "评审", "发表", "培训", "征集", "展示", "启动"):
            if word in clause_before + after:
                name = word
                break
        milestones.append(found.as_milestone(name, closes_signup=name == "申报"))
    return milestones


def _item_text(item: Item) -> str:
    """The item's heading and everything under it, once."""
    if item.body.startswith(item.head):
        return item.body
    return f"{item.head}。{item.body}" if item.body else item.head


def _activity(name: str, text: str, year: int | None, issuers: list[str],
              units: list[str] | None = None, description: str | None = None) -> dict[str, Any]:
    """What a text says of the activity it is about."""
    activity_year = _year_in(name) or year
    units = responsible_units(text) if units is None else units
    fee_match = _FEE.search(text)
    fee = fee_match.group("v").replace(" ", "") if fee_match else ("免费" if _FREE.search(text) else None)
    capacity = _first(_CAPACITY, text, "n")
    organisers_match = re.search(r"主办单位(?:为|：)\s*(?P<v>[^。；\n]+)", text)
    organisers = (re.split(r"[、，,]", organisers_match.group("v")) if organisers_match
                  else ([] if units else list(issuers)))
    deadline = _deadline(text, activity_year)
    return {
        "name": name,
        "aliases": [],
        "category": None,
        "year": activity_year,
        "theme": _first(_THEMES, text, "t"),
        "organisers": [o.strip() for o in organisers if o.strip()],
        "responsible_units": units,
        "location": _first(_LOCATION, text, "v"),
        "capacity": int(capacity) if capacity else None,
        "fee": fee,
        "signup_deadline": deadline.isoformat() if deadline else None,
        "description": re.sub(r"\s+", "", description if description is not None else text)[:1000] or None,
        "milestones": _dated(text, activity_year),
        "parent": None,
    }


def _told(mention: Mention, text: str, year: int | None, organisers: list[str],
          default_when: int | None = None) -> dict[str, Any]:
    """An activity a sentence names: its dates, and who holds it (配合…: not the notice's issuer)."""
    sentence = _sentence(text, mention.position)
    milestones = _dated(sentence, year)
    clause = re.split(r"[，。；]", text[:mention.position])[-1]
    holders = [] if _ASSIST.search(clause) else organisers + [
        p for p in _partners(sentence[:sentence.find(mention.name) if mention.name in sentence else None])
        if p not in organisers]
    activity = _activity(mention.name, sentence, year, holders, units=[],
                         description=_sentence(text, mention.position, "。！？\n"))
    activity["organisers"] = holders
    activity["aliases"] = list(mention.aliases)
    if milestones:
        activity["milestones"] = milestones
        activity["year"] = _year_in(mention.name) or int(milestones[0]["start"][:4])
    elif default_when:
        point = _year_point(default_when)
        activity["milestones"] = [FoundDate(point, point, f"{default_when}年", 0).as_milestone("举办")]
    return activity


def _programme(document: dict[str, Any], text: str) -> str | None:
    """The programme a 通知 or 要点 announces: 关于开展X的通知 → X; 《X》 → X."""
    title = document.get("title") or ""
    if document["kind"] == "工作报告":
        return None
    for pattern in (r"关于(?:开展|举办|组织)(?P<x>.+?)的通知", r"《(?P<x>[^》]+)》", r"^(?P<x>.+(?:活动|重点|要点))$"):
        match = re.search(pattern, title)
        if match:
            return re.sub(r"[“”\s]", "", match.group("x"))
    return None


def _report_organisation(title: str) -> str | None:
    """上海市质量协会第六届理事会工作报告 → 上海市质量协会: whose work the report tells."""
    match = re.search(r"(?P<org>[\u4e00-\u9fff]{2,20}?(?:协会|学会|联合会|委员会|研究会|商会|办公室|中心|局|委))"
                      r"(?:第[一二三四五六七八九十\d]+届(?:理事会|委员会|会员代表大会)?)?(?:\d{4}年度?)?工作报告",
                      title)
    return match.group("org") if match else None


def _subheadings(text: str) -> list[tuple[str, str]]:
    """Short sentences that open a paragraph of a report's item (引导企业实施卓越绩效管理。目前已…):
    each with its paragraph."""
    found = []
    for index, paragraph in enumerate(text.split("\n")):
        sentences = [s for s in re.split(r"(?<=[。！？])", paragraph) if s]
        if index == 0:
            sentences = sentences[1:]  # after the item's own heading
        if len(sentences) < 2:
            continue
        first = sentences[0].rstrip("。！？")
        if (len(first) <= _MAX_SUBHEADING and not re.search(r"[，、：；\d]", first)
                and not _PREPOSITION.match(first)):
            found.append((first, "".join(sentences)))
    return found


def _report_activities(items: list[Item], year: int | None, organisers: list[str]) -> list[dict[str, Any]]:
    """A work report's activities: those its sentences name; a paragraph's short heading when the
    paragraph names none; an item's one-clause heading when nothing under it does."""
    activities: list[dict[str, Any]] = []
    for item in items:
        text = _item_text(item)
        heading_end = len(item.head) + 1  # what the heading names, the sentences below tell
        told = [m for m in mentions(text) if m.position >= heading_end]
        activities += [_told(m, text, year, organisers) for m in told]
        headed = [(name, paragraph) for name, paragraph in _subheadings(text) if not mentions(paragraph)]
        for name, paragraph in headed:
            activity = _activity(_MANNER.sub("", name), name, year, organisers, units=[], description=paragraph)
            activities.append(activity)
        head = _MANNER.sub("", item.head)
        named_by_head = re.fullmatch(rf"{_TASK_VERB}(?P<obj>.+)", head)
        if named_by_head and _is_name(named_by_head.group("obj")) and "，" not in head:
            # 一是深化群众性质量管理活动。…: the heading names an activity of its own.
            activity = _activity(_unquote(named_by_head.group("obj")), item.head, year, organisers, units=[],
                                 description=text)
            activity["aliases"] = [item.head]
            activities.append(activity)
            continue
        if told or headed or re.search(r"[，；]", item.head) or item.kind == "section":
            continue
        for mention in _shi_names(item) if item.kind == "shi" else [Mention(_activity_name(item), 0, True, [])]:
            activities.append(_activity(_MANNER.sub("", mention.name), text, year, organisers, description=text))
    return activities


def _core(name: str) -> str:
    """A name without its edition and bracketed part: 第二届中国质量（上海）大会 → 中国质量大会."""
    return match_key(re.sub(rf"^{_ORDINAL}|（[^）]*）", "", name))


def _merge_contained(activities: list[dict[str, Any]], prose: set[int]) -> list[dict[str, Any]]:
    """An activity a sentence names by a shorter name (社会调查, 中国质量大会) is an alias of the one
    named in full (公益性社会调查, 第二届中国质量（上海）大会), not an activity of its own."""
    kept = []
    for activity in activities:
        key = match_key(activity["name"])
        longer = next((other for other in activities if other is not activity and id(activity) in prose
                       and key != match_key(other["name"]) and (key in match_key(other["name"])
                                                                  or key == _core(other["name"]))), None)
        if longer is None:
            kept.append(activity)
        elif activity["name"] not in longer["aliases"]:
            longer["aliases"].append(activity["name"])
    return kept


def _preamble(lines: list[str], title_end: int) -> list[str]:
    """The lines between the title and the first section or item (three at most)."""
    preamble = []
    for line in lines[title_end + 1:title_end + 4]:
        if _SECTION.match(line) or any(pattern.match(line) for _, pattern in _ITEM_PATTERNS):
            break
        preamble.append(line)
    return preamble


def _phases(items: list[Item], year: int | None) -> list[dict[str, Any]]:
    """（一）宣传动员阶段（2018年8月—9月）: the programme's phases; 活动开展 and 申报 close sign-up."""
    phases = []
    for item in items:
        phase = _PHASE.match(item.head)
        if phase:
            dates = find_dates(phase.group("when"), year)
            if dates:
                milestone = dates[0].as_milestone(phase.group("name"))
                milestone["when"] = phase.group("when")
                milestone["note"] = re.sub(r"\s+", "", item.body) or None
                milestone["closes_signup"] = "开展" in milestone["name"] or "申报" in milestone["name"]
                phases.append(milestone)
    return phases


def _scope(text: str, year: int | None, phases: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """When the whole programme takes place: its phases, 将于2021年9月开展…, 在2019年度内…开展."""
    if phases:
        return phases
    announced = re.search(r"[将定]于(?P<d>\d{4}年\d{1,2}月)(?:开展|举办)", text)
    if announced:
        return [f.as_milestone("举办") for f in find_dates(announced.group("d"), year)]
    within = re.search(r"在(?P<y>\d{4})年度?内", text)
    if within:
        point = _year_point(int(within.group("y")))
        return [FoundDate(point, point, f"{within.group('y')}年度", 0).as_milestone("开展")]
    return []


def _issued(document: dict[str, Any]) -> list[dict[str, Any]]:
    """关于印发《X》的通知: X dates from the day it was issued."""
    if not document.get("issued_on") or "印发" not in (document.get("title") or ""):
        return []
    day = DatePoint(dt.date.fromisoformat(document["issued_on"]), DAY)
    return [FoundDate(day, day, f"{day.first_day.year}年{day.first_day.month}月{day.first_day.day}日", 0)
            .as_milestone("印发")]


def _item_activities(items: list[Item], year: int | None, issuers: list[str], mode: str,
                     inherited: list[dict[str, Any]], parent: str | None) -> tuple[list[dict[str, Any]], set[int]]:
    """A notice's or 要点's items as activities. A 要点 item is a task: the events it names are
    activities of their own; a notice's item is an activity: what it names are other names of it."""
    activities: list[dict[str, Any]] = []
    planned: set[int] = set()
    for item in items:
        if _PHASE.match(item.head) or len(item.head) < 3:
            continue
        text = _item_text(item)
        names = _shi_names(item) if item.kind == "shi" else [Mention(_activity_name(item), 0, True, [])]
        own: list[dict[str, Any]] = []
        for mention in names:
            activity = _activity(mention.name, text, year, issuers, description=item.body or item.head)
            if not activity["milestones"] and inherited:
                activity["milestones"] = [dict(m) for m in inherited]
            activity["parent"] = parent
            activity["aliases"] = list(mention.aliases)
            own.append(activity)
        taken = {match_key(a["name"]) for a in own} | {match_key(a) for a in own for a in a["aliases"]}
        heading_end = len(item.head) + 1
        named = [m for m in mentions(text, ordinals_anywhere=mode == "plan")
                 if m.named and m.position >= heading_end and match_key(m.name) not in taken]
        # 会同市总工会…: partners of the item's activity, unless the sentence names another one.
        elsewhere = {_sentence(text, m.position) for m in named} if mode == "plan" else set()
        partners = [p for sentence in re.split(r"(?<=[。；])", text) if sentence.strip() not in elsewhere
                    for p in _partners(sentence)]
        for activity in own:
            if not activity["responsible_units"] and not re.search(r"主办单位", text):
                activity["organisers"] += [p for p in partners if p not in activity["organisers"]]
        if mode == "plan":
            for mention in named:
                activity = _told(mention, text, year, issuers, default_when=year)
                units = _units_after(text, mention.position)
                if units:
                    activity["responsible_units"], activity["organisers"] = units, []
                # An event a task names is part of the task; one named beside an event is its sibling.
                task = own[0] if own and not _EVENT_NOUN.search(own[0]["name"]) else None
                activity["parent"] = task["name"] if task else parent
                planned.add(id(activity))
                own.append(activity)
        elif own:
            own[0]["aliases"] += [n for m in named for n in [m.name, *m.aliases]
                                  if n not in own[0]["aliases"]]
        activities += own
    return activities, planned


def extract(raw_text: str, filename: str) -> Extraction:
    """Extract a cleaned notice (services.ingest.cleaning.clean_text) into the knowledge shape."""
    lines = [line for line in raw_text.split("\n") if line.strip()]
    document, title_end, problems = _document(raw_text, lines, filename)
    year = document["year"]
    mode = {"工作报告": "report", "工作要点": "plan", "工作重点": "plan"}.get(document["kind"], "notice")
    issuers = [_expand_short(i) for i in re.split(r"[、，,\s]+", document.get("issuer") or "") if i]
    if document.get("issuer") and "秘书处" in document["issuer"]:
        issuers = [re.sub(r"秘书处$", "", i) for i in issuers]
    extraction = Extraction(document=document, problems=problems)

    items = _items(lines, title_end, sections=mode == "plan")
    phases = _phases(items, year)
    inherited = _scope(raw_text, year, phases)
    programme_name = _programme(document, raw_text)
    activities: list[dict[str, Any]] = []
    if programme_name:
        theme = _first(_THEMES, "\n".join(_preamble(lines, title_end)), "t")
        activities.append({
            "name": programme_name, "aliases": [], "category": None, "year": _year_in(programme_name) or year,
            "theme": theme, "organisers": issuers, "responsible_units": [], "location": None,
            "capacity": None, "fee": None, "signup_deadline": None, "description": None,
            "milestones": [dict(m) for m in inherited] or _issued(document), "parent": None,
        })
    if mode == "report":
        report_by = _report_organisation(document.get("title") or "")
        found = _report_activities(items, year, [report_by] if report_by else issuers)
        prose = {id(a) for a in found}
    else:
        found, prose = _item_activities(items, year, issuers, mode, inherited, programme_name)
    if programme_name and any(match_key(a["name"]) == match_key(programme_name) for a in found):
        # 关于举办X的通知 whose item 1 is X itself: the item is the activity, with its
        # details; a programme of the same name over it would be a second, emptier copy.
        for activity in found:
            if activity.get("parent") == programme_name:
                activity["parent"] = None
        activities, programme_name = [], None
    activities += _merge_contained(found, prose)

    contacts = _contacts(raw_text)
    organisations: dict[str, dict[str, Any]] = {}
    for block in contacts:
        owner = _expand_short(block["name"]) if block["name"] else (issuers[0] if issuers else None)
        if owner is None:
            problems.append("a contact block names no organisation and the notice no issuer")
            continue
        block["name"] = owner
        organisations[owner] = block
    for name in issuers:
        organisations.setdefault(name, {"name": name, "aliases": []})
    extraction.organisations = list(organisations.values())
    for block in contacts:
        line = "；".join(filter(None, [
            f"联系人：{'、'.join(block['contact_persons'])}" if block["contact_persons"] else "",
            f"电话：{'、'.join(block['phones'])}" if block["phones"] else "",
            f"邮箱：{block['email']}" if block.get("email") else "",
        ]))
        for activity in activities[1 if programme_name else 0:]:
            if line and activity["description"] and line not in activity["description"]:
                activity["description"] += f"（{block['name']}{line}）"
    extraction.activities = activities
    if not activities:
        problems.append("no activities found (no numbered items such as 1. （一） 一是, "
                        "nor an activity held in a sentence such as 举办了…论坛)")
    for activity in activities:
        missing = [label for key, label in (("theme", "theme"), ("milestones", "dates"),
                                            ("location", "place"), ("signup_deadline", "deadline"))
                   if not activity.get(key)]
        if missing:
            problems.append(f"{activity['name']}: no {', '.join(missing)}")
    return extraction
