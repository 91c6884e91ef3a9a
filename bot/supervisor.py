"""Runs the action server, the Rasa server and the WeChat gateway together in the foreground.

    python -m bot.supervisor            # what `make run` starts
    python -m bot.supervisor --shell    # action server + `rasa shell` (make shell)

Rasa and the action server run on Rasa's environment (.venv, Python 3.10); the
gateway, which also serves the staff console, on the edge's (.venv-edge: a current
Python and aiohttp), whichever Python runs this. Only the gateway listens beyond
the loopback. Each child's output is prefixed with its name, with mobile numbers
masked (the gateway masks its own lines; Rasa's and the action server's are masked
here); when one child dies
the others are stopped, and Ctrl-C stops them all, so nothing is left running.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sys
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from bot.training import MODEL_PATH
from services.settings import PROJECT_ROOT
from services.validation import mask_mobiles

RASA_PORT = int(os.environ.get("RASA_PORT", "5005"))
ACTIONS_PORT = int(os.environ.get("ACTIONS_PORT", "5055"))
GATEWAY_PORT = int(os.environ.get("GATEWAY_PORT", "8080"))
RASA_PYTHON = PROJECT_ROOT / ".venv" / "bin" / "python"
EDGE_PYTHON = PROJECT_ROOT / ".venv-edge" / "bin" / "python"
# Rasa's API and the action server answer the gateway and each other on this machine only;
# rasa-sdk 3.6 listens where SANIC_HOST says, on 0.0.0.0 without it.
LOOPBACK = "127.0.0.1"
READY_TIMEOUT_S = 240.0
STOP_GRACE_S = 10.0
COLOURS = {"actions": "\033[36m", "rasa": "\033[35m", "gateway": "\033[33m"}
RESET = "\033[0m"


@dataclass(frozen=True)
class Child:
    name: str
    command: list[str]
    ready_url: str
    env: dict[str, str] = field(default_factory=dict)  # on top of child_env()


def children(shell: bool = False) -> list[Child]:
    actions = Child(
        "actions",
        [str(RASA_PYTHON), "-m", "rasa_sdk", "--actions", "actions", "--port", str(ACTIONS_PORT)],
        f"http://{LOOPBACK}:{ACTIONS_PORT}/health",
        {"SANIC_HOST": LOOPBACK},
    )
    if shell:
        return [actions]
    rasa = Child(
        "rasa",
        [str(RASA_PYTHON), "-m", "bot.rasa_server", "run", "--enable-api", "--interface", LOOPBACK,
         "--port", str(RASA_PORT), "--model", str(MODEL_PATH),
         "--credentials", "credentials.yml", "--endpoints", "endpoints.yml"],
        f"http://{LOOPBACK}:{RASA_PORT}/status",
    )
    gateway = Child(
        "gateway",
        [str(EDGE_PYTHON), "-m", "bot.gateway", "--port", str(GATEWAY_PORT)],
        f"http://{LOOPBACK}:{GATEWAY_PORT}/healthz",
    )
    return [actions, rasa, gateway]


def missing_pythons(shell: bool = False) -> list[Path]:
    """The environments' interpreters the children need that are not there (no `make install`)."""
    needed = {Path(child.command[0]) for child in children(shell)}
    return sorted(python for python in needed if not os.access(python, os.X_OK))


def child_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(PROJECT_ROOT), env.get("PYTHONPATH")]))
    env["ACTIONS_PORT"] = str(ACTIONS_PORT)  # endpoints.yml reads it
    env.setdefault("PYTHONWARNINGS", "ignore::DeprecationWarning")
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    env.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")
    env.update(extra or {})
    return env


def say(message: str) -> None:
    print(f"[supervisor] {message}", flush=True)


async def pump(name: str, stream: asyncio.StreamReader) -> None:
    colour = COLOURS.get(name, "") if sys.stdout.isatty() else ""
    reset = RESET if colour else ""
    while line := await stream.readline():
        # Rasa and the action server log members' messages at debug level and in errors;
        # they do not use the gateway's masking formatter, so their lines are masked here.
        text = mask_mobiles(line.decode("utf-8", "replace").rstrip())
        print(f"{colour}[{name:7}]{reset} {text}", flush=True)


def _is_up(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return bool(response.status == 200)
    except OSError:
        return False


async def wait_ready(child: Child, process: asyncio.subprocess.Process) -> bool:
    deadline = asyncio.get_running_loop().time() + READY_TIMEOUT_S
    while asyncio.get_running_loop().time() < deadline:
        if process.returncode is not None:
            return False
        if await asyncio.to_thread(_is_up, child.ready_url):
            return True
        await asyncio.sleep(1)
    return False


async def stop_all(processes: dict[str, asyncio.subprocess.Process]) -> None:
    for process in processes.values():
        if process.returncode is None:
            with _ignore_missing():
                os.killpg(process.pid, signal.SIGTERM)
    try:
        await asyncio.wait_for(
            asyncio.gather(*(p.wait() for p in processes.values())), STOP_GRACE_S
        )
    except asyncio.TimeoutError:
        for process in processes.values():
            if process.returncode is None:
                with _ignore_missing():
                    os.killpg(process.pid, signal.SIGKILL)


class _ignore_missing:
    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: object, *_: object) -> bool:
        return kind is ProcessLookupError


def banner() -> str:
    rest = f"http://localhost:{RASA_PORT}/webhooks/rest/webhook"
    return "\n".join([
        "",
        "=" * 72,
        " 上海市质量协会会员服务助手 is ready.",
        f"   Talk to it (REST channel): POST {rest}",
        f"     curl -s {rest} -H 'Content-Type: application/json' \\",
        "          -d '{\"sender\": \"demo\", \"message\": \"第三届世界质量论坛什么时候举办？\"}'",
        f"   Rasa HTTP API (localhost): http://localhost:{RASA_PORT}/status",
        f"   Action server:             http://localhost:{ACTIONS_PORT}/health",
        f"   WeChat gateway:            http://localhost:{GATEWAY_PORT}/wechat (公众号), /wecom (企业微信)",
        "                              setup: docs/wechat.md",
        f"   Gateway health/readiness:  http://localhost:{GATEWAY_PORT}/healthz, /readyz",
        "   Or chat in a terminal:     make shell",
        "   Ctrl-C stops everything.",
        "=" * 72,
        "",
    ])


async def supervise(shell: bool) -> int:
    if not shell and not MODEL_PATH.exists():
        say(f"no trained model at {MODEL_PATH}; run `make train` first")
        return 2
    if missing := missing_pythons(shell):
        say(f"no {', '.join(map(str, missing))}; run `make install` first")
        return 2
    processes: dict[str, asyncio.subprocess.Process] = {}
    pumps = []
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    try:
        for child in children(shell):
            python = Path(child.command[0]).relative_to(PROJECT_ROOT)
            say(f"starting {child.name} on {python}: {' '.join(child.command[1:])}")
            process = await asyncio.create_subprocess_exec(
                *child.command, cwd=PROJECT_ROOT, env=child_env(child.env), start_new_session=True,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
            )
            processes[child.name] = process
            assert process.stdout is not None
            pumps.append(asyncio.create_task(pump(child.name, process.stdout)))
        for child in children(shell):
            if not await wait_ready(child, processes[child.name]):
                say(f"{child.name} did not become ready; stopping")
                return 1
        if shell:
            say("action server ready; starting rasa shell (Ctrl-D or /stop to leave)")
            shell_process = await asyncio.create_subprocess_exec(
                str(RASA_PYTHON), "-m", "rasa", "shell", "--model", str(MODEL_PATH),
                "--endpoints", "endpoints.yml", cwd=PROJECT_ROOT, env=child_env(),
            )
            return await shell_process.wait()
        print(banner(), flush=True)
        exits = [asyncio.create_task(p.wait()) for p in processes.values()]
        stopper = asyncio.create_task(stop.wait())
        done, _ = await asyncio.wait([*exits, stopper], return_when=asyncio.FIRST_COMPLETED)
        if stopper in done:
            say("stopping every process")
            return 0
        dead = next(name for name, p in processes.items() if p.returncode is not None)
        say(f"{dead} exited with code {processes[dead].returncode}; stopping the rest")
        return 1
    finally:
        await stop_all(processes)
        for task in pumps:
            task.cancel()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--shell", action="store_true", help="chat in this terminal")
    args = parser.parse_args(argv)
    return asyncio.run(supervise(args.shell))


if __name__ == "__main__":
    sys.exit(main())
