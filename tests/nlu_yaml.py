"""Training data read as Rasa reads it, for tests that run without Rasa (the console's, in
.venv-edge). tests/unit/test_review_file.py holds this reading to Rasa's own reader."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

# [text](entity), [text]{"entity": …} or [text][synonym]: Rasa keeps the text.
ANNOTATION = re.compile(r"\[([^\]]+)\](?:\([^)]*\)|\{[^}]*\}|\[[^\]]*\])")


def examples(path: Path) -> dict[str, list[str]]:
    """intent → the texts of its examples, in the file's order."""
    found: dict[str, list[str]] = {}
    for block in yaml.safe_load(path.read_text(encoding="utf-8")).get("nlu") or []:
        if "intent" not in block:
            continue
        for line in str(block.get("examples") or "").splitlines():
            if line.strip().startswith("- "):
                found.setdefault(block["intent"], []).append(ANNOTATION.sub(r"\1", line.strip()[2:].strip()))
    return found
