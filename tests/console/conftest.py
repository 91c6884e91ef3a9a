"""The console through aiohttp's test client, mounted on a real gateway (the
stand-ins for Rasa and WeChat's API come from tests/gateway), on migrated SQLite."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from aiohttp.test_utils import TestClient

from bot.gateway import keys
from services.accounts import AccountService
from tests.gateway.conftest import (  # noqa: F401  (fixtures)
    Gateway,
    StartGateway,
    api,
    gateway,
    gateway_db,
    rasa,
    start_gateway,
)

PASSWORD = "correct horse battery"
_CSRF = re.compile(r'name="_csrf" value="([^"]+)"')


def csrf_of(html: str) -> str:
    found = _CSRF.search(html)
    assert found, "the page has no CSRF field"
    return found.group(1)


@dataclass
class Console:
    gateway: Gateway

    @property
    def client(self) -> TestClient:
        return self.gateway.client

    @property
    def accounts(self) -> AccountService:
        return AccountService(self.gateway.app[keys.SESSIONS])

    def user(self, username: str, role: str = "staff") -> str:
        self.accounts.create_user(username, PASSWORD, role)
        return username

    async def csrf(self, path: str = "/console/login") -> str:
        response = await self.client.get(path)
        assert response.status == 200, await response.text()
        return csrf_of(await response.text())

    async def login(self, username: str, password: str = PASSWORD) -> int:
        token = await self.csrf()
        response = await self.client.post("/console/login", data={"username": username, "password": password,
                                                                   "_csrf": token}, allow_redirects=False)
        return response.status

    async def post(self, path: str, data: dict[str, str] | None = None, page: str = "/console/conversations"):
        token = await self.csrf(page)
        return await self.client.post(path, data={**(data or {}), "_csrf": token}, allow_redirects=False)

    def logout_cookies(self) -> None:
        self.client.session.cookie_jar.clear()


@pytest.fixture
async def console(gateway: Gateway) -> Console:  # noqa: F811
    return Console(gateway)
