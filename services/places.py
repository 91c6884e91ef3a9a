"""Places other than Shanghai, whose associations and 质量月 the notices do not speak for.

北京市质量协会 is not 市质量协会, and 杭州的质量月 is not Shanghai's: an answer about
the association's own would mislead, so the actions say they do not know it.
"""

from __future__ import annotations

import re

from services.textnorm import normalise

# Provinces, large cities and the country; a list, not a gazetteer: these are the places members
# name when they mean another association (other places are rarely asked about, and still refused
# by the retrieval as words no notice uses).
PLACES = (r"(?:北京|天津|重庆|河北|山西|辽宁|吉林|黑龙江|江苏|浙江|安徽|福建|江西|山东|河南|湖北|湖南|广东|广西"
          r"|海南|四川|贵州|云南|陕西|甘肃|青海|台湾|内蒙古|西藏|宁夏|新疆|香港|澳门|杭州|南京|苏州|无锡|宁波|合肥"
          r"|广州|深圳|武汉|成都|西安|厦门|青岛|大连|长沙|郑州|济南|沈阳|哈尔滨|长春|昆明|南昌|福州|石家庄|太原"
          r"|南宁|贵阳|兰州|海口|中国|全国)[省市]?")
_ENDS_WITH_PLACE = re.compile(PLACES + "$")
_OTHER_ASSOCIATION = re.compile(PLACES + r"(?:质量协会|质协)")
_OTHER_QUALITY_MONTH = re.compile("(" + PLACES + r")的?[“\"]?质量月")


def ends_with_other_place(text: str) -> bool:
    """Whether the words end with another place's name (the part before 质量协会 in 北京市质量协会)."""
    return bool(_ENDS_WITH_PLACE.search(text))


def other_association(text: str | None) -> str | None:
    """The quality association of another place the words name (北京市质量协会, 杭州质协)."""
    found = _OTHER_ASSOCIATION.search(normalise(text or ""))
    return found.group(0) if found else None


def other_quality_month(text: str | None) -> str | None:
    """Another place's 质量月 the words name (杭州质量月, 北京的质量月活动): its place."""
    found = _OTHER_QUALITY_MONTH.search(normalise(text or ""))
    return found.group(1) if found else None
