"""What a question asks about an activity: from the NLU's intent, refined by the member's words.

The intent is a good guess at the kind of question; the words say exactly what is asked when
they name it (报名截止, 收费, 在哪, 能参加吗). Words win: "区长质量奖什么时候开始申报" is a
question of time whatever the classifier thought of 申报.
"""

from __future__ import annotations

import re
from enum import Enum

from services.retrieval import PER_UNIT_QUESTION
from services.textnorm import normalise


class Topic(str, Enum):
    DETAILS = "details"
    TIME = "time"
    PLACE = "place"
    THEME = "theme"
    FEE = "fee"
    CAPACITY = "capacity"
    ORGANISER = "organiser"
    PHASES = "phases"
    DEADLINE = "deadline"
    AUDIENCE = "audience"
    SIGNUP_METHOD = "signup_method"
    CONTACT = "contact"
    OTHER = "other"  # something the record has no field for: the notice's own sentences answer


INTENT_TOPICS = {
    "ask_activity_details": Topic.DETAILS,
    "ask_activity_time": Topic.TIME,
    "ask_activity_place": Topic.PLACE,
    "ask_activity_theme": Topic.THEME,
    "ask_fee": Topic.FEE,
    "ask_capacity": Topic.CAPACITY,
    "ask_activity_organiser": Topic.ORGANISER,
    "ask_phases": Topic.PHASES,
    "ask_deadline": Topic.DEADLINE,
}

# In order: the first that the words ask wins (报名截止到哪天 asks a deadline, not a day).
_WORDS: tuple[tuple[Topic, re.Pattern[str]], ...] = (
    # 3个人有优惠吗: the fee's group and early-bird rates, though the words count people
    (Topic.FEE, re.compile(r"优惠|折扣|打折|几折|[一二三四五六七八九]折|团体价|早鸟")),
    # 一家企业能去几个人: a per-unit limit, which no field holds (capacity is the whole event's)
    (Topic.OTHER, re.compile(PER_UNIT_QUESTION)),
    # 能现场交钱吗, 发票怎么开: how to pay, which the fee's amount does not say
    (Topic.OTHER, re.compile(r"(?:现场|当场|怎么|如何|能|可以)[^，。？?]{0,4}(?:交钱|交费|缴费|付款|付费|支付)"
                             r"|转账|汇款|发票|收据|(?:钱|费|款)[^，。？?]{0,3}(?:汇|打|转)(?:到|至)|账号|账户|户名|开户行")),
    # 去不了钱能退吗: refunds, which the fee's amount does not say
    (Topic.OTHER, re.compile(r"退(?:钱|费|款)|能退|可以退|退不退|退吗")),
    # 报名要交哪些材料, 考试考什么, 考不过咋办: what to bring, submit or sit, which no field holds
    (Topic.OTHER, re.compile(r"(?:哪些|什么|啥)(?:材料|资料|证件|证明|东西)"
                             r"|(?:带|交|准备|提交|考|穿|预习)(?:点|些)?(?:什么|啥|哪些)|考试(?:内容|范围|形式)|补考|考不过|没考过|不及格|证书(?!费)")),
    (Topic.AUDIENCE, re.compile(r"\d+岁|岁了|年龄|周岁")),  # 我37岁了还能参加吗 asks who may, not until when
    (Topic.DEADLINE, re.compile(r"(?:几号|哪天|什么时候|啥时候|何时)之?前(?:报名|申报)"
                                r"|截止|截至|截稿|交稿|最晚|最迟|报名到|申报到|还(?:能|可以)(?:报|预约|参加)|还来得及|过期")),
    (Topic.SIGNUP_METHOD, re.compile(r"(?:怎么|如何|怎样|在哪|去哪|哪里|通过什么)(?:报名|申报|预约|报|参加|提交)"
                                     r"|报名(?:方式|途径|渠道|流程)|申报(?:方式|途径|渠道|流程)")),
    # 一等奖多少钱: the prize, which no field holds; not the fee
    # (评上了奖多少钱: the award's money)
    (Topic.OTHER, re.compile(r"奖金|奖品|奖励|[一二三特]等奖.{0,4}(?:多少|几)"
                             r"|(?:评上|获奖|得奖|拿奖)[^，。？?]{0,4}(?:多少钱|钱)")),
    (Topic.FEE, re.compile(r"收费|费用|多少钱|几块|交钱|交费|缴费|付费|免费|价格|掏钱|门票|票价|要钱|花钱|加钱"
                           r"|(?:收|交|付|缴)(?:多少|几)"
                           r"|(?:会务|培训|报名|评审|考试|参赛|参会|资料|证书|注册|服务|学)费"
                           r"|(?:学生|会员|非会员|早鸟|团体|单位|个人|优惠)价")),
    (Topic.CAPACITY, re.compile(r"名额|还有位|满了|几个名额|限多少人|限几人|剩(?:多少|几)")),
    (Topic.AUDIENCE, re.compile(r"对象|谁能|哪些人|什么人|能参加吗|可以参加吗|能报吗|可以报吗|有.*要求吗|岁")),
    # (咨询 asks whom to ask, not the 咨询日 an activity is named)
    (Topic.CONTACT, re.compile(r"联系|电话|手机|邮箱|咨询(?:电话|方式|热线|谁|一下)|(?:找|向|问)谁咨询"
                               r"|(?:哪里|怎么|去哪)咨询|找谁|传真")),
    # 质量月谁负责, 评选是哪个部门牵头: the units the notice puts in charge
    # (主办方电话多少 asks the contact)
    (Topic.ORGANISER, re.compile(r"谁负责|谁牵头|谁主办|谁承办|哪个(?:部门|单位)(?:负责|牵头|主办|承办)"
                                 r"|负责(?:单位|部门)|牵头(?:单位|部门)|主办方|主办单位|承办单位")),
    (Topic.PLACE, re.compile(r"在哪|哪里|地点|地址|场地|会场|怎么去|什么地方|哪个地方|地方(?:变|改|换)|换地方|哪儿"
                             r"|线上还是线下|会议号")),
    (Topic.PHASES, re.compile(r"阶段|流程|环节|初赛|复赛|决赛|评审|公示|表彰|颁奖")),
    (Topic.THEME, re.compile(r"主题|讲什么|讲啥|什么内容|啥内容|内容是")),
    (Topic.TIME, re.compile(r"几号|哪天|哪一天|什么时候|啥时候|几点|时间|日期|几月|哪几天|多久|几天|开始|结束")),
)


def topic_in_words(text: str | None) -> Topic | None:
    """The topic the member's words name, or None when they name none of them."""
    words = normalise(text or "")
    return next((topic for topic, pattern in _WORDS if pattern.search(words)), None)


def topic_of(intent: str | None, text: str | None) -> Topic:
    """The words' topic where they name one, else the intent's; DETAILS for a bare name."""
    return topic_in_words(text) or INTENT_TOPICS.get(intent or "", Topic.DETAILS)
