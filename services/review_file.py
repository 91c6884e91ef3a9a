"""data/nlu/review.yml: the training examples staff confirmed in the console's
misunderstood inbox, in Rasa's YAML training-data format (version "3.1").

    version: "3.1"

    nlu:
    - intent: ask_contact
      examples: |
        - 质协的电话打不通怎么办

New examples are merged into the intent's block; an example already there, or
anywhere else under data/nlu, is not written again (compared in normalised form,
entity annotations left out), and one that data/nlu gives another intent is
refused: `rasa data validate` would warn about it. Examples with a mobile number
are refused too (training data is committed; the member's number does not
belong there). `make train` picks the file up: bot/training.py fingerprints
everything under data/nlu.

Two staff saving at once: each write holds an exclusive lock (flock on a lock
file outside data/, so training never sees it) while it reads, merges and
writes, and the file is replaced atomically (a temporary file in the same
directory, fsync, os.replace), so a reader — `rasa train` included — sees the
old file or the new one, never half of one. Comments in the file are not kept;
examples edited by hand are.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import tempfile
import threading
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from services.settings import PROJECT_ROOT
from services.textnorm import normalise
from services.validation import find_mobiles

REVIEW_FILE = PROJECT_ROOT / "data" / "nlu" / "review.yml"
LOCK_FILE = PROJECT_ROOT / "var" / "review-nlu.lock"
VERSION = "3.1"
MAX_EXAMPLE_CHARS = 200
HEADER = ("# Training examples confirmed by staff in the console's misunderstood inbox (/console/inbox).\n"
          "# Written by services/review_file.py; `make train` learns from it. Examples edited by hand are\n"
          "# kept, comments other than these lines are not.\n")
# [text](entity), [text]{"entity": …}, [text][synonym]: Rasa's annotations inside an example.
_ANNOTATION = re.compile(r"\[([^\]]+)\](?:\([^)]*\)|\{[^}]*\}|\[[^\]]*\])")
_CONTROL = re.compile(r"[\u0000-\u001f\u007f\u200b-\u200f\u2028\u2029\ufeff]")
_SPACES = re.compile(r"\s+")
# Threads of one process share the flock's file, so they also take this lock.
_THREADS = threading.Lock()


class ReviewFileError(Exception):
    """review.yml cannot be read as Rasa training data; nothing was written."""


def example_text(raw: str) -> str:
    """A member's message as one example line: one line, no control characters, at
    most 200 characters, and ASCII brackets made full-width so Rasa does not read
    them as an entity annotation."""
    text = unicodedata.normalize("NFC", raw or "")
    text = _SPACES.sub(" ", _CONTROL.sub(" ", text)).strip()
    text = text.replace("[", "［").replace("]", "］")
    return text[:MAX_EXAMPLE_CHARS].strip()


def example_key(example: str) -> str:
    """What two examples are compared by: annotations removed, then normalised."""
    return normalise(_ANNOTATION.sub(r"\1", example)).casefold()


@dataclass
class AddResult:
    intent: str
    added: list[str] = field(default_factory=list)
    already: list[str] = field(default_factory=list)  # in review.yml or elsewhere under data/nlu
    conflicts: list[tuple[str, str]] = field(default_factory=list)  # (example, the intent data/nlu gives it)
    refused: list[str] = field(default_factory=list)  # empty, or with a mobile number


@dataclass
class _Block:
    intent: str
    examples: list[str]


def _examples(value: Any) -> list[str]:
    if not isinstance(value, str):
        raise ReviewFileError("examples must be a block of '- ' lines")
    found = []
    for line in value.splitlines():
        line = line.strip()
        if line.startswith("- "):
            found.append(line[2:].strip())
        elif line == "-":
            continue
        elif line:
            raise ReviewFileError(f"an example line does not start with '- ': {line[:40]!r}")
    return found


def _load(text: str) -> tuple[list[_Block | dict[str, Any]], bool]:
    """The file's nlu items: intent blocks we can merge into, other items kept as they are."""
    try:
        data = yaml.safe_load(text) if text.strip() else None
    except yaml.YAMLError as error:
        raise ReviewFileError(f"not YAML: {error}") from error
    if data is None:
        return [], True
    if not isinstance(data, dict) or not isinstance(data.get("nlu") or [], list):
        raise ReviewFileError("expected a mapping with an 'nlu' list")
    items: list[_Block | dict[str, Any]] = []
    for item in data.get("nlu") or []:
        if isinstance(item, dict) and set(item) == {"intent", "examples"} and isinstance(item["intent"], str):
            items.append(_Block(item["intent"], _examples(item["examples"])))
        elif isinstance(item, dict):
            items.append(item)
        else:
            raise ReviewFileError("an nlu item is not a mapping")
    return items, str(data.get("version", VERSION)) == VERSION


def render(items: Iterable[_Block | dict[str, Any]]) -> str:
    lines = [HEADER, f'version: "{VERSION}"\n', "\n"]
    body = []
    for item in items:
        if isinstance(item, _Block):
            if not item.examples:
                continue
            body.append(f"- intent: {item.intent}\n  examples: |\n")
            body.extend(f"    - {example}\n" for example in item.examples)
        else:
            dumped = yaml.safe_dump([item], allow_unicode=True, sort_keys=False, width=1000)
            body.append(dumped)
    lines.append("nlu:\n" if body else "nlu: []\n")
    return "".join(lines + body)


def read_training_examples(directory: Path, skip: Path | None = None) -> dict[str, str]:
    """example key → intent, for every intent example in the YAML files under `directory`."""
    found: dict[str, str] = {}
    for path in sorted([*directory.rglob("*.yml"), *directory.rglob("*.yaml")]):
        if skip is not None and path.resolve() == skip.resolve():
            continue
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError):
            continue  # rasa data validate reports a broken file; here it only cannot hold duplicates
        items = data.get("nlu") if isinstance(data, dict) else None
        for item in items if isinstance(items, list) else []:
            if isinstance(item, dict) and isinstance(item.get("intent"), str) and isinstance(item.get("examples"), str):
                for line in item["examples"].splitlines():
                    line = line.strip()
                    if line.startswith("- "):
                        found.setdefault(example_key(line[2:].strip()), item["intent"])
    return found


class ReviewFile:
    """Appends confirmed examples to review.yml, safely against concurrent writers."""

    def __init__(self, path: Path = REVIEW_FILE, lock_path: Path = LOCK_FILE,
                 training_dir: Path | None = None) -> None:
        self.path = path
        self.lock_path = lock_path
        self.training_dir = training_dir if training_dir is not None else path.parent

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        self.lock_path.parent.mkdir(parents=True, exist_ok=True)
        with _THREADS:
            descriptor = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o644)
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX)
                yield
            finally:
                fcntl.flock(descriptor, fcntl.LOCK_UN)
                os.close(descriptor)

    def read(self) -> list[tuple[str, list[str]]]:
        """(intent, examples) of the file's intent blocks."""
        text = self.path.read_text(encoding="utf-8") if self.path.exists() else ""
        items, _ = _load(text)
        return [(item.intent, list(item.examples)) for item in items if isinstance(item, _Block)]

    def add(self, intent: str, texts: Iterable[str]) -> AddResult:
        result = AddResult(intent)
        with self.locked():
            text = self.path.read_text(encoding="utf-8") if self.path.exists() else ""
            items, _ = _load(text)
            others = read_training_examples(self.training_dir, skip=self.path)
            blocks = [item for item in items if isinstance(item, _Block)]
            mine = {example_key(example): block.intent for block in blocks for example in block.examples}
            target = next((block for block in blocks if block.intent == intent), None)
            before = sum(len(block.examples) for block in blocks)
            for raw in texts:
                example = example_text(raw)
                key = example_key(example)
                if not key or find_mobiles(example):
                    result.refused.append(raw)
                    continue
                labelled = mine.get(key) or others.get(key)
                if labelled == intent:
                    result.already.append(example)
                elif labelled is not None:
                    result.conflicts.append((example, labelled))
                else:
                    if target is None:
                        target = _Block(intent, [])
                        items.append(target)
                    target.examples.append(example)
                    mine[key] = intent
                    result.added.append(example)
            if result.added or not self.path.exists():
                self._replace(render(items), expected=before + len(result.added))
        return result

    def ensure(self) -> None:
        """Create an empty, valid file if there is none."""
        with self.locked():
            if not self.path.exists():
                self._replace(render([]), expected=0)

    def _replace(self, text: str, expected: int) -> None:
        items, version_ok = _load(text)  # what is written must read back as training data
        written = sum(len(item.examples) for item in items if isinstance(item, _Block))
        if not version_ok or written != expected:
            raise ReviewFileError("the merged file does not read back as written")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        mode = self.path.stat().st_mode & 0o777 if self.path.exists() else 0o644
        descriptor, temporary = tempfile.mkstemp(dir=self.path.parent, prefix=f".{self.path.name}.", suffix=".tmp")
        try:
            with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
                handle.write(text)
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(temporary, mode)
            os.replace(temporary, self.path)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temporary)
            raise
        directory = os.open(self.path.parent, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)
