"""Exactly once: WeChat pushes a message again after 5 s without an answer, up to
three times. The first push claims the message (Redis `SET NX EX`, or the
in-process map); a retry while it is being answered waits for that answer; a
retry afterwards gets the same answer, or `success` when the reply went out
through the customer-service API. A message is never given a second turn.
"""

from __future__ import annotations

import asyncio
import enum
import json
from dataclasses import dataclass

from bot.gateway.kv import KeyValue

_PENDING = "pending"


class ClaimState(enum.Enum):
    NEW = "new"  # this request owns the message: answer it, then `finish`
    IN_PROGRESS = "in_progress"  # another request is answering it
    DONE = "done"  # answered already; `reply` is what was answered (None → "success")


@dataclass(frozen=True)
class Claim:
    state: ClaimState
    reply: str | None = None


class Deduplicator:
    def __init__(self, kv: KeyValue, ttl_s: int = 600, pending_ttl_s: int = 120, poll_s: float = 0.05) -> None:
        self.kv = kv
        self.ttl_s = ttl_s
        # A claim whose owner died is forgotten after this; WeChat's retries are long over.
        self.pending_ttl_s = pending_ttl_s
        self.poll_s = poll_s
        self._answers: dict[str, asyncio.Future[str | None]] = {}

    @staticmethod
    def _key(message_key: str) -> str:
        return f"dedupe:{message_key}"

    async def claim(self, message_key: str) -> Claim:
        key = self._key(message_key)
        for _ in range(2):  # the key may expire between SET NX and GET
            if await self.kv.set_if_absent(key, _PENDING, self.pending_ttl_s):
                self._answers[message_key] = asyncio.get_running_loop().create_future()
                return Claim(ClaimState.NEW)
            value = await self.kv.get(key)
            if value == _PENDING:
                return Claim(ClaimState.IN_PROGRESS)
            if value is not None:
                return Claim(ClaimState.DONE, json.loads(value).get("reply"))
        return Claim(ClaimState.IN_PROGRESS)

    async def wait(self, message_key: str, timeout_s: float) -> Claim:
        """The first request's answer, if it comes within `timeout_s`."""
        local = self._answers.get(message_key)
        if local is not None:  # the first request is in this process
            try:
                return Claim(ClaimState.DONE, await asyncio.wait_for(asyncio.shield(local), max(timeout_s, 0)))
            except TimeoutError:
                return Claim(ClaimState.IN_PROGRESS)
        deadline = asyncio.get_running_loop().time() + timeout_s
        while True:
            value = await self.kv.get(self._key(message_key))
            if value is not None and value != _PENDING:
                return Claim(ClaimState.DONE, json.loads(value).get("reply"))
            if asyncio.get_running_loop().time() + self.poll_s > deadline:
                return Claim(ClaimState.IN_PROGRESS)
            await asyncio.sleep(self.poll_s)

    async def finish(self, message_key: str, reply: str | None) -> None:
        """Record the answer given (None: "success", the reply goes another way)."""
        try:
            await self.kv.set(self._key(message_key), json.dumps({"reply": reply}, ensure_ascii=False), self.ttl_s)
        finally:
            local = self._answers.pop(message_key, None)
            if local is not None and not local.done():
                local.set_result(reply)


class RateLimiter:
    """At most `per_minute` messages per member in each calendar minute."""

    def __init__(self, kv: KeyValue, per_minute: int) -> None:
        self.kv = kv
        self.per_minute = per_minute

    async def allow(self, channel: str, user_id: str, now: float) -> bool:
        window = int(now // 60)
        count = await self.kv.incr(f"rate:{channel}:{user_id}:{window}", 120)
        return count <= self.per_minute
