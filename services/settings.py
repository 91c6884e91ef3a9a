"""One place where the environment becomes configuration, validated at start-up."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SQLITE_PATH = PROJECT_ROOT / "var" / "assistant.db"
SHANGHAI = ZoneInfo("Asia/Shanghai")


class SettingsError(ValueError):
    """The environment holds a value the assistant cannot start with."""


@dataclass(frozen=True)
class Settings:
    database_url: str
    redis_url: str | None
    knowledge_dir: Path
    fixed_today: dt.date | None
    hotline_organisation: str

    def today(self) -> dt.date:
        """Today in Shanghai, or the date pinned by ASSISTANT_TODAY (tests, demos)."""
        return self.fixed_today or dt.datetime.now(SHANGHAI).date()

    @property
    def uses_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


def env_flag(env: Mapping[str, str], name: str, default: bool = False) -> bool:
    """An on/off setting (on, off, 1, 0, true, false); anything else stops the start."""
    raw = (env.get(name) or "").lower()
    if not raw:
        return default
    if raw not in ("on", "off", "1", "0", "true", "false"):
        raise SettingsError(f"{name} must be on or off, got {raw!r}")
    return raw in ("on", "1", "true")


def _parse_today(raw: str | None) -> dt.date | None:
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError as error:
        raise SettingsError(f"ASSISTANT_TODAY must be YYYY-MM-DD, got {raw!r}") from error


def load_settings(environ: dict[str, str] | None = None) -> Settings:
    env = dict(os.environ if environ is None else environ)
    database_url = env.get("DATABASE_URL") or f"sqlite:///{DEFAULT_SQLITE_PATH}"
    if not database_url.startswith(("sqlite", "postgresql")):
        raise SettingsError(
            "DATABASE_URL must be a sqlite:/// or postgresql:// URL, "
            f"got scheme {database_url.split(':', 1)[0]!r}"
        )
    redis_url = env.get("REDIS_URL") or None
    if redis_url and not redis_url.startswith(("redis://", "rediss://", "unix://")):
        raise SettingsError("REDIS_URL must start with redis://, rediss:// or unix://")
    return Settings(
        database_url=database_url,
        redis_url=redis_url,
        knowledge_dir=Path(env.get("KNOWLEDGE_DIR") or PROJECT_ROOT / "data" / "knowledge"),
        fixed_today=_parse_today(env.get("ASSISTANT_TODAY")),
        hotline_organisation=env.get("HOTLINE_ORGANISATION") or "上海市质量协会",
    )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return load_settings()
