"""The gateway's configuration, from the environment only, validated at start-up.

Secrets (tokens, AES keys, app secrets) are read from environment variables and
nowhere else. Without `WECHAT_TOKEN` the gateway still starts (so `make run`
works with no configuration) but /wechat is closed (503): a token the process
made up and wrote to its log would let whoever reads the log speak as any member,
which matters most where nobody watches /wechat (a WeCom-only deployment). Only
`WECHAT_DEV_TOKEN=on`, asked for on a development machine, makes a random
token for the run and logs it, for local tools and 试一试.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import os
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from services.settings import PROJECT_ROOT, SettingsError, env_flag, load_settings

DEFAULT_WECHAT_API_BASE = "https://api.weixin.qq.com"
DEFAULT_WECOM_API_BASE = "https://qyapi.weixin.qq.com"
# WeChat's admin accepts 3–32 letters and digits as the Token.
_TOKEN = re.compile(r"[A-Za-z0-9]{3,32}")


@dataclass(frozen=True)
class WeChatAccount:
    """A 公众号 (Official Account): 开发 → 基本配置 → 服务器配置."""

    token: str = field(repr=False)
    app_id: str | None = None
    app_secret: str | None = field(default=None, repr=False)
    # EncodingAESKey (43 characters); None → plaintext mode only.
    aes_key: str | None = field(default=None, repr=False)
    token_generated: bool = False  # WECHAT_DEV_TOKEN=on made a development token for this run

    @property
    def configured(self) -> bool:
        """False: no WECHAT_TOKEN (and no development token): /wechat answers 503."""
        return bool(self.token)

    @property
    def has_api(self) -> bool:
        return bool(self.app_id and self.app_secret)


@dataclass(frozen=True)
class WeComAccount:
    """A 企业微信 self-built app (自建应用 → 接收消息 → 设置API接收)."""

    corp_id: str
    token: str = field(repr=False)
    aes_key: str = field(repr=False)
    agent_id: int | None = None
    secret: str | None = field(default=None, repr=False)

    @property
    def has_api(self) -> bool:
        return bool(self.secret and self.agent_id is not None)


@dataclass(frozen=True)
class GatewaySettings:
    database_url: str
    redis_url: str | None
    hotline_organisation: str
    wechat: WeChatAccount
    wecom: WeComAccount | None
    rasa_urls: tuple[str, ...]
    wechat_api_base: str = DEFAULT_WECHAT_API_BASE
    wecom_api_base: str = DEFAULT_WECOM_API_BASE
    # "auto": the customer-service API is used when the account has an app id and
    # secret; "off": accounts without it keep late replies for the member's next message.
    customer_service: bool = False
    # The TLS reverse proxy in front reaches it here; GATEWAY_HOST=0.0.0.0 when the proxy is
    # on another machine. Never facing the internet in plain HTTP by default (the console's cookie).
    host: str = "127.0.0.1"
    port: int = 8080
    rasa_budget_s: float = 4.0  # WeChat waits 5 s for the passive reply
    rasa_timeout_s: float = 60.0  # a turn that takes longer is given up (apology)
    replay_window_s: int = 300
    max_body_bytes: int = 64 * 1024
    rate_limit_per_minute: int = 20
    max_in_flight: int = 64  # Rasa turns at the same time
    max_pending: int = 1000  # messages accepted and not yet answered, beyond → "busy"
    dedupe_ttl_s: int = 600  # WeChat retries within ~15 s; answers kept ten minutes
    outbox_poll_s: float = 5.0
    outbox_give_up_s: float = 48 * 3600.0  # 客服消息 may only be sent within 48 h
    redis_prefix: str = "shqa:gateway:"
    # The TLS reverse proxy's addresses: its X-Forwarded-For and -Proto are believed, and
    # only from it (request.remote is then the member's or the staff member's address).
    trusted_proxies: tuple[str, ...] = ()
    domain_path: Path = PROJECT_ROOT / "domain.yml"
    replies_path: Path = PROJECT_ROOT / "config" / "wechat_replies.yml"
    menu_path: Path = PROJECT_ROOT / "config" / "wechat_menu.yml"

    @property
    def late_delivery(self) -> str:
        return "customer_service" if self.customer_service else "deferred"


def decode_aes_key(name: str, value: str) -> bytes:
    """EncodingAESKey: 43 characters of base64 (the '=' left off) → the 32-byte AES key."""
    try:
        key = base64.b64decode(value + "=", validate=True)
    except (binascii.Error, ValueError) as error:
        raise SettingsError(f"{name} must be the 43-character EncodingAESKey from the admin page") from error
    if len(value) != 43 or len(key) != 32:
        raise SettingsError(f"{name} must be the 43-character EncodingAESKey from the admin page")
    return key


def _token(name: str, value: str) -> str:
    if not _TOKEN.fullmatch(value):
        raise SettingsError(f"{name} must be 3–32 letters or digits (what the admin page accepts)")
    return value


def _number(env: Mapping[str, str], name: str, default: float, minimum: float) -> float:
    raw = env.get(name)
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError as error:
        raise SettingsError(f"{name} must be a number, got {raw!r}") from error
    if value < minimum:
        raise SettingsError(f"{name} must be at least {minimum}, got {raw!r}")
    return value


def _networks(name: str, raw: str) -> tuple[str, ...]:
    """Comma-separated addresses or networks (10.0.0.5, 10.0.0.0/24, ::1)."""
    found = tuple(part.strip() for part in raw.split(",") if part.strip())
    for value in found:
        try:
            ipaddress.ip_network(value, strict=False)
        except ValueError as error:
            raise SettingsError(f"{name} must list IP addresses or networks, got {value!r}") from error
    return found


def _url(name: str, value: str) -> str:
    value = value.strip().rstrip("/")
    if not value.startswith(("http://", "https://")):
        raise SettingsError(f"{name} must hold http:// or https:// URLs, got {value!r}")
    return value


def _wechat(env: Mapping[str, str]) -> WeChatAccount:
    token = env.get("WECHAT_TOKEN") or ""
    generated = not token and env_flag(env, "WECHAT_DEV_TOKEN")
    token = _token("WECHAT_TOKEN", token) if token else (secrets.token_hex(16) if generated else "")
    app_id = env.get("WECHAT_APP_ID") or None
    aes_key = env.get("WECHAT_AES_KEY") or None
    if aes_key and not token:
        raise SettingsError("WECHAT_AES_KEY needs WECHAT_TOKEN (服务器配置's Token signs every push)")
    if aes_key:
        decode_aes_key("WECHAT_AES_KEY", aes_key)
        if not app_id:
            raise SettingsError("WECHAT_AES_KEY needs WECHAT_APP_ID (the decrypted message names the AppID)")
    return WeChatAccount(token=token, app_id=app_id, app_secret=env.get("WECHAT_APP_SECRET") or None,
                         aes_key=aes_key, token_generated=generated)


def _wecom(env: Mapping[str, str]) -> WeComAccount | None:
    names = ("WECOM_CORP_ID", "WECOM_TOKEN", "WECOM_AES_KEY")
    given = [name for name in names if env.get(name)]
    if not given:
        return None
    if len(given) != len(names):
        missing = ", ".join(name for name in names if name not in given)
        raise SettingsError(f"企业微信 needs {', '.join(names)} together; missing {missing}")
    aes_key = env["WECOM_AES_KEY"]
    decode_aes_key("WECOM_AES_KEY", aes_key)
    agent_raw = env.get("WECOM_AGENT_ID") or None
    if agent_raw is not None and not agent_raw.isdigit():
        raise SettingsError(f"WECOM_AGENT_ID must be the app's numeric AgentId, got {agent_raw!r}")
    return WeComAccount(corp_id=env["WECOM_CORP_ID"], token=_token("WECOM_TOKEN", env["WECOM_TOKEN"]),
                        aes_key=aes_key, agent_id=int(agent_raw) if agent_raw else None,
                        secret=env.get("WECOM_SECRET") or None)


def _customer_service(env: Mapping[str, str], wechat: WeChatAccount) -> bool:
    raw = (env.get("WECHAT_CUSTOMER_SERVICE") or "auto").lower()
    if raw not in ("auto", "on", "off"):
        raise SettingsError(f"WECHAT_CUSTOMER_SERVICE must be auto, on or off, got {raw!r}")
    if raw == "on" and not wechat.has_api:
        raise SettingsError("WECHAT_CUSTOMER_SERVICE=on needs WECHAT_APP_ID and WECHAT_APP_SECRET")
    return raw == "on" or (raw == "auto" and wechat.has_api)


def load_gateway_settings(environ: Mapping[str, str] | None = None) -> GatewaySettings:
    env = dict(os.environ if environ is None else environ)
    base = load_settings(env)
    wechat = _wechat(env)
    rasa_default = f"http://127.0.0.1:{env.get('RASA_PORT') or 5005}"
    rasa_urls = tuple(_url("RASA_URLS", url) for url in (env.get("RASA_URLS") or rasa_default).split(",")
                      if url.strip())
    if not rasa_urls:
        raise SettingsError("RASA_URLS names no Rasa server")
    port = int(_number(env, "GATEWAY_PORT", 8080, 1))
    budget = _number(env, "GATEWAY_RASA_BUDGET_S", 4.0, 0.05)
    if budget > 4.5:
        raise SettingsError("GATEWAY_RASA_BUDGET_S must leave time to answer within WeChat's 5 s (≤ 4.5)")
    return GatewaySettings(
        database_url=base.database_url,
        redis_url=base.redis_url,
        hotline_organisation=base.hotline_organisation,
        wechat=wechat,
        wecom=_wecom(env),
        rasa_urls=rasa_urls,
        wechat_api_base=_url("WECHAT_API_BASE", env.get("WECHAT_API_BASE") or DEFAULT_WECHAT_API_BASE),
        wecom_api_base=_url("WECOM_API_BASE", env.get("WECOM_API_BASE") or DEFAULT_WECOM_API_BASE),
        customer_service=_customer_service(env, wechat),
        host=env.get("GATEWAY_HOST") or "127.0.0.1",
        port=port,
        rasa_budget_s=budget,
        rasa_timeout_s=_number(env, "GATEWAY_RASA_TIMEOUT_S", 60.0, 1.0),
        replay_window_s=int(_number(env, "GATEWAY_REPLAY_WINDOW_S", 300, 1)),
        rate_limit_per_minute=int(_number(env, "GATEWAY_RATE_LIMIT_PER_MINUTE", 20, 1)),
        max_in_flight=int(_number(env, "GATEWAY_MAX_IN_FLIGHT", 64, 1)),
        max_pending=int(_number(env, "GATEWAY_MAX_PENDING", 1000, 1)),
        outbox_poll_s=_number(env, "GATEWAY_OUTBOX_POLL_S", 5.0, 0.05),
        trusted_proxies=_networks("GATEWAY_TRUSTED_PROXIES", env.get("GATEWAY_TRUSTED_PROXIES") or ""),
    )
