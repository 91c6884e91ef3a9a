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

