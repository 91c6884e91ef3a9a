"""A signed request is used once.

WeChat signs every push with `timestamp` and `nonce` (`signature`; in safe mode also
`msg_signature`, over the encrypted body). The ±300 s window on `timestamp` alone
left a captured triple usable for five minutes; in plaintext mode with any body and
any `FromUserName`. So the first request carrying a (`timestamp`, `nonce`) pair
records a digest of what it carried, in Redis (shared by every gateway process) or
the process, until the window has passed for that timestamp; another request with
the same pair is refused (403) unless it carries exactly the same bytes. The
exception is for WeChat's own retries, should they repeat the query: the same push
again is then answered by de-duplication, never by a second turn.
"""

from __future__ import annotations

import hashlib

from bot.gateway.kv import KeyValue
from bot.gateway.wechat import ProtocolError


class NonceGuard:
    def __init__(self, kv: KeyValue, window_s: int) -> None:
        self.kv = kv
        # A timestamp is accepted from window_s before it until window_s after it.
        self.ttl_s = 2 * window_s + 1

    async def first_use(self, channel: str, timestamp: str, nonce: str, payload: bytes) -> None:
        """Raise ProtocolError(403) when this (timestamp, nonce) already came with other content."""
        key = f"nonce:{channel}:{timestamp}:{nonce}"
        digest = hashlib.sha256(payload).hexdigest()
        if await self.kv.set_if_absent(key, digest, self.ttl_s):
            return
        if await self.kv.get(key) != digest:
            raise ProtocolError(403, "nonce already used with another request")
