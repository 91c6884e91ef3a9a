"""What a notice says, read from its cleaned text into the knowledge-file shape.

The result has the same fields as a reviewed file in data/knowledge/ (document,
organisations, activities with milestones), so what was extracted can be
printed, compared with a reviewed file, or loaded by the same code. Every
field the rules could not find stays None and is listed in `problems`.

The rules are those of the association's notices: numbered items (`1.`,
`（一）`, `一是`), themes (以“…”为主题, 主题为“…”, 围绕“…”主题), dates relative to
the notice's year, 请于…前报名, 名额, 免费, the parenthesised list of responsible
units ending an item, and contact blocks (联系人, 电话, 传真, 地址, 邮政编码, 邮箱).
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from services.dates import DAY, MONTH, DatePoint, chinese_number

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
    for pattern in (_DAY_RANGE, _MONTH_RANGE, _ONE_DAY, _ONE_MONTH):
        for match in pattern.finditer(text):
            if any(taken[match.start():match.end()]):
                continue
            groups = match.groupdict()
            year = int(groups["y1"]) if groups.get("y1") else _year_before(found, match.start(),
                                                                             default_year)
            if year is None:
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
    # A report names the years it looks back on: the latest is the year it was written.
    mentioned = [int(y) for y in re.findall(r"(?<!\d)(19[89]\d|20\d\d)年", text)]
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


def _year_in(text: str | None) -> int | None:
    match = re.search(r"(?<!\d)(19[89]\d|20\d\d)年", text or "")
    return int(match.group(1)) if match else None


# -- items and activities ----------------------------------------------------------

def _items(lines: list[str], start: int) -> list[Item]:
    items: list[Item] = []
    section = ""
    current: Item | None = None
    for line in lines[start + 1:]:
        section_match = _SECTION.match(line)
        if section_match:
            section, current = section_match.group("rest"), None
            continue
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


def _activity_name(item: Item, year: int | None) -> str:
    closing = re.search(r"（(?P<inner>[^）]*)）$", item.head)
    head = item.head
    if closing and _UNIT_WORDS.search(closing.group("inner")) and not re.search(r"期|届|季", closing.group("inner")):
        head = head[:closing.start()].strip()
    if item.kind == "shi":
        clause = re.split(r"[，；]", head)
        verbs = re.search(r"(?:承办|举办|办好|开展|打造|召开)(?:好)?(?P<obj>[^，。；、]{4,30})", head)
        name = verbs.group("obj") if verbs else clause[0]
        return re.sub(r"品牌$", "", name.replace("“", "").replace("”", ""))
    return head.replace("“", "").replace("”", "")


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


def _milestones(item: Item, year: int | None) -> tuple[list[dict[str, Any]], list[FoundDate]]:
    text = f"{item.head}。{item.body}"
    milestones = []
    dates = find_dates(text, year)
    for found in dates:
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
    return milestones, dates


def _activity(item: Item, year: int | None, issuers: list[str]) -> dict[str, Any]:
    body = item.body if item.body else item.head
    full = f"{item.head}。{item.body}" if item.body else item.head
    name = _activity_name(item, year)
    activity_year = _year_in(name) or year
    milestones, _ = _milestones(item, activity_year)
    units = responsible_units(full)
    fee_match = _FEE.search(full)
    fee = fee_match.group("v").replace(" ", "") if fee_match else ("免费" if _FREE.search(full) else None)
    capacity = _first(_CAPACITY, full, "n")
    organisers_match = re.search(r"主办单位(?:为|：)\s*(?P<v>[^。；\n]+)", full)
    organisers = (re.split(r"[、，,]", organisers_match.group("v")) if organisers_match
                  else ([] if units else list(issuers)))
    deadline = _deadline(full, activity_year)
    description = re.sub(r"\s+", "", body)[:1000] or None
    return {
        "name": name,
        "aliases": [],
        "category": None,
        "year": activity_year,
        "theme": _first(_THEMES, full, "t"),
        "organisers": [o.strip() for o in organisers if o.strip()],
        "responsible_units": units,
        "location": _first(_LOCATION, full, "v"),
        "capacity": int(capacity) if capacity else None,
        "fee": fee,
        "signup_deadline": deadline.isoformat() if deadline else None,
        "description": description,
        "milestones": milestones,
    }


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


def extract(raw_text: str, filename: str) -> Extraction:
    """Extract a cleaned notice (services.ingest.cleaning.clean_text) into the knowledge shape."""
    lines = [line for line in raw_text.split("\n") if line.strip()]
    document, title_end, problems = _document(raw_text, lines, filename)
    year = document["year"]
    issuers = [_expand_short(i) for i in re.split(r"[、，,\s]+", document.get("issuer") or "") if i]
    if document.get("issuer") and "秘书处" in document["issuer"]:
        issuers = [re.sub(r"秘书处$", "", i) for i in issuers]
    extraction = Extraction(document=document, problems=problems)

    items = _items(lines, title_end)
    phases = []
    for item in items:
        phase = _PHASE.match(item.head)
        if phase:
            dates = find_dates(phase.group("when"), year)
            if dates:
                found = dates[0]
                note = re.sub(r"\s+", "", item.body) or None
                milestone = found.as_milestone(phase.group("name"))
                milestone["when"] = phase.group("when")
                milestone["note"] = note
                phases.append(milestone)
    if phases:
        # 活动开展 is when entries are made: the phase that closes sign-up.
        for milestone in phases:
            milestone["closes_signup"] = "开展" in milestone["name"] or "申报" in milestone["name"]

    programme_name = _programme(document, raw_text)
    activities: list[dict[str, Any]] = []
    if programme_name:
        theme = _first(_THEMES, "\n".join(lines[title_end + 1:title_end + 4]), "t")
        announced = re.search(r"[将定]于(?P<d>\d{4}年\d{1,2}月)(?:开展|举办)", raw_text)
        milestones = list(phases)
        if not milestones and announced:
            milestones = [f.as_milestone("举办") for f in find_dates(announced.group("d"), year)]
        activities.append({
            "name": programme_name, "aliases": [], "category": None, "year": _year_in(programme_name) or year,
            "theme": theme, "organisers": issuers, "responsible_units": [], "location": None,
            "capacity": None, "fee": None, "signup_deadline": None, "description": None,
            "milestones": milestones, "parent": None,
        })
    for item in items:
        if _PHASE.match(item.head) or len(item.head) < 3:
            continue
        activity = _activity(item, year, issuers)
        if not activity["milestones"] and phases:
            activity["milestones"] = [dict(m) for m in phases]
        if not activity["milestones"] and programme_name and activities[0]["milestones"]:
            programme_milestones: list[dict[str, Any]] = activities[0]["milestones"]
            activity["milestones"] = [dict(m) for m in programme_milestones]
        activity["parent"] = programme_name
        activities.append(activity)

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
        problems.append("no activities found (no numbered items such as 1. （一） 一是)")
    for activity in activities:
        missing = [label for key, label in (("theme", "theme"), ("milestones", "dates"),
                                            ("location", "place"), ("signup_deadline", "deadline"))
                   if not activity.get(key)]
        if missing:
            problems.append(f"{activity['name']}: no {', '.join(missing)}")
    return extraction
