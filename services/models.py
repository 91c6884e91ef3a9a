"""The tables: notices, organisations, activities and milestones, members and sign-ups."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import declarative_base, relationship

# Typed as Any: SQLAlchemy 1.4 has no typing for declarative classes without its mypy plugin.
Base: Any = declarative_base()


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


class SourceDocument(Base):
    """A notice (通知, 工作要点, 工作报告) whose facts the assistant may state."""

    __tablename__ = "source_documents"

    id = Column(Integer, primary_key=True)
    slug = Column(String(200), nullable=False, unique=True)
    title = Column(String(300), nullable=False)
    issuer = Column(String(300))
    issued_on = Column(Date)
    year = Column(Integer)
    kind = Column(String(40))
    source_file = Column(String(300))
    text = Column(Text, nullable=False, default="")
    content_hash = Column(String(64), nullable=False)
    loaded_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)


class Organisation(Base):
    __tablename__ = "organisations"

    id = Column(Integer, primary_key=True)
    name = Column(String(200), nullable=False, unique=True)
    address = Column(String(300))
    postcode = Column(String(20))
    phones = Column(JSON, nullable=False, default=list)
    fax = Column(String(60))
    email = Column(String(200))
    contact_persons = Column(JSON, nullable=False, default=list)
    # The notice the contact details were taken from, so answers can cite it.
    contact_source_id = Column(ForeignKey("source_documents.id", ondelete="SET NULL"))

    aliases = relationship(
        "OrganisationAlias", cascade="all, delete-orphan", back_populates="organisation"
    )
    contact_source = relationship("SourceDocument")


class OrganisationAlias(Base):
    __tablename__ = "organisation_aliases"

    id = Column(Integer, primary_key=True)
    organisation_id = Column(
        ForeignKey("organisations.id", ondelete="CASCADE"), nullable=False, index=True
    )
    alias = Column(String(200), nullable=False, unique=True)

    organisation = relationship("Organisation", back_populates="aliases")


class Activity(Base):
    __tablename__ = "activities"

    id = Column(Integer, primary_key=True)
    key = Column(String(120), nullable=False, unique=True)
    name = Column(String(300), nullable=False)
    parent_id = Column(ForeignKey("activities.id", ondelete="SET NULL"), index=True)
    category = Column(String(40), index=True)
    year = Column(Integer, index=True)
    theme = Column(String(300))
    location = Column(String(300))
    capacity = Column(Integer)
    fee = Column(String(300))
    description = Column(Text)
    signup_deadline = Column(Date)
    # The hours beside the day the milestones hold ("13:30-16:30", or 上午 when that is all it says).
    time_of_day = Column(String(40))
    audience = Column(String(300))  # 参加对象, as the notice words it
    # How to sign up or apply, as the notice says it: it may send members elsewhere (申报系统).
    signup_method = Column(Text)
    # Kept in step with active sign-ups inside the sign-up transaction, so a
    # single conditional UPDATE decides whether a seat is left.
    seats_taken = Column(Integer, nullable=False, default=0, server_default=text("0"))
    source_document_id = Column(ForeignKey("source_documents.id", ondelete="SET NULL"))
    updated_at = Column(DateTime(timezone=True), nullable=False, default=utcnow, onupdate=utcnow)

    parent = relationship("Activity", remote_side=[id])
    aliases = relationship(
        "ActivityAlias", cascade="all, delete-orphan", back_populates="activity"
    )
    milestones = relationship(
        "Milestone",
        cascade="all, delete-orphan",
        order_by="Milestone.position",
        back_populates="activity",
    )
    roles = relationship("ActivityOrganisation", cascade="all, delete-orphan")
    contacts = relationship(
        "ActivityContact", cascade="all, delete-orphan", order_by="ActivityContact.position"
    )
    source_document = relationship("SourceDocument")


class ActivityAlias(Base):
    __tablename__ = "activity_aliases"
    __table_args__ = (UniqueConstraint("activity_id", "alias"),)

    id = Column(Integer, primary_key=True)
    activity_id = Column(ForeignKey("activities.id", ondelete="CASCADE"), nullable=False)
    # The same short name (质量大讲堂) may name one activity per year.
    alias = Column(String(200), nullable=False, index=True)

    activity = relationship("Activity", back_populates="aliases")


class ActivityOrganisation(Base):
    """Who organises (主办/承办) or is responsible for (负责单位) an activity."""

    __tablename__ = "activity_organisations"
    __table_args__ = (UniqueConstraint("activity_id", "organisation_id", "role"),)

    id = Column(Integer, primary_key=True)
    activity_id = Column(ForeignKey("activities.id", ondelete="CASCADE"), nullable=False)
    organisation_id = Column(
        ForeignKey("organisations.id", ondelete="CASCADE"), nullable=False, index=True
    )
    role = Column(String(20), nullable=False)  # "organiser" | "responsible"
    position = Column(Integer, nullable=False, default=0)

    organisation = relationship("Organisation")


class ActivityContact(Base):
    """A person or line the activity's notice gives to contact, as it gave it.

    Kept per activity, beside the organisation's own contact: a notice names the
    person for this event (王敏, 021-6543 2187), which is what "报名联系谁" asks for,
    while the organisation's details may come from a reviewed file and stay there.
    """

    __tablename__ = "activity_contacts"

    id = Column(Integer, primary_key=True)
    activity_id = Column(
        ForeignKey("activities.id", ondelete="CASCADE"), nullable=False, index=True
    )
    position = Column(Integer, nullable=False, default=0)
    org = Column(String(200))
    person = Column(String(100))
    phone = Column(String(100))
    mobile = Column(String(40))
    email = Column(String(200))
    fax = Column(String(60))
    address = Column(String(300))
    postcode = Column(String(20))


class Milestone(Base):
    """A phase or date of an activity: 宣传动员, 申报, 评审, 发表, 举办 …

    Notices give days, months or ranges ("2018年8月—9月", "12月5~6日"); the
    precision of each end is kept so answers never claim more than was said.
    """

    __tablename__ = "milestones"

    id = Column(Integer, primary_key=True)
    activity_id = Column(
        ForeignKey("activities.id", ondelete="CASCADE"), nullable=False, index=True
    )
    position = Column(Integer, nullable=False, default=0)
    name = Column(String(100), nullable=False)
    when_text = Column(String(100))
    start_date = Column(Date)
    start_precision = Column(String(5))  # "day" | "month" | "year"
    end_date = Column(Date)
    end_precision = Column(String(5))
    closes_signup = Column(Boolean, nullable=False, default=False)
    note = Column(String(300))

    activity = relationship("Activity", back_populates="milestones")


class Member(Base):
    __tablename__ = "members"
    __table_args__ = (UniqueConstraint("channel", "channel_user_id"),)

    id = Column(Integer, primary_key=True)
    channel = Column(String(30), nullable=False)
    channel_user_id = Column(String(128), nullable=False)  # WeChat openid, WeCom UserID …
    name = Column(String(50))
    mobile = Column(String(20))
    company = Column(String(200))
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    updated_at = Column(DateTime(timezone=True), nullable=False, default=utcnow, onupdate=utcnow)


class Signup(Base):
    __tablename__ = "signups"
    __table_args__ = (
        # At most one active sign-up per member and activity, enforced by the
        # database itself so that no race in the application can break it.
        Index(
            "uq_signups_active_member_activity",
            "member_id",
            "activity_id",
            unique=True,
            sqlite_where=text("status = 'active'"),
            postgresql_where=text("status = 'active'"),
        ),
    )

    id = Column(Integer, primary_key=True)
    reference = Column(String(20), nullable=False, unique=True)
    member_id = Column(ForeignKey("members.id", ondelete="CASCADE"), nullable=False, index=True)
    activity_id = Column(
        ForeignKey("activities.id", ondelete="CASCADE"), nullable=False, index=True
    )
    status = Column(String(12), nullable=False, default="active")  # active | cancelled
    # What the member gave for this sign-up, kept even if they later change it.
    name = Column(String(50), nullable=False)
    mobile = Column(String(20), nullable=False)
    company = Column(String(200), nullable=False)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    cancelled_at = Column(DateTime(timezone=True))

    member = relationship("Member")
    activity = relationship("Activity")
