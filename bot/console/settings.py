"""The console's configuration, from the environment, validated at start-up.

CONSOLE_SECRET_KEY encrypts the session cookie (Fernet: 32 random bytes, url-safe
base64, 44 characters; `python -c "from cryptography.fernet import Fernet;
print(Fernet.generate_key().decode())"`). Without it the console starts with a
key of its own for this run, so staff log in again after every restart, and
several gateway processes would not share sessions.
"""

from __future__ import annotations

import base64
import binascii
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.fernet import Fernet

from services.settings import PROJECT_ROOT, SettingsError, env_flag


@dataclass(frozen=True)
class ConsoleSettings:
    secret_key: bytes = field(repr=False)
    key_generated: bool = False
    # The cookie goes over HTTPS only (the console's place is behind the TLS proxy); browsers
    # also send it to http://localhost, so only a plain-HTTP test harness turns it off.
    cookie_secure: bool = True
    session_hours: float = 8.0
    replies_path: Path = PROJECT_ROOT / "config" / "console_replies.yml"
    sse_poll_s: float = 1.0
    sse_max_s: float = 600.0  # a live-update stream ends then; the browser reconnects at once
    sse_max_per_account: int = 6  # open streams per account and process (a page has one)

    @property
    def session_max_age_s(self) -> int:
        return int(self.session_hours * 3600)


def _secret(raw: str | None) -> tuple[bytes, bool]:
    if not raw:
        return Fernet.generate_key(), True
    try:
        decoded = base64.urlsafe_b64decode(raw.encode())
    except (binascii.Error, ValueError) as error:
        raise SettingsError("CONSOLE_SECRET_KEY must be a Fernet key (44 characters of url-safe base64)") from error
    if len(decoded) != 32:
        raise SettingsError("CONSOLE_SECRET_KEY must be a Fernet key (44 characters of url-safe base64)")
    return raw.encode(), False


def load_console_settings(environ: Mapping[str, str] | None = None) -> ConsoleSettings:
    env = dict(os.environ if environ is None else environ)
    key, generated = _secret(env.get("CONSOLE_SECRET_KEY"))
    hours_raw = env.get("CONSOLE_SESSION_HOURS") or "8"
    try:
        hours = float(hours_raw)
    except ValueError as error:
        raise SettingsError(f"CONSOLE_SESSION_HOURS must be a number, got {hours_raw!r}") from error
    if not 0.1 <= hours <= 24 * 7:
        raise SettingsError("CONSOLE_SESSION_HOURS must be between 0.1 and 168")
    return ConsoleSettings(secret_key=key, key_generated=generated,
                           cookie_secure=env_flag(env, "CONSOLE_COOKIE_SECURE", True), session_hours=hours)
