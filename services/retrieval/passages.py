"""A notice's text as passages: its sentences, each with the heading and item it sits under.

Each document's text (source_documents.text, cleaned as at ingest) is split into sentences
(。！？). The title block is left out (the citation names the notice), and so is an item's
short name (`5.开展…活动。`): it is scored with the sentences under it, and shown before the one
that answers. A contact block (`X地址：…`, `邮政编码：… 电 话：…`, `传 真：… 联系人：…`) is one
passage, a text table is one passage, and a numbered heading (`一、活动目的`) is shown with the
sentences under it.

Each notice also has a card, one passage of what it says of itself (title, 文号, issuer, date
of issue, from its title block and signature, else from its record), which answers only a
question about the notice (哪天发布的, 文号是多少, 哪个部门发的).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace

from services.ingest.cleaning import TABLE_ROW, clean_text
from services.views import SourceView

_VALUED_LABEL = re.compile(r"^[\u4e00-\u9fff][\u4e00-\u9fff\s]{0,7}[：:]\s*\S")  # 地点：上海市工人文化宫
_LIST_ROW = re.compile(r"^\d+\s")  # 1 上海浦江特种变压器有限公司 绕线一班: a row of a list, not a heading
_WIDE_GAP = re.compile(r"\S {3,}\S")  # between a row's cells
ROW_BREAK = "\n"  # between a table's rows in its one passage
_SENTENCE_END = re.compile(r"(?<=[。！？])")
HEADING = re.compile(
    r"^(?:[一二三四五六七八九十]+、|（[一二三四五六七八九十]+）|\d{1,2}[.．、]|[一二三四五六七八九十]是)"
)
_UNITS = re.compile(r"（[^（）]*）")  # the responsible units closing an item
_ADDRESS_LINE = re.compile(r"地\s*址\s*[:：]")
_CONTACT_LINE = re.compile(
    r"\s*(?:邮政编码|邮\s*编|电\s*话|传\s*真|联\s*系\s*人|联系电话|手\s*机|邮\s*箱|e-?mail)\s*[:：]", re.IGNORECASE
)
_COPIED_TO = re.compile(r"抄\s*送\s*[:：]\s*(.+?)。?$")
_DOCUMENT_NUMBER = re.compile(r"[\u4e00-\u9fff]{1,6}〔\d{4}〕\d+号")
_WRITTEN_DATE = re.compile(
    r"(?:\d{4}|[〇零○一二三四五六七八九]{4})年[\d一二三四五六七八九十]{1,2}月[\d一二三四五六七八九十]{1,3}日")


@dataclass(frozen=True)
class Passage:
    document_id: int
    source: SourceView
    text: str  # the sentence shown to the member
    heading: str = ""  # the section heading above it
    item: str = ""  # the short name of the numbered item it belongs to, shown before it
    # The first sentence of the numbered item it belongs to, when that is too long to be a name
    # (二是受…委托，开展“…全国城市公共服务质量监测”两项课题项目研究，将着重两方面。): what the item
    # is about, scored with it but not shown.
    lead: str = ""
    # The notice's own card (title, 文号, who issued it and when), which answers only
    # questions about the notice itself: 这个通知是哪天发的, 文号是多少.
    is_card: bool = False

    @property
    def context(self) -> str:
        """The heading and item it sits under, scored with it."""
        return " ".join(filter(None, [self.heading, self.item]))


def _title_block_end(lines: list[str]) -> int:
    """Where the notice's text starts: after the title, 文号, byline and addressees (short lines
    without a 。), within the first dozen lines; at the latest at its first numbered heading."""
    for index, line in enumerate(lines[:12]):
        if "。" in line or len(line) > 60 or HEADING.match(line):
            return index
        if index and line.endswith("：") and len(line) <= 40:  # 各有关单位：, the addressees
            return index + 1
    return 0


# A schedule's row or a field closing the notice (约17:00 返回原集合地点, 入会密码：8866): no
# signature has them (an attachment's line is the signature's).
_NOT_SIGNED = re.compile(r"^(?!附件|抄送).*(?:\d{1,2}[:：]\d{2}|\d+\s*(?:人|元)|[：:])")


def _signature_start(lines: list[str], text_start: int) -> int:
    """Where the signature begins: the short lines after the last sentence (issuer, date of issue),
    not a contact block's. The card tells them; they are no passage of their own."""
    end = len(lines)
    while end > text_start and "。" not in lines[end - 1] and len(lines[end - 1]) <= 60 \
            and not (_ADDRESS_LINE.search(lines[end - 1]) or _CONTACT_LINE.match(lines[end - 1])
                     or _NOT_SIGNED.search(lines[end - 1])):
        end -= 1
    return end


def notice_card(document_id: int, source: SourceView, text: str, issuer: str | None = None) -> Passage:
    """What the notice says of itself, as one passage: its title, number (`沪质〔2020〕1号`), issuer
    and date of issue, taken from its title block and signature, else from its record."""
    lines = [line.strip() for line in clean_text(text).split("\n") if line.strip()]
    header = lines[:_title_block_end(lines)]
    signature = " ".join(lines[_signature_start(lines, len(header)):])
    number = next((m.group(0) for line in header if (m := _DOCUMENT_NUMBER.search(line))), None)
    written_date = _WRITTEN_DATE.search(signature) or _WRITTEN_DATE.search(" ".join(header))
    issued = written_date.group(0) if written_date else None
    if issued is None and source.issued_on:
        from services.dates import format_date

        issued = format_date(source.issued_on)
    by = issuer or signature.strip("（）() ") or None
    # whom it is sent to (the line ending in ：) and copied to (抄送：…), which only the card tells
    addressees = next((line.rstrip("：:") for line in header if line.endswith(("：", ":"))), None)
    copied = next((m.group(1) for line in lines[len(header):] if (m := _COPIED_TO.match(line))), None)
    text_parts = [f"《{source.title}》"]
    if number:
        text_parts.append(f"文号{number}")
    if by or issued:
        verb = "印发" if "印发" in signature else "发布"  # the notice's own word where it has one
        text_parts.append("由" * bool(by) + (by or "") + (f"于{issued}" if issued else "") + verb)
    if addressees:
        text_parts.append(f"发给{addressees}")
    if copied:
        text_parts.append(f"抄送{copied}")
    return Passage(document_id, source, "，".join(text_parts) + "。", is_card=True)


def _extend_last(passages: list[Passage], line: str, separator: str = " ") -> None:
    """The line belongs to the passage before it (a contact block's, a table's next row)."""
    passages[-1] = replace(passages[-1], text=f"{passages[-1].text}{separator}{line.strip()}")


def split_passages(document_id: int, source: SourceView, text: str) -> list[Passage]:
    """Sentences of the cleaned text, each with the heading and item it sits under."""
    passages: list[Passage] = []
    heading = ""
    lines = [line for line in clean_text(text).split("\n") if line.strip()]
    # The title block (title, 文号, byline) names the notice; the citation already does, and the
    # notice's card tells it and the signature.
    start = _title_block_end(lines)
    in_contacts = in_table = False
    for line in lines[start:_signature_start(lines, start)]:
        # A contact block (`X地址：…` / `邮政编码：… 电 话：…` / `传 真：… 联系人：…`) is one passage:
        # the phones and the persons are the organisation's named on its first line.
        if in_contacts and passages and _CONTACT_LINE.match(line):
            _extend_last(passages, line)
            continue
        in_contacts = bool(_ADDRESS_LINE.search(line) or _CONTACT_LINE.match(line))
        # A text table is one passage: 论坛有哪些演讲 reads all its rows.
        # (a row of two cells, 《一次返工带来的思考》   作者：孙晴 上海…, is one too, not a heading)
        in_table, was_table = bool(TABLE_ROW.search(line) or _WIDE_GAP.search(line)), in_table
        if in_table and was_table and passages:
            _extend_last(passages, line, ROW_BREAK)
            continue
        sentences: list[str] = []
        for piece in (s.strip() for s in _SENTENCE_END.split(line)):
            # "（市质量工作领导小组办公室）" after an item's last 。 belongs to that sentence.
            if piece and sentences and (len(piece) <= 20 or _UNITS.fullmatch(piece)) \
                    and not re.search(r"[。！？]$", piece):
                sentences[-1] += piece
            elif piece:
                sentences.append(piece)
        if not sentences:
            continue
        # a short line is a heading, unless it is a sentence (竞赛按理论20%、实操80%计算总成绩。)
        # nor a field (时间：5月15日, 地点：…) under a numbered heading, which stays theirs (（三）决赛)
        is_heading = len(line) <= 40 and not re.search(r"[。；]", line[:-1]) and not in_contacts and not in_table \
            and not (line.endswith(("。", "；")) and not HEADING.match(line)) and not _LIST_ROW.match(line) \
            and not (_VALUED_LABEL.match(line) and HEADING.match(heading))
        if is_heading:
            heading = line
        # An item's short name (`（十二）大力推动中小企业质量提升。`) is the context of its sentences.
        is_item = bool(HEADING.match(line)) and len(sentences) > 1
        item = sentences[0] if is_item and len(sentences[0]) <= 30 else ""
        lead = sentences[0] if is_item and not item else ""
        for index, sentence in enumerate(sentences):
            if item and index == 0:
                continue
            passages.append(Passage(document_id, source, sentence, heading if heading != line else "", item,
                                    lead=lead if index else ""))
    return passages
