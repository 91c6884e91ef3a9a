"""The whole assistant for a real browser: action server, Rasa with the trained model
and the gateway with the console (bot.launcher, as the end-to-end tests start it), on
free ports and a fresh SQLite database, with a stand-in for WeChat's
customer-service API (tests/gateway/standins.py) served from a thread of this process.

Headless Chromium is Debian's (/usr/bin/chromium, `make browser-deps`), driven by
Playwright with executable_path: Playwright's own browser download is never used.
Without it the tests skip and say why; without a trained model they fail, like tests/e2e.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from bot.launcher import RunningAssistant, running_assistant
from bot.training import MODEL_PATH
from services.accounts import AccountService
from tests.conftest import FIXTURE_KNOWLEDGE, KNOWLEDGE_DIR, TODAY, build_services
from tests.gateway.standins import AES_KEY, APP_ID, APP_SECRET, TOKEN, FakeWeChatApi

CHROMIUM = Path("/usr/bin/chromium")
# Root has no sandbox here; the rest keeps Chromium off a network it cannot reach.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
STAFF, STAFF_NAME, PASSWORD = "kefu", "李老师", "browser-test-password"


@pytest.fixture(scope="session")
def chromium() -> str:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: `make browser-deps` installs Debian's chromium "
                    "(apt-get install chromium)")
    pytest.importorskip("playwright.sync_api", reason="playwright is not installed: make install")
    return str(CHROMIUM)


class ThreadedApi:
    """FakeWeChatApi on an event loop of its own, in a thread (Playwright's sync API
    wants this thread free of an event loop)."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="wechat-api-standin", daemon=True)
        self.thread.start()
        self.api: FakeWeChatApi = self._run(FakeWeChatApi().start())

    def _run(self, coroutine: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(10)

    @property
    def url(self) -> str:
        return self.api.url

    def sent_to(self, openid: str) -> list[str]:
        """The texts the customer-service API accepted for `openid`, in order."""
        return [message["text"]["content"] for message in list(self.api.sent) if message.get("touser") == openid]

    def close(self) -> None:
        self._run(self.api.close())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)
        self.loop.close()


@dataclass
class ConsoleStack:
    assistant: RunningAssistant
    api: ThreadedApi

    @property
    def console(self) -> str:
        assert self.assistant.gateway_url
        return self.assistant.gateway_url + "/console"


@pytest.fixture
def browser(chromium: str) -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def console_stack(folder: Path, extra_env: dict[str, str] | None = None) -> Iterator[ConsoleStack]:
    """The assistant for the browser on a fresh database, with one editor account; a safe-mode
    公众号 whose customer-service API is the stand-in (`extra_env` may switch the API off)."""
    if not MODEL_PATH.exists():
        pytest.fail(f"no trained model at {MODEL_PATH}: `make train` runs before these tests")
    database_url = f"sqlite:///{folder / 'assistant.db'}"
    services = build_services(database_url, [KNOWLEDGE_DIR, FIXTURE_KNOWLEDGE])
    # An editor: takes conversations over (every role) and publishes notices (editors and admins).
    AccountService(services.session_factory).create_user(STAFF, PASSWORD, "editor", STAFF_NAME)
    services.engine.dispose()
    api = ThreadedApi()
    env = {"WECHAT_TOKEN": TOKEN, "WECHAT_APP_ID": APP_ID, "WECHAT_APP_SECRET": APP_SECRET,
           "WECHAT_AES_KEY": AES_KEY, "WECHAT_API_BASE": api.url, "WECHAT_CUSTOMER_SERVICE": "on",
           **(extra_env or {})}
    try:
        with running_assistant(database_url, folder / "assistant.log", TODAY.isoformat(), env) as running:
            yield ConsoleStack(running, api)
            assert "Traceback" not in running.log(), running.log()[-5000:]
    except RuntimeError as error:
        pytest.fail(str(error))
    finally:
        api.close()


@pytest.fixture(scope="module")
def stack(chromium: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ConsoleStack]:
    yield from console_stack(tmp_path_factory.mktemp("browser"))
