"""What a question asks for, and what the sentence that answers it looks like.

A cue (`_CUES`) pairs the words that ask for a kind of answer with the shape of a sentence that
gives one: a date for 什么时候, a number for 多少, a total for 一共…了 and not a plan, the units
closing an item for 哪个部门. The index multiplies a passage's score by the cue's factor when it
fits, and rules it out when the cue is required and it does not (a question about a fee or a
sign-up is answered only by a sentence that states one). `asked_kinds` names the kinds a
question asks for; the actions use it, with `DocumentRetriever.asks_beyond`, to tell a question
their structured reply does not answer.

A question's form: a two-digit year is a year (18年 → 2018年), and a 那 where nothing else asks
is read as 哪 (那天开). The thing asked for is the noun before the asking word (知识竞赛**奖品**是啥)
or the thing whose existence is asked (有**奖品**吗).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from services.dates import chinese_number
from services.retrieval.words import (
    BIGRAM,
    CJK,
    COMMON_WORD,
    DROPPED,
    ENTITY,
    jieba_tokenizer,
    names_things,
    parts_of_speech,
    terms,
)
from services.textnorm import normalise

_DONE = r"累计|至今|已经|已|共计|先后|以来|年来"
_PLANNED = r"将|计划|预计|拟"
_ASKS_DONE = r"一共|总共|累计|至今|已经|了几|了多少|过几|过多少"
# A time of day, in figures or in words (13:30, 十二时三十分)
_CLOCK = r"(?:\d{1,2}[:：]\d{2}|[〇零一二三四五六七八九十]{1,3}[时点](?:[〇零一二三四五六七八九十]{1,3}分|半|整)?)"
# Words of arriving or setting off (几点集合, 在哪上车); services.answers reads them too.
ARRIVING = r"集合|报到|签到|发车|出发|入场|上车"


@dataclass(frozen=True)
class _Cue:
    """What a question asks for (`asks`), what a passage holding it looks like (`shape`), and the
    factor a passage that fits gets; when `required`, a passage that does not fit cannot answer."""

    asks: re.Pattern[str]
    shape: re.Pattern[str]
    factor: float = 1.3
    required: bool = False
    # looks inside 《…》 too: 白皮书是哪年的 is answered by 《上海市质量状况白皮书（2021年）》
    in_titles: bool = False
    # within one notice, the heading a passage sits under may hold the answer (二等奖 over its rows)
    in_heading: bool = False
    kind: str = ""  # what is asked, for `asked_kinds` (when, where, count, fee …)
    # within one notice, a sentence of the shape answers whatever words the question uses
    # (我们公司能去三个人吗 — 每家会员单位限报1人; 回执发哪个邮箱 — …发送至 sqe@…)
    answered_by_shape: bool = False


# What kind of answer a question wants, what a passage holding one looks like, and the factor
# its score gets. A fee and a sign-up are what members act on: only a sentence that states one answers.
# How many one person or team may enter or be (一个人可以交几个作品, 一个队几个人); not what one pays
# (非会员一个人多少钱: a fee).
_PER_MEMBER_QUESTION = r"(?:一个|每个?)(?:人|队|组)(?![^，。？?]*(?:钱|费|元|块))[^，。？?]{0,6}?(?:几|多少)"
# How many one organisation may send or enter (not 我们是会员单位，培训费多少: a fee).
_PER_ORGANISATION_QUESTION = (r"(?:一|每|我们|我|咱们|本)(?:家|个)?[\u4e00-\u9fff]{0,3}?"
                              r"(?:单位|企业|公司|组织|集团|工会|厂|工厂)[^，。,；;]{0,8}"
                              r"(?:几|多少|[两二三四五六七八九十\d]+\s*(?:个|名|位)?人)"
                              r"|(?:能|可以)多?带[^，。？?]{0,4}(?:同事|个人|一个人)|我们一共[两二三四五六七八九十\d]+个?人"
                              r"|(?:一|每)家[^，。？?]{0,4}?(?:几|多少)")  # 一家能报几个: the unit understood
# A question of how many one may send or enter (services.answers.topics routes it here).
PER_UNIT_QUESTION = f"{_PER_ORGANISATION_QUESTION}|{_PER_MEMBER_QUESTION}"


# A place said: 在…举办, an address, a venue; 预赛地点另行通知 (where is not known yet, and that is the answer).
_WHERE_SAID = re.compile(r"在(?![^，。；]*下[，。])[^。；]{1,20}?"
                         r"(?:举办|举行|召开|开展|发布|宣传|展示|播放|试点|设立|上课)"
                         r"|设在|地\s*址|路\d+号|场所|会场|酒店|宾馆|会议中心|会展中心|大厦|礼堂|会议室|平台|广场|枢纽|创新园"
                         r"|地点(?:另行通知|待定|另定)")
# Where a stage of a contest is held, on its own line: a place, a 地点, or online (初赛 线上答题 “徐汇质量”微信小程序).
STAGE_PLACE = re.compile(rf"{_WHERE_SAID.pattern}|地\s*点|线上|在线|网络|小程序|腾讯会议|直播")

_CUES = (
    _Cue(re.compile(r"什么时候|啥时候|啥时|何时|哪天|哪一天|日期|几月|几号|时间"),
         re.compile(r"\d{1,2}月|[一二三四五六七八九十]{1,2}月|\d{4}年(?:[，、起以始]|$)"
                    r"|次年|同年|当年|翌年|年初|年底|年内|上半年|下半年|季度"), required=True, kind="when"),
    # when to arrive or leave (几点集合, 哪天报到, 几点发车): the clock or day said with the arriving
    _Cue(re.compile(rf"(?:几点|什么时间|啥时间|几时|哪天|什么时候|啥时候)[^，。？?]{{0,4}}(?:{ARRIVING})"
                    rf"|(?:{ARRIVING})[^，。？?]{{0,6}}(?:几点|什么时间|啥时间|时间|哪天|什么时候|啥时候)|几点(?:前)?到(?!几)"),
         re.compile(rf"(?:{ARRIVING})(?:时间|日期)?\s*[：:为是在于]?\s*(?:\d{{1,2}}[:：]\d{{2}}|\d{{1,2}}月\d{{1,2}}日)"
                    rf"|{_CLOCK}\s*(?:前|起|开始)?(?:(?!返回)[^，。；]){{0,30}}?(?:{ARRIVING})"
                    rf"|\d{{1,2}}月\d{{1,2}}日[^，。；]{{0,12}}?(?:{ARRIVING})"),
         factor=2.5, required=True, kind="arrival", answered_by_shape=True),
    # where to gather or board (在哪上车, 集合点在哪): the place said with the gathering
    _Cue(re.compile(rf"(?:在哪|哪里|哪儿|什么地方)[^，。？?]{{0,4}}(?:{ARRIVING}|坐车)"
                    rf"|(?:{ARRIVING}|坐车)[^，。？?]{{0,4}}(?:在哪|哪里|哪儿|地点|什么地方)"),
         re.compile(rf"(?:{ARRIVING}|乘车)(?:地点|地址)\s*[：:为是在]|在[^，。；]{{2,40}}(?:{ARRIVING})"),
         factor=2.5, required=True, kind="gathering", answered_by_shape=True),
    # how to join online (腾讯会议号多少, 入会密码): the line that gives the number or link
    _Cue(re.compile(r"会议号|会议ID|入会|密码|直播间|直播链接|怎么进|怎么看直播|在哪看", re.IGNORECASE),
         re.compile(r"会议号|会议ID|ID\s*[:：]|密码|直播间|https?://|\d{3}[- ]\d{3}[- ]\d{3,4}", re.IGNORECASE),
         factor=2.0, required=True, kind="online_access", answered_by_shape=True),
    # how long: a duration or a length (三天, 2天, 16学时, 1-3分钟, 5000字)
    _Cue(re.compile(r"(?<![那这哪])几天|多少天|多久|多长|几个小时|几分钟|几周|几个月|几年|多少年|课时|学时|有效期|时长|字数|多少字"),
         re.compile(r"[\d一二三四五六七八九十两半]+(?:天|周|个月|小时|分钟|课时|学时)|(?<![月\d至到—~\-])\d{1,2}日|\d+\s*字"
                    r"|(?<!\d)(?:\d{1,2}|[一二三四五六七八九十两半]{1,2})年(?!\d|[一二三四五六七八九十]{1,2}月)|长期有效"),
         required=True, kind="how_long", answered_by_shape=True),  # 视频要拍多长 — 时长1-3分钟
    # who won (哪些企业获奖, 谁拿了一等奖, 哪个区排第一): only a passage that names winners or a ranking
    _Cue(re.compile(r"(?:哪些|哪个|哪家|哪几|谁|什么人).{0,8}(?:获奖|获得|评上|选上|当选|入选|排第|拿了|拿到|得了)"
                    r"|(?:获奖|评上|选上|当选|入选)了?(?:哪些|哪几|哪个|哪家)|得主|冠军|第一名|获奖名单|获奖者"),
         re.compile(r"荣获|获评|获奖名单|获得者|名单|排名|第一名|名列|当选|入选"), required=True, kind="winners"),
    # how to take part (怎么申请, 如何预约, 在哪下载): only a passage that says how or where to
    _Cue(re.compile(r"(?:怎么|怎样|如何|咋)(?:样)?(?:申请|预约|下载|办理|参加|参与|加入|报名|提交|申报|购买|买票)"
                    r"|在哪(?:里|儿)?(?:下载|申请|预约|办理|提交|申报)"),
         re.compile(r"通过|登录|网站|网址|平台|扫码|二维码|填写|提交|报送|发送|联系|电\s*话|申请表|报名表|渠道|途径|方式|报名"),
         required=True, kind="how_to"),
    # what it takes (申报条件, 要满足什么条件, 有什么要求): only a passage that states conditions answers
    _Cue(re.compile(r"条件|(?:什么|哪些|啥|报名|参赛|申报)资格|资格(?:是|有)|(?:什么|哪些|有没有|啥)要求"
                    r"|要求(?:是|有)(?:什么|啥|哪些)|有[^，。？?]{0,8}要求(?:吗|么|没)|门槛"),
         re.compile(r"条件|资格|要求|须|应当|不得|不少于|以上"), required=True, kind="conditions"),
    _Cue(re.compile(r"哪年|哪一年|年份"), re.compile(r"\d{4}年|次年|同年|当年|翌年"), required=True, in_titles=True,
         kind="year"),
    # how many one person or team may enter or be (每人限报2部, 每队3名队员): a number said of each
    _Cue(re.compile(_PER_MEMBER_QUESTION),
         re.compile(r"每(?:人|队|组)[^。；，,]{0,12}?(?:\d+|[一二两三四五六七八九十])\s*[名人个位篇项部件幅次]|限报|限投|限交"),
         required=True, kind="per_unit", answered_by_shape=True),
    # how many one organisation may send (一家企业能去几个人, 一个单位最多报几个班组): a per-unit limit
    _Cue(re.compile(_PER_ORGANISATION_QUESTION),
         # 各会员单位…负责人1名 too, with its number (not 请各单位积极组织参加)
         re.compile(r"每(?:家|个|一)?[\u4e00-\u9fff]{0,4}?(?:单位|企业|公司|组织|集团|工会)|限报|限派|限投|限交"
                    r"|各(?:家|个)?[\u4e00-\u9fff]{0,4}?(?:单位|企业|公司)[^。；，,]{0,24}?(?:\d+|[一二两三四五])\s*[名人个位篇项]"),
         required=True, kind="per_unit", answered_by_shape=True),
    # What members ask of taking part that a notice says in a sentence of a recognisable shape,
    # whatever words they use: what to wear (冷库里面冷吗 要穿什么 — 请穿着保暖衣物), whether meals are
    # given (管饭不 — 提供午餐), how old one must be (我17岁可以报名吗 — 年满18周岁), how long one must
    # have worked (我干焊工才一年半 — 从事焊接工作满2年), what a winner or awardee gets (拿第一有什么
    # 奖励 — 推荐申报五一劳动奖章; 评上了有钱拿吗 — 每家最高不超过20万元), what was first planned
    # (原来是定在哪天的 — 原定于12月10日).
    _Cue(re.compile(r"穿什么|穿啥|穿哪|着装|穿着|衣服|要穿|正装|服装"),
         re.compile(r"穿着|着装|服装|正装|保暖|衣物|工作服|防护服"), factor=2.0, required=True, kind="dress",
         answered_by_shape=True),
    # 去不了钱能退吗: what the notice says of refunds, or of telling them in time instead
    _Cue(re.compile(r"退(?:钱|费|款)|能退|可以退|退不退|退吗|退还|退回"),
         re.compile(r"退(?:还|费|款|回|改)|不予退|不退|转让|更换参训|告知"), factor=2.0, required=True, kind="refund",
         answered_by_shape=True),
    _Cue(re.compile(r"管饭|吃饭|午饭|午餐|中饭|晚饭|供餐|包吃|饭吗|用餐|伙食|餐食|盒饭"),
         re.compile(r"午餐|晚餐|用餐|就餐|餐饮|盒饭|工作餐|晚宴|自助餐"), factor=2.0, required=True, kind="meals",
         answered_by_shape=True),
    _Cue(re.compile(r"[\d一二三四五六七八九十]+岁|岁了|年龄|周岁|年纪|(?<!\d)[1-9]\d了"),  # 我今年38了还能听吗
         re.compile(r"周岁|\d+岁|年龄|年纪"), factor=2.0, required=True, kind="age", answered_by_shape=True),
    _Cue(re.compile(r"(?:干|做|工作|从事|入行|参加工作)[^，。？?]{0,6}(?:[\d一二三四五六七八九十两半]+年|[\d一二三四五六七八九十两]+个月)"
                    r"|工龄|工作年限|从业年限"),
         re.compile(r"满\s*[\d一二三四五六七八九十两]+\s*年|年以上|工龄|年限"), factor=2.0, required=True,
         kind="seniority", answered_by_shape=True),
    _Cue(re.compile(r"有钱拿|给钱|发钱|奖金|资助|补贴|奖励多少|给多少钱|奖多少|(?:多少|几)[^，。？?]{0,3}(?:奖励|奖金|资金)"),
         # an amount given (资助…20万元), not one paid (参赛费：800元)
         re.compile(r"(?:奖|资助|补贴|补助|奖励)[^。；]{0,20}\d+(?:\.\d+)?\s*万?元|\d+(?:\.\d+)?\s*万?元[^。；]{0,8}"
                    r"(?:奖|资助|补贴|补助)"), factor=2.0, required=True, kind="reward_money",
         answered_by_shape=True),
    _Cue(re.compile(r"(?:第一|冠军|一等奖|获奖|前三|优胜|评上|获评)[^，。？?]{0,6}(?:奖励|奖品|有什么|有啥|给什么)"
                    r"|什么奖励|啥奖励|奖励是什么|有奖励吗"),
         re.compile(r"授予|颁发|奖章|称号|证书|奖金|奖励|荣誉|奖杯|奖品"), factor=2.0, required=True, kind="reward",
         answered_by_shape=True),
    _Cue(re.compile(r"原来|原定|本来|原先|原计划|之前定"),
         re.compile(r"原定|原计划|原通知|原于"), factor=2.0, required=True, kind="original", answered_by_shape=True),
    # whether and where one can follow online (有没有直播 在外地想线上听, 去不了现场能在线看吗)
    _Cue(re.compile(r"直播|线上听|线上看|在线看|在线听|网上看|远程|去不了现场"),
         re.compile(r"直播|视频号|腾讯会议|线上|在线|回放|回看|录播|网络"), factor=2.0, required=True,
         kind="online_view", answered_by_shape=True),
    # what rank or prize (老庙那个是几等, 排第几): a sentence or table row that gives one
    _Cue(re.compile(r"几等|第几名|排第几|名次|排名"),
         re.compile(r"[一二三四五六七八九十\d]+等|第[一二三四五六七八九十\d]+名|[金银铜]奖|优秀奖|特等|名次|排名"),
         factor=2.0, required=True, kind="rank", in_heading=True),
    # how many: a count (160个城市, 1.5万人, 十二期, 93.5%, 1:78), not just a year or a date
    _Cue(re.compile(r"(?<!电话)(?<!号码)(?<!手机)(?<!传真)(?<!邮编)(?<!密码)(?<!号)(?<!话是)(?<!码是)(?<!号是)多少(?!钱)"
                    r"|(?<!哪)几(?![号月点天日时周年等])"),
         re.compile(r"(?<![\d.\- ])(?!\d{4}年|\d{1,2}(?:[~～\-—至]\d{1,2})?[月日号])\d+(?:\.\d+)?(?![\d\-])"
                    r"|[一二三四五六七八九十百千万两]+(?:个|项|期|场|名|家|届|万|人|次|位|所|条|部|批|轮|类|大)"),
         required=True, kind="count"),
    _Cue(re.compile(r"多少钱|费用|收费|价格|门票|票价|交钱|免费|几块钱|多少元"),
         re.compile(r"\d+(?:\.\d+)?[万亿]?元|免费|收费|费用"), required=True, kind="fee"),
    # a deadline is said with 截止 or by the day it ends (公示期自12月3日起至12月9日止, 请于1月8日前)
    _Cue(re.compile(r"报名|截止|名额"),
         re.compile(r"报名|截止|截至|名额|\d{1,2}[日号](?:\s*[（(][^）)]{1,4}[）)])?\s*(?:\d{1,2}[:：]\d{2})?\s*(?:前|止)"),
         required=True, kind="signup"),
    # a web or mail address is a string no paraphrase stands for: only a passage that has one answers
    _Cue(re.compile(r"网址|链接|网页|邮箱|e-?mail|(?:哪个|什么)网站|网站是|下载|电子版|上传", re.IGNORECASE),
         re.compile(r"https?://|www\.|\.(?:com|cn|org|net)\b|@", re.IGNORECASE), required=True, kind="web",
         answered_by_shape=True),
    # why (为啥延期): the sentence that gives a cause, whatever words it uses
    _Cue(re.compile(r"为啥|为什么|什么原因|啥原因|原因是|咋回事|怎么回事"),
         re.compile(r"因为?|由于|鉴于|原因"), required=True, kind="why", answered_by_shape=True),
    # 之前报过名还要再报吗: what a change notice says of the sign-ups already made
    _Cue(re.compile(r"报过名|已经报了?名|已报名|报了名|之前报|原来报|再报|重新报"),
         re.compile(r"已报名|原报名|重新报名|再次报名|无需再?报名|继续有效"), required=True, kind="signed_up",
         answered_by_shape=True),
    # 考什么, 学什么: what an exam or a course covers
    _Cue(re.compile(r"(?:考|学|培训|讲|测)(?:什么|啥|哪些)|考试范围|考试内容|考哪些"),
         re.compile(r"内容|科目|范围|课程|模块|标准"), factor=2.0, kind="content", answered_by_shape=True),
    # an address, phone or person to contact: a contact block (`X地址：… 电 话：… 联系人：…`) is the answer
    _Cue(re.compile(r"地址|电话|联系人|联系方式|怎么联系|传真|邮编|邮政编码|哪条路|在哪办公"),
         re.compile(r"地\s*址\s*[:：]|电\s*话\s*[:：]|联\s*系\s*人\s*[:：]"), factor=2.0, required=True,
         kind="contact"),
    # where: only a passage that states a place answers (在…举办, 设在, an address, a venue); a
    # sentence about the event that names none (1.举办…启动仪式。) is no answer to 在哪里举行
    _Cue(re.compile(r"哪里|哪儿|在哪(?![天年些个月])|地点|场地|会场|哪国|(?:哪个|哪座|什么)(?:城市|地方|酒店|场馆|国家)"),
         _WHERE_SAID, required=True, kind="where"),
    _Cue(re.compile(r"主题"), re.compile(r"主题"), kind="theme"),
    # 归谁管, 哪个部门负责, 异议找谁: the units that close an item (`…建设（市民政局）。`) or a line
    # that names who takes it (受理部门：…)
    _Cue(re.compile(r"谁负责|归谁|谁管|找谁|(?:哪个|哪些|什么|哪家)(?:部门|单位)|主管部门|牵头"),
         re.compile(r"（[^（）]{2,}）。?$|(?:受理|负责|联系|咨询)(?:部门|单位)\s*[：:]"), kind="units"),
    # 一共办了几期: what has been done, not what a plan says will be
    _Cue(re.compile(_ASKS_DONE), re.compile(_DONE)),
    _Cue(re.compile(_ASKS_DONE), re.compile(_PLANNED), 1 / 1.3),
    _Cue(re.compile(r"计划|打算|预计|准备"), re.compile(_PLANNED)),
    # what came of it (最后来了多少人, 实际注册了多少个): a plan says what was meant to happen, not what did;
    # 结果 is the results asked of (评审结果啥时候出), which a notice can only say it plans to publish
    _Cue(re.compile(r"最后|最终|实际"), re.compile(_PLANNED), 0.0),
)
# 投几篇, 上几次课: a number in the unit asked answers (每人限投1篇, 共6次)
_ASKS_IN_UNIT = re.compile(r"几\s*([篇次项件份轮场届支门节])")


def shapes_asked(simplified: str) -> list[re.Pattern[str]]:
    """What the sentence that answers looks like, when its shape is the answer whatever its words."""
    shapes = [cue.shape for cue in _CUES if cue.answered_by_shape and cue.asks.search(simplified)]
    unit = _ASKS_IN_UNIT.search(simplified)
    if unit:
        shapes.append(re.compile(rf"(?:\d+|[一二三四五六七八九十两]+)\s*{unit.group(1)}"))
    return shapes


# Where a question's asking word starts (是啥, 是什么, 是谁, 多少钱 …).
_ASKING_WORDS = ("啥", "什么", "谁", "多少", "是啥", "是什么", "是谁", "是多少", "是哪", "叫啥")
# What something is called (书名是啥, 全称是什么): the answer is a name the passage gives, not a thing it names.
_NAME_WORDS = frozenset({"名字", "名称", "书名", "全称", "简称", "题目", "标题"})
# How often jieba's dictionary may count a word of 能 and a verb for it to be the two cut together
# (能带: 152) rather than a word (能手: 178 is a noun; its 手 is no verb anyway).
_GLUED_MODAL_FREQUENCY = 200
_YES_NO_ENDINGS = (["吗"], ["么"], ["没"], ["没有"], ["不"])
# 要不要体检, 需不需要带电脑: whether one must; 管住宿吗, 提供午餐吗: whether it is given
_WHETHER_WORDS = ("能不能", "可不可以", "能否", "要不要", "需不需要", "需要不需要", "用不用", "是否需要")
_PROVIDING = ("管", "提供", "安排", "包", "需要")
# 讲什么内容, 有什么要求: what any notice of the kind tells, too general to judge by;
# 啥关系, 什么职务, 什么形式: what the answer says of something, not a thing it must name
_GENERAL_THINGS = frozenset({"活动", "内容", "要求", "条件", "东西", "事情", "情况", "安排", "方面", "地方", "问题",
                             "时候", "时间", "日子", "地点", "关系", "职务", "职位", "身份", "角色", "级别", "性质",
                             "类型", "形式", "意思", "作用", "区别", "水平", "程度"})


def _unglued(words: list[str]) -> list[str]:
    """jieba's words with a verb it glued to the word before set apart (完有 of 听完有学时证明吗, 前要 of
    上岗前要不要体检), and 要 不要 read as one asking word."""
    apart: list[str] = []
    for word in words:
        glued = len(word) == 2 and word[1] in "有要" and jieba_tokenizer().FREQ.get(word, 0) < _GLUED_MODAL_FREQUENCY
        apart += [word[0], word[1]] if glued else [word]
    merged: list[str] = []
    for word in apart:
        if merged and merged[-1] == "要" and word == "不要":
            merged[-1] = "要不要"
        else:
            merged.append(word)
    return merged
_DEMONSTRATIVE = re.compile(r"^[这那哪此该][本个位家项种件份张部]?")
# 那 typed for its homophone 哪 (世界质量论坛在那天开, 那年成立的): read as 哪 when nothing else asks.
# 评上了没: 了没 asks
_ASKS = re.compile(r"[吗么呢？?]|什么|啥|几|多少|多长|多久|多大|多远|谁|怎|咋|哪|如何|是否|能否|可否|了没有?$"
                   r"|(?<=[\u4e00-\u9fff])(?<![不没])不$")  # 管饭不: a trailing 不 asks


# 能不能带小孩, 行不行, 有没有线上班, 需不需要: a question though nothing above asks (X不X, X没X)
_ASKS_MAY = re.compile(r"(\w)[不没]\1")
_THAT_FOR_WHICH = re.compile(r"那(?=[天年里儿些个家位种])")
# A year written with two digits, as members type it (18年, 19年度): the notices write 2018年.
# Not a span of years (成立37年, 办了20年, 20年来, 二十年交流 is written 20年交流 too rarely to matter).
_SHORT_YEAR = re.compile(r"(?<![\d.有了近过满立办约共达第])([12]\d)(?=年(?![了来多以前后间里内之历]))")
_ASKS_LENGTH_OF_TIME = re.compile(r"多长(?:的)?时间|多少时间|多久")


def asked_kinds(question: str) -> frozenset[str]:
    """What kinds of answer a question asks for (when, where, count, fee, theme, units, contact …),
    by the same cues the retrieval weighs passages with."""
    simplified = question_form(question)
    return frozenset(cue.kind for cue in cues_asked(simplified) if cue.kind)


def cues_asked(simplified: str) -> list[_Cue]:
    """The cues a question's words raise; 多长时间 asks a length, not a date, though it says 时间."""
    cues = [cue for cue in _CUES if cue.asks.search(simplified)]
    if _ASKS_LENGTH_OF_TIME.search(simplified):
        cues = [cue for cue in cues if cue.kind != "when"]
    return cues


def is_question(text: str) -> bool:
    """Whether the (simplified) words ask something: 吗, 什么, 几, 哪, 能不能 … (a bare name does not)."""
    return bool(_ASKS.search(text) or _ASKS_MAY.search(text))


def question_form(question: str) -> str:
    """The question normalised (simplified, half-width), with a two-digit year written in full
    and a 那 that can only be 哪 read as 哪."""
    simplified = _SHORT_YEAR.sub(r"20\1", normalise(question))
    return simplified if _ASKS.search(simplified) else _THAT_FOR_WHICH.sub("哪", simplified)


def _modal_glued(word: str) -> bool:
    """A modal jieba cut together with the verb after it (能开 of 能开专票吗, 能带 of 能带小孩去吗): a rare
    word of 能 and a verb, not a word of its own (能力, 能手)."""
    return len(word) == 2 and word[0] == "能" and jieba_tokenizer().FREQ.get(word, 0) < _GLUED_MODAL_FREQUENCY \
        and parts_of_speech().get(word[1], "").startswith("v")


def asked_thing(question: str) -> str | None:
    """The noun just before a question's asking word: 奖品 in 知识竞赛奖品是啥, 一等奖 in 一等奖是谁拿的,
    奥运会 in 奥运会啥时候开; None when no noun stands there, or one too general or a cue's to judge."""
    words = _unglued([word for word in jieba_tokenizer().lcut(question.casefold()) if word.strip()])
    spoken = [word for word in words if any(ch.isalnum() for ch in word)]  # without punctuation
    for index, word in enumerate(words):
        yes_or_no = spoken[-1:] in _YES_NO_ENDINGS
        may = word in _WHETHER_WORDS or (word == "能" and words[index + 1:index + 2] == ["不能"]) \
            or (word in ("能", "可以", *_PROVIDING) and yes_or_no) or (yes_or_no and _modal_glued(word))
        if word == "有没有" or (word == "有" and yes_or_no) or may:
            # 有奖品吗, 有没有线上回放: asks whether the thing exists; 能停车吗, 能不能带小孩去参观: whether
            # one may do it. The last word says what.
            after = [w for w in words[index + 1:] if w not in DROPPED and w not in ("没", "没有", "吗", "不")
                     and any(CJK.fullmatch(ch) for ch in w)]
            # the last noun or verb of two characters or more (能带孩子一起去吗: 孩子; 有奖品拿吗: 奖品)
            things = [w for w in after if len(w) >= 2 and parts_of_speech().get(w, "n")[:1] in ("n", "v")]
            thing = things[-1] if things else ""
            objects = [w for w in things if parts_of_speech().get(w, "n").startswith("n")]
            if _modal_glued(word) and objects:
                thing = objects[0]  # 能开专票吗, 能带小孩去参观吗: what the glued verb takes (专票, 小孩)
            if len(thing) < 2 or any(cue.asks.search(thing) for cue in _CUES):
                return None
            return thing
        following = words[index + 1] if index + 1 < len(words) else ""
        if word in ("什么", "啥", "哪种") and len(following) >= 2 \
                and parts_of_speech().get(following, "").startswith("n"):
            # 视频要什么格式, 带啥材料: the noun the asking word asks of
            general = following in _NAME_WORDS or following in _GENERAL_THINGS
            return None if general or any(cue.asks.search(following) for cue in _CUES) else following
        if word.startswith(_ASKING_WORDS):
            # what stands before the asking word, past the times the member counts from (现在, 目前)
            before = [w for w in words[:index] if w not in DROPPED and w != "叫"
                      and parts_of_speech().get(w, "") != "t"]
            # a noun; or, as the subject of 是, whatever jieba tags it (得主是谁: a verb in its dictionary)
            subject = word.startswith("是") or (index > 0 and words[index - 1] == "是")
            if not before or not parts_of_speech().get(before[-1], "").startswith(("n", "v") if subject else "n"):
                return None
            thing = _DEMONSTRATIVE.sub("", before[-1])  # 那本书 → 书
            if len(thing) < 2 or thing in _NAME_WORDS or any(cue.asks.search(thing) for cue in _CUES):
                return None  # 书, 钱: too general to judge by; 书名: asks what it is called; 费用, 地址: a cue's
            return thing
    return None


def things_named(text: str) -> set[str]:
    """The nouns of two characters or more a text names, as the index cuts them (纸质, 材料, 分论坛; not
    报名, 现在), without the asking and colloquial words."""
    return {term for term in terms(text) if not term.startswith((BIGRAM, ENTITY)) and len(term) >= 2
            and not _ASKS.search(term) and names_things(term)}


def fits_asked(question: str, sentence: str) -> bool:
    """Whether a sentence has the shape of the answer the question asks for (a date for 什么时候);
    True when the question asks for no shape."""
    cues = [cue for cue in cues_asked(question_form(question)) if cue.kind]
    return not cues or any(cue.shape.search(sentence) for cue in cues)


def uncommon_words(text: str) -> set[str]:
    """The question's words of two characters or more that everyday Chinese seldom uses (冷库,
    焊工, 临港; not 单位, 早上): a name's words when a member names something their own way."""
    words = jieba_tokenizer().lcut(normalise(text).casefold())
    return {w for w in words if len(w) >= 2 and all(CJK.fullmatch(ch) for ch in w) and not _ASKS.search(w)
            and jieba_tokenizer().FREQ.get(w, 0) < COMMON_WORD and w not in DROPPED}


# 谁拿了第一, 第二名多少分, 冠军是谁: a place in a ranking (not 第一届, 第二期, 第三站)
_RANK_ASKED = re.compile(r"第([一二三四五六七八九十]{1,3}|\d{1,3})(?![届期批次站场条章轮阶天日号])"
                         r"|(冠军|亚军|季军|头名)")
_PODIUM = {"冠军": 1, "头名": 1, "亚军": 2, "季军": 3}


def rank_asked(question: str) -> int | None:
    """The place in a ranking the question asks about, if any."""
    found = _RANK_ASKED.search(question)
    if found is None:
        return None
    if found.group(2):
        return _PODIUM[found.group(2)]
    return chinese_number(found.group(1))
