"""The WeChat protocol: signatures, the replay window, AES envelopes, parsing and replies.

Pure functions around wechatpy's signer, crypto and parser. Two things are done
here rather than left to wechatpy: signatures are compared in constant time
(wechatpy uses `!=`), and every XML document is first parsed by defusedxml,
which refuses DTDs and entities (wechatpy's parser would hand the text to
xmltodict/expat as it is).

Field names are the protocol's own: `signature`, `timestamp`, `nonce`,
`echostr`, `encrypt_type`, `msg_signature` in the query; `ToUserName`,
`FromUserName`, `CreateTime`, `MsgType`, `MsgId`, `Event`, `EventKey`,
`Content`, `Recognition`, `Encrypt` in the body.
"""

from __future__ import annotations

import hmac
import secrets
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from xml.etree.ElementTree import ParseError

import wechatpy
import wechatpy.enterprise
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring
from wechatpy.crypto import WeChatCrypto as OfficialAccountCrypto
from wechatpy.enterprise.crypto import PrpCrypto as WeComPrpCrypto
from wechatpy.enterprise.crypto import WeChatCrypto as WeComCrypto
from wechatpy.enterprise.exceptions import InvalidCorpIdException
from wechatpy.enterprise.replies import TextReply as WeComTextReply
from wechatpy.exceptions import InvalidAppIdException, InvalidSignatureException
from wechatpy.messages import BaseMessage
from wechatpy.replies import TextReply
from wechatpy.utils import WeChatSigner

WECHAT = "wechat"
WECOM = "wecom"
# Events answered with nothing (menu links, location reports, scans, opening a WeCom app).
SILENT_EVENTS = frozenset({"view", "location", "scan", "enter_agent", "view_miniprogram", "templatesendjobfinish",
                           "masssendjobfinish", "scancode_push", "batch_job_result"})
MAX_NONCE = 64
UNSUPPORTED_TYPES = frozenset({"image", "video", "shortvideo", "location", "link", "file", "miniprogrampage",
                               "voice"})


class ProtocolError(Exception):
    """A request WeChat's servers would not send: answered with `status` and nothing more."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason  # for our log only, never for the response body


def sign(*parts: str) -> str:
    """SHA-1 over the sorted, concatenated parts: WeChat's `signature` / `msg_signature`."""
    signer = WeChatSigner()
    signer.add_data(*parts)
    return str(signer.signature)


def signature_matches(given: str | None, *parts: str) -> bool:
    if not given:
        return False
    return hmac.compare_digest(sign(*parts).encode(), given.strip().lower().encode())


def check_timestamp(timestamp: str | None, window_s: int, now: float | None = None) -> int:
    """The query's `timestamp`, if within ±window of now (a replayed request is older)."""
    if not timestamp or not timestamp.isdigit() or len(timestamp) > 12:
        raise ProtocolError(403, "missing or malformed timestamp")
    value = int(timestamp)
    now = time.time() if now is None else now
    if abs(now - value) > window_s:
        raise ProtocolError(403, f"timestamp outside the ±{window_s} s window")
    return value


def check_nonce(nonce: str | None) -> str:
    """The query's `nonce`: present and short (WeChat's are ten digits or so)."""
    if not nonce or len(nonce) > MAX_NONCE:
        raise ProtocolError(403, "missing or oversized nonce")
    return nonce


def verify_query(query: Mapping[str, str], token: str, window_s: int, now: float | None = None) -> None:
    """`signature` = sha1(sort(token, timestamp, nonce)), on every 公众号 request."""
    timestamp, nonce = query.get("timestamp", ""), query.get("nonce", "")
    check_timestamp(timestamp, window_s, now)
    if not signature_matches(query.get("signature"), token, timestamp, check_nonce(nonce)):
        raise ProtocolError(403, "bad signature")


def parse_xml(body: bytes | str) -> dict[str, str]:
    """The top-level fields of a WeChat XML document. DTDs, entities and external
    references are refused (→ 400), as is anything that is not `<xml>…</xml>`."""
    try:
        root = fromstring(body, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except (ParseError, DefusedXmlException, ValueError) as error:
        raise ProtocolError(400, f"unparseable XML: {type(error).__name__}") from error
    if root.tag != "xml":
        raise ProtocolError(400, f"root element is <{root.tag}>, not <xml>")
    return {child.tag: (child.text or "") for child in root}


class Crypto:
    """AES envelopes (安全模式) of one account: a 公众号 (receive id = AppID) or a
    企业微信 app (receive id = CorpID)."""

    def __init__(self, channel: str, token: str, aes_key: str, receive_id: str) -> None:
        self.channel = channel
        self.token = token
        self.receive_id = receive_id
        self._crypto: Any = (WeComCrypto if channel == WECOM else OfficialAccountCrypto)(token, aes_key, receive_id)

    def decrypt(self, encrypted: str, msg_signature: str | None, timestamp: str, nonce: str) -> str:
        """`msg_signature` = sha1(sort(token, timestamp, nonce, Encrypt)), then AES-CBC."""
        if not signature_matches(msg_signature, self.token, timestamp, nonce, encrypted):
            raise ProtocolError(403, "bad msg_signature")
        if not encrypted:
            raise ProtocolError(400, "empty Encrypt")
        try:
            # The signature was checked above in constant time; wechatpy checks it again.
            return str(self._crypto.decrypt_message({"Encrypt": encrypted}, msg_signature, timestamp, nonce))
        except (InvalidAppIdException, InvalidCorpIdException) as error:
            raise ProtocolError(400, "decrypted message names another AppID/CorpID") from error
        except (InvalidSignatureException, ValueError, UnicodeDecodeError, IndexError, TypeError) as error:
            raise ProtocolError(400, f"cannot decrypt ({type(error).__name__}): check the EncodingAESKey") from error

    def decrypt_echostr(self, echostr: str, msg_signature: str | None, timestamp: str, nonce: str) -> str:
        """企业微信's URL check: the echostr is encrypted and signed like a message."""
        if not signature_matches(msg_signature, self.token, timestamp, nonce, echostr):
            raise ProtocolError(403, "bad msg_signature")
        try:
            return str(WeComPrpCrypto(self._crypto.key).decrypt(echostr, self.receive_id))
        except InvalidCorpIdException as error:
            raise ProtocolError(400, "echostr names another CorpID") from error
        except (ValueError, UnicodeDecodeError, IndexError, TypeError) as error:
            raise ProtocolError(400, f"cannot decrypt echostr ({type(error).__name__})") from error

    def encrypt(self, xml: str, timestamp: str | None = None, nonce: str | None = None) -> str:
        """The reply envelope: Encrypt, MsgSignature, TimeStamp, Nonce."""
        return str(self._crypto.encrypt_message(xml, nonce or secrets.token_hex(8),
                                                timestamp or str(int(time.time()))))


@dataclass(frozen=True)
class Inbound:
    """A message or event pushed by WeChat, reduced to what the gateway needs."""

    channel: str  # wechat | wecom
    account: str  # ToUserName: the 公众号's original id (gh_…) or the CorpID
    user_id: str  # FromUserName: openid or UserID — Rasa's sender id
    msg_type: str  # text, voice, image, …, event
    create_time: int
    msg_id: str | None = None
    event: str | None = None  # lower case: subscribe, unsubscribe, click, …
    event_key: str | None = None
    text: str | None = None  # Content, or a voice message's Recognition
    agent_id: str | None = None  # 企业微信 AgentID

    @property
    def dedupe_key(self) -> str:
        """Account, sender and MsgId for messages; account, sender, CreateTime and Event for
        events (they have no MsgId). The sender is part of it for messages too: keyed by
        MsgId alone, a push naming another member's MsgId got that member's answer."""
        if self.msg_id:
            return f"{self.channel}:{self.account}:m:{self.user_id}:{self.msg_id}"
        return f"{self.channel}:{self.account}:e:{self.user_id}:{self.create_time}:{self.event or self.msg_type}"

    @property
    def log_type(self) -> str:
        return f"event:{self.event}" if self.msg_type == "event" else self.msg_type

    @property
    def log_msg_id(self) -> str:
        return self.msg_id or f"{self.user_id}:{self.create_time}:{self.event or self.msg_type}"


def _parser(channel: str) -> Callable[[str], BaseMessage]:
    return wechatpy.enterprise.parse_message if channel == WECOM else wechatpy.parse_message


def inbound_from_xml(channel: str, xml: str) -> Inbound:
    """Parse a (decrypted) push with wechatpy's parser, after defusedxml has checked it."""
    fields = parse_xml(xml)
    for required in ("ToUserName", "FromUserName", "MsgType"):
        if not fields.get(required):
            raise ProtocolError(400, f"{required} missing")
    try:
        message: Any = _parser(channel)(xml)
    except (KeyError, ValueError, TypeError) as error:
        raise ProtocolError(400, f"unparseable message ({type(error).__name__})") from error
    msg_type = fields["MsgType"].lower()
    create_time = fields.get("CreateTime", "")
    event = None
    if msg_type == "event":
        event = (fields.get("Event") or "").lower() or None
    text: str | None = None
    if msg_type == "text":
        text = fields.get("Content", "")
    elif msg_type == "voice":
        text = (fields.get("Recognition") or "").strip() or None
    return Inbound(
        channel=channel,
        account=str(message.target),
        user_id=str(message.source),
        msg_type=msg_type,
        create_time=int(create_time) if create_time.isdigit() else 0,
        msg_id=fields.get("MsgId") or None,
        event=event,
        event_key=fields.get("EventKey") or None,
        text=text,
        agent_id=fields.get("AgentID") or None,
    )


def _cdata_safe(text: str) -> str:
    # wechatpy writes <Content><![CDATA[…]]></Content> as is: a "]]>" in a reply
    # (which may echo what the member typed) would end the section early.
    return text.replace("]]>", "]]]]><![CDATA[>")


def render_text_reply(inbound: Inbound, content: str, now: float | None = None) -> str:
    """被动回复: a text reply from the account to the member (To/From swapped)."""
    reply_class = WeComTextReply if inbound.channel == WECOM else TextReply
    values: dict[str, Any] = {"source": inbound.account, "target": inbound.user_id, "content": _cdata_safe(content),
                              "time": int(now if now is not None else time.time())}
    if inbound.channel == WECOM and inbound.agent_id and inbound.agent_id.isdigit():
        values["agent"] = int(inbound.agent_id)
    return str(reply_class(**values).render())
