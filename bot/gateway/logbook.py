"""The message log writer (batched, off the reply's path) and the log-file format
that masks mobile numbers (the database keeps them: staff need them; log files
are read by more people and kept longer)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import sys
from collections.abc import Iterable

from services.messaging import LogEntry, MessagingService
from services.validation import mask_mobile

log = logging.getLogger(__name__)
# Mainland mobile numbers, also inside longer text ("我的手机13912345678").
_MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")


def mask_mobiles(text: str) -> str:
    return _MOBILE.sub(lambda match: mask_mobile(match.group(0)), text)


class MaskingFormatter(logging.Formatter):
    """Formats as usual, then masks mobile numbers in the whole line (tracebacks too)."""

    def format(self, record: logging.LogRecord) -> str:
        return mask_mobiles(super().format(record))


def configure_logging(level: int = logging.INFO) -> None:
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(MaskingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)


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
