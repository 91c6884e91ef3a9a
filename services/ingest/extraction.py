"""A notice's cleaned text read into a typed NoticeRecord.

The reading is in layers, each in its own module: the layout (`structure`: title, issuer,
date, numbered sections, labelled fields), dates and times (`dates`), what fields mean
(`fields`), whom to contact (`contacts`) and which activities there are (`activities`).
What kind of notice it is decides what members may do with it: a 公示 announces results
and invites nobody; a change notice moves an activity an earlier notice announced.
"""

from __future__ import annotations

import re

from services.ingest.activities import ActivityReader
from services.ingest.contacts import contact_block, read_contacts
from services.ingest.dates import DateReader, first_full_date
from services.ingest.plans import planned_activities
from services.ingest.records import ActivityRecord, Contact, NoticeKind, NoticeRecord
from services.ingest.sessions import split_sessions
from services.ingest.structure import read_layout

_RESULTS = re.compile(r"公示|名单|获奖|结果的?(?:通知|公告)|表彰(?:决定|通报)|拟命名|拟认定")
_CHANGE = re.compile(r"延期|推迟|改期|调整|变更|取消")
_REPORT = re.compile(r"工作报告|工作要点|工作重点|工作计划|工作总结")
_DOUBTS = (("span", "时间"), ("place", "地点"), ("signup_deadline", "报名截止日期"),
           ("signup_method", "报名方式"), ("fee", "费用"))


def notice_kind(title: str) -> NoticeKind:
    if _RESULTS.search(title) and not re.search(r"关于(?:举办|开展|召开)", title):
        return NoticeKind.RESULTS
    if _CHANGE.search(title):
        return NoticeKind.CHANGE
    if _REPORT.search(title):
        return NoticeKind.REPORT
    return NoticeKind.ANNOUNCEMENT


def _contacts_of_units(units: list[str], contacts: list[Contact]) -> list[Contact]:
    """The contacts of an activity's 负责单位 in a programme whose activities have units of their own."""
    return [c for c in contacts if c.org and any(u in c.org or c.org in u for u in units)]


def _doubts(activity: ActivityRecord) -> list[str]:
    missing = [label for attribute, label in _DOUBTS if getattr(activity, attribute) is None]
    return [f"{activity.name}：通知中未找到{'、'.join(missing)}，请核对"] if missing else []


def extract(text: str, filename: str = "") -> NoticeRecord:
    """Read a cleaned notice (services.ingest.cleaning.clean_text)."""
    layout = read_layout(text, filename)
    kind = notice_kind(layout.title)
    dates = DateReader(layout.issued_on, anchor=first_full_date(text))
    record = NoticeRecord(title=layout.title, issuer="、".join(layout.issuers) or None,
                          issued_on=layout.issued_on, kind=kind)
    issuer = layout.issuers[0] if layout.issuers else None
    record.contacts = read_contacts(contact_block([line.text for line in layout.body]), issuer)
    if kind is not NoticeKind.RESULTS:
        planned = planned_activities(layout)
        if planned and kind is NoticeKind.ANNOUNCEMENT:
            record.kind = NoticeKind.REPORT  # a year's plan: each activity's own notice comes later
        reader = ActivityReader(layout, dates, kind)
        record.activities = planned or [session for activity in reader.activities()
                                        for session in split_sessions(activity, layout, reader.read)]
    if layout.issued_on is None:
        record.doubts.append("未找到发文日期：没有年份的日期按今年理解，请核对")
    if kind is NoticeKind.ANNOUNCEMENT and not record.activities:
        record.doubts.append("未识别出活动，请手工添加")
    for activity in record.activities:
        if not activity.contacts and len(record.activities) > 1:
            activity.contacts = _contacts_of_units(activity.responsible_units, record.contacts)
        record.doubts += _doubts(activity)
    return record
