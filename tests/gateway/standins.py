"""Stand-ins for the gateway's neighbours, all on 127.0.0.1:

* `WeChatServer`: WeChat's side of a push: signs, encrypts (安全/兼容模式),
  pushes again when no answer comes within the retry interval (5 s, scaled down
  in tests), and checks and decrypts the reply.
* `FakeRasa`: Rasa's REST channel, slow, failing or silent on demand, with a
  two-step sign-up so that a lost sender id would show.
* `FakeWeChatApi`: the access_token and customer-service message APIs (公众号
  and 企业微信), failing on purpose when told to.
"""

from __future__ import annotations

import asyncio
import base64
import os
import secrets
import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, TypeVar

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from defusedxml.ElementTree import fromstring
from wechatpy.crypto import PrpCrypto
from wechatpy.enterprise.crypto import PrpCrypto as WeComPrpCrypto
from wechatpy.utils import WeChatSigner

TOKEN = "shqaTestToken2026"
APP_ID = "wx0123456789abcdef"
APP_SECRET = "app-secret-for-tests"
ACCOUNT = "gh_0123456789ab"
CORP_ID = "ww0123456789abcdef"
WECOM_TOKEN = "wecomToken2026"
WECOM_SECRET = "wecom-secret-for-tests"
AGENT_ID = "1000002"


def new_aes_key() -> str:
    return base64.b64encode(os.urandom(32)).decode()[:43]


AES_KEY = new_aes_key()
WECOM_AES_KEY = new_aes_key()


def sign(*parts: str) -> str:
    signer = WeChatSigner()
    signer.add_data(*parts)
    return signer.signature


def fields_of(xml: str | bytes) -> dict[str, str]:
    root = fromstring(xml)
    return {child.tag: child.text or "" for child in root}


def cdata(text: str) -> str:
    return text.replace("]]>", "]]]]><![CDATA[>")


def text_xml(openid: str, content: str, msg_id: str | int | None = None, create_time: int | None = None,
             to: str = ACCOUNT) -> str:
    msg_id = msg_id if msg_id is not None else secrets.randbelow(10**18)
    return (f"<xml><ToUserName><![CDATA[{to}]]></ToUserName><FromUserName><![CDATA[{openid}]]></FromUserName>"
            f"<CreateTime>{create_time or int(time.time())}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
            f"<Content><![CDATA[{cdata(content)}]]></Content><MsgId>{msg_id}</MsgId></xml>")


def event_xml(openid: str, event: str, key: str | None = None, create_time: int | None = None,
              to: str = ACCOUNT) -> str:
    key_xml = f"<EventKey><![CDATA[{key}]]></EventKey>" if key is not None else ""
    return (f"<xml><ToUserName><![CDATA[{to}]]></ToUserName><FromUserName><![CDATA[{openid}]]></FromUserName>"
            f"<CreateTime>{create_time or int(time.time())}</CreateTime><MsgType><![CDATA[event]]></MsgType>"
            f"<Event><![CDATA[{event}]]></Event>{key_xml}</xml>")


def media_xml(openid: str, msg_type: str, extra: str = "", msg_id: int | None = None, to: str = ACCOUNT) -> str:
    return (f"<xml><ToUserName><![CDATA[{to}]]></ToUserName><FromUserName><![CDATA[{openid}]]></FromUserName>"
            f"<CreateTime>{int(time.time())}</CreateTime><MsgType><![CDATA[{msg_type}]]></MsgType>{extra}"
            f"<MsgId>{msg_id or secrets.randbelow(10**18)}</MsgId></xml>")


@dataclass
class Pushed:
    status: int
    body: str
    reply: dict[str, str] | None = None  # the (decrypted) reply's fields; None for "success"/errors
    encrypted: bool = False

    @property
    def content(self) -> str | None:
        return self.reply.get("Content") if self.reply else None


class WeChatServer:
    """What WeChat's servers do when a member writes to the account."""

    def __init__(self, client: TestClient, token: str = TOKEN, aes_key: str | None = AES_KEY,
                 receive_id: str = APP_ID, path: str = "/wechat") -> None:
        self.client = client
        self.token = token
        self.aes_key = aes_key
        self.receive_id = receive_id
        self.path = path
        self.pushes = 0

    @property
    def key(self) -> bytes:
        assert self.aes_key
        return base64.b64decode(self.aes_key + "=")

    def encrypt(self, xml: str) -> str:
        crypto_class = WeComPrpCrypto if self.path == "/wecom" else PrpCrypto
        return crypto_class(self.key).encrypt(xml, self.receive_id).decode()

    def query(self, timestamp: int | None = None, nonce: str | None = None, encrypted: str | None = None,
              openid: str | None = None) -> dict[str, str]:
        ts = str(timestamp if timestamp is not None else int(time.time()))
        nonce = nonce or secrets.token_hex(5)
        query = {"timestamp": ts, "nonce": nonce}
        if self.path == "/wechat":
            query["signature"] = sign(self.token, ts, nonce)
            if openid:
                query["openid"] = openid
        if encrypted is not None:
            if self.path == "/wechat":
                query["encrypt_type"] = "aes"
            query["msg_signature"] = sign(self.token, ts, nonce, encrypted)
        return query

    def body_and_query(self, xml: str, mode: str, **query: Any) -> tuple[str, dict[str, str]]:
        inner = fields_of(xml)
        if mode == "plain":
            return xml, self.query(openid=inner.get("FromUserName"), **query)
        encrypted = self.encrypt(xml)
        if mode == "safe":  # only ToUserName (AgentID for 企业微信) and Encrypt
            agent = f"<AgentID><![CDATA[{inner['AgentID']}]]></AgentID>" if "AgentID" in inner else ""
            body = (f"<xml><ToUserName><![CDATA[{inner['ToUserName']}]]></ToUserName>{agent}"
                    f"<Encrypt><![CDATA[{encrypted}]]></Encrypt></xml>")
        elif mode == "compatible":  # the plaintext fields and Encrypt side by side
            body = xml.replace("</xml>", f"<Encrypt><![CDATA[{encrypted}]]></Encrypt></xml>")
        else:
            raise ValueError(mode)
        return body, self.query(encrypted=encrypted, openid=inner.get("FromUserName"), **query)

    @property
    def default_mode(self) -> str:
        """安全模式 when the account has an EncodingAESKey (the gateway then refuses plaintext)."""
        return "safe" if self.aes_key else "plain"

    async def push(self, xml: str, mode: str | None = None, **query: Any) -> Pushed:
        mode = mode or self.default_mode
        body, params = self.body_and_query(xml, mode, **query)
        self.pushes += 1
        response = await self.client.post(self.path, params=params, data=body.encode(),
                                          headers={"Content-Type": "text/xml"})
        return self.read_reply(response.status, await response.text(), mode != "plain" or self.path == "/wecom")

    def read_reply(self, status: int, text: str, encrypted_request: bool) -> Pushed:
        if status != 200 or text in ("success", ""):
            return Pushed(status, text)
        fields = fields_of(text)
        if "Encrypt" not in fields:
            assert not encrypted_request, "an encrypted push must get an encrypted reply"
            return Pushed(status, text, fields)
        assert encrypted_request, "a plaintext push got an encrypted reply"
        # The reply's own signature, as WeChat checks it.
        assert fields["MsgSignature"] == sign(self.token, fields["TimeStamp"], fields["Nonce"], fields["Encrypt"])
        crypto_class = WeComPrpCrypto if self.path == "/wecom" else PrpCrypto
        inner = crypto_class(self.key).decrypt(fields["Encrypt"], self.receive_id)
        return Pushed(status, text, fields_of(inner), encrypted=True)

    async def deliver(self, xml: str, mode: str | None = None, retry_after_s: float = 5.0,
                      retries: int = 3) -> tuple[Pushed | None, int]:
        """Push; no answer within `retry_after_s` → give that request up and push
        again, at most `retries` times, as WeChat does. (answer, pushes made)."""
        for attempt in range(1 + retries):
            try:
                return await asyncio.wait_for(self.push(xml, mode), retry_after_s), attempt + 1
            except TimeoutError:
                continue
        return None, 1 + retries


class LocalServer:
    """A stand-in served on 127.0.0.1 by aiohttp's TestServer."""

    server: TestServer | None

    def app(self) -> web.Application:
        raise NotImplementedError

    async def start(self: _Server) -> _Server:
        self.server = TestServer(self.app(), host="127.0.0.1")
        await self.server.start_server()
        return self

    async def close(self) -> None:
        if self.server is not None:
            await self.server.close()

    @property
    def url(self) -> str:
        assert self.server is not None
        return str(self.server.make_url("")).rstrip("/")


_Server = TypeVar("_Server", bound=LocalServer)


@dataclass
class FakeRasa(LocalServer):
    """Rasa's REST channel. Remembers each sender's sign-up step, as a form would."""

    delay_s: float = 0.0
    mode: str = "ok"  # ok | error | empty
    calls: list[dict[str, Any]] = field(default_factory=list)
    steps: dict[str, str] = field(default_factory=lambda: defaultdict(str))
    server: TestServer | None = None

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/", self.hello)
        app.router.add_post("/webhooks/rest/webhook", self.webhook)
        return app

    async def hello(self, _request: web.Request) -> web.Response:
        return web.Response(text="Hello from Rasa: 3.6.21")

    async def webhook(self, request: web.Request) -> web.Response:
        payload = await request.json()
        self.calls.append(payload)
        if self.delay_s:
            await asyncio.sleep(self.delay_s)
        if self.mode == "error":
            return web.Response(status=500, text="Traceback ... internal details")
        if self.mode == "empty":
            return web.json_response([])
        sender, message = payload["sender"], payload["message"]
        if message == "我要报名":
            self.steps[sender] = "name"
            texts = ["好的，请问您的姓名？"]
        elif self.steps[sender] == "name":
            self.steps[sender] = ""
            texts = [f"{message}，您已报名成功。"]
        elif message == "长回复":
            texts = ["这是一句很长的回答。" * 120, "第二条消息。"]
        else:
            texts = [f"收到：{message}"]
        return web.json_response([{"recipient_id": sender, "text": text} for text in texts])


@dataclass
class FakeWeChatApi(LocalServer):
    """api.weixin.qq.com / qyapi.weixin.qq.com: tokens and text messages."""

    failures: list[Any] = field(default_factory=list)  # planned answers to the next sends: 500, errcode, "hang"
    sent: list[dict[str, Any]] = field(default_factory=list)
    send_attempts: int = 0
    token_requests: int = 0
    valid_tokens: set[str] = field(default_factory=set)
    server: TestServer | None = None

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/cgi-bin/token", self.token)
        app.router.add_get("/cgi-bin/gettoken", self.token)
        app.router.add_post("/cgi-bin/message/custom/send", self.send)
        app.router.add_post("/cgi-bin/message/send", self.send)
        return app

    def expire_tokens(self) -> None:
        self.valid_tokens.clear()

    async def token(self, request: web.Request) -> web.Response:
        self.token_requests += 1
        query = request.query
        good = (query.get("appid") == APP_ID and query.get("secret") == APP_SECRET) or (
            query.get("corpid") == CORP_ID and query.get("corpsecret") == WECOM_SECRET)
        if not good:
            return web.json_response({"errcode": 40013, "errmsg": "invalid appid"})
        token = f"token-{self.token_requests}"
        self.valid_tokens.add(token)
        return web.json_response({"access_token": token, "expires_in": 7200})

    async def send(self, request: web.Request) -> web.Response:
        self.send_attempts += 1
        if request.query.get("access_token") not in self.valid_tokens:
            return web.json_response({"errcode": 42001, "errmsg": "access_token expired"})
        if self.failures:
            failure = self.failures.pop(0)
            if failure == 500:
                return web.Response(status=500, text="busy")
            return web.json_response({"errcode": failure, "errmsg": "planned failure"})
        self.sent.append({"path": request.path, **await request.json()})
        return web.json_response({"errcode": 0, "errmsg": "ok"})
