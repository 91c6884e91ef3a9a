"""HTTP handlers: health, readiness, and the two WeChat endpoints.

Every request to /wechat and /wecom is signed by WeChat; the signature and the
timestamp are checked before anything else, on GET and POST alike, and a signed
(`timestamp`, `nonce`) pair is good for one request (replay.py). With an
EncodingAESKey configured, only encrypted pushes are taken: a plaintext push is
signed over the query alone, so anyone holding one signed query could write any
body under it.
"""

from __future__ import annotations

import logging

from aiohttp import web

from bot.gateway import keys
from bot.gateway.middlewares import STARTED, body_limit
from bot.gateway.wechat import (
    WECHAT,
    WECOM,
    Crypto,
    Inbound,
    ProtocolError,
    check_nonce,
    check_timestamp,
    inbound_from_xml,
    parse_xml,
    render_text_reply,
    verify_query,
)

log = logging.getLogger(__name__)
MAX_ECHOSTR = 1024


async def healthz(_request: web.Request) -> web.Response:
    """The process is alive (no dependency is checked)."""
    return web.json_response({"status": "ok"})


async def readyz(request: web.Request) -> web.Response:
    """Ready or not, and nothing more (the details are on the console's admin health page)."""
    readiness = await request.app[keys.READINESS].get()
    return web.json_response({"status": "ready" if readiness.ready else "unavailable"},
                             status=200 if readiness.ready else 503)


async def _reply(request: web.Request, inbound: Inbound, crypto: Crypto | None) -> web.Response:
    """Hand the message to the handler; answer its reply as XML (encrypted when the
    push was), or "success" when there is nothing to say now."""
    reply = await request.app[keys.HANDLER].handle(inbound, request[STARTED])
    if reply is None:
        return web.Response(text="success")
    xml = render_text_reply(inbound, reply)
    if crypto is not None:
        xml = crypto.encrypt(xml)
    return web.Response(text=xml, content_type="application/xml", charset="utf-8")


def _echostr(request: web.Request) -> str:
    echostr = request.query.get("echostr", "")
    if not echostr or len(echostr) > MAX_ECHOSTR:
        raise ProtocolError(400, "missing or oversized echostr")
    return echostr


def _wechat_token(request: web.Request) -> str:
    wechat = request.app[keys.SETTINGS].wechat
    if not wechat.configured:
        log.warning("a request reached /wechat but WECHAT_TOKEN is not set (服务器配置's Token)")
        raise web.HTTPServiceUnavailable()
    return wechat.token


async def _used_once(request: web.Request, channel: str, payload: bytes) -> None:
    query = request.query
    await request.app[keys.NONCES].first_use(channel, query["timestamp"], query["nonce"], payload)


async def wechat_verify(request: web.Request) -> web.Response:
    """服务器配置's URL check: signed like every push; echo `echostr`."""
    verify_query(request.query, _wechat_token(request), request.app[keys.SETTINGS].replay_window_s)
    echostr = _echostr(request)
    await _used_once(request, WECHAT, echostr.encode())
    return web.Response(text=echostr)


async def wechat_receive(request: web.Request) -> web.Response:
    settings = request.app[keys.SETTINGS]
    query = request.query
    verify_query(query, _wechat_token(request), settings.replay_window_s)
    # 安全模式 and 兼容模式 add encrypt_type=aes and msg_signature; 明文模式 has neither.
    encrypted = query.get("encrypt_type", "raw").lower() == "aes"
    crypto = request.app[keys.WECHAT_CRYPTO]
    if crypto is not None and not encrypted:
        raise ProtocolError(403, "plaintext push while WECHAT_AES_KEY is set (choose 安全模式 in 服务器配置)")
    body = await body_limit(request, settings.max_body_bytes)
    fields = parse_xml(body)
    if encrypted:
        if crypto is None:
            log.error("an encrypted push arrived but WECHAT_AES_KEY is not set (安全模式 needs it)")
            raise ProtocolError(400, "encrypted push without WECHAT_AES_KEY")
        xml = crypto.decrypt(fields.get("Encrypt", ""), query.get("msg_signature"), query["timestamp"],
                             query["nonce"])
    else:
        try:
            xml = body.decode("utf-8")
        except UnicodeDecodeError as error:
            raise ProtocolError(400, "body is not UTF-8") from error
    await _used_once(request, WECHAT, body)
    return await _reply(request, inbound_from_xml(WECHAT, xml), crypto if encrypted else None)


def _wecom_crypto(request: web.Request) -> Crypto:
    crypto = request.app[keys.WECOM_CRYPTO]
    if crypto is None:
        log.warning("a request reached /wecom but 企业微信 is not configured "
                    "(WECOM_CORP_ID, WECOM_TOKEN, WECOM_AES_KEY)")
        raise web.HTTPServiceUnavailable()
    return crypto


def _wecom_query(request: web.Request) -> tuple[str, str]:
    query = request.query
    timestamp = query.get("timestamp")
    check_timestamp(timestamp, request.app[keys.SETTINGS].replay_window_s)
    return str(timestamp), check_nonce(query.get("nonce"))


async def wecom_verify(request: web.Request) -> web.Response:
    """企业微信's URL check: the echostr is encrypted; answer it decrypted."""
    crypto = _wecom_crypto(request)
    timestamp, nonce = _wecom_query(request)
    echostr = _echostr(request)
    answer = crypto.decrypt_echostr(echostr, request.query.get("msg_signature"), timestamp, nonce)
    await _used_once(request, WECOM, echostr.encode())
    return web.Response(text=answer)


async def wecom_receive(request: web.Request) -> web.Response:
    crypto = _wecom_crypto(request)
    settings = request.app[keys.SETTINGS]
    timestamp, nonce = _wecom_query(request)
    # The envelope's msg_signature is checked before the body is trusted any further.
    body = await body_limit(request, settings.max_body_bytes)
    fields = parse_xml(body)
    xml = crypto.decrypt(fields.get("Encrypt", ""), request.query.get("msg_signature"), timestamp, nonce)
    await _used_once(request, WECOM, body)
    return await _reply(request, inbound_from_xml(WECOM, xml), crypto)
