"""What members are told when a person joins or leaves their conversation
(config/console_replies.yml); no member-facing words are written in Python."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from services.settings import SettingsError

NAMES = ("staff_joined", "staff_left")


@dataclass(frozen=True)
class ConsoleTexts:
    staff_joined: str
    staff_left: str

    @classmethod
    def load(cls, path: Path) -> ConsoleTexts:
        try:
            config = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError) as error:
            raise SettingsError(f"cannot read {path}: {error}") from error
        missing = [name for name in NAMES if not isinstance(config.get(name), dict)
                   or not str(config[name].get("text") or "").strip()]
        if missing:
            raise SettingsError(f"{path} needs text: for {missing}")
        return cls(**{name: str(config[name]["text"]).strip() for name in NAMES})

    def say(self, name: str, staff: str) -> str:
        """The notice, with {staff} (the staff member's display name) filled in if it asks for it."""
        return str(getattr(self, name)).replace("{staff}", staff)
