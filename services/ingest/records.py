"""What a notice says, as typed records: from the reader through extraction to the loader.

A field the notice does not state is None (or an empty tuple); nothing is guessed.
Each activity keeps, per field, the sentence the value was read from (`evidence`), so staff
can see why a value is there before they publish it.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from enum import Enum

from services.dates import DatePoint, DateSpan


class NoticeKind(str, Enum):
    """What a notice does to the activities it names."""

    ANNOUNCEMENT = "通知"  # announces activities members can join
    CHANGE = "变更通知"  # moves an activity an earlier notice announced (延期, 调整, 变更)
    RESULTS = "公示"  # publishes results or a shortlist: nothing to sign up for
    REPORT = "工作报告"  # a report or work plan: background, not an invitation


# Stages in which members apply or sign up (申报推荐, 报名, 成果征集, 材料提交) …
_APPLYING = re.compile(r"申报|报名|推荐|征集|征稿|投稿|报送|提交|申请|招募|参评")
# … unless the stage is about what follows the applications (申报结果公示).
_AFTER_APPLYING = re.compile(r"公示|评审|评选|结果|公布|发布|表彰")


def is_applying(name: str) -> bool:
    """Whether a stage or a time of this name is when members apply (申报, 征稿时间), not what follows."""
    return bool(_APPLYING.search(name) and not _AFTER_APPLYING.search(name))


@dataclass(frozen=True)
class Phase:
    """A stage of one activity: 申报, 评审, 公示, 表彰; 初赛, 复赛, 决赛."""

    name: str
    span: DateSpan | None
    text: str  # the date as the notice wrote it

    @property
    def takes_applications(self) -> bool:
        """Whether members apply in this stage, so that its end closes the sign-up."""
        return bool(self.span and is_applying(self.name))


@dataclass(frozen=True)
class Contact:
    """One person (or one organisation's line) to contact; a shared line's details repeat on each."""

    org: str | None
    person: str | None = None
    phone: str | None = None
    mobile: str | None = None
    email: str | None = None
    fax: str | None = None
    address: str | None = None
    postcode: str | None = None

    def has_details(self) -> bool:
        return any((self.person, self.phone, self.mobile, self.email, self.fax, self.address))


@dataclass(frozen=True)
class Evidence:
    """Where a value came from: the sentence of the notice that states it."""

    field: str
    sentence: str


@dataclass
class ActivityRecord:
    """One event or programme a member could ask about or sign up for."""

    name: str
    span: DateSpan | None = None
    time_of_day: str | None = None  # "13:30-16:30", or 上午 / 下午 when that is all it says
    place: str | None = None
    audience: str | None = None
    capacity: int | None = None
    fee: str | None = None
    signup_deadline: dt.date | None = None
    signup_method: str | None = None
    theme: str | None = None
    phases: list[Phase] = field(default_factory=list)
    responsible_units: list[str] = field(default_factory=list)
    organisers: list[str] = field(default_factory=list)
    # Whom to ask about this activity, where the notice says it apart from the others (a section's
    # own 联系人, or the contact of its 负责单位); empty: the notice's contacts.
    contacts: list[Contact] = field(default_factory=list)
    aliases: list[str] = field(default_factory=list)
    # A change notice's earlier value by field ("span", "place", …), as the notice said it.
    previously: dict[str, str] = field(default_factory=dict)
    evidence: list[Evidence] = field(default_factory=list)

    @property
    def start(self) -> DatePoint | None:
        return self.span.start if self.span else None

    @property
    def end(self) -> DatePoint | None:
        return self.span.end if self.span else None

    @property
    def year(self) -> int | None:
        return self.span.start.first_day.year if self.span else None

    def source_of(self, field_name: str) -> str | None:
        return next((e.sentence for e in self.evidence if e.field == field_name), None)

    def cite(self, field_name: str, sentence: str) -> None:
        if sentence and self.source_of(field_name) is None:
            self.evidence.append(Evidence(field_name, sentence.strip()))


@dataclass
class NoticeRecord:
    """A notice as a careful reader takes it."""

    title: str
    issuer: str | None
    issued_on: dt.date | None
    kind: NoticeKind
    activities: list[ActivityRecord] = field(default_factory=list)
    contacts: list[Contact] = field(default_factory=list)
    # What a reviewer should look at: fields not found or read with doubt, in Chinese.
    doubts: list[str] = field(default_factory=list)

    @property
    def year(self) -> int | None:
        if self.issued_on:
            return self.issued_on.year
        years = [a.year for a in self.activities if a.year]
        return min(years) if years else None
