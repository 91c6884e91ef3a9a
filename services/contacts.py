"""Organisations and how to reach them."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from services.models import Activity, ActivityOrganisation, Organisation
from services.places import ends_with_other_place
from services.repositories import OrganisationRepository
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
        """How to reach the units behind an activity, most specific first: units
        whose contact details the activity's own notice gives, then responsible
        units (the department running it), then organisers."""
        with self._session_factory() as session:
            query = (select(Organisation, ActivityOrganisation.role, Activity.source_document_id)
                     .join(ActivityOrganisation, ActivityOrganisation.organisation_id == Organisation.id)
                     .join(Activity, Activity.id == ActivityOrganisation.activity_id)
                     .where(ActivityOrganisation.activity_id == activity_id,
                            Organisation.contact_source_id.is_not(None))
                     .order_by(ActivityOrganisation.position))
            rows = session.execute(query).all()
            ranked = sorted(rows, key=lambda row: (row[0].contact_source_id != row[2],
                                                   row[1] != "responsible"))
            seen: dict[int, ContactView] = {}
            for organisation, _, _ in ranked:
                seen.setdefault(organisation.id, contact_view(organisation))
            return [view for view in seen.values() if view.has_any]
