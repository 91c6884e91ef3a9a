"""python -m bot.console create-user NAME [--role staff|admin] [--display-name 张三]

Creates a staff account in the database DATABASE_URL names (migrated first with
`make migrate`). The password is read from CONSOLE_PASSWORD when set (scripts,
CI), otherwise asked twice without echo. There is no default password.

    python -m bot.console set-password NAME     a new password (asked, or CONSOLE_PASSWORD)
    python -m bot.console disable NAME          no more logins; every session ends
    python -m bot.console enable NAME
    python -m bot.console set-role NAME ROLE    staff or admin; every session ends
    python -m bot.console unlock NAME           forget the wrong passwords counted; lift the
                                                login limits (shared through Redis)
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import os
import sys

from redis.asyncio import Redis
from redis.exceptions import RedisError

from bot.console.throttle import LoginThrottle
from bot.gateway.kv import RedisKeyValue
from bot.gateway.settings import load_gateway_settings
from services.accounts import ROLES, AccountError, AccountService
from services.db import make_engine, make_session_factory
from services.settings import SettingsError, get_settings


def _password(confirm: bool = True) -> str:
    from_env = os.environ.get("CONSOLE_PASSWORD")
    if from_env:
        return from_env
    if not sys.stdin.isatty():
        raise AccountError("没有终端可输入密码：请设置 CONSOLE_PASSWORD")
    password = getpass.getpass("密码（至少 10 位）: ")
    if confirm and getpass.getpass("再输入一次: ") != password:
        raise AccountError("两次输入的密码不一致")
    return password


async def _lift_login_limits(username: str) -> bool:
    """Clear the account's login throttle where every gateway process keeps it (Redis);
    False without REDIS_URL (each gateway process then keeps its own)."""
    settings = load_gateway_settings()
    if not settings.redis_url:
        return False
    client = Redis.from_url(settings.redis_url, socket_timeout=2, socket_connect_timeout=2)
    try:
        await LoginThrottle(RedisKeyValue(client, settings.redis_prefix)).clear(username)
    except (RedisError, OSError) as error:
        raise AccountError(f"已清除密码错误计数，但无法连接 Redis 解除登录限制（{type(error).__name__}）") from error
    finally:
        await client.aclose()
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.console", description="staff console accounts")
    commands = parser.add_subparsers(dest="command", required=True)
    create = commands.add_parser("create-user", help="create a staff account")
    create.add_argument("username")
    create.add_argument("--role", choices=ROLES, default="staff")
    create.add_argument("--display-name", help="the name members are told (工作人员张三)")
    password = commands.add_parser("set-password", help="set a new password (also lifts a lock-out)")
    password.add_argument("username")
    unlock = commands.add_parser("unlock", help="forget the wrong passwords counted")
    unlock.add_argument("username")
    for name, what in (("disable", "no more logins; every session of the account ends"),
                       ("enable", "allow logins again")):
        commands.add_parser(name, help=what).add_argument("username")
    role = commands.add_parser("set-role", help="change the role; every session of the account ends")
    role.add_argument("username")
    role.add_argument("role", choices=ROLES)
    args = parser.parse_args(argv)
    try:
        engine = make_engine(get_settings().database_url)
    except SettingsError as error:
        print(f"cannot start: {error}", file=sys.stderr)
        return 2
    accounts = AccountService(make_session_factory(engine))
    try:
        if args.command == "create-user":
            user = accounts.create_user(args.username, _password(), args.role, args.display_name)
            accounts.audit("cli", "create_user", user.username, f"角色 {user.role}（命令行）")
            print(f"created {user.role} {user.username}")
        elif args.command == "set-password":
            accounts.set_password(args.username, _password())
            accounts.audit("cli", "set_password", args.username, "命令行")
            print(f"password set for {args.username}")
        elif args.command in ("disable", "enable"):
            accounts.set_active(args.username, args.command == "enable")
            accounts.audit("cli", f"user_{args.command}", args.username, "命令行")
            print(f"{args.command}d {args.username}")
        elif args.command == "set-role":
            accounts.set_role(args.username, args.role)
            accounts.audit("cli", "user_role", args.username, f"角色 {args.role}（命令行）")
            print(f"{args.username} is now {args.role}")
        else:
            accounts.unlock(args.username)
            accounts.audit("cli", "unlock_user", args.username, "命令行")
            shared = asyncio.run(_lift_login_limits(args.username))
            print(f"unlocked {args.username}" + ("" if shared else
                  " (no REDIS_URL: the gateway's own login limits end within 15 minutes, "
                  "or an admin lifts them on the 账号 page)"))
    except (AccountError, SettingsError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    finally:
        engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
