"""The public edge stays out of Rasa's process and environment: building the gateway and
the console, and importing every module of theirs, loads no Rasa, rasa-sdk or TensorFlow
(they talk to Rasa only over HTTP), and no module of the project they load imports one,
not even inside a function. Run with .venv-edge's Python (make unit), a fresh interpreter
each time so that nothing another test imported counts."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
import textwrap
from importlib.util import find_spec
from pathlib import Path

from services.settings import PROJECT_ROOT

FORBIDDEN = {"rasa", "rasa_sdk", "tensorflow"}
EDGE_PACKAGES = ("bot.gateway", "bot.console")

LOAD_THE_EDGE = textwrap.dedent("""\
    import importlib, json, pkgutil, sys
    from bot.console.app import setup_console
    from bot.gateway.app import create_app
    from bot.gateway.settings import load_gateway_settings
    create_app(load_gateway_settings({"DATABASE_URL": sys.argv[1]}))
    for package in %r:
        for module in pkgutil.walk_packages(importlib.import_module(package).__path__, package + "."):
            importlib.import_module(module.name)
    project = {name: getattr(module, "__file__", None) for name, module in sys.modules.items()
               if name.split(".")[0] in {"bot", "services", "actions"}}
    print(json.dumps({"modules": sorted(sys.modules), "project": project}))
    """) % (EDGE_PACKAGES,)


def load_the_edge(tmp_path: Path) -> dict:
    completed = subprocess.run([sys.executable, "-c", LOAD_THE_EDGE, f"sqlite:///{tmp_path / 'edge.db'}"],
                               cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120, check=False)
    assert completed.returncode == 0, completed.stderr
    return json.loads(completed.stdout.splitlines()[-1])


def imported_roots(source: str) -> set[str]:
    """The top-level packages a module's imports name, wherever in the module they are."""
    roots = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            roots.add(node.module.split(".")[0])
    return roots


def test_building_the_gateway_and_the_console_loads_no_rasa(tmp_path):
    loaded = load_the_edge(tmp_path)
    assert "bot.gateway.app" in loaded["modules"] and "bot.console.app" in loaded["modules"]
    assert sorted(name for name in loaded["modules"] if name.split(".")[0] in FORBIDDEN) == []


def test_no_module_the_edge_loads_imports_rasa_even_lazily(tmp_path):
    project = load_the_edge(tmp_path)["project"]
    offenders = {name: sorted(imported_roots(Path(path).read_text(encoding="utf-8")) & FORBIDDEN)
                 for name, path in project.items() if path}
    assert {name: roots for name, roots in offenders.items() if roots} == {}


def test_the_edges_environment_has_no_rasa_to_import():
    assert [name for name in sorted(FORBIDDEN) if find_spec(name) is not None] == []
