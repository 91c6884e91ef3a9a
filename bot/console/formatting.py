"""Formatting shared by the pages and the exports: Shanghai time, masked numbers."""

from __future__ import annotations

import datetime as dt

from services.settings import SHANGHAI
from services.validation import mask_mobiles


def shanghai_text(value: dt.datetime | None, pattern: str = "%Y-%m-%d %H:%M:%S") -> str:
    if value is None:
        return ""
    if value.tzinfo is None:  # SQLite gives naive datetimes; they were written in UTC
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(SHANGHAI).strftime(pattern)


def shown(text: str | None, reveal: bool = False) -> str:
    """Mobile numbers masked (139****5678) unless an admin asked to see them."""
    return (text or "") if reveal else mask_mobiles(text or "")


# How a sign-up came in and where it stands, as staff read it (pages and exports).
SIGNUP_CHANNELS = {"wechat": "公众号", "wecom": "企业微信", "phone": "电话报名"}
SIGNUP_STATUS = {"active": "有效", "cancelled": "已取消"}


def channel_name(channel: str | None) -> str:
    """公众号, 企业微信, 电话报名; 其他 for anything else (a test channel), never the code."""
    return SIGNUP_CHANNELS.get(channel or "", "其他")


def signup_status(status: str | None) -> str:
    return SIGNUP_STATUS.get(status or "", "未知")


# The audit log's actions as admins read them (审计日志); the code stays in the table.
AUDIT_ACTIONS = {
    "unmask": "查看完整手机号", "export_csv": "导出名单（CSV）", "export_xlsx": "导出名单（Excel）",
    "search_number": "按号码搜索会话",
    "create_user": "新建账号", "set_password": "设置密码", "user_disable": "停用账号", "user_enable": "启用账号",
    "user_password": "重置密码", "user_role": "更改角色", "unlock_user": "解除登录限制",
    "organiser_assign": "指定活动负责人", "organiser_remove": "取消活动负责人",
    "review": "标记已复核", "review_undo": "撤销复核", "tag": "添加标签", "untag": "删除标签",
    "inbox_intent": "没听懂：归入意图", "inbox_out_of_scope": "没听懂：超出范围", "inbox_ignore": "没听懂：忽略",
    "activity_create": "新建活动", "activity_edit": "编辑活动", "activity_release": "允许通知再次更新活动",
    "milestone_add": "新增阶段", "milestone_edit": "修改阶段", "milestone_remove": "删除阶段",
    "notice_upload": "上传通知", "notice_preview": "预览通知", "notice_publish": "发布通知",
    "notice_republish": "重新发布通知", "notice_withdraw": "撤回通知",
    "signup_phone_add": "电话报名", "signup_edit": "修改报名", "signup_cancel": "取消报名",
    "signup_taken_number": "报名时手机号已有报名",
    "takeover": "人工接管", "handback": "交还机器人", "handoff_resolve": "人工请求标记为已解决",
}

# A request for a person (人工服务) by its status.
HANDOFF_STATUS = {"pending": "待处理", "active": "处理中", "resolved": "已解决"}


def handoff_status(status: str | None) -> str:
    return HANDOFF_STATUS.get(status or "", "未知")


def audit_action(action: str) -> str:
    """The action's Chinese name; one not named here (a newer code) as it is."""
    return AUDIT_ACTIONS.get(action, action)
