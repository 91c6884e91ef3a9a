"""Starts the real assistant (action server + Rasa, as `make run` does) on free
ports, with a fresh SQLite database holding the notices and the test fixture's
open activities, and a fixed today (2026-11-21)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.training import MODEL_PATH
from services.settings import PROJECT_ROOT
from tests.conftest import FIXTURE_KNOWLEDGE, KNOWLEDGE_DIR, TODAY, build_services

START_TIMEOUT_S = 240


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Assistant:
    def __init__(self, rasa_port: int) -> None:
        self.url = f"http://127.0.0.1:{rasa_port}"

    def post(self, path: str, body: bytes, timeout: float = 30) -> tuple[int, object]:
        request = urllib.request.Request(self.url + path, data=body,
                                         headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
                return response.status, json.loads(response.read() or b"null")
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode("utf-8", "replace")

    def say(self, sender: str, message: str) -> list[str]:
        status, replies = self.post("/webhooks/rest/webhook",
                                    json.dumps({"sender": sender, "message": message}).encode())
        assert status == 200, replies
        assert isinstance(replies, list)
        return [r.get("text", "") for r in replies]


@pytest.fixture(scope="session")
def assistant(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Assistant]:
    if not MODEL_PATH.exists():
        pytest.fail(f"no trained model at {MODEL_PATH}: `make train` runs before these tests")
    database = tmp_path_factory.mktemp("e2e") / "assistant.db"
    database_url = f"sqlite:///{database}"
    build_services(database_url, [KNOWLEDGE_DIR, FIXTURE_KNOWLEDGE]).engine.dispose()
    rasa_port, actions_port = free_port(), free_port()
    env = {**os.environ, "DATABASE_URL": database_url, "ASSISTANT_TODAY": TODAY.isoformat(),
           "RASA_PORT": str(rasa_port), "ACTIONS_PORT": str(actions_port),
           "PYTHONPATH": str(PROJECT_ROOT)}
    env.pop("REDIS_URL", None)
    log_path = Path(tmp_path_factory.getbasetemp()) / "assistant.log"
    with open(log_path, "w") as log:
        process = subprocess.Popen([sys.executable, "-m", "bot.supervisor"], cwd=PROJECT_ROOT,  # noqa: S603
                                   env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while "is ready" not in log_path.read_text(errors="replace"):
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail("the assistant did not start:\n" + log_path.read_text(errors="replace")[-3000:])
            time.sleep(1)
        yield Assistant(rasa_port)
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
        assert "Traceback" not in log_path.read_text(errors="replace"), log_path.read_text()[-5000:]
