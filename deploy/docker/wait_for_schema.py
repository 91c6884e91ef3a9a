"""Wait until the database DATABASE_URL names is at the newest Alembic revision.

    python deploy/docker/wait_for_schema.py [--timeout SECONDS]

Kubernetes starts a Deployment's pods without waiting for the migrate Job; each pod's init
container runs this, so the gateway, Rasa and the action server never start on a database
the Job has not migrated yet (compose.yaml orders them with depends_on instead). It runs
on both environments' Alembic and SQLAlchemy (1.4 in Rasa's, 2.x in the edge's).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from services.db import make_engine
from services.settings import get_settings

ROOT = Path(__file__).resolve().parents[2]


def current_and_head(database_url: str) -> tuple[set[str], set[str]]:
    heads = set(ScriptDirectory.from_config(Config(str(ROOT / "alembic.ini"))).get_heads())
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            return set(MigrationContext.configure(connection).get_current_heads()), heads
    finally:
        engine.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--timeout", type=float, default=600.0, help="give up after this many seconds")
    parser.add_argument("--interval", type=float, default=3.0)
    args = parser.parse_args(argv)
    database_url = get_settings().database_url
    shown = make_url(database_url).render_as_string(hide_password=True)
    deadline = time.monotonic() + args.timeout
    while True:
        try:
            current, head = current_and_head(database_url)
            if current == head:
                print(f"schema of {shown} is at {', '.join(sorted(head))}", flush=True)
                return 0
            state = f"at {', '.join(sorted(current)) or 'no revision'}, waiting for {', '.join(sorted(head))}"
        except (SQLAlchemyError, OSError) as error:  # the database not up yet is the usual case
            state = f"not reachable ({type(error).__name__})"
        if time.monotonic() > deadline:
            print(f"schema of {shown}: {state}; giving up after {args.timeout:.0f} s", file=sys.stderr)
            return 1
        print(f"schema of {shown}: {state}", flush=True)
        time.sleep(args.interval)


if __name__ == "__main__":
    sys.exit(main())
