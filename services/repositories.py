"""Queries over the tables. Repositories never commit: the caller owns the transaction."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.sql import Select

from services.models import (
    Activity,
    ActivityAlias,
    ActivityOrganisation,
    Member,
    Organisation,
    OrganisationAlias,
    Signup,
)
from services.senders import member_user_id
from services.textnorm import match_key


def _activity_query() -> Select:
    return select(Activity).options(
        selectinload(Activity.milestones),
        selectinload(Activity.aliases),
        selectinload(Activity.roles).selectinload(ActivityOrganisation.organisation),
        selectinload(Activity.contacts),
        selectinload(Activity.source_document),
        selectinload(Activity.parent).selectinload(Activity.milestones),
    )


class ActivityRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, activity_id: int) -> Activity | None:
        return self.session.scalars(_activity_query().where(Activity.id == activity_id)).first()

    def all(self) -> Sequence[Activity]:
        return self.session.scalars(_activity_query().order_by(Activity.id)).all()

    def all_with_milestones(self) -> Sequence[Activity]:
        """Every activity with only what a list needs (names, years, dates)."""
        query = select(Activity).options(selectinload(Activity.milestones)).order_by(Activity.id)
        return self.session.scalars(query).all()

    def top_level_ids(self, activity_ids: Iterable[int]) -> set[int]:
        """Those of the activities that are nobody's item (a programme, not one of its events)."""
        query = select(Activity.id).where(Activity.id.in_(list(activity_ids)), Activity.parent_id.is_(None))
        return set(self.session.scalars(query).all())

    def children(self, parent_id: int) -> Sequence[Activity]:
        query = _activity_query().where(Activity.parent_id == parent_id).order_by(Activity.id)
        return self.session.scalars(query).all()

    def names_from(self, document_id: int) -> list[str]:
        """The names of the activities one notice announced."""
        return list(self.session.scalars(select(Activity.name).where(Activity.source_document_id == document_id)))

    def announced_in(self, document_id: int) -> list[Activity]:
        return list(self.session.scalars(select(Activity).where(Activity.source_document_id == document_id)
                                         .order_by(Activity.id)))

    def name_index(self) -> list[tuple[str, int]]:
        """Every (match key, activity id) for names and aliases."""
        names = self.session.execute(select(Activity.name, Activity.id)).all()
        aliases = self.session.execute(select(ActivityAlias.alias, ActivityAlias.activity_id)).all()
        return [(match_key(text), activity_id) for text, activity_id in [*names, *aliases]]


class OrganisationRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, organisation_id: int) -> Organisation | None:
        query = (
            select(Organisation)
            .options(selectinload(Organisation.contact_source))
            .where(Organisation.id == organisation_id)
        )
        return self.session.scalars(query).first()

    def get_by_name(self, name: str) -> Organisation | None:
        query = (
            select(Organisation)
            .options(selectinload(Organisation.contact_source))
            .where(Organisation.name == name)
        )
        return self.session.scalars(query).first()

    def name_index(self) -> list[tuple[str, int]]:
        names = self.session.execute(select(Organisation.name, Organisation.id)).all()
        aliases = self.session.execute(
            select(OrganisationAlias.alias, OrganisationAlias.organisation_id)
        ).all()
        return [(match_key(text), org_id) for text, org_id in [*names, *aliases]]

    def activity_ids_of(self, organisation_id: int) -> set[int]:
        query = select(ActivityOrganisation.activity_id).where(
            ActivityOrganisation.organisation_id == organisation_id
        )
        return set(self.session.scalars(query).all())


class MemberRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def find(self, channel: str, channel_user_id: str) -> Member | None:
        """The member; `channel_user_id` may be Rasa's namespaced sender id (services.senders)."""
        query = select(Member).where(
            Member.channel == channel, Member.channel_user_id == member_user_id(channel, channel_user_id)
        )
        return self.session.scalars(query).first()

    def add(self, member: Member) -> None:
        self.session.add(member)


class SignupRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def active_for_member(self, member_id: int) -> Sequence[Signup]:
        query = (
            select(Signup)
            .options(selectinload(Signup.activity))
            .where(Signup.member_id == member_id, Signup.status == "active")
            .order_by(Signup.created_at)
        )
        return self.session.scalars(query).all()

    def active(self, member_id: int, activity_id: int) -> Signup | None:
        query = select(Signup).where(
            Signup.member_id == member_id,
            Signup.activity_id == activity_id,
            Signup.status == "active",
        )
        return self.session.scalars(query).first()

    def active_with_mobile(self, activity_id: int, mobile: str) -> Signup | None:
        """The activity's active sign-up given with this number, on any channel."""
        query = select(Signup).where(
            Signup.activity_id == activity_id, Signup.mobile == mobile, Signup.status == "active"
        )
        return self.session.scalars(query).first()

    def by_reference(self, activity_id: int, reference: str) -> Signup | None:
        """The sign-up with this reference, if it is one of the activity's."""
        query = select(Signup).where(Signup.reference == reference, Signup.activity_id == activity_id)
        return self.session.scalars(query).first()

    def for_activity(self, activity_id: int) -> Sequence[Signup]:
        query = select(Signup).where(Signup.activity_id == activity_id).order_by(Signup.created_at)
        return self.session.scalars(query).all()

    def add(self, signup: Signup) -> None:
        self.session.add(signup)
