"""Organisations and how to reach them."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from services.models import Activity, ActivityContact, ActivityOrganisation, Organisation
from services.places import ends_with_other_place
from services.repositories import ActivityRepository, OrganisationRepository
from services.textnorm import match_key
from services.views import ContactView, Resolution, SourceView


def contact_view(organisation: Organisation) -> ContactView:
    source = organisation.contact_source
    return ContactView(
        organisation=organisation.name,
        address=organisation.address,
        postcode=organisation.postcode,
        phones=tuple(organisation.phones or ()),
        fax=organisation.fax,
        email=organisation.email,
        contact_persons=tuple(organisation.contact_persons or ()),
        source=SourceView(source.title, source.issued_on, source.year) if source else None,
    )


def notice_contact_views(activity: Activity) -> list[ContactView]:
    """The contacts the activity's own notice gives, one view per unit in the notice's
    order (a unit's persons and lines together); a line without a unit is the issuer's."""
    document = activity.source_document
    source = SourceView(document.title, document.issued_on, document.year) if document else None
    fallback = (document.issuer if document and document.issuer else None) or activity.name
    grouped: dict[str, list[ActivityContact]] = {}
    for contact in activity.contacts:
        grouped.setdefault(contact.org or fallback, []).append(contact)

    def values(contacts: list[ActivityContact], *names: str) -> tuple[str, ...]:
        found = [getattr(c, name) for c in contacts for name in names]
        return tuple(dict.fromkeys(v for v in found if v))

    def first(contacts: list[ActivityContact], name: str) -> str | None:
        return next((v for v in values(contacts, name)), None)

    return [
        ContactView(
            organisation=organisation,
            address=first(contacts, "address"),
            postcode=first(contacts, "postcode"),
            phones=values(contacts, "phone", "mobile"),
            fax=first(contacts, "fax"),
            email="、".join(values(contacts, "email")) or None,
            contact_persons=values(contacts, "person"),
            source=source,
        )
        for organisation, contacts in grouped.items()
    ]


class ContactService:
    def __init__(self, session_factory: sessionmaker) -> None:
        self._session_factory = session_factory

    def resolve(self, text: str | None) -> Resolution[ContactView]:
        key = match_key(text or "")
        if not key:
            return Resolution()
        with self._session_factory() as session:
            repo = OrganisationRepository(session)
            index = repo.name_index()
            ids = {org_id for name, org_id in index if name == key}
            if not ids:
                # 上海市质量协会秘书处, 质协的: the longest known name inside the words, unless a
                # place stands right before it (北京市质量协会, 杭州质协: another city's association).
                contained = [(len(name), org_id) for name, org_id in index
                             if len(name) >= 2 and name in key and not ends_with_other_place(key[:key.index(name)])]
                if contained:
                    longest = max(length for length, _ in contained)
                    ids = {org_id for length, org_id in contained if length == longest}
            organisations = [o for o in (repo.get(i) for i in sorted(ids)) if o is not None]
            return Resolution(tuple(contact_view(o) for o in organisations))

    def with_contacts(self) -> list[str]:
        """Names of the organisations whose contact details a notice gives."""
        with self._session_factory() as session:
            query = select(Organisation.name).where(Organisation.contact_source_id.is_not(None))
            return list(session.scalars(query.order_by(Organisation.id)).all())

    def organisation_id(self, name: str) -> int | None:
        with self._session_factory() as session:
            organisation = OrganisationRepository(session).get_by_name(name)
            return organisation.id if organisation else None

    def contact(self, name: str) -> ContactView | None:
        with self._session_factory() as session:
            organisation = OrganisationRepository(session).get_by_name(name)
            return contact_view(organisation) if organisation else None

    def for_activity(self, activity_id: int) -> list[ContactView]:
        """How to reach the people behind an activity, most specific first: the contacts
        its own notice gives for it, then units whose contact details that notice gives,
        then responsible units (the department running it), then organisers."""
        with self._session_factory() as session:
            activity = ActivityRepository(session).get(activity_id)
            if activity is None:
                return []
            own = [view for view in notice_contact_views(activity) if view.has_any]
            query = (select(Organisation, ActivityOrganisation.role)
                     .join(ActivityOrganisation, ActivityOrganisation.organisation_id == Organisation.id)
                     .where(ActivityOrganisation.activity_id == activity_id,
                            Organisation.contact_source_id.is_not(None))
                     .order_by(ActivityOrganisation.position))
            rows = session.execute(query).all()
            ranked = sorted(rows, key=lambda row: (row[0].contact_source_id != activity.source_document_id,
                                                   row[1] != "responsible"))
            # A unit the notice itself gives a contact for is not repeated from its
            # organisation record: the notice's own lines are the more specific.
            seen: dict[str, ContactView] = {view.organisation: view for view in own}
            for organisation, _ in ranked:
                seen.setdefault(organisation.name, contact_view(organisation))
            return [view for view in seen.values() if view.has_any]
