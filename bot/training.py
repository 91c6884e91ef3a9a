"""Train the Rasa model only when what it learns from has changed.

    python -m bot.training [--if-needed]

The fingerprint covers config.yml, domain.yml, the training data and the custom
NLU code and dictionary; it is stored beside the model in models/.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from services.settings import PROJECT_ROOT

MODEL_DIR = PROJECT_ROOT / "models"
MODEL_NAME = "assistant"
MODEL_PATH = MODEL_DIR / f"{MODEL_NAME}.tar.gz"
FINGERPRINT_PATH = MODEL_DIR / f"{MODEL_NAME}.fingerprint"
TRAINING_REPORT_PATH = MODEL_DIR / f"{MODEL_NAME}.training.json"
TRAINING_DATA = ("data/nlu", "data/rules", "data/stories")
# bot/nlu and services/textnorm.py are the normaliser the model runs first.
INPUTS = ("config.yml", "domain.yml", *TRAINING_DATA, "bot/nlu", "services/textnorm.py")


def fingerprint(root: Path = PROJECT_ROOT) -> str:
    digest = hashlib.sha256()
    for name in INPUTS:
        path = root / name
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for file in files:
            if "__pycache__" in file.parts:
                continue
            digest.update(str(file.relative_to(root)).encode())
            digest.update(file.read_bytes())
    return digest.hexdigest()


def is_current() -> bool:
    return (
        MODEL_PATH.exists()
        and FINGERPRINT_PATH.exists()
        and FINGERPRINT_PATH.read_text().strip() == fingerprint()
    )


def train() -> int:
    MODEL_DIR.mkdir(exist_ok=True)
    command = [
        sys.executable, "-m", "rasa", "train",
        "--config", "config.yml", "--domain", "domain.yml",
        "--data", *TRAINING_DATA,
        "--out", str(MODEL_DIR), "--fixed-model-name", MODEL_NAME,
        # Rasa's cache keys do not cover our normaliser code or the jieba
        # dictionary's contents: a stale DIET could be reused. Our fingerprint
        # already decided that training is needed.
        "--force",
    ]
    started = time.monotonic()
    result = subprocess.run(command, cwd=PROJECT_ROOT, check=False)  # noqa: S603 - our own argv
    if result.returncode == 0 and MODEL_PATH.exists():
        FINGERPRINT_PATH.write_text(fingerprint() + "\n")
        # make bench reports how long the last training took.
        TRAINING_REPORT_PATH.write_text(json.dumps({
            "seconds": round(time.monotonic() - started, 1),
            "cpus": os.cpu_count(),
            "finished": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        }))
    return result.returncode


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--if-needed", action="store_true",
                        help="skip training when the model matches its inputs")
    args = parser.parse_args(argv)
    if args.if_needed and is_current():
        print(f"model {MODEL_PATH.relative_to(PROJECT_ROOT)} is up to date; not training")
        return 0
    return train()


if __name__ == "__main__":
    sys.exit(main())
