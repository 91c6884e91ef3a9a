"""Talking to Rasa through its REST channel, each member pinned to one Rasa instance.

`RASA_URLS` may name several Rasa servers sharing one tracker store. Each sender
id is routed by consistent hashing, so one member's messages always reach the
same instance in order (RasaHQ/rasa#9213: replicas racing on the lock store can
reorder a user's messages), and adding or removing an instance moves only the
members that hashed to it. When an instance refuses the connection the message
has not reached Rasa, so the next instance on the ring takes it; any other
failure (a timeout, a dropped connection) is not retried, as the turn may have run.
"""

from __future__ import annotations

import bisect
import hashlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import aiohttp

log = logging.getLogger(__name__)
REST_PATH = "/webhooks/rest/webhook"


def _point(value: str) -> int:
    return int.from_bytes(hashlib.blake2b(value.encode(), digest_size=8).digest(), "big")


class HashRing:
    def __init__(self, nodes: Sequence[str], replicas: int = 160) -> None:
        if not nodes:
            raise ValueError("a hash ring needs at least one node")
        self.nodes = tuple(dict.fromkeys(nodes))
        ring = sorted((_point(f"{node}#{index}"), node) for node in self.nodes for index in range(replicas))
        self._points = [point for point, _ in ring]
        self._owners = [node for _, node in ring]

    def nodes_for(self, key: str) -> list[str]:
        """Every node, the key's own first, then the next ones clockwise (fail-over order)."""
        start = bisect.bisect(self._points, _point(key)) % len(self._points)
        order: list[str] = []
        for index in range(len(self._owners)):
            node = self._owners[(start + index) % len(self._owners)]
            if node not in order:
                order.append(node)
                if len(order) == len(self.nodes):
                    break
        return order

    def node_for(self, key: str) -> str:
        return self.nodes_for(key)[0]


class RasaError(Exception):
    """Rasa could not be reached or did not answer properly (the reason is for the log)."""


@dataclass(frozen=True)
class RasaAnswer:
    texts: list[str]
    url: str


class RasaClient:
    def __init__(self, session: aiohttp.ClientSession, urls: Sequence[str], timeout_s: float) -> None:
        self.session = session
        self.ring = HashRing(urls)
        self.timeout = aiohttp.ClientTimeout(total=timeout_s, sock_connect=min(2.0, timeout_s))

    async def send(self, sender: str, message: str, metadata: dict[str, Any]) -> RasaAnswer:
        payload = {"sender": sender, "message": message, "metadata": metadata}
        last_error: Exception | None = None
        for url in self.ring.nodes_for(sender):
            try:
                return RasaAnswer(await self._post(url, payload), url)
            except aiohttp.ClientConnectorError as error:
                log.warning("Rasa at %s refused the connection; trying the next instance", url)
                last_error = error
        raise RasaError(f"no Rasa instance reachable: {type(last_error).__name__}")

    async def _post(self, url: str, payload: dict[str, Any]) -> list[str]:
        try:
            async with self.session.post(url + REST_PATH, json=payload, timeout=self.timeout) as response:
                if response.status != 200:
                    raise RasaError(f"{url} answered HTTP {response.status}")
                body = await response.json(content_type=None)
        except aiohttp.ClientConnectorError:
            raise
        except TimeoutError as error:
            raise RasaError(f"{url} did not answer in {self.timeout.total} s") from error
        except (aiohttp.ClientError, ValueError) as error:
            raise RasaError(f"{url}: {type(error).__name__}") from error
        if not isinstance(body, list):
            raise RasaError(f"{url} answered {type(body).__name__}, not a list")
        texts = []
        for item in body:
            if isinstance(item, dict) and item.get("text"):
                texts.append(str(item["text"]))
            elif isinstance(item, dict) and item.get("image"):
                texts.append(str(item["image"]))
        return texts

    async def reachable(self, url: str, timeout_s: float = 2.0) -> bool:
        """Rasa answers GET / with "Hello from Rasa" whether or not its API is enabled."""
        try:
            async with self.session.get(url + "/", timeout=aiohttp.ClientTimeout(total=timeout_s)) as response:
                return response.status == 200
        except (TimeoutError, aiohttp.ClientError):
            return False
