"""The gateway through aiohttp's test client, against the stand-ins in standins.py,
on a migrated SQLite database (PostgreSQL for the outbox tests that ask for it)."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select

from bot.gateway import keys
from bot.gateway.app import create_app
from bot.gateway.handler import MessageHandler
from bot.gateway.settings import GatewaySettings, load_gateway_settings
from services.messaging import MessageLog, MessagingService, OutboxMessage
from services.setup import migrate
from tests.gateway.standins import (
    AES_KEY,
    AGENT_ID,
    APP_ID,
    APP_SECRET,
    CORP_ID,
    TOKEN,
    WECOM_AES_KEY,
    WECOM_SECRET,
    WECOM_TOKEN,
    FakeRasa,
    FakeWeChatApi,
    WeChatServer,
)


@dataclass
class Gateway:
    client: TestClient
    rasa: FakeRasa
    api: FakeWeChatApi

    @property
    def app(self) -> web.Application:
        return self.client.app  # type: ignore[return-value]

    @property
    def settings(self) -> GatewaySettings:
        return self.app[keys.SETTINGS]

    @property
    def handler(self) -> MessageHandler:
        return self.app[keys.HANDLER]

    @property
    def messaging(self) -> MessagingService:
        return self.app[keys.MESSAGING]

    def wechat(self, **kwargs: Any) -> WeChatServer:
        return WeChatServer(self.client, **kwargs)

    def wecom(self) -> WeChatServer:
        return WeChatServer(self.client, token=WECOM_TOKEN, aes_key=WECOM_AES_KEY, receive_id=CORP_ID,
                            path="/wecom")

    async def settle(self) -> None:
        """Wait for background turns and deliveries, then write the message log."""
        handler = self.handler
        while handler.tasks:
            await handler.drain(10)
        await self.app[keys.LOG_WRITER].flush()

    async def log(self, **where: Any) -> list[MessageLog]:
        await self.settle()
        with self.app[keys.SESSIONS]() as session:
            query = select(MessageLog).order_by(MessageLog.id)
            for name, value in where.items():
                query = query.where(getattr(MessageLog, name) == value)
            return list(session.scalars(query).all())

    def outbox(self) -> list[OutboxMessage]:
        with self.app[keys.SESSIONS]() as session:
            return list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all())


def base_env(database_url: str, rasa: FakeRasa, api: FakeWeChatApi) -> dict[str, str]:
    return {
        "DATABASE_URL": database_url,
        "WECHAT_TOKEN": TOKEN, "WECHAT_APP_ID": APP_ID, "WECHAT_APP_SECRET": APP_SECRET, "WECHAT_AES_KEY": AES_KEY,
        "WECOM_CORP_ID": CORP_ID, "WECOM_TOKEN": WECOM_TOKEN, "WECOM_AES_KEY": WECOM_AES_KEY,
        "WECOM_SECRET": WECOM_SECRET, "WECOM_AGENT_ID": AGENT_ID,
        "WECHAT_API_BASE": api.url, "WECOM_API_BASE": api.url,
        "RASA_URLS": rasa.url,
        "GATEWAY_RASA_BUDGET_S": "1.0",
        "GATEWAY_OUTBOX_POLL_S": "3600",  # tests run the worker's cycles themselves
    }


@pytest.fixture
async def rasa() -> AsyncIterator[FakeRasa]:
    fake = await FakeRasa().start()
    yield fake
    await fake.close()


@pytest.fixture
async def api() -> AsyncIterator[FakeWeChatApi]:
    fake = await FakeWeChatApi().start()
    yield fake
    await fake.close()


@pytest.fixture
def gateway_db(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'gateway.db'}"
    migrate(url)
    return url


StartGateway = Callable[..., Awaitable[Gateway]]


@pytest.fixture
async def start_gateway(gateway_db: str, rasa: FakeRasa, api: FakeWeChatApi) -> AsyncIterator[StartGateway]:
    """start_gateway(ENV=value, …, settings_changes={…}) → a running Gateway."""
    clients: list[TestClient] = []

    async def start(settings_changes: dict[str, Any] | None = None, **env: str | None) -> Gateway:
        values = {**base_env(gateway_db, rasa, api), **env}
        settings = load_gateway_settings({k: v for k, v in values.items() if v is not None})
        if settings_changes:
            settings = dataclasses.replace(settings, **settings_changes)
        client = TestClient(TestServer(create_app(settings), host="127.0.0.1"))
        await client.start_server()
        clients.append(client)
        gateway = Gateway(client, rasa, api)
        gateway.app[keys.DELIVERER].quick_retries_s = (0.05, 0.1)
        return gateway

    yield start
    for client in clients:
        await client.close()


@pytest.fixture
async def gateway(start_gateway: StartGateway) -> Gateway:
    return await start_gateway()
