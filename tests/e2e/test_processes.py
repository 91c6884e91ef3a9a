"""The running processes as the supervisor starts them: only the gateway may listen beyond
the loopback (the launcher keeps it there too, for tests), and the gateway runs on the edge's
environment with the aiohttp requirements-edge.txt pins, not Rasa's."""

from __future__ import annotations

import re
import socket
from pathlib import Path

from bot.launcher import RunningAssistant
from services.settings import PROJECT_ROOT

LISTEN = "0A"  # TCP_LISTEN in /proc/net/tcp's st column


def listening_on(port: int) -> set[str]:
    """The local addresses with a socket listening on `port` (Linux's /proc/net/tcp and tcp6)."""
    found = set()
    for table, family in (("/proc/net/tcp", socket.AF_INET), ("/proc/net/tcp6", socket.AF_INET6)):
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, port_hex = local.split(":")
            if state != LISTEN or int(port_hex, 16) != port:
                continue
            # Each 32-bit word of the address is written in host (little-endian) order.
            raw = b"".join(bytes.fromhex(address[i:i + 8])[::-1] for i in range(0, len(address), 8))
            found.add(socket.inet_ntop(family, raw))
    return found


def pinned(package: str) -> str:
    text = (PROJECT_ROOT / "requirements-edge.txt").read_text(encoding="utf-8")
    found = re.search(rf"^{re.escape(package)}==(\S+)$", text, re.MULTILINE)
    assert found, f"{package} is not pinned in requirements-edge.txt"
    return found.group(1)


def test_rasa_and_the_action_server_listen_on_the_loopback_only(assistant: RunningAssistant):
    for name in ("rasa", "actions"):
        port = assistant.ports[name]
        assert port is not None
        assert listening_on(port) == {"127.0.0.1"}, name


def test_the_gateway_runs_on_the_edges_python_and_aiohttp(assistant: RunningAssistant):
    started = re.search(r"\[gateway\s*\].*running on Python (\S+) \((\S+)\), aiohttp (\S+)", assistant.log())
    assert started, "the gateway did not say what it runs on"
    version, python, aiohttp_version = started.groups()
    assert python == str(PROJECT_ROOT / ".venv-edge" / "bin" / "python")
    assert version.startswith("3.13.")
    assert aiohttp_version == pinned("aiohttp")
