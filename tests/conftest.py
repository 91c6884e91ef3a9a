"""Shared fixtures: a migrated database with the association's knowledge loaded.

Every database test runs on SQLite; the same tests run on PostgreSQL when it is
reachable (TEST_DATABASE_URL, default the local `test` database), each run in
a schema of its own that is dropped afterwards. Unreachable → skipped with the reason.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from services.container import Services
from services.db import make_engine
from services.settings import PROJECT_ROOT
from services.setup import prepare_database

TODAY = dt.date(2026, 11, 21)
KNOWLEDGE_DIR = PROJECT_ROOT / "data" / "knowledge"
FIXTURE_KNOWLEDGE = Path(__file__).parent / "fixtures" / "knowledge"
POSTGRES_URL = os.environ.get("TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
# The console's cookie is Secure by default; the tests' client speaks plain HTTP to 127.0.0.1.
os.environ.setdefault("CONSOLE_COOKIE_SECURE", "off")


def postgres_schema_url() -> Iterator[str]:
    """A fresh schema on the test PostgreSQL, or a skip saying why there is none."""
    admin = make_engine(POSTGRES_URL, connect_args={"connect_timeout": 3})
    schema = f"t_{uuid.uuid4().hex[:10]}"
    try:
        with admin.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as error:
        admin.dispose()
        pytest.skip(f"PostgreSQL not reachable at {POSTGRES_URL}: {type(error).__name__}")
    separator = "&" if "?" in POSTGRES_URL else "?"
    try:
        yield f"{POSTGRES_URL}{separator}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'assistant.db'}"
    else:
        yield from postgres_schema_url()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'assistant.db'}"


def build_services(database_url: str, knowledge_dirs: list[Path], today: dt.date = TODAY) -> Services:
    return prepare_database(database_url, knowledge_dirs, today.isoformat())


@pytest.fixture
def services(database_url: str) -> Iterator[Services]:
    """The association's five notices plus the test fixture's open activities."""
    built = build_services(database_url, [KNOWLEDGE_DIR, FIXTURE_KNOWLEDGE])
    yield built
    built.engine.dispose()


@pytest.fixture
def corpus_services(sqlite_url: str) -> Iterator[Services]:
    """Only the association's own notices, on SQLite."""
    built = build_services(sqlite_url, [KNOWLEDGE_DIR])
    yield built
    built.engine.dispose()


@pytest.fixture
def knowledge_copy(tmp_path: Path) -> Path:
    target = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE_DIR, target)
    return target
