"""Start the whole assistant (bot.supervisor) in the background, on free ports.

Used by the end-to-end and browser tests and `make bench`, which need a real Rasa,
action server and gateway without disturbing one that `make run` may have on
5005/5055/8080. It runs on either environment: the supervisor starts each child
with its own (.venv for Rasa and the actions, .venv-edge for the gateway).
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from services.settings import PROJECT_ROOT

START_TIMEOUT_S = 240


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class RunningAssistant:
    def __init__(self, rasa_port: int, log_path: Path, gateway_port: int | None = None,
                 database_url: str | None = None, actions_port: int | None = None) -> None:
        self.url = f"http://127.0.0.1:{rasa_port}"
        self.ports = {"rasa": rasa_port, "actions": actions_port, "gateway": gateway_port}
        # The database the processes share, for tests that change it while they run.
        self.database_url = database_url
        # The WeChat gateway (bot.gateway) the supervisor starts beside Rasa.
        self.gateway_url = f"http://127.0.0.1:{gateway_port}" if gateway_port else None
        self.log_path = log_path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def post(self, path: str, body: bytes, timeout: float = 30) -> tuple[int, object]:
        request = urllib.request.Request(self.url + path, data=body,
                                         headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return response.status, json.loads(response.read() or b"null")
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode("utf-8", "replace")

    def say(self, sender: str, message: str) -> list[str]:
        """Send one message through the REST channel; the replies' texts."""
        status, replies = self.post("/webhooks/rest/webhook",
                                    json.dumps({"sender": sender, "message": message}).encode())
        if status != 200 or not isinstance(replies, list):
            raise RuntimeError(f"REST channel answered {status}: {replies}")
        return [str(reply.get("text", "")) for reply in replies]


@contextmanager
def running_assistant(database_url: str, log_path: Path, today: str | None = None,
                      extra_env: dict[str, str] | None = None) -> Iterator[RunningAssistant]:
    """The assistant on free ports against `database_url`; stopped on exit.
    `extra_env`: more settings for the processes (e.g. the gateway's WECHAT_TOKEN)."""
    rasa_port, actions_port, gateway_port = free_port(), free_port(), free_port()
    env = {**os.environ, "DATABASE_URL": database_url, "RASA_PORT": str(rasa_port),
           "ACTIONS_PORT": str(actions_port), "PYTHONPATH": str(PROJECT_ROOT),
           "GATEWAY_PORT": str(gateway_port), "GATEWAY_HOST": "127.0.0.1",
           # Tests and load runs speak plain HTTP to 127.0.0.1, where no TLS proxy sits.
           "CONSOLE_COOKIE_SECURE": "off"}
    if today:
        env["ASSISTANT_TODAY"] = today
    env.pop("REDIS_URL", None)
    env.pop("RASA_URLS", None)  # the gateway talks to this Rasa
    env.update(extra_env or {})
    with open(log_path, "w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "bot.supervisor"], cwd=PROJECT_ROOT, env=env,
            stdout=log, stderr=subprocess.STDOUT)
    assistant = RunningAssistant(rasa_port, log_path, gateway_port, database_url, actions_port)
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while "is ready" not in assistant.log():
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the assistant did not start:\n" + assistant.log()[-3000:])
            time.sleep(0.5)
        yield assistant
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
