"""Rows 4 and 5 of issue #13: guessing passwords, locking others out, and sessions that
outlive logout, a new password, a disabled account or a changed role."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from bot.console import keys as console_keys
from services.accounts import AccountService
from tests.console.conftest import PASSWORD, Console, csrf_of

NEUTRAL = "用户名或密码不正确，或尝试次数过多，请稍后再试。"


async def login_from(console: Console, address: str, username: str, password: str = PASSWORD) -> tuple[int, str]:
    """Log in through the TLS proxy, as seen from `address` (X-Forwarded-For)."""
    headers = {"X-Forwarded-For": address}
    page = await console.client.get("/console/login", headers=headers)
    token = csrf_of(await page.text())
    response = await console.client.post("/console/login", headers=headers, allow_redirects=False,
                                         data={"username": username, "password": password, "_csrf": token})
    return response.status, await response.text()


async def behind_proxy(start_gateway) -> Console:  # type: ignore[no-untyped-def]
    return Console(await start_gateway(GATEWAY_TRUSTED_PROXIES="127.0.0.1"))


# -- row 4 ---------------------------------------------------------------------------------


async def test_a_stranger_guessing_cannot_lock_the_admin_out(start_gateway):
    console = await behind_proxy(start_gateway)
    console.user("li.admin", role="admin")
    for _ in range(12):
        status, _ = await login_from(console, "203.0.113.9", "li.admin", "guess guess guess")
        assert status == 401
    status, _ = await login_from(console, "203.0.113.9", "li.admin")  # even the right one, from there
    assert status == 401
    console.client.session.cookie_jar.clear()
    status, _ = await login_from(console, "198.51.100.20", "li.admin")  # the admin, at the office
    assert status == 302


async def test_an_admin_lifts_the_limit(start_gateway):
    console = await behind_proxy(start_gateway)
    console.user("li.admin", role="admin")
    console.user("wang")
    for _ in range(5):
        assert (await login_from(console, "198.51.100.7", "wang", "forgot it again"))[0] == 401
    assert (await login_from(console, "198.51.100.7", "wang"))[0] == 401
    assert (await login_from(console, "198.51.100.20", "li.admin"))[0] == 302
    headers = {"X-Forwarded-For": "198.51.100.20"}
    page = await console.client.get("/console/admin/users", headers=headers)
    token = csrf_of(await page.text())
    lifted = await console.client.post("/console/admin/users/unlock", headers=headers, allow_redirects=False,
                                       data={"username": "wang", "_csrf": token})
    assert lifted.status == 302
    console.client.session.cookie_jar.clear()
    assert (await login_from(console, "198.51.100.7", "wang"))[0] == 302


async def test_one_address_guessing_at_many_accounts_is_stopped(start_gateway):
    console = await behind_proxy(start_gateway)
    console.user("wang")
    for number in range(20):
        status, _ = await login_from(console, "203.0.113.9", f"user{number}", "guess guess guess")
        assert status == 401
    status, page = await login_from(console, "203.0.113.9", "wang")
    assert status == 401 and NEUTRAL in page
    assert console.accounts.users()[0].failed_logins == 0  # refused before any password was checked


async def test_the_message_never_tells_which_usernames_exist(console):
    console.user("zhou")
    console.user("off.duty")
    console.accounts.set_active("off.duty", False)
    answers = set()
    for username, password in (("zhou", "wrong password"), ("nobody.here", "wrong password"),
                               ("off.duty", PASSWORD)):
        token = await console.csrf()
        response = await console.client.post("/console/login", allow_redirects=False,
                                             data={"username": username, "password": password, "_csrf": token})
        text = await response.text()
        assert response.status == 401 and NEUTRAL in text
        answers.add(text.replace(username, "NAME"))
    assert len(answers) == 1


async def test_a_failed_login_does_not_log_what_was_typed_as_the_username(console, caplog):
    token = await console.csrf()
    await console.client.post("/console/login", data={"username": "MySecretPassw0rd", "password": "x",
                                                       "_csrf": token})
    assert "MySecretPassw0rd" not in caplog.text


async def test_password_checks_run_on_their_own_threads(console):
    console.user("chen")
    accounts = console.gateway.app[console_keys.ACCOUNTS]
    threads = []
    authenticate = accounts.authenticate

    def recording(username: str, password: str):  # type: ignore[no-untyped-def]
        threads.append(threading.current_thread().name)
        return authenticate(username, password)

    accounts.authenticate = recording  # type: ignore[method-assign]
    assert await console.login("chen") == 302
    assert threads and threads[0].startswith("argon2")


def test_parallel_wrong_passwords_are_all_counted_on_sqlite(console):
    console.user("ma")
    accounts = AccountService(console.gateway.app[console_keys.ACCOUNTS]._session_factory)
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(lambda _: accounts.authenticate("ma", "wrong password"), range(4)))
    assert accounts.users()[0].failed_logins == 4


# -- row 5 ---------------------------------------------------------------------------------


def session_cookie(console: Console) -> str:
    return next(cookie.value for cookie in console.client.session.cookie_jar if cookie.key == "shqa_console")


async def with_cookie(console: Console, cookie: str, path: str = "/console/conversations") -> int:
    """Another browser with a copy of the cookie."""
    console.client.session.cookie_jar.clear()
    console.client.session.cookie_jar.update_cookies({"shqa_console": cookie})
    response = await console.client.get(path, allow_redirects=False)
    return response.status


async def test_a_copied_cookie_ends_with_the_logout(console):
    console.user("xu")
    assert await console.login("xu") == 302
    copied = session_cookie(console)
    assert (await console.post("/console/logout")).status == 302
    assert await with_cookie(console, copied) == 302


async def test_an_admin_ending_an_account_ends_its_sessions(console):
    console.user("li.admin", role="admin")
    for username in ("a.staff", "b.staff", "c.staff"):
        console.user(username)
    copies = {}
    for username in ("a.staff", "b.staff", "c.staff"):
        console.client.session.cookie_jar.clear()
        assert await console.login(username) == 302
        copies[username] = session_cookie(console)
    console.client.session.cookie_jar.clear()
    assert await console.login("li.admin") == 302
    changes = {"a.staff": {"action": "password", "password": "a brand new password"},
               "b.staff": {"action": "disable"},
               "c.staff": {"action": "role", "role": "admin"}}
    for username, change in changes.items():
        response = await console.post("/console/admin/users/change", {"username": username, **change},
                                      page="/console/admin/users")
        assert response.status == 302
    for username, cookie in copies.items():
        assert await with_cookie(console, cookie) == 302, username
    users = {user.username: user for user in console.accounts.users()}
    assert not users["b.staff"].active and users["c.staff"].role == "admin"
    actions = {entry.action for entry in console.accounts.audit_log()}
    assert {"user_password", "user_disable", "user_role"} <= actions


async def test_staff_cannot_use_the_account_page(console):
    console.user("li.admin", role="admin")
    console.user("d.staff")
    assert await console.login("d.staff") == 302
    response = await console.post("/console/admin/users/change", {"username": "li.admin", "action": "disable"})
    assert response.status == 403
    assert all(user.active for user in console.accounts.users())


# -- row 7 ---------------------------------------------------------------------------------


async def test_the_session_cookie_is_secure_unless_turned_off(start_gateway, monkeypatch):
    monkeypatch.delenv("CONSOLE_COOKIE_SECURE", raising=False)
    console = Console(await start_gateway())
    response = await console.client.get("/console/login")  # the anonymous session holding the CSRF token
    cookie = response.cookies["shqa_console"]
    assert cookie["secure"] and cookie["httponly"] and cookie["samesite"] == "Lax"


async def test_over_plain_http_from_elsewhere_the_login_page_says_to_use_https(start_gateway, monkeypatch):
    monkeypatch.delenv("CONSOLE_COOKIE_SECURE", raising=False)
    console = Console(await start_gateway())
    page = await console.client.get("/console/login", headers={"Host": "console.example.org"})
    assert "请通过 HTTPS 访问控制台" in await page.text()
    local = await console.client.get("/console/login")  # http://127.0.0.1: browsers keep Secure cookies there
    assert "请通过 HTTPS" not in await local.text()


def test_the_gateway_listens_on_the_loopback_by_default():
    from bot.gateway.settings import load_gateway_settings

    assert load_gateway_settings({}).host == "127.0.0.1"


async def test_behind_the_proxy_a_console_request_around_it_is_refused(start_gateway):
    console = await behind_proxy(start_gateway)
    assert (await console.client.get("/console/login")).status == 400  # no X-Forwarded-For: not via the proxy
    assert (await console.client.get("/console/login", headers={"X-Forwarded-For": "198.51.100.20"})).status == 200
    assert (await console.client.get("/healthz")).status == 200


def test_the_unlock_command_lifts_the_limits_kept_in_redis(tmp_path):
    import asyncio
    import os
    import subprocess
    import sys
    import uuid

    import pytest
    from redis.asyncio import Redis

    from bot.console.throttle import LoginThrottle
    from bot.gateway.kv import RedisKeyValue
    from bot.gateway.settings import GatewaySettings
    from services.db import make_engine, make_session_factory
    from services.settings import PROJECT_ROOT
    from services.setup import migrate

    redis_url = "redis://127.0.0.1:6379/15"  # a database of its own, away from a running gateway's
    username = f"wang.{uuid.uuid4().hex[:8]}"
    address = f"test-address-{username}"  # keys of their own: runs within 15 minutes do not add up
    database_url = f"sqlite:///{tmp_path / 'cli.db'}"
    migrate(database_url)
    engine = make_engine(database_url)
    AccountService(make_session_factory(engine)).create_user(username, PASSWORD)
    engine.dispose()

    async def blocked(failures: int) -> bool:
        client = Redis.from_url(redis_url)
        try:
            limiter = LoginThrottle(RedisKeyValue(client, GatewaySettings.redis_prefix))
            for _ in range(failures):
                await limiter.failed(username, address)
            return await limiter.blocked(username, address)
        finally:
            await client.aclose()

    try:
        assert asyncio.run(blocked(5))
    except OSError:
        pytest.skip("Redis is not reachable at 127.0.0.1:6379")
    env = {**os.environ, "DATABASE_URL": database_url, "REDIS_URL": redis_url, "PYTHONPATH": str(PROJECT_ROOT)}
    done = subprocess.run([sys.executable, "-m", "bot.console", "unlock", username], env=env, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert not asyncio.run(blocked(0))
