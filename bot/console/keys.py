"""Typed keys for what the console sub-application holds."""

from __future__ import annotations

import asyncio
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

from aiohttp import web

from bot.console.settings import ConsoleSettings
from bot.console.texts import ConsoleTexts
from bot.console.throttle import LoginThrottle
from services.accounts import AccountService
from services.conversations import ConversationService
from services.handoff import HandoffService
from services.signup_lists import SignupListService
from services.takeover import TakeoverService

SETTINGS = web.AppKey("console_settings", ConsoleSettings)
TEXTS = web.AppKey("console_texts", ConsoleTexts)
ACCOUNTS = web.AppKey("accounts", AccountService)
CONVERSATIONS = web.AppKey("conversations", ConversationService)
TAKEOVERS = web.AppKey("takeovers", TakeoverService)
HANDOFFS = web.AppKey("handoffs", HandoffService)
SIGNUP_LISTS = web.AppKey("signup_lists", SignupListService)
# Set at shutdown: live-update streams end so the server need not wait for them.
STOPPING = web.AppKey("console_stopping", asyncio.Event)
LOGIN_THROTTLE = web.AppKey("login_throttle", LoginThrottle)
# argon2 checks (64 MiB each) on two threads of their own, off the pool the WeChat path uses.
PASSWORD_CHECKS = web.AppKey("password_checks", ThreadPoolExecutor)
# Live-update streams: how many each account has open in this process, and their polls' threads.
LIVE_STREAMS: web.AppKey[Counter[int]] = web.AppKey("live_streams")
LIVE_POLLS = web.AppKey("live_polls", ThreadPoolExecutor)
