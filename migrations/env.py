"""Alembic environment: migrates the database DATABASE_URL names (SQLite by default)."""

from __future__ import annotations

from logging.config import fileConfig

from alembic import context

import services.messaging  # noqa: F401  (the gateway's message log and outbox tables)
from services import accounts, conversation_index, handoff, inbox, review, takeover  # noqa: F401  (the console's tables)
from services.db import make_engine
from services.ingest import drafts  # noqa: F401  (notices staff review before publishing)
from services.models import Base
from services.settings import get_settings

config = context.config
if config.config_file_name is not None and config.attributes.get("configure_logger", True):
    fileConfig(config.config_file_name)

target_metadata = Base.metadata


def database_url() -> str:
    return config.attributes.get("database_url") or get_settings().database_url


def run_migrations_offline() -> None:
    context.configure(url=database_url(), target_metadata=target_metadata, literal_binds=True,
                      render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    engine = make_engine(database_url())
    with engine.connect() as connection:
        # Batch mode lets later migrations alter columns on SQLite too.
        context.configure(connection=connection, target_metadata=target_metadata,
                          render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
