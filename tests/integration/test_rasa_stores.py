"""Rasa's conversation history and locks on the configured servers."""

import asyncio
import os

import pytest
from rasa.core.lock_store import InMemoryLockStore, RedisLockStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.rasa_stores import ConfiguredLockStore, ConfiguredSQLTrackerStore, TrackerStoreUnavailable
from services.settings import get_settings

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


@pytest.fixture
def environment(monkeypatch):
    def apply(**values):
        for key, value in values.items():
            if value is None:
                monkeypatch.delenv(key, raising=False)
            else:
                monkeypatch.setenv(key, value)
        get_settings.cache_clear()

    yield apply
    get_settings.cache_clear()


def test_conversations_are_kept_in_the_sql_database(environment, database_url):
    environment(DATABASE_URL=database_url)
    store = ConfiguredSQLTrackerStore(domain=Domain.empty())
    tracker = DialogueStateTracker.from_events("openid-1", [UserUttered("市质协电话多少")])
    asyncio.run(store.save(tracker))

    reopened = ConfiguredSQLTrackerStore(domain=Domain.empty())
    restored = asyncio.run(reopened.retrieve("openid-1"))
    assert restored.latest_message.text == "市质协电话多少"


def test_an_unreachable_database_stops_rasa_instead_of_losing_conversations(environment):
    environment(DATABASE_URL="postgresql://nobody@127.0.0.1:1/none")
    with pytest.raises(TrackerStoreUnavailable):
        ConfiguredSQLTrackerStore(domain=Domain.empty())


def test_without_redis_locks_are_in_memory(environment):
    environment(REDIS_URL=None)
    assert isinstance(ConfiguredLockStore().backend, InMemoryLockStore)


def test_with_redis_url_locks_are_in_redis(environment):
    environment(REDIS_URL=REDIS_URL)
    try:
        store = ConfiguredLockStore()
    except Exception as error:
        pytest.skip(f"Redis not reachable at {REDIS_URL}: {type(error).__name__}")
    assert isinstance(store.backend, RedisLockStore)

    async def serve_twice():
        async with store.lock("openid-2"):
            assert store.get_lock("openid-2") is not None
        async with store.lock("openid-2"):
            pass

    asyncio.run(serve_twice())
    assert store.get_lock("openid-2") is None


def test_an_unreachable_redis_fails_at_start_up(environment):
    environment(REDIS_URL="redis://127.0.0.1:1/0")
    with pytest.raises(Exception, match=r"(?i)connect"):
        ConfiguredLockStore()
