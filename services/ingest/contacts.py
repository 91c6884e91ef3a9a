"""Whom to contact: each person with their organisation, phone, mobile, email, fax, address.

Contact blocks come in a few shapes: `联系人：王敏 电话：… 邮箱：…` on one line; one person a
line with the organisation first (`市质量协会评价部 赵一鸣 电话：…`), or without any label
(`徐敏（恒川公司质量部）021-5768 2201 / 136 0000 3391`, `联系人：陈思远  021-6433 5120`);
people named after their numbers (`咨询电话：021-6433 5135（李老师）、021-6433 5136（黄老师）`);
an organisation alone on the line above its people; a table with a header row (单位  联系人
电话  邮箱), read as one labelled line a row; and lines of details without a person
(`传真：… 邮箱：…`, `地址：… 邮编：…`) that belong to every person listed since the last such
line. A person's own details are never overwritten by a shared line. Names printed with
padding (`周  敏`) are read whole.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from services.ingest.cleaning import EMPTY_CELL
from services.ingest.records import Contact

_LABELS = {
    "person": r"联系人",
    "mobile": r"手\s*机|移动电话",
    "phone": r"(?:联系|咨询|办公|报名)?电\s*话",
    "fax": r"传\s*真",
    "email": r"(?:电子)?邮\s*箱|电子邮件|E-?mail|email|Email",
    "address": r"(?:通讯|联系|通信)?地\s*址(?:[（(][^）)]{1,6}[）)])?",  # 地址（共用）
    "postcode": r"邮政编码|邮递区号|邮\s*编",
}
# A label ends with a colon, or is followed by its number or address (电话 021-6251 3308,
# 电话021-6247 3308, 手机 139…, 邮编 200050, 邮箱yyqc@example.org).
# (传真（两场共用）：…: a label's note in brackets)
_LABEL = re.compile("(?:" + "|".join(f"(?P<{k}>{v})" for k, v in _LABELS.items())
                    + r")(?:[（(][^）)]{1,8}[）)])?(?:\s*[：:]|\s*(?=\+?\d)|(?=[\w.+-]+@))", re.ASCII)
_LABEL_CELL = re.compile("|".join(_LABELS.values()))
_PERSON_CELL = re.compile(r"联系人(?:姓名)?|姓\s*名")
_ORG_CELL = re.compile(r"(?:所在|工作|联系)?(?:单位|部门|机构)(?:名称)?")
_CELLS = re.compile(r" {2,}|\t")
_PHONE = re.compile(r"(?<![\d-])(?:0\d{2,3}[-\s]?)?\d{3,4}\s?\d{4}(?:\s*(?:转|-|\*)\s*\d{1,5})?(?![\d-])")
_MOBILE = re.compile(r"(?<!\d)(?:\+?86[\s-]?)?1[3-9]\d[\s-]?\d{4}[\s-]?\d{4}(?!\d)")
_CONTACT_START = re.compile(r"联系|咨询")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_POSTCODE = re.compile(r"(?<!\d)\d{6}(?!\d)")
_UNIT = re.compile(r"(?:部|处|科|室|会|局|院|组|委|中心|公司|办|所|站|馆|校|团)$")
# A unit that stands on its own (恒川公司质量部), not a department of the notice's issuer (培训部).
_WHOLE_UNIT = re.compile(r"协会|公司|局|委员会|中心|学会|集团|大学|医院|工会|团委|研究院")
_NAME = re.compile(r"^(?!电话|手机|邮箱|传真|地址|邮编|联系|电子|咨询|办公|报名|技术)"
                   r"(?:[\u4e00-\u9fff]{2,4}|[\u4e00-\u9fff](?:老师|先生|女士|经理|主任))$")
_UNIT_THEN_NAME = re.compile(r"^([\u4e00-\u9fff]{2,30}(?:部|处|科|室|局|中心|公司|办公室))([\u4e00-\u9fff]{2,3})$")
_PADDED_NAME = re.compile(r"(?<![\u4e00-\u9fff])([\u4e00-\u9fff])[ \u3000]{1,3}([\u4e00-\u9fff])(?![\u4e00-\u9fff])")
_BRACKETED = re.compile(r"[（(]([^（）()]*)[）)]")
# 021-6433 5135（李老师）: a number, then whose it is
_NUMBER_THEN_PERSON = re.compile(r"([\d\s+-]{7,}\d)\s*[（(]\s*([\u4e00-\u9fff]{1,4})\s*[）)]")


@dataclass
class _Group:
    """The people of one stretch of lines, to whom a shared line of details applies."""

    people: list[Contact] = field(default_factory=list)
    closed: bool = False


def _values(line: str) -> tuple[str, dict[str, str]]:
    """The text before the first label, and each label's value."""
    labels = list(_LABEL.finditer(line))
    if not labels:
        return line, {}
    values: dict[str, str] = {}
    for index, label in enumerate(labels):
        end = labels[index + 1].start() if index + 1 < len(labels) else len(line)
        key = next(k for k, v in label.groupdict().items() if v)
        values.setdefault(key, line[label.end():end].strip(" ，,；;。"))
    return line[:labels[0].start()].strip(" ：:，,"), values


def _expand(org: str) -> str:
    """市质量协会 → 上海市质量协会: a notice's own short form of its city."""
    return "上海" + org if org.startswith("市") and not org.startswith("市场") else org


def _name_and_unit(text: str) -> tuple[str, str | None]:
    """刘晓燕（培训部）→ (刘晓燕, 培训部); 蒋文博（财务部，缴费及发票事宜）→ (蒋文博, 财务部)."""
    bracket = _BRACKETED.search(text)
    if bracket is None:
        return text.strip(), None
    unit = re.split(r"[，,；;、]", bracket.group(1))[0].strip()
    return (text[:bracket.start()] + text[bracket.end():]).strip(), unit or None


def _unit_org(unit: str | None, around: str | None) -> str | None:
    """The organisation a bracketed unit names: itself when whole, else a part of `around`."""
    if not unit or not _UNIT.search(unit):
        return None
    if _WHOLE_UNIT.search(unit):
        return _expand(unit)
    return f"{around}{unit}" if around else unit


def _org_and_people(prefix: str, named: str | None, around: str | None) -> tuple[str | None, list[str]]:
    """The organisation and people of a line: named after 联系人, else the prefix's last word;
    a unit in brackets after a name (陈冠宇（秘书处）) is their organisation's part."""
    prefix, prefix_unit = _name_and_unit(prefix)
    _, colon, after = prefix.replace(":", "：").partition("：")
    after_tokens = after.split()
    if colon and len(after_tokens) >= 2 and _UNIT.search(after_tokens[0]):
        prefix = after  # 标准化政策宣讲会：区市场监管局标准化科 邱少华: the unit, not what it is the contact for
    tokens = [t for t in re.split(r"[\s：:]+", prefix) if t]  # 区总工会经济工作部：郑雯
    people: list[str] = []
    unit = prefix_unit
    if named:
        named, named_unit = _name_and_unit(named)
        unit = named_unit or unit
        pieces = [p for p in re.split(r"[\s、，,/]+", named) if p]
        if len(pieces) >= 2 and _UNIT.search(pieces[0]) and _NAME.match(pieces[0]) and not unit:
            unit = pieces.pop(0)  # 联系人：培训部 包文静: the person's department, then the person
        people = [p for p in pieces if _NAME.match(p)]
    elif tokens and _NAME.match(tokens[-1]) and not _UNIT.search(tokens[-1]):
        people = [tokens.pop()]
    org = " ".join(tokens) or None
    if org and (len(org) > 30 or not _UNIT.search(org)):
        org = None
    org = _expand(org) if org else None
    return org or _unit_org(unit, around), people


def _details(values: dict[str, str]) -> dict[str, str]:
    details: dict[str, str] = {}
    for key in ("phone", "mobile"):
        text = values.get(key)
        if not text:
            continue
        for mobile in _MOBILE.finditer(text):
            details.setdefault("mobile", mobile.group(0).strip())
        rest = _MOBILE.sub(" ", text)
        phone = _PHONE.search(rest)
        if phone:
            details.setdefault("phone", phone.group(0).strip())
    if values.get("fax"):
        fax = _PHONE.search(values["fax"])
        if fax:
            details["fax"] = fax.group(0).strip()
    if values.get("email"):
        email = _EMAIL.search(values["email"])
        if email:
            details["email"] = email.group(0)
    if values.get("address"):
        details["address"] = values["address"].strip()
    if values.get("postcode"):
        code = _POSTCODE.search(values["postcode"])
        if code:
            details["postcode"] = code.group(0)
    return details


def _unlabelled(line: str) -> tuple[str, dict[str, str]]:
    """A line of a name and numbers without labels (徐敏（恒川公司质量部）021-5768 2201 / 136…):
    the text before the first number, and the numbers as the phone's value."""
    numbers = [m for m in (_MOBILE.search(line), _PHONE.search(line)) if m]
    if not numbers:
        return line, {}
    start = min(m.start() for m in numbers)
    head = line[:start].strip(" ：:，,")
    # a name and its unit, not a sentence that gives a number (或传真至021-…)
    sentence = re.search(r"[。；;，,]", _BRACKETED.sub("", head))
    if not re.search(r"[\u4e00-\u9fff]{2}", head) or len(head) > 40 or sentence:
        return line, {}
    return head, {"phone": line[start:]}


def _numbered_people(values: dict[str, str]) -> list[tuple[str, str]]:
    """(person, number) pairs of a phone value that names whose each number is (…（李老师）)."""
    return [(m.group(2), m.group(1).strip()) for m in _NUMBER_THEN_PERSON.finditer(values.get("phone", ""))
            if _NAME.match(m.group(2))]


def _is_unit_line(line: str) -> bool:
    """An organisation alone on a line (上海市质量协会会员服务部), above the people of it."""
    return len(line) <= 30 and bool(_UNIT.search(line)) and not re.search(r"[：:，。,\d]", line)


def _row_as_line(header: list[str], cells: list[str]) -> str:
    """A contact table's row as the labelled line a notice would write: 单位 联系人：… 电话：…."""
    org = [cell for title, cell in zip(header, cells, strict=True) if _ORG_CELL.fullmatch(title)]
    fields = [f"{'联系人' if _PERSON_CELL.fullmatch(title) else title}：{cell}"
              for title, cell in zip(header, cells, strict=True)
              if cell != EMPTY_CELL and (_PERSON_CELL.fullmatch(title) or _LABEL_CELL.fullmatch(title))]
    return " ".join([*org, *fields])


def _tables_as_lines(lines: list[str]) -> list[str]:
    """The lines, with each row of a contact table (a header naming 联系人 and a number or
    address column) as a labelled line; other lines as they are."""
    read: list[str] = []
    header: list[str] | None = None
    for line in lines:
        cells = _CELLS.split(line.strip())
        if header is not None and len(cells) == len(header):
            read.append(_row_as_line(header, cells))
            continue
        header = None
        if len(cells) >= 2 and any(_PERSON_CELL.fullmatch(c) for c in cells) \
                and any(_LABEL_CELL.fullmatch(c) and not _PERSON_CELL.fullmatch(c) for c in cells):
            header = cells
            continue
        read.append(line)
    return read


def contact_block(lines: list[str]) -> list[str]:
    """The lines from the first that starts with 联系 or 咨询 (a 联系方式 heading, 联系人：…), else from
    the first with a phone on: the dates and numbers above it are not anyone's contact."""
    start = next((i for i, line in enumerate(lines) if _CONTACT_START.search(line[:8])), None)
    if start is None:
        start = next((i for i, line in enumerate(lines) if "电话" in line), len(lines))
    return lines[start:]


def read_contacts(lines: list[str], default_org: str | None) -> list[Contact]:
    """The contacts in a notice's lines (the whole body: only lines with labels or numbers are read)."""
    groups: list[_Group] = [_Group()]
    unit_above: str | None = None
    for raw in _tables_as_lines(lines):
        line = _PADDED_NAME.sub(r"\1\2", raw.strip())
        prefix, values = _values(line)
        if not values:
            prefix, values = _unlabelled(line)
        if not values:
            if _is_unit_line(line):
                unit_above = _expand(line)
            continue
        if values and prefix:  # 市质协培训部 丁一凡 18017623359 邮箱：…: a number before the labels
            prefix, numbers = _unlabelled(prefix)
            if numbers:
                values = {**numbers, **values}
        if "person" in values and not _NAME.match(_name_and_unit(values["person"])[0]):
            # 联系人：陈思远  021-6433 5120: the name, then numbers without a label
            names, numbers = _unlabelled(values["person"])
            if numbers:
                values = {**values, "person": names, "phone": values.get("phone") or numbers["phone"]}
            unit_and_name = _UNIT_THEN_NAME.match(values["person"])
            if unit_and_name and not prefix:  # 联系人：区市场监管局质量发展科徐志华
                prefix, values = unit_and_name.group(1), {**values, "person": unit_and_name.group(2)}
        around = unit_above or default_org
        org, people = _org_and_people(prefix, values.get("person"), around)
        details = _details(values)
        numbered = _numbered_people(values) if not people else []
        if not people and not details:
            continue
        group = groups[-1]
        if people or numbered:
            if group.closed:
                group = _Group()
                groups.append(group)
            previous_org = group.people[-1].org if group.people else around
            for person in people:
                group.people.append(Contact(org=org or previous_org, person=person, **details))
            for person, number in numbered:
                group.people.append(Contact(org=org or previous_org, person=person,
                                            **_details({**values, "phone": number})))
        elif group.people:
            group.people = [replace(p, **{k: v for k, v in details.items() if getattr(p, k) is None})
                            for p in group.people]
            group.closed = True
        else:
            group.people.append(Contact(org=org or around, **details))
            group.closed = True
    return [person for group in groups for person in group.people if person.has_details()]
