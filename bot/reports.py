"""Where the evaluation scripts leave their details: one JSON file, named on the last line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def write_details(path: Path, data: Any) -> None:
    """Write `data` as readable JSON (Chinese kept as is; dates as text) and say where."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2, default=str), encoding="utf-8")
    print(f"  details: {path}")
