"""The message log writer (batched, off the reply's path) and the log-file format.

Log lines are read by more people, and kept longer, than the database: every line
has its mobile numbers masked (the database keeps them: staff need them), its
control characters escaped (a member's text or a request path with `%0a` must not
start a line of its own: that would let anyone write log lines), and the access log
leaves query strings out (WeChat's `signature`/`timestamp`/`nonce` are a credential
for as long as the replay window lasts).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import sys
from collections.abc import Iterable
from typing import IO

from aiohttp import web
from aiohttp.abc import AbstractAccessLogger

from services.messaging import LogEntry, MessagingService
from services.validation import mask_mobiles

log = logging.getLogger(__name__)
ACCESS_LOG = "bot.gateway.access"
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# C0 and C1 controls and Unicode's line and paragraph separators: anything a log
# viewer may take for the end of a line or a terminal command.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def escape_controls(text: str) -> str:
    """`\n` → `\\n`, `\x1b` → `\\x1b`: the text stays on its line and readable."""
    return _CONTROL.sub(lambda match: match.group().encode("unicode_escape").decode("ascii"), text)


class MaskingFormatter(logging.Formatter):
    """The message with control characters escaped, then the whole line (traceback
    included) with mobile numbers masked. Only the message is escaped: a traceback
    keeps its own lines."""

    def formatMessage(self, record: logging.LogRecord) -> str:
        record.message = escape_controls(record.message)
        return super().formatMessage(record)

    def format(self, record: logging.LogRecord) -> str:
        return mask_mobiles(super().format(record))


def configure_logging(level: int = logging.INFO, stream: IO[str] | None = None) -> None:
    handler = logging.StreamHandler(stream or sys.stdout)
    handler.setFormatter(MaskingFormatter(LOG_FORMAT))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)


class AccessLogger(AbstractAccessLogger):
    """One line per request: who, method, path without its query string, status,
    size, seconds. aiohttp's default format logs the first request line whole."""

    def log(self, request: web.BaseRequest, response: web.StreamResponse, time: float) -> None:
        self.logger.info("%s %s %s %d %d %.3fs", request.remote, request.method, request.path,
                         response.status, response.body_length, time)


class LogWriter:
    """Collects message-log rows and writes them in batches every `interval_s`, so a
    reply never waits for the database. Rows still queued are written on close;
    while the database is unreachable they are kept (up to `max_queue`) and retried."""

    def __init__(self, messaging: MessagingService, interval_s: float = 0.2, max_queue: int = 50_000) -> None:
        self.messaging = messaging
        self.interval_s = interval_s
        self.max_queue = max_queue
        self._buffer: list[LogEntry] = []
        self._wake = asyncio.Event()
        self._lock = asyncio.Lock()
        self._task: asyncio.Task[None] | None = None
        self.dropped = 0

    def add(self, entries: Iterable[LogEntry]) -> None:
        self._buffer.extend(entries)
        overflow = len(self._buffer) - self.max_queue
        if overflow > 0:
            del self._buffer[:overflow]
            self.dropped += overflow
            log.error("message log queue full: %d oldest rows dropped", overflow)
        self._wake.set()

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="message-log-writer")

    async def _run(self) -> None:
        while True:
            await self._wake.wait()
            await asyncio.sleep(self.interval_s)
            if not await self.flush():
                await asyncio.sleep(1.0)

    async def flush(self) -> bool:
        """Write what is queued now; False (rows kept) when the database failed."""
        async with self._lock:
            self._wake.clear()
            batch, self._buffer = self._buffer, []
            if not batch:
                return True
            try:
                await asyncio.to_thread(self.messaging.record, batch)
                return True
            except Exception as error:  # the rows are kept and retried; the reply must not fail
                log.error("message log not written (%s); %d rows kept for the next try",
                          type(error).__name__, len(batch), exc_info=True)
                self._buffer[:0] = batch
                self._wake.set()
                return False

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if not await self.flush():
            log.error("message log: %d rows could not be written at shutdown", len(self._buffer))
