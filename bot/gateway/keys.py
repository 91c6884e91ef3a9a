"""Typed keys for what the application holds (aiohttp's `web.AppKey`)."""

from __future__ import annotations

import aiohttp
from aiohttp import web
from redis.asyncio import Redis
from sqlalchemy.engine import Engine
from sqlalchemy.orm import sessionmaker

from bot.gateway.handler import MessageHandler
from bot.gateway.health import CachedReadiness
from bot.gateway.kv import KeyValue
from bot.gateway.logbook import LogWriter
from bot.gateway.outbox import Deliverer, OutboxWorker
from bot.gateway.rasa_client import RasaClient
from bot.gateway.replay import NonceGuard
from bot.gateway.settings import GatewaySettings
from bot.gateway.texts import GatewayTexts, Menu
from bot.gateway.wechat import Crypto
from services.messaging import MessagingService

SETTINGS = web.AppKey("settings", GatewaySettings)
TEXTS = web.AppKey("texts", GatewayTexts)
MENU = web.AppKey("menu", Menu)
# None: plaintext mode only (公众号), not configured (企业微信).
WECHAT_CRYPTO: web.AppKey[Crypto | None] = web.AppKey("wechat_crypto")
WECOM_CRYPTO: web.AppKey[Crypto | None] = web.AppKey("wecom_crypto")
ENGINE = web.AppKey("engine", Engine)
SESSIONS = web.AppKey("sessions", sessionmaker)
MESSAGING = web.AppKey("messaging", MessagingService)
LOG_WRITER = web.AppKey("log_writer", LogWriter)
REDIS: web.AppKey[Redis | None] = web.AppKey("redis")  # None: REDIS_URL not set
KV: web.AppKey[KeyValue] = web.AppKey("kv")
HTTP = web.AppKey("http", aiohttp.ClientSession)
RASA = web.AppKey("rasa", RasaClient)
DELIVERER = web.AppKey("deliverer", Deliverer)
OUTBOX_WORKER = web.AppKey("outbox_worker", OutboxWorker)
HANDLER = web.AppKey("handler", MessageHandler)
NONCES = web.AppKey("nonces", NonceGuard)
# /readyz's answer, kept a few seconds (the console's admin health page asks afresh).
READINESS = web.AppKey("readiness", CachedReadiness)
