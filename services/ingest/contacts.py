"""Whom to contact: each person with their organisation, phone, mobile, email, fax, address.

Contact blocks come in a few shapes: `联系人：王敏 电话：… 邮箱：…` on one line; one person a
line with the organisation first (`市质量协会评价部 赵一鸣 电话：…`); and lines of details
without a person (`传真：… 邮箱：…`, `地址：… 邮编：…`) that belong to every person listed
since the last such line. A person's own details are never overwritten by a shared line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from services.ingest.records import Contact

_LABELS = {
    "person": r"联系人",
    "mobile": r"手\s*机|移动电话",
    "phone": r"(?:联系|咨询|办公|报名)?电\s*话",
    "fax": r"传\s*真",
    "email": r"(?:电子)?邮\s*箱|电子邮件|E-?mail|email|Email",
    "address": r"(?:通讯|联系|通信)?地\s*址",
    "postcode": r"邮政编码|邮\s*编",
}
_LABEL = re.compile("(?:" + "|".join(f"(?P<{k}>{v})" for k, v in _LABELS.items()) + r")\s*[：:]")
_PHONE = re.compile(r"(?<![\d-])(?:0\d{2,3}[-\s]?)?\d{3,4}\s?\d{4}(?:\s*(?:转|-|\*)\s*\d{1,5})?(?![\d-])")
_MOBILE = re.compile(r"(?<!\d)(?:\+?86[\s-]?)?1[3-9]\d[\s-]?\d{4}[\s-]?\d{4}(?!\d)")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_POSTCODE = re.compile(r"(?<!\d)\d{6}(?!\d)")
_UNIT = re.compile(r"(?:部|处|科|室|会|局|院|组|委|中心|公司|办|所|站|馆|校|团)$")
_NAME = re.compile(r"^[\u4e00-\u9fff]{2,4}$|^[\u4e00-\u9fff](?:老师|先生|女士|经理|主任)$")


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


def _org_and_people(prefix: str, named: str | None) -> tuple[str | None, list[str]]:
    tokens = [t for t in re.split(r"\s+", prefix) if t]
    people: list[str] = []
    if named:
        people = [p for p in re.split(r"[\s、，,/]+", named) if _NAME.match(p)]
    elif tokens and _NAME.match(tokens[-1]) and not _UNIT.search(tokens[-1]):
        people = [tokens.pop()]
    org = " ".join(tokens) or None
    if org and (len(org) > 30 or not _UNIT.search(org)):
        org = None
    return (_expand(org) if org else None), people


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


def read_contacts(lines: list[str], default_org: str | None) -> list[Contact]:
    """The contacts in a notice's lines (the whole body: only labelled lines are read)."""
    groups: list[_Group] = [_Group()]
    for line in lines:
        prefix, values = _values(line)
        if not values:
            continue
        org, people = _org_and_people(prefix, values.get("person"))
        details = _details(values)
        if not people and not details:
            continue
        group = groups[-1]
        if people:
            if group.closed:
                group = _Group()
                groups.append(group)
            previous_org = group.people[-1].org if group.people else default_org
            for person in people:
                group.people.append(Contact(org=org or previous_org, person=person, **details))
        elif group.people:
            group.people = [replace(p, **{k: v for k, v in details.items() if getattr(p, k) is None})
                            for p in group.people]
            group.closed = True
        else:
            group.people.append(Contact(org=org or default_org, **details))
            group.closed = True
    return [person for group in groups for person in group.people if person.has_details()]
