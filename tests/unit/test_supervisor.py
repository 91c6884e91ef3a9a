"""What the supervisor starts, and where: Rasa and the action server on Rasa's environment
and the loopback, the gateway (with the console) on the edge's environment. The end-to-end
tests check the same on the running processes (tests/e2e/test_processes.py)."""

from __future__ import annotations

import inspect

import rasa_sdk.endpoint

from bot import supervisor
from services.settings import PROJECT_ROOT


def by_name() -> dict[str, supervisor.Child]:
    return {child.name: child for child in supervisor.children()}


def option(command: list[str], name: str) -> str:
    return command[command.index(name) + 1]


def test_rasa_and_the_action_server_run_on_rasas_environment_and_the_gateway_on_the_edges():
    children = by_name()
    assert children["actions"].command[0] == children["rasa"].command[0] == str(PROJECT_ROOT / ".venv/bin/python")
    assert children["gateway"].command[0] == str(PROJECT_ROOT / ".venv-edge/bin/python")
    assert children["gateway"].command[1:3] == ["-m", "bot.gateway"]
    assert [child.name for child in supervisor.children(shell=True)] == ["actions"]


def test_rasas_api_and_the_action_server_listen_on_the_loopback_only():
    children = by_name()
    assert option(children["rasa"].command, "--interface") == "127.0.0.1"
    assert supervisor.child_env(children["actions"].env)["SANIC_HOST"] == "127.0.0.1"
    # rasa-sdk 3.6 has no option for it: its endpoint reads SANIC_HOST, else listens on 0.0.0.0.
    assert 'os.environ.get("SANIC_HOST", "0.0.0.0")' in inspect.getsource(rasa_sdk.endpoint.run)


def test_the_loopback_setting_is_the_action_servers_alone(monkeypatch):
    monkeypatch.delenv("SANIC_HOST", raising=False)
    children = by_name()
    assert "SANIC_HOST" not in supervisor.child_env(children["gateway"].env)
    assert "SANIC_HOST" not in supervisor.child_env(children["rasa"].env)


def test_a_missing_environment_is_named(monkeypatch, tmp_path):
    monkeypatch.setattr(supervisor, "EDGE_PYTHON", tmp_path / ".venv-edge" / "bin" / "python")
    assert supervisor.missing_pythons() == [tmp_path / ".venv-edge" / "bin" / "python"]
    assert supervisor.missing_pythons(shell=True) == []
