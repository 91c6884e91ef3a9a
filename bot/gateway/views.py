"""HTTP handlers: health, readiness, and the two WeChat endpoints.

Every request to /wechat and /wecom is signed by WeChat; the signature and the
timestamp are checked before anything else, on GET and POST alike.
"""

from __future__ import annotations

import asyncio
import logging

from aiohttp import web
from sqlalchemy import text

from bot.gateway import keys
from bot.gateway.kv import ping
from bot.gateway.middlewares import STARTED, body_limit
from bot.gateway.wechat import (
    WECHAT,
    WECOM,
    Crypto,
    Inbound,
    ProtocolError,
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
    """Rasa (at least one instance), the database and Redis (when configured) answer."""
    app = request.app
    rasa = app[keys.RASA]
    urls = list(rasa.ring.nodes)

    def database_ok() -> bool:
        with app[keys.ENGINE].connect() as connection:
            connection.execute(text("SELECT 1"))
        return True

    async def database() -> bool:
        try:
            return await asyncio.wait_for(asyncio.to_thread(database_ok), 3.0)
        except Exception:  # any failure means "not ready"; the log says which
            log.warning("readiness: database unreachable", exc_info=True)
            return False

    async def redis() -> bool | None:
        client = app[keys.REDIS]
        return None if client is None else await ping(client)

    rasa_up, database_up, redis_up = await asyncio.gather(
        asyncio.gather(*(rasa.reachable(url) for url in urls)), database(), redis())
    checks = {
        "rasa": {url: "ok" if up else "down" for url, up in zip(urls, rasa_up, strict=True)},
        "database": "ok" if database_up else "down",
        "redis": "not configured" if redis_up is None else ("ok" if redis_up else "down"),
    }
    down = [name for name, ok in (("rasa", any(rasa_up)), ("database", database_up), ("redis", redis_up is not False))
            if not ok]
    body = {"status": "ready" if not down else "unavailable", "down": down, "checks": checks}
    return web.json_response(body, status=200 if not down else 503)


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


async def wechat_verify(request: web.Request) -> web.Response:
    """服务器配置's URL check: signed like every push; echo `echostr`."""
    settings = request.app[keys.SETTINGS]
    verify_query(request.query, settings.wechat.token, settings.replay_window_s)
    return web.Response(text=_echostr(request))


async def wechat_receive(request: web.Request) -> web.Response:
    settings = request.app[keys.SETTINGS]
    query = request.query
    verify_query(query, settings.wechat.token, settings.replay_window_s)
    body = await body_limit(request, settings.max_body_bytes)
    fields = parse_xml(body)
    # 安全模式 and 兼容模式 add encrypt_type=aes and msg_signature; 明文模式 has neither.
    encrypted = query.get("encrypt_type", "raw").lower() == "aes"
    crypto = request.app[keys.WECHAT_CRYPTO]
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
    return await _reply(request, inbound_from_xml(WECHAT, xml), crypto if encrypted else None)


def _wecom_crypto(request: web.Request) -> Crypto:
    crypto = request.app[keys.WECOM_CRYPTO]
    if crypto is None:
        log.warning("a request reached /wecom but 企业微信 is not configured "
                    "(WECOM_CORP_ID, WECOM_TOKEN, WECOM_AES_KEY)")
        raise web.HTTPServiceUnavailable()
    return crypto


async def wecom_verify(request: web.Request) -> web.Response:
    """企业微信's URL check: the echostr is encrypted; answer it decrypted."""
    crypto = _wecom_crypto(request)
    query = request.query
    check_timestamp(query.get("timestamp"), request.app[keys.SETTINGS].replay_window_s)
    if not query.get("nonce"):
        raise ProtocolError(403, "missing nonce")
    return web.Response(text=crypto.decrypt_echostr(_echostr(request), query.get("msg_signature"),
                                                    query["timestamp"], query["nonce"]))


async def wecom_receive(request: web.Request) -> web.Response:
    crypto = _wecom_crypto(request)
    settings = request.app[keys.SETTINGS]
    query = request.query
    check_timestamp(query.get("timestamp"), settings.replay_window_s)
    if not query.get("nonce"):
        raise ProtocolError(403, "missing nonce")
    # The envelope's msg_signature is checked before the body is trusted any further.
    fields = parse_xml(await body_limit(request, settings.max_body_bytes))
    xml = crypto.decrypt(fields.get("Encrypt", ""), query.get("msg_signature"), query["timestamp"], query["nonce"])
    return await _reply(request, inbound_from_xml(WECOM, xml), crypto)

