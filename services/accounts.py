"""Staff accounts for the console: argon2 password hashes, roles, lock-out, and the
audit log of what admins did with personal data.

Two roles: `staff` (read conversations, reply, take over, see sign-up lists with
masked mobile numbers) and `admin` (also accounts, unmasked numbers, exports, the
audit log).

Guessing is slowed by the console's login throttle (bot/console/throttle.py, per
address and per account, in Redis), not by locking the account row: a lock any
stranger could set on any account was itself the attack. Wrong passwords are still
counted here, atomically, for admins to see.

Each account has a session version, stored in its sessions: logging out, a new
password, disabling the account or changing its role raise it, which ends every
copy of every session of that account, wherever the cookie was copied to.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Boolean, Column, DateTime, Index, Integer, String, Text, func, select, update
from sqlalchemy.orm import sessionmaker

from services.models import Base, utcnow

ROLES = ("staff", "admin")
ROLE_NAMES = {"staff": "工作人员", "admin": "管理员"}
MIN_PASSWORD_LENGTH = 10
_USERNAME = re.compile(r"[A-Za-z0-9_.\-]{2,40}")


class StaffUser(Base):
    __tablename__ = "staff_users"

    id = Column(Integer, primary_key=True)
    username = Column(String(40), nullable=False, unique=True)
    display_name = Column(String(50))
    password_hash = Column(String(200), nullable=False)
    role = Column(String(10), nullable=False, default="staff")  # staff | admin
    active = Column(Boolean, nullable=False, default=True)
    # Wrong passwords since the last success (for admins to see; the throttle decides).
    failed_logins = Column(Integer, nullable=False, default=0)
    locked_until = Column(DateTime(timezone=True))  # no longer set (the lock-out before the throttle)
    # Raised to end every session of the account (logout, password, disabled, role).
    session_version = Column(Integer, nullable=False, default=0, server_default="0")
    last_login_at = Column(DateTime(timezone=True))
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)


class AuditEntry(Base):
    """Who did what with personal data or accounts, for admins to read; never edited."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_at", "at"),)

    id = Column(Integer, primary_key=True)
    at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    username = Column(String(40), nullable=False)
    action = Column(String(40), nullable=False)  # export_csv, export_xlsx, unmask, create_user, login_locked …
    target = Column(String(200))  # what it was done to: "activity 12", "wechat:o-abc", a username
    detail = Column(Text)


class AccountError(ValueError):
    """A request the account rules refuse; the message is for the person typing."""


@dataclass(frozen=True)
class StaffView:
    id: int
    username: str
    display_name: str | None
    role: str
    active: bool
    locked_until: dt.datetime | None
    last_login_at: dt.datetime | None
    session_version: int = 0
    failed_logins: int = 0

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def shown_name(self) -> str:
        return self.display_name or self.username


class LoginOutcome(str, Enum):
    OK = "ok"
    WRONG = "wrong"  # unknown user or wrong password: never said which
    INACTIVE = "inactive"


@dataclass(frozen=True)
class LoginResult:
    outcome: LoginOutcome
    user: StaffView | None = None


@dataclass(frozen=True)
class AuditView:
    at: dt.datetime
    username: str
    action: str
    target: str | None
    detail: str | None


def _aware(value: dt.datetime | None) -> dt.datetime | None:
    """SQLite returns naive datetimes for timezone-aware columns; they were written in UTC."""
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=dt.timezone.utc)
    return value


def _view(user: StaffUser) -> StaffView:
    return StaffView(id=user.id, username=user.username, display_name=user.display_name, role=user.role,
                     active=user.active, locked_until=_aware(user.locked_until),
                     last_login_at=_aware(user.last_login_at), session_version=user.session_version or 0,
                     failed_logins=user.failed_logins or 0)


def check_password_rules(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"密码至少 {MIN_PASSWORD_LENGTH} 个字符")
    if password.strip() != password:
        raise AccountError("密码首尾不能有空格")


class AccountService:
    """Each method is one transaction."""

    def __init__(self, session_factory: sessionmaker, hasher: PasswordHasher | None = None,
                 clock: Callable[[], dt.datetime] = utcnow) -> None:
        self._session_factory = session_factory
        self._hasher = hasher or PasswordHasher()
        self._clock = clock
        # Verified against when the username is unknown, so the answer takes as long.
        self._dummy_hash = self._hasher.hash("not a password of anyone's")

    # -- accounts ------------------------------------------------------------

    def create_user(self, username: str, password: str, role: str = "staff",
                    display_name: str | None = None) -> StaffView:
        if not _USERNAME.fullmatch(username):
            raise AccountError("用户名为 2–40 个字母、数字、下划线、点或连字符")
        if role not in ROLES:
            raise AccountError(f"角色只能是 {' 或 '.join(ROLES)}")
        check_password_rules(password)
        with self._session_factory() as session, session.begin():
            exists = session.scalars(select(StaffUser.id).where(
                func.lower(StaffUser.username) == username.lower())).first()
            if exists is not None:
                raise AccountError(f"用户名 {username} 已存在")
            user = StaffUser(username=username, display_name=display_name or None,
                             password_hash=self._hasher.hash(password), role=role, active=True,
                             failed_logins=0, created_at=self._clock())
            session.add(user)
            session.flush()
            return _view(user)

    def get(self, user_id: int) -> StaffView | None:
        with self._session_factory() as session:
            user = session.get(StaffUser, user_id)
            return _view(user) if user is not None else None

    def users(self) -> list[StaffView]:
        with self._session_factory() as session:
            return [_view(user) for user in session.scalars(select(StaffUser).order_by(StaffUser.username))]

    def count(self) -> int:
        with self._session_factory() as session:
            return int(session.scalar(select(func.count()).select_from(StaffUser)) or 0)

    def _change(self, username: str, **values: object) -> None:
        """Update the account and end its sessions, in one statement."""
        with self._session_factory() as session, session.begin():
            changed = session.execute(
                update(StaffUser).where(StaffUser.username == username)
                .values(session_version=StaffUser.session_version + 1, **values)
                .execution_options(synchronize_session=False))
            if not changed.rowcount:
                raise AccountError(f"没有用户 {username}")

    def set_password(self, username: str, password: str) -> None:
        """A new password; every session of the account ends."""
        check_password_rules(password)
        self._change(username, password_hash=self._hasher.hash(password), failed_logins=0, locked_until=None)

    def unlock(self, username: str) -> None:
        """Wrong passwords counted so far forgotten (the throttle is cleared by the console)."""
        with self._session_factory() as session, session.begin():
            session.execute(update(StaffUser).where(StaffUser.username == username)
                            .values(failed_logins=0, locked_until=None)
                            .execution_options(synchronize_session=False))

    def set_active(self, username: str, active: bool) -> None:
        """Disable (every session ends) or enable an account."""
        self._change(username, active=active)

    def set_role(self, username: str, role: str) -> None:
        """Another role; every session ends, so no page keeps the old rights."""
        if role not in ROLES:
            raise AccountError(f"角色只能是 {' 或 '.join(ROLES)}")
        self._change(username, role=role)

    def end_sessions(self, username: str) -> None:
        """Logging out: every copy of every session of the account ends."""
        self._change(username)

    # -- logging in ------------------------------------------------------------

    def authenticate(self, username: str, password: str) -> LoginResult:
        """Check a login. A wrong password is counted with one UPDATE … SET n = n + 1, so
        parallel attempts cannot overwrite each other's count."""
        now = self._clock()
        with self._session_factory() as session, session.begin():
            user = session.scalars(select(StaffUser).where(StaffUser.username == username)).first()
            if user is None:
                self._verify(self._dummy_hash, password)
                return LoginResult(LoginOutcome.WRONG)
            if not self._verify(user.password_hash, password):
                session.execute(update(StaffUser).where(StaffUser.id == user.id)
                                .values(failed_logins=StaffUser.failed_logins + 1)
                                .execution_options(synchronize_session=False))
                return LoginResult(LoginOutcome.WRONG)
            if not user.active:
                return LoginResult(LoginOutcome.INACTIVE)
            user.failed_logins = 0
            user.locked_until = None
            user.last_login_at = now
            if self._hasher.check_needs_rehash(user.password_hash):
                user.password_hash = self._hasher.hash(password)
            return LoginResult(LoginOutcome.OK, _view(user))

    def _verify(self, password_hash: str, password: str) -> bool:
        try:
            return self._hasher.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    # -- the audit log -------------------------------------------------------------

    def audit(self, username: str, action: str, target: str | None = None, detail: str | None = None) -> None:
        with self._session_factory() as session, session.begin():
            session.add(AuditEntry(at=self._clock(), username=username, action=action, target=target,
                                   detail=detail))

    def audit_log(self, limit: int = 200, offset: int = 0) -> list[AuditView]:
        with self._session_factory() as session:
            rows = session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
                                   .offset(offset)).all()
            return [AuditView(at=_aware(row.at) or row.at, username=row.username, action=row.action,
                              target=row.target, detail=row.detail) for row in rows]
