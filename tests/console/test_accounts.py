"""Logging in and out, CSRF, roles and login throttling."""

from __future__ import annotations

import os
import subprocess
import sys

from services.accounts import AccountError, AccountService, LoginOutcome
from services.db import make_engine, make_session_factory
from services.settings import PROJECT_ROOT
from tests.console.conftest import PASSWORD


async def test_unauthenticated_pages_redirect_to_login_with_the_way_back(console):
    for path in ("/console/", "/console/conversations", "/console/activities", "/console/admin/audit",
                 "/console/conversations/wechat/o-1"):
        response = await console.client.get(path, allow_redirects=False)
        assert response.status == 302, path
        assert response.headers["Location"].startswith("/console/login"), path
    response = await console.client.get("/console/conversations?q=x", allow_redirects=False)
    assert response.headers["Location"] == "/console/login?next=/console/conversations?q%3Dx"
    # The login page itself and the assets are open.
    assert (await console.client.get("/console/login")).status == 200
    assert (await console.client.get("/console/static/console.js")).status == 200


async def test_logging_in_goes_where_the_user_was_going_and_never_off_site(console):
    console.user("li")
    token = await console.csrf()
    response = await console.client.post("/console/login", allow_redirects=False, data={
        "username": "li", "password": PASSWORD, "_csrf": token, "next": "/console/activities"})
    assert (response.status, response.headers["Location"]) == (302, "/console/activities")
    console.logout_cookies()
    token = await console.csrf()
    response = await console.client.post("/console/login", allow_redirects=False, data={
        "username": "li", "password": PASSWORD, "_csrf": token, "next": "//evil.example/x"})
    assert response.headers["Location"] == "/console/"
    page = await console.client.get("/console/conversations")
    assert page.status == 200 and "会话" in await page.text()


async def test_a_post_without_the_csrf_token_is_refused(console):
    console.user("wang")
    # The login form included: no token, a wrong token.
    await console.client.get("/console/login")
    response = await console.client.post("/console/login", data={"username": "wang", "password": PASSWORD},
                                         allow_redirects=False)
    assert response.status == 403
    response = await console.client.post("/console/login", allow_redirects=False,
                                         data={"username": "wang", "password": PASSWORD, "_csrf": "forged"})
    assert response.status == 403
    assert await console.login("wang") == 302
    # Logged in: a POST without the token does nothing.
    response = await console.client.post("/console/logout", allow_redirects=False)
    assert response.status == 403
    assert (await console.client.get("/console/conversations", allow_redirects=False)).status == 200
    response = await console.client.post("/console/conversations/wechat/o-1/takeover", allow_redirects=False)
    assert response.status == 403
    # With it, logging out works.
    response = await console.post("/console/logout")
    assert response.status == 302
    assert (await console.client.get("/console/conversations", allow_redirects=False)).status == 302


async def test_staff_cannot_reach_admin_pages(console):
    console.user("zhao", "staff")
    assert await console.login("zhao") == 302
    for path in ("/console/admin/audit", "/console/admin/users"):
        response = await console.client.get(path, allow_redirects=False)
        assert response.status == 403, path
        assert "仅限管理员" in await response.text()
    for path in ("/console/activities/1/export.csv", "/console/activities/1/export.xlsx"):
        response = await console.post(path)
        assert response.status == 403, path
        assert "只有管理员和该活动的负责人" in await response.text()
    response = await console.post("/console/admin/users", {"username": "sneaky", "password": "x" * 12,
                                                            "role": "admin"})
    assert response.status == 403
    assert [user.username for user in console.accounts.users()] == ["zhao"]
    page = await (await console.client.get("/console/conversations")).text()
    assert "审计日志" not in page


async def test_admins_create_accounts_and_read_the_audit_log(console):
    console.user("boss", "admin")
    assert await console.login("boss") == 302
    response = await console.post("/console/admin/users", {"username": "new.staff", "password": "long enough pw",
                                                            "role": "staff", "display_name": "小陈"})
    assert response.status == 302
    assert "new.staff" in {user.username for user in console.accounts.users()}
    audit = await (await console.client.get("/console/admin/audit")).text()
    assert ">新建账号<" in audit and "new.staff" in audit


async def test_five_wrong_passwords_from_one_address_stop_its_tries_with_one_neutral_message(console):
    console.user("sun")
    for _ in range(5):
        assert await console.login("sun", "wrong password") == 401
    token = await console.csrf()
    response = await console.client.post("/console/login", data={"username": "sun", "password": PASSWORD,
                                                                  "_csrf": token})
    assert response.status == 401 and "用户名或密码不正确，或尝试次数过多" in await response.text()
    assert console.accounts.users()[0].failed_logins == 5  # the throttled try was not even checked


def test_wrong_passwords_are_counted_and_a_success_resets_the_count(sqlite_url):
    from services.setup import migrate

    migrate(sqlite_url)
    engine = make_engine(sqlite_url)
    accounts = AccountService(make_session_factory(engine))
    accounts.create_user("qian", PASSWORD)
    for _ in range(3):
        assert accounts.authenticate("qian", "nope").outcome is LoginOutcome.WRONG
    assert accounts.users()[0].failed_logins == 3
    assert accounts.authenticate("qian", PASSWORD).outcome is LoginOutcome.OK
    assert accounts.users()[0].failed_logins == 0
    assert accounts.authenticate("nobody", PASSWORD).outcome is LoginOutcome.WRONG
    engine.dispose()


def test_accounts_refuse_short_passwords_bad_roles_and_duplicates(sqlite_url):
    from services.setup import migrate

    migrate(sqlite_url)
    engine = make_engine(sqlite_url)
    accounts = AccountService(make_session_factory(engine))
    for args in (("a1", "short"), ("a2", PASSWORD, "root"), ("bad name", PASSWORD)):
        try:
            accounts.create_user(*args)
        except AccountError:
            continue
        raise AssertionError(f"accepted {args}")
    accounts.create_user("Zhou", PASSWORD)
    try:
        accounts.create_user("zhou", PASSWORD)
        raise AssertionError("a second zhou")
    except AccountError:
        pass
    stored = engine.connect().exec_driver_sql("SELECT password_hash FROM staff_users").scalar()
    assert stored.startswith("$argon2id$") and PASSWORD not in stored
    engine.dispose()


def test_create_user_takes_the_password_from_the_environment_and_has_no_default(sqlite_url):
    from services.setup import migrate

    migrate(sqlite_url)
    env = {**os.environ, "DATABASE_URL": sqlite_url, "PYTHONPATH": str(PROJECT_ROOT)}
    env.pop("CONSOLE_PASSWORD", None)
    command = [sys.executable, "-m", "bot.console", "create-user", "first", "--role", "admin"]
    refused = subprocess.run(command, env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                             cwd=PROJECT_ROOT)
    assert refused.returncode == 1 and "CONSOLE_PASSWORD" in refused.stderr
    made = subprocess.run(command, env={**env, "CONSOLE_PASSWORD": PASSWORD}, capture_output=True, text=True,
                          cwd=PROJECT_ROOT)
    assert made.returncode == 0, made.stderr
    engine = make_engine(sqlite_url)
    result = AccountService(make_session_factory(engine)).authenticate("first", PASSWORD)
    assert result.outcome is LoginOutcome.OK and result.user is not None and result.user.is_admin
    engine.dispose()
