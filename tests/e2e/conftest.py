"""The real assistant (action server + Rasa, as `make run` starts them) on free
ports, with a fresh SQLite database holding the notices and the test fixture's
open activities, and a fixed today (2026-11-21)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.launcher import RunningAssistant, running_assistant
from bot.training import MODEL_PATH
from tests.conftest import FIXTURE_KNOWLEDGE, KNOWLEDGE_DIR, TODAY, build_services


@pytest.fixture(scope="session")
def assistant(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningAssistant]:
    if not MODEL_PATH.exists():
        pytest.fail(f"no trained model at {MODEL_PATH}: `make train` runs before these tests")
    folder = tmp_path_factory.mktemp("e2e")
    database_url = f"sqlite:///{folder / 'assistant.db'}"
    build_services(database_url, [KNOWLEDGE_DIR, FIXTURE_KNOWLEDGE]).engine.dispose()
    try:
        with running_assistant(database_url, folder / "assistant.log", TODAY.isoformat()) as running:
            yield running
            assert "Traceback" not in running.log(), running.log()[-5000:]
    except RuntimeError as error:
        pytest.fail(str(error))
