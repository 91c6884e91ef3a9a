"""The real assistant (action server + Rasa, as `make run` starts them) on free
ports, with a fresh SQLite database holding the notices and the test fixture's
open activities, and a fixed today (2026-11-21)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.launcher import RunningAssistant, running_assistant
from bot.training import MODEL_PATH
from tests.conftest import FIXTURE_KNOWLEDGE, KNOWLEDGE_DIR, TODAY, build_services


def assistant_on(database_url: str, folder: Path, today: str) -> Iterator[RunningAssistant]:
    """The assistant on a prepared database; the test fails on a traceback in its log."""
    if not MODEL_PATH.exists():
        pytest.fail(f"no trained model at {MODEL_PATH}: `make train` runs before these tests")
    try:
        with running_assistant(database_url, folder / "assistant.log", today) as running:
            yield running
            assert "Traceback" not in running.log(), running.log()[-5000:]
    except RuntimeError as error:
        pytest.fail(str(error))


@pytest.fixture(scope="session")
def assistant(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningAssistant]:
    folder = tmp_path_factory.mktemp("e2e")
    database_url = f"sqlite:///{folder / 'assistant.db'}"
    build_services(database_url, [KNOWLEDGE_DIR, FIXTURE_KNOWLEDGE]).engine.dispose()
    yield from assistant_on(database_url, folder, TODAY.isoformat())
