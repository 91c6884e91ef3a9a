"""The sign-up forms staff fill in (电话报名, 修改报名) and every sentence the console says
about a sign-up, in one place.

What staff typed is checked by the rules the assistant's own sign-up form keeps
(`services.validation`: a name, a mainland mobile however it is written, a company), so a
sign-up taken by phone is one a member could have made. A refusal is a `FormErrors`
holding one Chinese message per field; the page shows the form again with what was typed.
Mobile numbers appear in these messages masked, whoever reads them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from services.activity_admin import FormErrors
from services.signups import Eligibility, Refusal, SignupChange, SignupCheck
from services.validation import check_company, check_mobile, check_name, mask_mobile

LABELS = {"name": "姓名", "mobile": "手机号", "company": "单位"}
MISSING = {"name": "请填写报名人的姓名", "mobile": "请填写报名人的手机号", "company": "请填写报名人的单位"}
# services.validation's reasons, as staff are told them.
PROBLEMS = {
    "invalid_name": "姓名请填写 2–15 个汉字（或英文姓名），不含数字",
    "no_digits": "手机号请填写 11 位数字，如 139 1234 5678",
    "wrong_length": "手机号应为 11 位数字",
    "not_mobile": "这不是有效的手机号：应为 1 开头、第二位是 3–9 的 11 位号码",
    "invalid_company": "单位请填写 2–100 个字",
}
# Whether an activity takes sign-ups today (services.signups.standing), as staff read it.
STATUS_NAMES = {Eligibility.OPEN.value: "报名中", Eligibility.FULL.value: "名额已满",
                Eligibility.CLOSED.value: "报名已截止", Eligibility.APPLY_ELSEWHERE.value: "其他渠道申报",
                Eligibility.NO_SIGNUP.value: "无报名安排"}
FIELD_LIMIT = 200  # a typed value longer than this is refused before it is checked


@dataclass
class SignupInput:
    """A sign-up form as typed, kept to show it again after a refusal."""

    name: str = ""
    mobile: str = ""
    company: str = ""

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> SignupInput:
        def text(name: str) -> str:
            value = data.get(name)
            return value.strip() if isinstance(value, str) else ""

        return cls(name=text("name"), mobile=text("mobile"), company=text("company"))


@dataclass(frozen=True)
class SignupValues:
    name: str
    mobile: str | None  # None: keep the number it has (the edit form, left empty)
    company: str


def check_signup(form: SignupInput, mobile_required: bool = True) -> SignupValues:
    """The values to store, or FormErrors with a message for each wrong field."""
    errors: dict[str, str] = {}
    checked: dict[str, str | None] = {}
    for name, check in (("name", check_name), ("mobile", check_mobile), ("company", check_company)):
        raw = getattr(form, name)
        checked[name] = None
        if not raw:
            if name != "mobile" or mobile_required:
                errors[name] = MISSING[name]
        elif len(raw) > FIELD_LIMIT:
            errors[name] = f"{LABELS[name]}太长，请检查"
        elif (result := check(raw)).ok:
            checked[name] = result.value
        else:
            errors[name] = PROBLEMS.get(result.problem or "", f"请检查{LABELS[name]}")
    if errors:
        raise FormErrors(errors)
    return SignupValues(name=checked["name"] or "", mobile=checked["mobile"], company=checked["company"] or "")


def refusal(check: SignupCheck, mobile: str) -> str:
    """Why the sign-up was not taken: what the assistant would tell the member, for staff."""
    state = check.eligibility
    if state is Eligibility.FULL:
        return f"名额已满（共 {check.capacity} 个名额），没有报名。可以请对方关注是否有人取消。"
    if state is Eligibility.ALREADY:
        return f"手机号 {mask_mobile(mobile)} 已报名此活动（报名编号 {check.existing_reference}），没有重复报名。"
    if state is Eligibility.CLOSED:
        return f"此活动的报名已于 {check.deadline} 截止，没有报名。"
    if state is Eligibility.APPLY_ELSEWHERE:
        return f"此活动按通知要求通过其他渠道申报，不在这里报名：{check.signup_method or '请查看通知'}"
    if state is Eligibility.NO_SIGNUP:
        return "此活动没有报名安排（没有报名截止日期，也没有具体到日的活动日期），没有报名。" \
               "如需接受报名，请在“编辑活动”中填写。"
    return "没有这个活动。"


def change_refusal(change: SignupChange) -> str:
    if change.refused is Refusal.CANCELLED:
        return ALREADY_CANCELLED
    if change.refused is Refusal.TAKEN:
        other = f"（报名编号 {change.other_reference}）" if change.other_reference else ""
        return f"这个手机号已有此活动的另一条有效报名{other}，没有修改。"
    return "此活动没有这条报名。"


def taken(reference: str, name: str, seats_left: int | None) -> str:
    left = "名额不限" if seats_left is None else f"剩余名额 {seats_left}"
    return f"已为 {name} 登记电话报名，报名编号 {reference}（请告知对方）；{left}。"


def changed(reference: str, description: str) -> str:
    return f"已修改报名 {reference}：{description}。" if description else f"报名 {reference} 没有修改。"


def cancelled(reference: str, name: str) -> str:
    return f"已取消 {name} 的报名（{reference}），名额已释放。"


ALREADY_CANCELLED = "这条报名已经取消，不能再修改或取消。"
NO_ACTIVITY = "没有这个活动：它可能已被删除，请回到活动列表。"
NO_SIGNUP = "此活动没有这条报名：请回到报名名单。"
MAY_NOT_ENTER = "您的账号只能为自己负责的活动登记、修改或取消报名。"
MAY_NOT_REVEAL = "只有管理员和该活动的负责人可以查看完整手机号或导出名单。"
