"""Readiness: at least one Rasa instance, the database and Redis (when configured).

`/readyz` is public (load balancers and monitors call it) and says only whether the
gateway is ready: which Rasa URLs exist and which store is down is for staff, on the
console's admin health page. Its answer is kept for a few seconds and callers arriving
meanwhile share one check, so calling /readyz in a loop does not become three backend
round trips per call.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import web
from sqlalchemy import text

from bot.gateway import keys
from bot.gateway.kv import ping

log = logging.getLogger(__name__)
DATABASE_TIMEOUT_S = 3.0
PUBLIC_CACHE_S = 5.0


@dataclass(frozen=True)
class Readiness:
    rasa: dict[str, bool]  # URL → answers
    database: bool
    redis: bool | None  # None: REDIS_URL not set

    @property
    def down(self) -> list[str]:
        states = (("rasa", any(self.rasa.values())), ("database", self.database), ("redis", self.redis is not False))
        return [name for name, ok in states if not ok]

    @property
    def ready(self) -> bool:
        return not self.down

    def details(self) -> dict[str, Any]:
        """Every check, for staff only."""
        return {"status": "ready" if self.ready else "unavailable", "down": self.down, "checks": {
            "rasa": {url: "ok" if up else "down" for url, up in self.rasa.items()},
            "database": "ok" if self.database else "down",
            "redis": "not configured" if self.redis is None else ("ok" if self.redis else "down")}}


async def check_readiness(app: web.Application) -> Readiness:
    """Ask every dependency now."""
    rasa = app[keys.RASA]
    urls = list(rasa.ring.nodes)

    def database_ok() -> bool:
        with app[keys.ENGINE].connect() as connection:
            connection.execute(text("SELECT 1"))
        return True

    async def database() -> bool:
        try:
            return await asyncio.wait_for(asyncio.to_thread(database_ok), DATABASE_TIMEOUT_S)
        except Exception:  # any failure means "not ready"; the log says which
            log.warning("readiness: database unreachable", exc_info=True)
            return False

    async def redis() -> bool | None:
        client = app[keys.REDIS]
        return None if client is None else await ping(client)

    rasa_up, database_up, redis_up = await asyncio.gather(
        asyncio.gather(*(rasa.reachable(url) for url in urls)), database(), redis())
    return Readiness(dict(zip(urls, rasa_up, strict=True)), database_up, redis_up)


class CachedReadiness:
    """The last check's answer for `max_age_s`; one check at a time."""

    def __init__(self, check: Callable[[], Awaitable[Readiness]], max_age_s: float = PUBLIC_CACHE_S) -> None:
        self._check = check
        self.max_age_s = max_age_s
        self._lock = asyncio.Lock()
        self._last: Readiness | None = None
        self._checked_at = 0.0

    async def get(self) -> Readiness:
        loop = asyncio.get_running_loop()
        async with self._lock:
            if self._last is None or loop.time() - self._checked_at > self.max_age_s:
                self._last = await self._check()
                self._checked_at = loop.time()
            return self._last
