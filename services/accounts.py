"""Staff accounts for the console: argon2 password hashes, roles, lock-out, and the
audit log of what admins did with personal data.

Two roles: `staff` (read conversations, reply, take over, see sign-up lists with
masked mobile numbers) and `admin` (also accounts, unmasked numbers, exports, the
audit log). Five wrong passwords in a row lock an account for fifteen minutes,
even against the right password, so guessing is slow whoever guesses.
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
MAX_FAILURES = 5
LOCK_FOR = dt.timedelta(minutes=15)
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
    # Wrong passwords since the last success or lock; at MAX_FAILURES the account locks.
    failed_logins = Column(Integer, nullable=False, default=0)
    locked_until = Column(DateTime(timezone=True))
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

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def shown_name(self) -> str:
        return self.display_name or self.username


class LoginOutcome(str, Enum):
    OK = "ok"
    WRONG = "wrong"  # unknown user or wrong password: never said which
    LOCKED = "locked"
    INACTIVE = "inactive"


@dataclass(frozen=True)
class LoginResult:
    outcome: LoginOutcome
    user: StaffView | None = None
    locked_until: dt.datetime | None = None


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
                     last_login_at=_aware(user.last_login_at))


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

    def set_password(self, username: str, password: str) -> None:
        check_password_rules(password)
        with self._session_factory() as session, session.begin():
            user = session.scalars(select(StaffUser).where(StaffUser.username == username)).first()
            if user is None:
                raise AccountError(f"没有用户 {username}")
            user.password_hash = self._hasher.hash(password)
            user.failed_logins = 0
            user.locked_until = None

    def unlock(self, username: str) -> None:
        with self._session_factory() as session, session.begin():
            session.execute(update(StaffUser).where(StaffUser.username == username)
                            .values(failed_logins=0, locked_until=None)
                            .execution_options(synchronize_session=False))

    def set_active(self, username: str, active: bool) -> None:
        with self._session_factory() as session, session.begin():
            session.execute(update(StaffUser).where(StaffUser.username == username).values(active=active)
                            .execution_options(synchronize_session=False))

    # -- logging in ------------------------------------------------------------

    def authenticate(self, username: str, password: str) -> LoginResult:
        """Check a login. A wrong password counts towards the lock-out; the lock is
        set in the same transaction that counts the fifth failure."""
        now = self._clock()
        with self._session_factory() as session, session.begin():
            user = session.scalars(select(StaffUser).where(StaffUser.username == username)
                                   .with_for_update()).first()
            if user is None:
                self._verify(self._dummy_hash, password)
                return LoginResult(LoginOutcome.WRONG)
            locked_until = _aware(user.locked_until)
            if locked_until is not None and locked_until > now:
                return LoginResult(LoginOutcome.LOCKED, locked_until=locked_until)
            if not self._verify(user.password_hash, password):
                user.failed_logins = (user.failed_logins or 0) + 1
                if user.failed_logins >= MAX_FAILURES:
                    user.failed_logins = 0
                    user.locked_until = now + LOCK_FOR
                    session.add(AuditEntry(at=now, username=username, action="login_locked", target=username,
                                           detail=f"{MAX_FAILURES} 次密码错误，锁定至 {user.locked_until:%H:%M} UTC"))
                    return LoginResult(LoginOutcome.LOCKED, locked_until=user.locked_until)
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
