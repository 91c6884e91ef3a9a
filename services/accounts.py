"""Staff accounts for the console: argon2 password hashes, roles, lock-out, and the
audit log of what admins did with personal data.

Roles, each a set of rights (`RIGHTS`): every account reads conversations, replies,
takes over, marks and tags, uses 试一试 and the dashboard, and reads activities and
sign-up lists with mobile numbers masked. Beyond that:

    staff (客服)            takes, corrects and cancels sign-ups by phone
    editor (内容编辑)        the same; edits activities, uploads and publishes notices, writes training data
    organiser (活动负责人)   takes, corrects and cancels sign-ups by phone, and reveals and exports the
                            sign-up lists, of the activities assigned to them
    admin (管理员)           everything: also accounts, every list, the audit log

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
from sqlalchemy import Boolean, Column, DateTime, ForeignKey, Index, Integer, String, Text, delete, func, select, update
from sqlalchemy.orm import sessionmaker

from services.models import Base, utcnow


class Right(str, Enum):
    EDIT_ACTIVITIES = "edit_activities"  # create and edit activities and their milestones
    PUBLISH_NOTICES = "publish_notices"  # upload, correct, publish and withdraw notices
    WRITE_TRAINING_DATA = "write_training_data"  # the 没听懂 inbox's decisions → data/nlu/review.yml
    EXPORT_OWN_SIGNUPS = "export_own_signups"  # whole numbers and exports of one's own activities
    EXPORT_SIGNUPS = "export_signups"  # … of every activity
    # Sign-ups taken by phone (或致电联系人报名), and correcting or cancelling any sign-up.
    ENTER_OWN_SIGNUPS = "enter_own_signups"  # … of one's own activities
    ENTER_SIGNUPS = "enter_signups"  # … of every activity
    MANAGE_ACCOUNTS = "manage_accounts"


RIGHTS: dict[str, frozenset[Right]] = {
    "staff": frozenset({Right.ENTER_SIGNUPS}),
    "editor": frozenset({Right.EDIT_ACTIVITIES, Right.PUBLISH_NOTICES, Right.WRITE_TRAINING_DATA,
                         Right.ENTER_SIGNUPS}),
    "organiser": frozenset({Right.EXPORT_OWN_SIGNUPS, Right.ENTER_OWN_SIGNUPS}),
    "admin": frozenset(Right),
}
ROLES = tuple(RIGHTS)
ROLE_NAMES = {"staff": "客服", "editor": "内容编辑", "organiser": "活动负责人", "admin": "管理员"}
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
    locked_until = Column(DateTime(timezone=True))  # neither set nor read: the lock-out before the throttle
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


class ActivityOrganiser(Base):
    """An organiser account's activities: it may reveal and export their sign-up lists."""

    __tablename__ = "activity_organisers"

    activity_id = Column(ForeignKey("activities.id", ondelete="CASCADE"), primary_key=True)
    username = Column(String(40), primary_key=True)
    assigned_by = Column(String(40), nullable=False)
    assigned_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)


class AccountError(ValueError):
    """A request the account rules refuse; the message is for the person typing."""


@dataclass(frozen=True)
class StaffView:
    id: int
    username: str
    display_name: str | None
    role: str
    active: bool
    last_login_at: dt.datetime | None
    session_version: int = 0
    failed_logins: int = 0

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    def may(self, right: Right | str) -> bool:
        return Right(right) in RIGHTS.get(self.role, frozenset())

    @property
    def role_name(self) -> str:
        return ROLE_NAMES.get(self.role, self.role)

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
                     active=user.active, last_login_at=_aware(user.last_login_at),
                     session_version=user.session_version or 0, failed_logins=user.failed_logins or 0)


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
        self._change(username, password_hash=self._hasher.hash(password), failed_logins=0)

    def unlock(self, username: str) -> None:
        """Wrong passwords counted so far forgotten (the throttle is cleared by the console)."""
        with self._session_factory() as session, session.begin():
            session.execute(update(StaffUser).where(StaffUser.username == username)
                            .values(failed_logins=0)
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
            user.last_login_at = now
            if self._hasher.check_needs_rehash(user.password_hash):
                user.password_hash = self._hasher.hash(password)
            return LoginResult(LoginOutcome.OK, _view(user))

    def _verify(self, password_hash: str, password: str) -> bool:
        try:
            return self._hasher.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    # -- organisers ------------------------------------------------------------------

    def organises(self, username: str, activity_id: int) -> bool:
        with self._session_factory() as session:
            return session.get(ActivityOrganiser, (activity_id, username)) is not None

    def organised(self, username: str) -> frozenset[int]:
        """The activities assigned to this organiser account."""
        with self._session_factory() as session:
            return frozenset(session.scalars(select(ActivityOrganiser.activity_id)
                                             .where(ActivityOrganiser.username == username)))

    def organisers(self, activity_id: int) -> list[str]:
        with self._session_factory() as session:
            return list(session.scalars(select(ActivityOrganiser.username)
                                        .where(ActivityOrganiser.activity_id == activity_id)
                                        .order_by(ActivityOrganiser.username)))

    def set_organiser(self, activity_id: int, username: str, assigned: bool, by: str) -> None:
        """Assign (or take back) an activity to an organiser account."""
        with self._session_factory() as session, session.begin():
            user = session.scalars(select(StaffUser).where(StaffUser.username == username)).first()
            if user is None or user.role != "organiser":
                raise AccountError(f"{username} 不是活动负责人账号")
            found = session.get(ActivityOrganiser, (activity_id, username))
            if assigned and found is None:
                session.add(ActivityOrganiser(activity_id=activity_id, username=username, assigned_by=by,
                                              assigned_at=self._clock()))
            elif not assigned and found is not None:
                session.execute(delete(ActivityOrganiser).where(ActivityOrganiser.activity_id == activity_id,
                                                                ActivityOrganiser.username == username))

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
