"""Notice text made uniform before anything is extracted from it or indexed.

Simplified script without pinyin artefacts (services.textnorm), half-width
digits and letters, Chinese punctuation between Chinese characters, Markdown
marks dropped, and the page furniture of web pages repaired: photo captions
("● …现场"), end marks (■), and sentences broken across lines.
"""

from __future__ import annotations

import re
import unicodedata

from services.dates import chinese_number
from services.ingest.dates import ISSUE_DATE_LINE
from services.textnorm import clean_display_text

_CJK = r"\u4e00-\u9fff"
# ASCII punctuation written inside Chinese text: 地址:长宁区, 转型,实现, (一).
_TO_FULL_WIDTH = {",": "，", ":": "：", ";": "；", "?": "？", "!": "！", "(": "（", ")": "）"}
_ASCII_PUNCT = re.compile(
    rf"(?<=[{_CJK}“”）)a-zA-Z0-9])(?<!\d(?=:\d))(?<!\d(?=,\d{{3}}(?!\d)))([,:;?!])(?=[\s{_CJK}“”（(0-9a-zA-Z])"
    rf"|(?<=[{_CJK}“”0-9])([,:;?!])$"
)
_ASCII_OPEN = re.compile(rf"\((?=[^()\n]*[{_CJK}])")
_ASCII_CLOSE = re.compile(rf"(?<=[{_CJK}0-9a-zA-Z“”])\)")
_CAPTION = re.compile(r"^\s*[●•▲▼◎]\s*\S.*$")
_END_MARKS = re.compile(r"[■□◆◇]\s*$")
# A line that starts something new: a heading, a numbered item, a contact field.
_STARTS_NEW = re.compile(
    r"^\s*(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[)）]|\d{1,2}[.．、]|"
    r"[一二三四五六七八九十]是|——|[●◆■▌▍▎]|联系人|电\s*话|传\s*真|地\s*址|邮政编码|邮\s*编|邮\s*箱|"
    r"抄送|附件|【|约?\d{1,2}[:：]\d{2}"  # 约17:00 返回…: a schedule's row
    r"|第[一二三四五六七八九十\d]{1,2}[期场批站轮]\s)"  # 第二期  4月13日—15日 …: a session's row
)
# Contact blocks are lists of short fields, one or two a line: never joined.
_CONTACT_FIELD = re.compile(r"(?:联系人|电\s*话|传\s*真|地\s*址|邮政编码|邮\s*编|邮\s*箱)\s*：")
# Titles end in 通知, 要点 …; sentences in their punctuation.
_ENDS_SENTENCE = re.compile(r"(?:[。！？；：!?;:”）)】]|通知|要点|重点|报告|办法|方案|公告|简章|邀请函|公示|通告"
                            r"|启事|名单|指南)\s*$")
_MIN_BROKEN_LINE = 20
# A row of a text table (序号  单位名称  班组名称): columns set apart by runs of spaces. Each row
# is a line of its own (初赛    2027年3月1日—3月14日 is a stage); retrieval reads the rows together.
TABLE_ROW = re.compile(r"\S(?: {2,}|\t)\S.*\S(?: {2,}|\t)\S")
# Two cells set apart by a wide gap (会员单位学员        6800元/人): a row of a two-column table.
_CELLS_APART = re.compile(rf"{TABLE_ROW.pattern}|\S(?: {{3,}}|\t)\S")
# 时间：…, 名  额：…: a field of its own, however long the line before it ran.
_FIELD_LINE = re.compile(rf"^[{_CJK}\s]{{1,10}}[：:]")
# A section heading (二、…) is its own line even when it has a comma and no end mark.
_SECTION_HEADING = re.compile(r"^\s*[一二三四五六七八九十]+、")
_MAX_HEADING = 40
# Markdown furniture: # headings, **emphasis**, list bullets, > quotes, rules, [links](…).
_MD_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+")
_MD_BULLET = re.compile(r"^\s*(?:[-*+]|>)\s+")
_MD_EMPHASIS = re.compile(r"(\*\*|__)(?=[^\s_*])(.+?)(?<=[^\s_*])\1")  # not a form's blank ______
_MD_ITALIC = re.compile(r"(?<![*\w])\*(?=[^\s*])([^*\n]+?)(?<=[^\s*])\*(?![*\w])")  # *上海市质量协会 2026-11-26*
_MD_RULE = re.compile(r"^\s*(?:[-*_]\s*){3,}$")
_MD_LINK = re.compile(r"\[([^\]\n]+)\]\((?:[^()\s]|\([^()\s]*\))+\)")  # (javascript:void(0);) too
# | 单位 | 联系人 | 电话 |: a Markdown table's row; | --- | :---: |: the line under its header.
_MD_TABLE_ROW = re.compile(r"^\s*\|(.*)\|\s*$")
_MD_TABLE_RULE = re.compile(r"^[\s|:\-]*-{3,}[\s|:\-]*$")
# 序号 | 活动名称 | 时间: a table typed into plain text with bars between its cells, none at the ends
_BARRED_ROW = re.compile(r"^[^|]+(?:\s\|\s[^|]+){2,}$")
COLUMN_GAP = "  "  # how a table's cells are set apart once read, as text tables set them (TABLE_ROW)
EMPTY_CELL = "／"  # an empty cell keeps its place, so the columns stay in line with the header
# A field's label alone on its line, its value on the next (▌ 直播时间 / 2026年12月16日…, ◆ 活动地点):
# one line `label：value`, as notices usually write it.
_LABEL_ALONE = re.compile(r"^[▌▍▎◆■◎★☆※|【\[\s]*([\u4e00-\u9fff]{0,6}(?:时间|日期|地点|平台|主题|费用|对象|名额|人数|"
                          r"方式|截止|地址|形式|内容|主讲人|嘉宾|提示|须知|谁能参加|适合人群))\s*[】\]｜|]?\s*$")
# 关于举办…的通知 under the letterhead: the title, never the end of the issuer's line.
_TITLE_LINE = re.compile(r"^关于.{2,60}(?:通知|公告|通告|公示|邀请函|决定|意见|办法|方案)$")
# 二〇二七年一月四日至三月三十一日: dates in Chinese numerals, read like the rest once in digits.
_CHINESE_YEAR_DATE = re.compile(r"(?P<y>[〇零○一二三四五六七八九]{4})年(?:(?P<m>[一二三四五六七八九十]{1,2})月"
                                r"(?:(?P<d>[一二三四五六七八九十]{1,3})(?P<u>[日号]))?)?")
_CHINESE_MONTH_DAY = re.compile(r"(?P<m>[一二三四五六七八九十]{1,2})月(?P<d>[一二三四五六七八九十]{1,3})(?P<u>[日号])")
# A WeChat page copied whole: its furniture around the article (关注我们, 阅读原文, 分享 收藏 点赞 在看,
# - END -, 编辑｜小质) says nothing of the activity, and at the end it would read as the signature.
_PAGE_WORDS = frozenset({"阅读原文", "写留言", "留言", "分享", "收藏", "点赞", "赞", "在看", "推荐", "转发",
                         "喜欢此内容的人还喜欢"})
_PAGE_FURNITURE = re.compile(
    r"^(?:点击(?:上方|下方)?(?:蓝字|“[^”]{1,20}”|\S{0,12})\s*(?:一键)?关注(?:我们)?\W*|关注我们"
    r"|[-—_\s]*END[-—_\s]*|往期(?:推荐|回顾|精彩)"
    r"|(?:编辑|审核|责编|责任编辑|校对|排版|美编|初审|复审|终审|来源|图片|摄影|撰稿|供稿)\s*[｜|丨]\s*\S{1,15}"
    r"|点击(?:文末|下方|左下角)?“?阅读原文”?.{0,8}"
    r"|预览时标签不可点|微信扫一扫.{0,20}|轻点两下取消.{0,6})$", re.IGNORECASE)
# 上海市质量协会 2026年12月1日 10:00 上海: a WeChat byline ends its line, whatever follows
_BYLINE = re.compile(r"\d{4}[年.-]\d{1,2}[月.-]\d{1,2}日?\s+\d{1,2}:\d{2}(?:\s+[\u4e00-\u9fff]{1,6})?$")
# 2027/4/22, and the end of a range after it (—4/23): dates written with slashes
_SLASH_DATE = re.compile(r"(?<![\d/])(20\d{2})/(0?[1-9]|1[0-2])/(0?[1-9]|[12]\d|3[01])(?![\d/])")
_SLASH_RANGE_END = re.compile(r"(?P<pre>\d{1,2}日(?:[（(][^）)]{1,4}[）)])?\s*[—~至到-]{1,2}\s*)"
                              r"(?P<m>0?[1-9]|1[0-2])/(?P<d>0?[1-9]|[12]\d|3[01])(?![\d/])")
# 3.6开课, 截稿：3.31（周三）: a month and day with a dot and no year, told from a decimal (3.5万, 1.5天) by
# what follows it: a weekday, a range, or a word of starting, ending or a deadline
_DOTTED_DATE = re.compile(r"(?<![\d.])(1[0-2]|[1-9])\.(3[01]|[12]\d|[1-9])"
                          r"(?=\s*(?:[（(](?:周|星期)|开课|结课|开班|结业|开幕|开始|截止|前|起|[—~至到]))")
# 邀请函丨2027…论坛: the character 丨 typed as a headline's bar
_BAR_CHARACTER = re.compile(r"(?<=\S)\s*丨\s*(?=\S)")
_DASHES = re.compile(r"[–－‒―]")
_TILDES = re.compile(r"[～〜]")


def strip_markdown(line: str) -> str:
    """# 标题, **重点**, - 条目, [链接](url), a leading emoji (⏰ 报名截止：…) → their text (a .md
    notice or WeChat article, or text pasted from one)."""
    if _MD_RULE.match(line) or _MD_TABLE_RULE.match(line):
        return ""
    table_row = _MD_TABLE_ROW.match(line)
    if table_row:  # its cells as a text table's, which the readers of schedules and contacts know
        return COLUMN_GAP.join(cell.strip() or EMPTY_CELL for cell in table_row.group(1).split("|"))
    if _BARRED_ROW.match(line.strip()):
        return COLUMN_GAP.join(cell.strip() for cell in line.split("|"))
    line = _MD_HEADING.sub("", line)
    line = _MD_BULLET.sub("", line)
    line = _MD_ITALIC.sub(r"\1", _MD_EMPHASIS.sub(r"\2", line))
    return _strip_leading_symbols(_MD_LINK.sub(r"\1", line))


_BULLETS = "●◆■□◇▲△▼▽◎○★☆※▌▍▎"


def _is_pictograph(char: str) -> bool:
    return (unicodedata.category(char) == "So" and char not in _BULLETS) or char in "\ufe0f\u200d "


def _strip_leading_symbols(line: str) -> str:
    """Emoji and pictographs before the words (🗓 活动信息, ✍️ 报名方式); bullets (●◆) stay."""
    stripped = line.lstrip()
    index = 0
    while index < len(stripped) and _is_pictograph(stripped[index]):
        index += 1
    return stripped[index:] if index else line


# 2,800元 and 2，800元: a thousands separator, kept as one (a price must read as a number).
_THOUSANDS = re.compile(r"(?<=\d)，(?=\d{3}(?!\d))")


def normalise_punctuation(line: str) -> str:
    line = _ASCII_PUNCT.sub(lambda m: _TO_FULL_WIDTH[m.group(1) or m.group(2)], line)
    line = _ASCII_OPEN.sub("（", line)
    line = _ASCII_CLOSE.sub("）", line)
    line = _DASHES.sub("—", line)
    line = _THOUSANDS.sub(",", line)
    line = _BAR_CHARACTER.sub("｜", line)
    return _TILDES.sub("~", line)


def is_page_furniture(line: str) -> bool:
    words = line.split()
    return bool(_PAGE_FURNITURE.match(line)) or (bool(words) and all(word in _PAGE_WORDS for word in words))


# 邀 请 函, 通　知: a short title spaced out for the letterhead's look
_SPACED_OUT = re.compile(r"^(?:[\u4e00-\u9fff]\s+){1,5}[\u4e00-\u9fff]$")


def repair_lines(lines: list[str], whole: frozenset[int] = frozenset()) -> list[str]:
    """Drop captions and blank lines; join a sentence a page broke over lines (never one after
    a line of `whole`, by index, nor a line of `whole` to the one above: a Markdown heading or
    list item is a paragraph of its own)."""
    kept: list[str] = []
    previous_whole = False
    for index, raw in enumerate(lines):
        line = _END_MARKS.sub("", raw.strip().replace("\u3000", " ")).strip()
        if _SPACED_OUT.match(line):
            line = re.sub(r"\s+", "", line)
        if not line or _CAPTION.match(line) or is_page_furniture(line):
            continue
        previous = kept[-1] if kept else ""
        joins_previous, previous_whole = not previous_whole and index not in whole, index in whole
        label = _LABEL_ALONE.match(previous)
        if label and not _LABEL_ALONE.match(line) and not _STARTS_NEW.match(line) and not _FIELD_LINE.match(line):
            kept[-1] = f"{label.group(1)}：{line}"
            continue
        if (joins_previous and previous and len(previous) >= _MIN_BROKEN_LINE
                and not _ENDS_SENTENCE.search(previous)
                and re.search(rf"[{_CJK}，、“]$", previous)
                and not _STARTS_NEW.match(line)
                and not _FIELD_LINE.match(line)
                and not _LABEL_ALONE.match(line)
                and not ISSUE_DATE_LINE.match(line)  # the date of issue ends the signature
                and not _TITLE_LINE.match(line) and not _BYLINE.search(previous)
                and not _CELLS_APART.search(previous) and not _CELLS_APART.search(line)
                and not (_STARTS_NEW.match(previous) and not re.search(r"[，。]", previous))
                and not (_SECTION_HEADING.match(previous) and len(previous) <= _MAX_HEADING)
                and not _CONTACT_FIELD.search(previous) and not _CONTACT_FIELD.search(line)):
            kept[-1] = previous + line
        else:
            kept.append(line)
    return kept


def _in_digits(match: re.Match[str]) -> str:
    parts = match.groupdict()
    out = f"{chinese_number(parts['y'])}年" if parts.get("y") else ""
    if parts.get("m"):
        out += f"{chinese_number(parts['m'])}月"
    if parts.get("d"):
        out += f"{chinese_number(parts['d'])}{parts['u']}"
    return out


def dates_in_digits(line: str) -> str:
    """二〇二七年一月四日 → 2027年1月4日, 三月三十一日 → 3月31日; 2027/4/22 — 4/23 → 2027年4月22日 — 4月23日."""
    line = _SLASH_DATE.sub(lambda m: f"{m.group(1)}年{int(m.group(2))}月{int(m.group(3))}日", line)
    line = _DOTTED_DATE.sub(lambda m: f"{m.group(1)}月{m.group(2)}日", line)
    line = _SLASH_RANGE_END.sub(lambda m: f"{m.group('pre')}{int(m.group('m'))}月{int(m.group('d'))}日", line)
    return _CHINESE_MONTH_DAY.sub(_in_digits, _CHINESE_YEAR_DATE.sub(_in_digits, line))


def clean_text(raw: str) -> str:
    """The notice as one clean line per paragraph (idempotent)."""
    text = clean_display_text(raw.replace("\r\n", "\n").replace("\r", "\n"), max_chars=10**7)
    raw_lines = text.split("\n")
    headings = frozenset(i for i, line in enumerate(raw_lines) if _MD_HEADING.match(line) or _MD_BULLET.match(line))
    lines = [dates_in_digits(normalise_punctuation(strip_markdown(line))) for line in raw_lines]
    return "\n".join(repair_lines(lines, headings))
