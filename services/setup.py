"""Bringing a database up: migrations and the reviewed knowledge.

Shared by the test fixtures, the benchmarks and the load run, which all need a
fresh database in the state `make run` leaves one in.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from alembic import command
from alembic.config import Config

from services.container import Services
from services.knowledge import KnowledgeLoader
from services.settings import PROJECT_ROOT, load_settings

KNOWLEDGE_DIR = PROJECT_ROOT / "data" / "knowledge"


def migrate(database_url: str) -> None:
    """Alembic `upgrade head` on `database_url`."""
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    config.attributes["database_url"] = database_url
    config.attributes["configure_logger"] = False
    command.upgrade(config, "head")


def prepare_database(database_url: str, knowledge_dirs: Iterable[Path] = (KNOWLEDGE_DIR,),
                     today: str | None = None) -> Services:
    """Migrate, load the knowledge files, and return services on that database."""
    migrate(database_url)
    environ = {"DATABASE_URL": database_url, **({"ASSISTANT_TODAY": today} if today else {})}
    services = Services.build(load_settings(environ))
    for directory in knowledge_dirs:
        KnowledgeLoader(services.session_factory).load_dir(directory)
    return services
