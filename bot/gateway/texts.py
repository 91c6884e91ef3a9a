"""What the gateway says on its own (config/wechat_replies.yml, which points into
domain.yml), the menu's EventKey mapping (config/wechat_menu.yml), and the
splitting of long replies to fit WeChat's 2,048-byte limit.

No reply text is written in Python: it all comes from those two files.
"""

from __future__ import annotations

import json
import re
import string
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from services.settings import SettingsError

# The names the gateway asks config/wechat_replies.yml for.
REPLY_NAMES = ("welcome", "apology", "unknown_menu", "unsupported", "rate_limited", "busy", "deferred_intro",
               "held", "held_more")
# WeChat cuts a text message's Content at 2,048 bytes (UTF-8).
MAX_REPLY_BYTES = 2048
_SENTENCE_END = re.compile(r"(?<=[。！？!?；;\n])")


def _read_yaml(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise SettingsError(f"cannot read {path}: {error}") from error


def domain_texts(domain_path: Path) -> dict[str, str]:
    """Each response's first text variant, by name."""
    domain = _read_yaml(domain_path) or {}
    texts = {}
    for name, variants in (domain.get("responses") or {}).items():
        if variants and isinstance(variants[0], dict) and variants[0].get("text"):
            texts[name] = str(variants[0]["text"])
    return texts


@dataclass(frozen=True)
class Phrase:
    """One configured reply: fixed words, or domain responses filled with values."""

    parts: tuple[str, ...]
    fallback: Phrase | None = None

    def fields(self) -> set[str]:
        return {name for part in self.parts for _, name, _, _ in string.Formatter().parse(part) if name}

    def render(self, **values: str) -> str:
        if self.fallback is not None and not self.fields() <= {k for k, v in values.items() if v}:
            return self.fallback.render(**values)
        return "\n\n".join(part.format(**values) if self.fields() else part for part in self.parts)


def _phrase(name: str, entry: Any, domain: dict[str, str], source: Path) -> Phrase:
    if not isinstance(entry, dict) or not (("text" in entry) ^ ("responses" in entry)):
        raise SettingsError(f"{source}: {name} needs either text: or responses:")
    if "text" in entry:
        parts: tuple[str, ...] = (str(entry["text"]),)
    else:
        missing = [r for r in entry["responses"] if r not in domain]
        if missing:
            raise SettingsError(f"{source}: {name} names responses domain.yml does not have: {missing}")
        parts = tuple(domain[r] for r in entry["responses"])
    fallback = _phrase(f"{name}.fallback", entry["fallback"], domain, source) if entry.get("fallback") else None
    return Phrase(parts, fallback)


class GatewayTexts:
    def __init__(self, phrases: dict[str, Phrase]) -> None:
        self._phrases = phrases

    @classmethod
    def load(cls, domain_path: Path, replies_path: Path) -> GatewayTexts:
        domain = domain_texts(domain_path)
        config = _read_yaml(replies_path) or {}
        missing = [name for name in REPLY_NAMES if name not in config]
        if missing:
            raise SettingsError(f"{replies_path} lacks {missing}")
        return cls({name: _phrase(name, config[name], domain, replies_path) for name in REPLY_NAMES})

    def say(self, name: str, **values: str) -> str:
        return self._phrases[name].render(**values)

    def apology(self, hotline: tuple[str, str] | None) -> str:
        organisation, phone = hotline or ("", "")
        return self.say("apology", organisation=organisation, phone=phone)


@dataclass(frozen=True)
class MenuAction:
    message: str  # what goes to Rasa as the member's message

    @classmethod
    def from_config(cls, key: str, entry: Any, source: Path) -> MenuAction:
        if isinstance(entry, dict) and entry.get("message"):
            return cls(str(entry["message"]))
        if isinstance(entry, dict) and entry.get("intent"):
            entities = entry.get("entities") or {}
            if not isinstance(entities, dict):
                raise SettingsError(f"{source}: {key}.entities must be a mapping")
            suffix = json.dumps(entities, ensure_ascii=False) if entities else ""
            return cls(f"/{entry['intent']}{suffix}")
        raise SettingsError(f"{source}: {key} needs message: or intent:")


class Menu:
    def __init__(self, clicks: dict[str, MenuAction]) -> None:
        self._clicks = clicks

    @classmethod
    def load(cls, path: Path) -> Menu:
        config = _read_yaml(path) or {}
        clicks = config.get("clicks") or {}
        if not isinstance(clicks, dict):
            raise SettingsError(f"{path}: clicks must map EventKeys to actions")
        return cls({str(key): MenuAction.from_config(str(key), entry, path) for key, entry in clicks.items()})

    def action(self, event_key: str | None) -> MenuAction | None:
        return self._clicks.get(event_key or "")

    def event_keys(self) -> list[str]:
        return list(self._clicks)


def split_reply(text: str, limit: int = MAX_REPLY_BYTES) -> list[str]:
    """Pieces of at most `limit` UTF-8 bytes, cut after a sentence (。！？; or a line
    break) where possible, inside a sentence only when it is longer than a piece."""
    text = text.strip()
    if len(text.encode()) <= limit:
        return [text] if text else []
    pieces: list[str] = []
    current = ""
    for sentence in filter(None, _SENTENCE_END.split(text)):
        if len((current + sentence).encode()) <= limit:
            current += sentence
            continue
        if current.strip():
            pieces.append(current.strip())
        current = ""
        while len(sentence.encode()) > limit:
            cut = _cut_at_bytes(sentence, limit)
            pieces.append(sentence[:cut])
            sentence = sentence[cut:]
        current = sentence
    if current.strip():
        pieces.append(current.strip())
    return pieces


def _cut_at_bytes(text: str, limit: int) -> int:
    """The longest prefix (in characters) whose UTF-8 encoding fits in `limit` bytes."""
    size = 0
    for index, char in enumerate(text):
        size += len(char.encode())
        if size > limit:
            return max(index, 1)
    return len(text)
