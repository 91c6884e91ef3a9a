"""python -m bot.gateway [--host H] [--port P]: serve the WeChat gateway."""

from __future__ import annotations

import argparse
import logging
import platform
import sys

import aiohttp
from aiohttp import web

from bot.gateway.app import create_app
from bot.gateway.logbook import ACCESS_LOG, AccessLogger, configure_logging
from bot.gateway.settings import load_gateway_settings
from services.settings import SettingsError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", help="interface (default GATEWAY_HOST or 127.0.0.1: the TLS proxy's side)")
    parser.add_argument("--port", type=int, help="port (default GATEWAY_PORT or 8080)")
    args = parser.parse_args(argv)
    configure_logging()
    # One line to check what the public edge runs on (.venv-edge, not Rasa's pinned aiohttp).
    logging.getLogger("bot.gateway").info("running on Python %s (%s), aiohttp %s", platform.python_version(),
                                          sys.executable, aiohttp.__version__)
    try:
        settings = load_gateway_settings()
        app = create_app(settings)
    except SettingsError as error:
        logging.getLogger("bot.gateway").error("cannot start: %s", error)
        return 2
    host, port = args.host or settings.host, args.port or settings.port
    logging.getLogger("bot.gateway").info("listening on http://%s:%d (/wechat, /wecom, /healthz, /readyz)",
                                          host, port)
    # WeChat waits 5 s; a handler is never cancelled because the client went away.
    web.run_app(app, host=host, port=port, print=None, access_log=logging.getLogger(ACCESS_LOG),
                access_log_class=AccessLogger,
                shutdown_timeout=20.0, handler_cancellation=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
