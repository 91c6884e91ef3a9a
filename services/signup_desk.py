"""What staff do with sign-ups for members (the console's 电话报名): take one by phone,
correct one, cancel one.

Each goes through `SignupService`, so a sign-up taken by phone keeps the rules a member's
own keeps (the deadline, one seat taken by the conditional UPDATE, one active sign-up a
member, a full activity refused), and each writes its audit entry inside the sign-up's
own transaction: no change without its record, no record without its change. The entries
hold mobile numbers masked (admins reveal the list itself when they need them).
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from services.accounts import AuditEntry
from services.activity_admin import activity_target
from services.signups import Recorder, SignupChange, SignupOutcome, SignupService
from services.validation import mask_mobile
from services.views import SignupView

PHONE_ADD, EDIT, CANCEL = "signup_phone_add", "signup_edit", "signup_cancel"
_FIELDS = (("name", "姓名"), ("mobile", "手机"), ("company", "单位"))


def _shown(view: SignupView, name: str) -> str:
    value = getattr(view, name)
    return mask_mobile(value) if name == "mobile" else value


def describe_change(before: SignupView, after: SignupView) -> str:
    """姓名：张三 → 张叁；手机：139****5678 → 138****1111"""
    return "；".join(f"{label}：{_shown(before, name)} → {_shown(after, name)}"
                    for name, label in _FIELDS if getattr(before, name) != getattr(after, name))


def _recorder(username: str, action: str) -> Recorder:
    def record(session: Session, before: SignupView | None, after: SignupView) -> None:
        if before is None:
            detail = f"电话报名 {after.reference}：{after.name}，{mask_mobile(after.mobile)}，{after.company}"
        elif action == CANCEL:
            detail = f"取消报名 {after.reference}：{after.name}，{mask_mobile(after.mobile)}"
        else:
            detail = f"修改报名 {after.reference}：{describe_change(before, after)}"
        session.add(AuditEntry(username=username, action=action,
                               target=activity_target(after.activity_id, after.activity_name), detail=detail[:4000]))

    return record


class SignupDesk:
    """Each method is one transaction of `SignupService`, its audit entry included."""

    def __init__(self, signups: SignupService) -> None:
        self._signups = signups

    def take_by_phone(self, activity_id: int, name: str, mobile: str, company: str, username: str) -> SignupOutcome:
        return self._signups.sign_up_by_phone(activity_id, name, mobile, company,
                                              record=_recorder(username, PHONE_ADD))

    def change(self, activity_id: int, reference: str, name: str, mobile: str, company: str,
               username: str) -> SignupChange:
        return self._signups.change(activity_id, reference, name, mobile, company, record=_recorder(username, EDIT))

    def cancel(self, activity_id: int, reference: str, username: str) -> SignupChange:
        return self._signups.cancel_reference(activity_id, reference, record=_recorder(username, CANCEL))
