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
class WorkingHours:
    """When staff answer members who asked for a person (Shanghai time)."""

    days: frozenset[int] = frozenset({1, 2, 3, 4, 5})  # ISO weekdays, 1 = Monday
    start: dt.time = dt.time(9, 0)
    end: dt.time = dt.time(17, 0)  # 00:00: until midnight
    reply_minutes: int = 15  # roughly how soon, within the hours


@dataclass(frozen=True)
class Settings:
    database_url: str
    redis_url: str | None
    knowledge_dir: Path
    fixed_today: dt.date | None
    hotline_organisation: str
    working_hours: WorkingHours = WorkingHours()

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


def _clock_time(name: str, raw: str) -> dt.time:
    try:
        hour, minute = (int(part) for part in raw.strip().split(":"))
        return dt.time(0, 0) if (hour, minute) == (24, 0) else dt.time(hour, minute)
    except ValueError as error:
        raise SettingsError(f"{name} must be HH:MM-HH:MM, got {raw!r}") from error


def parse_working_hours(env: Mapping[str, str]) -> WorkingHours:
    """HANDOFF_HOURS=09:00-17:00, HANDOFF_DAYS=1-5 (or 1,2,3,4,5; 1 = Monday), HANDOFF_REPLY_MINUTES=15."""
    default = WorkingHours()
    hours = (env.get("HANDOFF_HOURS") or "").strip()
    start, end = default.start, default.end
    if hours:
        first, dash, last = hours.partition("-")
        if not dash:
            raise SettingsError(f"HANDOFF_HOURS must be HH:MM-HH:MM, got {hours!r}")
        start, end = _clock_time("HANDOFF_HOURS", first), _clock_time("HANDOFF_HOURS", last)
        if end != dt.time(0, 0) and end <= start:
            raise SettingsError(f"HANDOFF_HOURS must end after it starts, got {hours!r}")
    days = default.days
    raw_days = (env.get("HANDOFF_DAYS") or "").strip()
    if raw_days:
        try:
            chosen: set[int] = set()
            for part in raw_days.split(","):
                low, _, high = part.strip().partition("-")
                chosen.update(range(int(low), int(high or low) + 1))
        except ValueError as error:
            raise SettingsError(f"HANDOFF_DAYS must be like 1-5 or 1,3,5 (1 = Monday), got {raw_days!r}") from error
        if not chosen or not chosen <= set(range(1, 8)):
            raise SettingsError(f"HANDOFF_DAYS must name days 1-7 (1 = Monday), got {raw_days!r}")
        days = frozenset(chosen)
    minutes = default.reply_minutes
    raw_minutes = (env.get("HANDOFF_REPLY_MINUTES") or "").strip()
    if raw_minutes:
        if not raw_minutes.isdigit() or not 1 <= int(raw_minutes) <= 1440:
            raise SettingsError(f"HANDOFF_REPLY_MINUTES must be 1-1440, got {raw_minutes!r}")
        minutes = int(raw_minutes)
    return WorkingHours(days=days, start=start, end=end, reply_minutes=minutes)


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
        working_hours=parse_working_hours(env),
    )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return load_settings()
