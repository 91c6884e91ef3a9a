"""Short-lived shared state (de-duplication, rate limits, the access_token):
Redis when `REDIS_URL` is set, an in-process map otherwise.

When Redis is configured but stops answering, each operation falls back to the
in-process map and Redis is left alone for a few seconds (a circuit breaker), so
members are still answered: a single gateway process keeps de-duplicating and
rate-limiting on its own; several processes behind a load balancer could each
take one of WeChat's retries of the same message during the outage. `/readyz`
reports Redis as down meanwhile.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from redis.asyncio import Redis
from redis.exceptions import RedisError

log = logging.getLogger(__name__)


class KeyValue(Protocol):
    async def set_if_absent(self, key: str, value: str, ttl_s: int) -> bool:
        """Atomic SET NX EX: True when this caller created the key."""

    async def get(self, key: str) -> str | None: ...

    async def set(self, key: str, value: str, ttl_s: int) -> None: ...

    async def incr(self, key: str, ttl_s: int) -> int:
        """Add one; the key expires `ttl_s` after its creation (or its last increment)."""

    async def delete(self, key: str) -> None: ...


class MemoryKeyValue:
    """One process's map with expiry; expired keys are swept now and then."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._items: dict[str, tuple[str, float]] = {}
        self._clock = clock
        self._writes = 0

    def _live(self, key: str) -> str | None:
        item = self._items.get(key)
        if item is None:
            return None
        if item[1] <= self._clock():
            del self._items[key]
            return None
        return item[0]

    def _put(self, key: str, value: str, ttl_s: float) -> None:
        self._writes += 1
        if self._writes % 1000 == 0:
            now = self._clock()
            for stale in [k for k, (_, expires) in self._items.items() if expires <= now]:
                del self._items[stale]
        self._items[key] = (value, self._clock() + ttl_s)

    async def set_if_absent(self, key: str, value: str, ttl_s: int) -> bool:
        if self._live(key) is not None:
            return False
        self._put(key, value, ttl_s)
        return True

    async def get(self, key: str) -> str | None:
        return self._live(key)

    async def set(self, key: str, value: str, ttl_s: int) -> None:
        self._put(key, value, ttl_s)

    async def incr(self, key: str, ttl_s: int) -> int:
        current = self._live(key)
        if current is None:
            self._put(key, "1", ttl_s)
            return 1
        value = int(current) + 1
        self._items[key] = (str(value), self._items[key][1])
        return value

    async def delete(self, key: str) -> None:
        self._items.pop(key, None)


class RedisKeyValue:
    def __init__(self, redis: Redis, prefix: str) -> None:
        self.redis = redis
        self.prefix = prefix

    async def set_if_absent(self, key: str, value: str, ttl_s: int) -> bool:
        return bool(await self.redis.set(self.prefix + key, value, nx=True, ex=ttl_s))

    async def get(self, key: str) -> str | None:
        value = await self.redis.get(self.prefix + key)
        return value.decode() if isinstance(value, bytes) else value

    async def set(self, key: str, value: str, ttl_s: int) -> None:
        await self.redis.set(self.prefix + key, value, ex=ttl_s)

    async def incr(self, key: str, ttl_s: int) -> int:
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.incr(self.prefix + key)
            # Callers put the time window in the key, so renewing the expiry is harmless
            # (EXPIRE … NX would need Redis 7).
            pipe.expire(self.prefix + key, ttl_s)
            count, _ = await pipe.execute()
        return int(count)

    async def delete(self, key: str) -> None:
        await self.redis.delete(self.prefix + key)


class FallbackKeyValue:
    """Redis first; the in-process map while Redis is failing."""

    def __init__(self, primary: RedisKeyValue, fallback: MemoryKeyValue, retry_after_s: float = 5.0) -> None:
        self.primary = primary
        self.fallback = fallback
        self.retry_after_s = retry_after_s
        self._down_until = 0.0

    @property
    def degraded(self) -> bool:
        return time.monotonic() < self._down_until

    async def _call(self, operation: str, *args: Any) -> Any:
        if not self.degraded:
            try:
                return await getattr(self.primary, operation)(*args)
            except (TimeoutError, RedisError, OSError) as error:
                log.warning("Redis failed (%s: %s); using the in-process store for %.0f s",
                            type(error).__name__, error, self.retry_after_s)
                self._down_until = time.monotonic() + self.retry_after_s
        return await getattr(self.fallback, operation)(*args)

    async def set_if_absent(self, key: str, value: str, ttl_s: int) -> bool:
        return bool(await self._call("set_if_absent", key, value, ttl_s))

    async def get(self, key: str) -> str | None:
        result = await self._call("get", key)
        return None if result is None else str(result)

    async def set(self, key: str, value: str, ttl_s: int) -> None:
        await self._call("set", key, value, ttl_s)

    async def incr(self, key: str, ttl_s: int) -> int:
        return int(await self._call("incr", key, ttl_s))

    async def delete(self, key: str) -> None:
        await self._call("delete", key)


async def ping(redis: Redis, timeout_s: float = 1.0) -> bool:
    try:
        return bool(await asyncio.wait_for(_awaited(redis.ping()), timeout_s))
    except (TimeoutError, RedisError, OSError):
        return False


async def _awaited[T](value: Awaitable[T] | T) -> T:
    return await value if isinstance(value, Awaitable) else value
