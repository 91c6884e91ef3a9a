"""Rasa's tracker and lock stores, configured from DATABASE_URL and REDIS_URL.

endpoints.yml names these classes, so one setting switches both the domain
database and Rasa's conversation history (SQLite ↔ PostgreSQL), and REDIS_URL
switches the lock store. Rasa falls back to an in-memory tracker store when it
cannot build the configured one; losing conversations silently is worse than
not starting, so these classes check the database first and raise.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from rasa.core.lock_store import InMemoryLockStore, LockStore, RedisLockStore
from rasa.core.tracker_store import SQLTrackerStore
from rasa.utils.endpoints import EndpointConfig
from sqlalchemy import text
from sqlalchemy.engine import make_url

from services.db import make_engine
from services.settings import get_settings


class TrackerStoreUnavailable(RuntimeError):
    """The conversation database cannot be reached: Rasa must not start."""


def _check_database(database_url: str) -> None:
    engine = make_engine(database_url, **({} if database_url.startswith("sqlite") else
                                          {"connect_args": {"connect_timeout": 5}}))
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as error:
        shown = make_url(database_url).render_as_string(hide_password=True)
        raise TrackerStoreUnavailable(f"cannot reach the conversation database ({shown}): {error}") from error
    finally:
        engine.dispose()


class ConfiguredSQLTrackerStore(SQLTrackerStore):
    """Rasa's SQL tracker store on the database named by DATABASE_URL."""

    def __init__(self, domain: Any = None, host: str | None = None, event_broker: Any = None,
                 **kwargs: Any) -> None:
        database_url = get_settings().database_url
        _check_database(database_url)
        url = make_url(database_url)
        super().__init__(
            domain=domain,
            dialect=url.get_backend_name(),
            host=url.host,
            port=url.port,
            db=url.database or "",
            username=url.username,
            password=url.password,
            event_broker=event_broker,
            query=dict(url.query) or None,
            **kwargs,
        )


class ConfiguredLockStore(LockStore):
    """Redis locks when REDIS_URL is set (several Rasa replicas), else in-memory."""

    def __init__(self, endpoint_config: EndpointConfig | None = None) -> None:
        redis_url = get_settings().redis_url
        self._inner: LockStore
        if redis_url:
            url = urlsplit(redis_url)
            store = RedisLockStore(
                host=url.hostname or "localhost",
                port=url.port or 6379,
                db=int(url.path.strip("/") or 0),
                username=url.username,
                password=url.password,
                use_ssl=url.scheme == "rediss",
                key_prefix="assistant",
            )
            store.red.ping()  # fail at start-up, not on the first message
            self._inner = store
        else:
            self._inner = InMemoryLockStore()

    @property
    def backend(self) -> LockStore:
        return self._inner

    def get_lock(self, conversation_id: str) -> Any:
        return self._inner.get_lock(conversation_id)

    def delete_lock(self, conversation_id: str) -> None:
        self._inner.delete_lock(conversation_id)

    def save_lock(self, lock: Any) -> None:
        self._inner.save_lock(lock)
